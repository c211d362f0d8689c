import * as tf from '@tensorflow/tfjs';
import type { Distribution } from '../distributions/distribution.js';
import { InvalidArgumentError, fmtShape } from '../errors.js';
import type { LayerArgs } from './distribution_layer.js';
import {
  PendingLoss,
  VARIATIONAL_FNS,
  activationFn,
  checkKlWeight,
  klDivergenceOrMonteCarlo,
  seedOpts,
  type Initializer,
  type MakeVariationalFn,
} from './variational_fns.js';

export interface DenseVariationalArgs extends LayerArgs {
  /** Number of output units. */
  units: number;
  /** Posterior maker or its registered name (default `'posteriorMeanField'`). */
  makePosteriorFn?: MakeVariationalFn | string;
  /** Prior maker or its registered name (default `'priorStandardNormal'`). */
  makePriorFn?: MakeVariationalFn | string;
  /** Weight of the KL term in the loss, typically `1 / numTrainingExamples` (default 1). */
  klWeight?: number;
  /** Exact `KL(q || p)` (needs a registered KL pair) instead of TFP's default one-draw estimate (default false, as TFP). */
  klUseExact?: boolean;
  /** Activation name (default linear). */
  activation?: string | null;
  /** Whether the layer has a bias (default true). */
  useBias?: boolean;
  /** Integer seed for reproducible weight draws (each call still draws fresh weights). */
  seed?: number;
}

/**
 * Dense layer with a distribution over its weights, trained by variational inference:
 * TFP's `tfpl.DenseVariational`.
 *
 * Mathematical details: with input `x [..., d]`, `n = d·units + units` weights
 * `w = [vec(K), b]` and a posterior `q(w)` and prior `p(w)` made by `makePosteriorFn` and
 * `makePriorFn` (distributions over `[n]`), each call draws `w ~ q` (reparameterized) and returns
 * `activation(x K + b)`. The layer adds `klWeight · KL(q || p)` to its losses (exact with
 * `klUseExact`, else the one-draw estimate `log q(w) − log p(w)` on the forward pass's `w`),
 * so `model.fit` minimizes the negative ELBO `E_q[−log p(y | x, w)] + klWeight · KL` with
 * `klWeight = 1 / N` for `N` training examples (the loss tfjs reports is a batch mean).
 * Weights are drawn in prediction too: repeated `model.predict` calls sample the posterior
 * predictive (epistemic uncertainty), see `tfp.predictiveMixture`.
 *
 * Parameters: input `[..., d]`; output `[..., units]`. Saving keeps the variables of the
 * posterior and prior; the makers are saved by registered name (`registerVariationalFn`).
 *
 * @example
 * ```ts
 * // Inputs standardized: one weight draw multiplies them, and raw inputs of tens give NaN.
 * const head = new tfpl.IndependentNormal();
 * const model = tf.sequential({ layers: [
 *   new tfpl.DenseVariational({ inputShape: [1], units: 2, klWeight: 1 / xTrain.shape[0]!,
 *     makePosteriorFn: tfpl.posteriorMeanField, makePriorFn: tfpl.priorTrainable }),
 *   head,
 * ] });
 * model.compile({ optimizer: tf.train.adam(0.05), loss: tfp.losses.negativeLogLikelihood(head) });
 * await model.fit(xTrain, yTrain, { epochs: 500 });   // the reported loss includes the KL
 * ```
 */
export class DenseVariational extends tf.layers.Layer {
  static className = 'DenseVariational';
  readonly units: number;
  readonly klWeight: number;
  /** Draws new weights on every call (read by `predictDistribution`, which then predicts all rows in one call). */
  readonly drawsWeights = true;
  readonly klUseExact: boolean;
  readonly useBias: boolean;
  readonly seed: number | undefined;
  private readonly activationName: string | null;
  private readonly activationFn: (x: tf.Tensor) => tf.Tensor;
  private readonly posteriorMaker: { fn: MakeVariationalFn; name: string | undefined };
  private readonly priorMaker: { fn: MakeVariationalFn; name: string | undefined };
  private posterior: (() => Distribution) | undefined;
  private prior: (() => Distribution) | undefined;
  private inputDim = 0;
  private calls = 0;
  private readonly pending = new PendingLoss();

