import * as tf from '@tensorflow/tfjs';
import type { Distribution } from '../distributions/distribution.js';
import { MultivariateNormalTriL as MvnTriL } from '../distributions/mvn_tril.js';
import { InvalidArgumentError } from '../errors.js';
import { fillTriangular } from '../math/fill_triangular.js';
import { DistributionLayer, buildDistribution, paramsBatchShape, type LayerArgs } from './distribution_layer.js';
import { mvnTrilNllOrNull } from '../kernels/mvn_tril_nll.js';

export interface MultivariateNormalTriLArgs extends LayerArgs {
  /** Dimension `n` of the event (the model predicts an `n`-vector and an `n x n` covariance). */
  eventSize: number;
}

/** The diagonal shift of TFP's `FillScaleTriL` default used by this layer. */
export const SCALE_TRIL_DIAG_SHIFT = 1e-5;

function checkEventSize(n: unknown, owner: string): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0) {
    throw new InvalidArgumentError(`${owner}: eventSize must be a positive integer; got ${JSON.stringify(n)}`);
  }
  return n;
}

/**
 * TFP's `FillScaleTriL(diag_shift=1e-5)`: the lower-triangular `n x n` matrix
 * `fillTriangular(x)` with its diagonal mapped through `softplus(d) + 1e-5`.
 * `x` is `[..., n(n+1)/2]`; the result `[..., n, n]` is a valid Cholesky factor.
 * Differentiable (elementwise masks, no gather).
 */
export function fillScaleTriL(x: tf.Tensor, diagShift = SCALE_TRIL_DIAG_SHIFT): tf.Tensor {
  return tf.tidy(() => {
    const m = fillTriangular(x);
    const n = m.shape[m.rank - 1]!;
    const eye = tf.eye(n);
    const off = tf.mul(m, tf.sub(1, eye));
    const diag = tf.mul(tf.add(tf.softplus(m), diagShift), eye);
    return tf.add(off, diag);
  });
}

/**
 * A head for a multivariate normal with full covariance: TFP's `tfpl.MultivariateNormalTriL`.
 *
 * Mathematical details: raw parameters `p = [μ (n), t (n(n+1)/2)]` give
 * `MultivariateNormalTriL(loc = μ, scaleTril = L)` with `L = fillTriangular(t)` whose diagonal
 * is replaced by `softplus(diag) + 1e-5` (TFP's `FillScaleTriL(diag_shift=1e-5)`, in
 * `fillTriangular`'s element order), so the covariance `L Lᵀ` is positive definite for any `p`:
 * `log p(y) = -½‖L⁻¹(y - μ)‖² - Σ log L_ii - (n/2) log 2π`.
 *
 * Parameters: input `[...batch, n + n(n+1)/2]`; output the same tensor;
 * `toDistribution(params)` has batch shape `[...batch]`, event shape `[n]`.
 *
 * @example
 * ```ts
 * const inputs = tf.input({ shape: [6] });
 * const h = tf.layers.dense({ units: 24, activation: 'relu' }).apply(inputs) as tf.SymbolicTensor;
 * const p = tf.layers.dense({ units: tfpl.MultivariateNormalTriL.paramsSize(5) }).apply(h) as tf.SymbolicTensor;
 * const head = new tfpl.MultivariateNormalTriL({ eventSize: 5 });
 * const model = tf.model({ inputs, outputs: head.apply(p) as tf.SymbolicTensor });
 * model.compile({ optimizer: 'adam', loss: tfp.losses.negativeLogLikelihood(head) });
 * await model.fit(x, y);                      // x: [N, 6], y: [N, 5]
 * const d = tfp.predictDistribution(model, x); // d.mean(): [N, 5], d.covariance(): [N, 5, 5]
 * ```
 */
export class MultivariateNormalTriL extends DistributionLayer {
  static className = 'MultivariateNormalTriL';
  private readonly n: number;

  constructor(args: MultivariateNormalTriLArgs) {
    super(args);
    this.n = checkEventSize(args?.eventSize, 'MultivariateNormalTriL');
  }

  /** Number of raw parameters for an `n`-variate event: `n + n(n+1)/2`. */
  static paramsSize(eventSize: number): number {
    const n = checkEventSize(eventSize, 'MultivariateNormalTriL.paramsSize');
    return n + (n * (n + 1)) / 2;
  }

  /** TFP's `MultivariateNormalTriL.new(params, eventSize)`. */
  static toDistribution(params: tf.Tensor, eventSize: number): Distribution {
    const n = checkEventSize(eventSize, 'MultivariateNormalTriL');
    const p = MultivariateNormalTriL.paramsSize(n);
    paramsBatchShape(params, p, 'MultivariateNormalTriL');
    return buildDistribution(
      () => {
        const [loc, t] = tf.split(params, [n, p - n], -1) as [tf.Tensor, tf.Tensor];
        return [loc, fillScaleTriL(t)] as [tf.Tensor, tf.Tensor];
      },
      (loc, scaleTril) => new MvnTriL({ loc, scaleTril }),
    );
  }

  override get paramsSize(): number {
    return MultivariateNormalTriL.paramsSize(this.n);
  }

  override get eventShape(): number[] {
    return [this.n];
  }

  /** The event size `n`. */
  get eventSize(): number {
    return this.n;
  }

  override toDistribution(params: tf.Tensor): Distribution {
    return MultivariateNormalTriL.toDistribution(params, this.n);
  }

  /** The NLL loss's fused path (one kernel forward and one backward on cpu/wasm); see `DistributionHead`. */
  negativeLogLikelihood(params: tf.Tensor, y: tf.Tensor): tf.Scalar | null {
    return mvnTrilNllOrNull(params, y, this.n, SCALE_TRIL_DIAG_SHIFT);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), eventSize: this.n };
  }
}
