/**
 * `tfpl.VariationalGaussianProcess`: a sparse variational GP as the last layer of a Keras model
 * (TFP's `tfp.layers.VariationalGaussianProcess`, the "Probabilistic Layers Regression" tutorial's
 * case 5), trained with `model.fit` and `tfp.losses.negativeLogLikelihood(layer)`.
 */
import * as tf from '@tensorflow/tfjs';
import { DistributionLayer, type LayerArgs } from './distribution_layer.js';
import { VariationalGaussianProcess as VGP } from '../distributions/variational_gaussian_process.js';
import { ExponentiatedQuadratic } from '../math/psd_kernels/exponentiated_quadratic.js';
import { MaternFiveHalves, MaternOneHalf, MaternThreeHalves } from '../math/psd_kernels/matern.js';
import type { PositiveSemidefiniteKernel } from '../math/psd_kernels/psd_kernel.js';
import { InvalidArgumentError, fmtShape } from '../errors.js';

type Initializer = ReturnType<typeof tf.initializers.zeros>;

/** The kernels the layer can train (amplitude and length scale through softplus). */
export type TrainableKernelName = 'ExponentiatedQuadratic' | 'MaternOneHalf' | 'MaternThreeHalves' | 'MaternFiveHalves';
const KERNELS: Record<TrainableKernelName, new (a: { amplitude: tf.Tensor; lengthScale: tf.Tensor }) => PositiveSemidefiniteKernel> = {
  ExponentiatedQuadratic,
  MaternOneHalf,
  MaternThreeHalves,
  MaternFiveHalves,
};

export type VariationalGaussianProcessLayerArgs = LayerArgs & {
  /** Number M of inducing points. */
  numInducingPoints: number;
  /** Event shape of one output: `[1]` (or `[]`), a scalar per row, as TFP's tutorial. */
  eventShape?: number[];
  /** The kernel whose amplitude and length scale are trained (default `'ExponentiatedQuadratic'`). */
  kernel?: TrainableKernelName;
  /** Initializer of the inducing index points `[M, F]` (default uniform on [-1, 1], as TFP). */
  inducingIndexPointsInitializer?: Initializer;
  /** Initial softplus-inverse of the observation noise variance (default 0.54: a variance of 1). */
  unconstrainedObservationNoiseVarianceInitial?: number;
  /** Size of the training set: the KL term is weighted by 1 / numTrainingPoints per row (default: the batch is the whole set). */
  numTrainingPoints?: number;
  /** Jitter of the inducing points' factorization, relative to the amplitude² (default 1e-4: float32). */
  jitter?: number;
};

/**
 * A VGP whose kernel was made for it (and is released with it), with the inducing points' jitter
 * relative to the kernel's variance (`jitter · amplitude²`), so that the factorization of `k(Z, Z)`
 * survives float32 whatever scale the amplitude is trained to.
 */
class OwningVGP extends VGP {
  constructor(args: ConstructorParameters<typeof VGP>[0], private readonly zJitter: tf.Tensor) {
    super(args);
  }
  protected override inducingJitter(): tf.Tensor {
    return this.zJitter;
  }
  override dispose(): void {
    if (this.isDisposed) return;
    super.dispose();
    this.kernel.dispose();
    this.zJitter.dispose();
  }
}

/**
 * A sparse variational Gaussian process over the layer's inputs (index points `[N, F]`): trainable
 * inducing points `[M, F]`, whitened variational mean `[M]` and lower-triangular scale `[M, M]`
 * (softplus diagonal), kernel amplitude and length scale, and observation noise variance (each
 * through softplus). The layer passes its input through; `toDistribution(x)` is the
 * `tfd.VariationalGaussianProcess` at the index points `x` (event shape `[N]`, the joint process), and
 * `tfp.losses.negativeLogLikelihood(layer)` trains with its variational loss per row:
 * `−mean E_q[log N(yᵢ | fᵢ, σ²)] + KL(q ‖ p) / numTrainingPoints`.
 *
 * @example
 * ```ts
 * const x = tf.linspace(-1, 1, 64).reshape([64, 1]);
 * const y = tf.sin(tf.mul(3, x)).reshape([64]);
 * const gp = new tfpl.VariationalGaussianProcess({ numInducingPoints: 8, eventShape: [1], numTrainingPoints: 64 });
 * const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1, kernelInitializer: 'ones', useBias: false }), gp] });
 * model.compile({ optimizer: tf.train.adam(0.05), loss: tfp.losses.negativeLogLikelihood(gp) });
 * await model.fit(x, y, { epochs: 2, batchSize: 64, verbose: 0 });
 * const d = tfp.predictDistribution(model, x);   // a tfd.VariationalGaussianProcess, event shape [64]
 * ```
 */
export class VariationalGaussianProcess extends DistributionLayer {
  static className = 'VariationalGaussianProcess';
  readonly numInducingPoints: number;
  readonly kernelName: TrainableKernelName;
  readonly numTrainingPoints: number | undefined;
  readonly jitter: number;
  private readonly eventShapeValue: number[];
  private readonly inducingInit: Initializer;
  private readonly noiseInit: number;
  private features = 0;
  private inducing!: tf.LayerVariable;
  private locW!: tf.LayerVariable;
  private scaleW!: tf.LayerVariable;
  private ampW!: tf.LayerVariable;
  private lengthW!: tf.LayerVariable;
  private noiseW!: tf.LayerVariable;

