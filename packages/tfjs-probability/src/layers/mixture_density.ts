import * as tf from '@tensorflow/tfjs';
import type { Distribution } from '../distributions/distribution.js';
import { Independent } from '../distributions/independent.js';
import { Normal } from '../distributions/normal.js';
import type { FusedMixtureParams, MixtureSameFamily as MixtureSameFamilyDistribution } from '../distributions/mixture_same_family.js';
import { DistributionLayer, buildDistribution, paramsBatchShape, type LayerArgs } from './distribution_layer.js';
import { assembleMixture, checkCount } from './mixture_same_family.js';
import { mdnActivation } from '../kernels/mixture_mdn_activation.js';
import { denseOp } from '../kernels/dense_op.js';
import { mixtureNormalNllOrNull } from '../kernels/mixture_normal_logprob.js';

/** Keras' `backend.epsilon()`, added to `elu + 1` so a scale never reaches 0. */
export const MDN_SIGMA_EPSILON = 1e-7;

export interface MixtureDensityArgs extends LayerArgs {
  /** Dimension `n` of the modelled vector (the recipe's `output_dimension`). */
  eventSize: number;
  /** Number of mixture components `K` (the recipe's `num_mixtures`). */
  numComponents: number;
  /** Seed for the weight initializer (Glorot uniform per block, as three Keras Dense layers). */
  seed?: number;
}

/**
 * Dense projection + MDN activation: `out = [z_μ, elu(z_σ) + 1 + ε, z_logits]` with
 * `z = xW + b`; σ columns are `[start, end)`. On cpu/wasm one fused matMul launch and one
 * activation kernel forward, and their registered gradients backward (no transposed matMuls,
 * no input gradient for a data input); composed tfjs ops elsewhere.
 */
function mdnProjection(x: tf.Tensor2D, kernel: tf.Tensor, bias: tf.Tensor, start: number, end: number): tf.Tensor2D {
  return mdnActivation(denseOp(x, kernel as tf.Tensor2D, bias as tf.Tensor1D, false), start, end, MDN_SIGMA_EPSILON) as tf.Tensor2D;
}

/**
 * The mixture density network output layer of the Keras recipe
 * ("Approximating non-function mappings with mixture density networks"), with its
 * own Dense projections.
 *
 * Mathematical details: for input `h [..., d]` the layer computes
 * `μ = h W_μ + b_μ` (K·n), `σ = elu(h W_σ + b_σ) + 1 + ε` (K·n, ε = 1e-7) and
 * `logits = h W_π + b_π` (K) and outputs `[μ (K·n), σ (K·n), logits (K)]`; component `k`
 * reads its `n` means and scales at offset `k·n` of each block. `toDistribution` gives
 * `MixtureSameFamily(Categorical(logits), Independent(Normal(μ_k, σ_k)))` with
 * `p(y) = Σ_k π_k Π_i N(y_i; μ_ki, σ_ki)`, the recipe's mixture of diagonal normals.
 * The three projections are stored as one kernel `[d, K(2n+1)]` and bias (the same function
 * as the recipe's three Dense layers, one matMul instead of three); each block is
 * initialized Glorot-uniform with its own fan-out, as Keras would.
 *
 * Parameters: input `[..., d]`; output `[..., K(2n+1)]`; `toDistribution` has batch `[...]`
 * and event `[n]`. On `[N, P]` parameters the log density and its gradient run through one
 * fused kernel (cpu, wasm), so `tfp.losses.negativeLogLikelihood(head)` is fast in `fit`.
 *
 * @example
 * ```ts
 * const head = new tfpl.MixtureDensity({ eventSize: 1, numComponents: 20 });
 * const model = tf.sequential({ layers: [
 *   tf.layers.dense({ inputShape: [1], units: 128, activation: 'relu' }),
 *   tf.layers.dense({ units: 128, activation: 'relu' }),
 *   head,
 * ] });
 * model.compile({ optimizer: 'adam', loss: tfp.losses.negativeLogLikelihood(head) });
 * await model.fit(x, y, { epochs: 300, batchSize: 128 });    // y: [N, 1]
 * const mix = head.toDistribution(model.predict(x) as tf.Tensor);
 * const ys = mix.sample([], { temperature: 1, scaleTemperature: 1 });   // [N, 1]
 * ```
 */
export class MixtureDensity extends DistributionLayer {
  static className = 'MixtureDensity';
  readonly eventSize: number;
  readonly numComponents: number;
  private readonly seed: number | undefined;
  private kernel: tf.LayerVariable | null = null;
  private bias: tf.LayerVariable | null = null;