  constructor(args: DenseVariationalArgs) {
    super(args);
    const owner = 'DenseVariational';
    if (!Number.isInteger(args?.units) || args.units <= 0) {
      throw new InvalidArgumentError(`${owner}: units must be a positive integer; got ${JSON.stringify(args?.units)}`);
    }
    this.units = args.units;
    this.klWeight = checkKlWeight(args.klWeight, owner);
    this.klUseExact = args.klUseExact ?? false;
    this.useBias = args.useBias ?? true;
    this.activationName = args.activation ?? null;
    this.activationFn = activationFn(this.activationName, owner);
    this.posteriorMaker = VARIATIONAL_FNS.resolve(args.makePosteriorFn, 'posteriorMeanField', owner, 'makePosteriorFn');
    this.priorMaker = VARIATIONAL_FNS.resolve(args.makePriorFn, 'priorStandardNormal', owner, 'makePriorFn');
    if (args.seed !== undefined && !Number.isFinite(args.seed)) {
      throw new InvalidArgumentError(`${owner}: seed must be a finite number; got ${String(args.seed)}`);
    }
    this.seed = args.seed;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const d = s[s.length - 1];
    if (typeof d !== 'number') {
      throw new InvalidArgumentError(`DenseVariational: the last input dimension must be known; got input shape ${JSON.stringify(s)}`);
    }
    this.inputDim = d;
    const kernelSize = d * this.units;
    const biasSize = this.useBias ? this.units : 0;
    const vars = { addWeight: (name: string, shape: number[], init: Initializer, trainable = true) =>
      this.addWeight(name, shape, 'float32', init, undefined, trainable) };
    this.posterior = this.posteriorMaker.fn(kernelSize, biasSize, vars);
    this.prior = this.priorMaker.fn(kernelSize, biasSize, vars);
    this.addLoss(() => this.pending.take(() => this.klTerm(undefined)) as tf.Scalar);
    this.built = true;
  }

  /** `klWeight · KL(q || p)` (exact, or at the weights `w`; a fresh draw when `w` is undefined). */
  private klTerm(w: tf.Tensor | undefined): tf.Scalar {
    return tf.tidy(() => {
      const q = this.posterior!();
      const p = this.prior!();
      const ws = w ?? (this.klUseExact ? undefined : q.sample([], seedOpts(this.seed, this.calls++)));
      return tf.mul(klDivergenceOrMonteCarlo(q, p, ws, this.klUseExact), this.klWeight) as tf.Scalar;
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [...s.slice(0, -1), this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean } = {}): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    if (x.shape[x.rank - 1] !== this.inputDim) {
      throw new InvalidArgumentError(`DenseVariational '${this.name}': input must be [..., ${this.inputDim}]; got ${fmtShape(x.shape)}`);
    }
    const opts = seedOpts(this.seed, this.calls++);
    const training = kwargs.training === true;
    const [y, kl] = tf.tidy(() => {
      const q = this.posterior!();
      const w = q.sample([], opts);
      const kSize = this.inputDim * this.units;
      const kernel = tf.reshape(tf.slice(w, [0], [kSize]), [this.inputDim, this.units]);
      const x2 = tf.reshape(x, [-1, this.inputDim]);
      let out = tf.matMul(x2, kernel);
      if (this.useBias) out = tf.add(out, tf.slice(w, [kSize], [this.units]));
      out = tf.reshape(this.activationFn(out), [...x.shape.slice(0, -1), this.units]);
      if (!training) return [out];
      const p = this.prior!();
      return [out, tf.mul(klDivergenceOrMonteCarlo(q, p, w, this.klUseExact), this.klWeight)];
    });
    if (kl !== undefined) this.pending.set(kl);
    return y!;
  }

  override dispose(): ReturnType<tf.layers.Layer['dispose']> {
    this.pending.clear();
    return super.dispose();
  }

  override getConfig(): tf.serialization.ConfigDict {
    const owner = `DenseVariational '${this.name}'`;
    const cfg: tf.serialization.ConfigDict = {
      ...super.getConfig(),
      units: this.units,
      makePosteriorFn: VARIATIONAL_FNS.configName(this.posteriorMaker.fn, this.posteriorMaker.name, owner, 'makePosteriorFn'),
      makePriorFn: VARIATIONAL_FNS.configName(this.priorMaker.fn, this.priorMaker.name, owner, 'makePriorFn'),
      klWeight: this.klWeight,
      klUseExact: this.klUseExact,
      activation: this.activationName,
      useBias: this.useBias,
    };
    if (this.seed !== undefined) cfg['seed'] = this.seed;
    return cfg;
  }
}