  constructor(args: VariationalGaussianProcessLayerArgs) {
    super(args);
    const cls = 'VariationalGaussianProcess';
    const M = args?.numInducingPoints;
    if (!Number.isInteger(M) || M <= 0) throw new InvalidArgumentError(`${cls}: numInducingPoints must be a positive integer; got ${String(M)}`);
    const ev = args.eventShape ?? [1];
    if (!(ev.length === 0 || (ev.length === 1 && ev[0] === 1))) {
      throw new InvalidArgumentError(`${cls}: eventShape must be [1] or [] (one scalar output per row); got ${fmtShape(ev)}`);
    }
    const k = args.kernel ?? 'ExponentiatedQuadratic';
    if (!(k in KERNELS)) throw new InvalidArgumentError(`${cls}: kernel must be one of ${Object.keys(KERNELS).join(', ')}; got ${String(k)}`);
    const n = args.numTrainingPoints;
    if (n !== undefined && !(Number.isInteger(n) && n > 0)) throw new InvalidArgumentError(`${cls}: numTrainingPoints must be a positive integer; got ${String(n)}`);
    this.numInducingPoints = M;
    this.kernelName = k;
    this.numTrainingPoints = n;
    this.jitter = args.jitter ?? 1e-4;
    this.eventShapeValue = [...ev];
    this.inducingInit = args.inducingIndexPointsInitializer ?? tf.initializers.randomUniform({ minval: -1, maxval: 1 });
    this.noiseInit = args.unconstrainedObservationNoiseVarianceInitial ?? 0.54;
  }

  get paramsSize(): number {
    return this.features;
  }

  get eventShape(): number[] {
    return [];
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const F = s[s.length - 1];
    if (typeof F !== 'number') throw new InvalidArgumentError(`VariationalGaussianProcess: the input's last dimension must be known; got ${JSON.stringify(s)}`);
    this.features = F;
    const M = this.numInducingPoints;
    this.inducing = this.addWeight('inducing_index_points', [M, F], 'float32', this.inducingInit);
    this.locW = this.addWeight('variational_inducing_observations_loc', [M], 'float32', tf.initializers.zeros());
    // Raw lower-triangular scale: softplus(0.5413) = 1 on the diagonal (q starts at the whitened prior).
    this.scaleW = this.addWeight('variational_inducing_observations_scale', [M, M], 'float32', tf.initializers.identity({ gain: 0.5413 }));
    this.ampW = this.addWeight('amplitude', [], 'float32', tf.initializers.zeros());
    this.lengthW = this.addWeight('length_scale', [], 'float32', tf.initializers.zeros());
    this.noiseW = this.addWeight('observation_noise_variance', [], 'float32', tf.initializers.constant({ value: this.noiseInit }));
    this.built = true;
  }

  /** The VGP at the index points `x [N, F]` (the layer's output), with the current weights. */
  toDistribution(params: tf.Tensor): VGP {
    if (!this.built) throw new InvalidArgumentError('VariationalGaussianProcess: the layer is not built yet (call the model or layer on an input first)');
    if (params.rank !== 2 || params.shape[1] !== this.features) {
      throw new InvalidArgumentError(`VariationalGaussianProcess: index points must be [N, ${this.features}]; got ${fmtShape(params.shape)}`);
    }
    const M = this.numInducingPoints;
    const ts = tf.tidy(() => {
      const raw = this.scaleW.read();
      // Masks, not tf.linalg.bandPart: its gradient (through unstack) fails in tfjs 4.22.
      const eye = tf.eye(M);
      const strictLower = tf.sub(tf.linalg.bandPart(tf.ones([M, M]), -1, 0), eye);
      const scale = tf.add(tf.mul(raw, strictLower), tf.mul(eye, tf.add(tf.softplus(raw), 1e-5)));
      const amp = tf.softplus(this.ampW.read());
      return [
        amp,
        tf.add(tf.softplus(this.lengthW.read()), 1e-5),
        tf.add(tf.softplus(this.noiseW.read()), 1e-6),
        scale,
        tf.mul(this.jitter, tf.square(amp)),
      ];
    });
    try {
      const kernel = new KERNELS[this.kernelName]({ amplitude: ts[0]!, lengthScale: ts[1]! });
      try {
        return new OwningVGP({
          kernel, indexPoints: params, inducingIndexPoints: this.inducing.read(), variationalInducingObservationsLoc: this.locW.read(),
          variationalInducingObservationsScale: ts[3]!, observationNoiseVariance: ts[2]!, jitter: 1e-6,
        }, tf.reshape(ts[4]!, []));
      } catch (e) {
        kernel.dispose();
        throw e;
      }
    } finally {
      tf.dispose(ts);
    }
  }

  /** The per-row variational loss for `tfp.losses.negativeLogLikelihood(layer)`. */
  negativeLogLikelihood(params: tf.Tensor, y: tf.Tensor): tf.Scalar {
    return tf.tidy(() => {
      const d = this.toDistribution(params);
      try {
        const N = params.shape[0]!;
        const yv = tf.reshape(y, [N]);
        const total = this.numTrainingPoints ?? N;
        return tf.div(d.variationalLoss(yv, { klWeight: N / total }), N) as tf.Scalar;
      } finally {
        d.dispose();
      }
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const cfg = super.getConfig();
    cfg['numInducingPoints'] = this.numInducingPoints;
    cfg['eventShape'] = this.eventShapeValue;
    cfg['kernel'] = this.kernelName;
    if (this.numTrainingPoints !== undefined) cfg['numTrainingPoints'] = this.numTrainingPoints;
    cfg['jitter'] = this.jitter;
    cfg['unconstrainedObservationNoiseVarianceInitial'] = this.noiseInit;
    return cfg;
  }
}