  constructor(args: MixtureDensityArgs) {
    super(args);
    this.eventSize = checkCount(args.eventSize, 'eventSize', 'MixtureDensity');
    this.numComponents = checkCount(args.numComponents, 'numComponents', 'MixtureDensity');
    this.seed = args.seed;
  }

  /** Output width `K(2n + 1)` for `eventSize` n and `numComponents` K. */
  static paramsSize(eventSize: number, numComponents: number): number {
    const n = checkCount(eventSize, 'eventSize', 'MixtureDensity.paramsSize');
    const k = checkCount(numComponents, 'numComponents', 'MixtureDensity.paramsSize');
    return k * (2 * n + 1);
  }

  /** The recipe's split of `[μ (K·n), σ (K·n), logits (K)]` into a MixtureSameFamily. */
  static toDistribution(params: tf.Tensor, eventSize: number, numComponents: number): MixtureSameFamilyDistribution {
    const n = checkCount(eventSize, 'eventSize', 'MixtureDensity');
    const K = checkCount(numComponents, 'numComponents', 'MixtureDensity');
    const batch = paramsBatchShape(params, K * (2 * n + 1), 'MixtureDensity');
    const zeros = new Array<number>(batch.length).fill(0);
    const fused: FusedMixtureParams | undefined =
      batch.length === 1 ? { params, layout: 'mdn', numComponents: K, eventSize: n } : undefined;
    return buildDistribution(
      () => [
        tf.reshape(tf.slice(params, [...zeros, 0], [...batch, K * n]), [...batch, K, n]),
        tf.reshape(tf.slice(params, [...zeros, K * n], [...batch, K * n]), [...batch, K, n]),
        tf.slice(params, [...zeros, 2 * K * n], [...batch, K]),
      ] as [tf.Tensor, tf.Tensor, tf.Tensor],
      (loc, scale, logits) =>
        assembleMixture(logits, new Independent({ distribution: new Normal({ loc, scale }), reinterpretedBatchNdims: 1 }), fused),
    ) as MixtureSameFamilyDistribution;
  }

  override get paramsSize(): number {
    return this.numComponents * (2 * this.eventSize + 1);
  }

  override get eventShape(): number[] {
    return [this.eventSize];
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const d = s[s.length - 1];
    if (d == null) throw new Error('MixtureDensity: the last input dimension must be known');
    const K = this.numComponents;
    const n = this.eventSize;
    const P = this.paramsSize;
    this.kernel = this.addWeight('kernel', [d, P], 'float32', tf.initializers.zeros());
    this.bias = this.addWeight('bias', [P], 'float32', tf.initializers.zeros());
    const seeds = this.seed === undefined ? [undefined, undefined, undefined] : [this.seed, this.seed + 1, this.seed + 2];
    const init = tf.tidy(() => {
      // Glorot uniform per block, as the recipe's three Dense layers (fan-out K·n, K·n, K).
      const block = (cols: number, seed: number | undefined) => {
        const limit = Math.sqrt(6 / (d + cols));
        return tf.randomUniform([d, cols], -limit, limit, 'float32', seed);
      };
      return tf.concat([block(K * n, seeds[0]), block(K * n, seeds[1]), block(K, seeds[2])], 1);
    });
    this.kernel.write(init);
    init.dispose();
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[] {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const d = x.shape[x.rank - 1]!;
      const x2 = (x.rank === 2 ? x : tf.reshape(x, [-1, d])) as tf.Tensor2D;
      const kn = this.numComponents * this.eventSize;
      const out = mdnProjection(x2, this.kernel!.read(), this.bias!.read(), kn, 2 * kn);
      return x.rank === 2 ? out : tf.reshape(out, [...x.shape.slice(0, -1), this.paramsSize]);
    });
  }

  override toDistribution(params: tf.Tensor): MixtureSameFamilyDistribution {
    return MixtureDensity.toDistribution(params, this.eventSize, this.numComponents);
  }

  /** The NLL loss's fused path (one kernel forward and one backward on cpu/wasm); see `DistributionHead`. */
  negativeLogLikelihood(params: tf.Tensor, y: tf.Tensor): tf.Scalar | null {
    return mixtureNormalNllOrNull(params, y, { numComponents: this.numComponents, eventSize: this.eventSize, layout: 'mdn' });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const cfg: tf.serialization.ConfigDict = { ...super.getConfig(), eventSize: this.eventSize, numComponents: this.numComponents };
    if (this.seed !== undefined) cfg['seed'] = this.seed;
    return cfg;
  }
}
