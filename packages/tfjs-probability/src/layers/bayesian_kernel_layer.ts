/**
 * Base of the Reparameterization and Flipout layers (TFP's `_DenseVariational` /
 * `_ConvVariational`): a mean-field normal posterior over the kernel, a standard normal prior,
 * a deterministic bias, a KL term in the layer's losses. Subclasses give the linear operation
 * (matMul, conv2d) and the shapes; the estimator (reparameterization or flipout) is a flag.
 */
import * as tf from '@tensorflow/tfjs';
import type { Distribution } from '../distributions/distribution.js';
import { InvalidArgumentError } from '../errors.js';
import { randomNormal, randomUniform } from '../math/random.js';
import { splitSeed } from '../util.js';
import type { LayerArgs } from './distribution_layer.js';
import {
  DIVERGENCE_FNS,
  PendingLoss,
  activationFn,
  checkKlWeight,
  independentNormal,
  seedForCall,
  seedOpts,
  type DivergenceFn,
} from './variational_fns.js';

export interface BayesianKernelLayerArgs extends LayerArgs {
  /** Activation name (default linear). */
  activation?: string | null;
  /** Divergence `(q, p, w) => scalar` of the kernel or its registered name (default `'klExact'`, TFP's exact KL). */
  kernelDivergenceFn?: DivergenceFn | string;
  /** Factor on the divergence in the loss, typically `1 / numTrainingExamples` (default 1). */
  klWeight?: number;
  /** Whether the layer has a (deterministic, point-estimate) bias, as TFP's default (default true). */
  useBias?: boolean;
  /** Integer seed for reproducible draws (each call still draws fresh noise). */
  seed?: number;
}

/** float32 machine epsilon: TFP's floor on the softplus scale. */
const EPS = 1.1920929e-7;

export abstract class BayesianKernelLayer extends tf.layers.Layer {
  readonly klWeight: number;
  /** Draws new weights on every call (read by `predictDistribution`, which then predicts all rows in one call). */
  readonly drawsWeights = true;
  readonly useBias: boolean;
  readonly seed: number | undefined;
  protected readonly activationName: string | null;
  private readonly act: (x: tf.Tensor) => tf.Tensor;
  private readonly divergence: { fn: DivergenceFn; name: string | undefined };
  private kernelLoc: tf.LayerVariable | undefined;
  private kernelRawScale: tf.LayerVariable | undefined;
  private bias: tf.LayerVariable | undefined;
  private calls = 0;
  private kShape: number[] = [];
  private readonly pending = new PendingLoss();

  /** `'reparameterization'`: one kernel draw per call; `'flipout'`: pseudo-independent per example. */
  protected abstract readonly estimator: 'reparameterization' | 'flipout';
  /** Kernel shape for the (full) input shape. */
  protected abstract kernelShape(inputShape: tf.Shape): number[];
  /** The linear operation `x ⊛ kernel` (no bias). */
  protected abstract linear(x: tf.Tensor, kernel: tf.Tensor): tf.Tensor;
  /** Shapes of the flipout sign tensors for input `x`: `[input signs, output signs]`. */
  protected abstract signShapes(x: tf.Tensor): [number[], number[]];
  /** Number of output channels (the bias length). */
  protected abstract get outputChannels(): number;

  constructor(args: BayesianKernelLayerArgs, protected readonly owner: string) {
    super(args);
    this.klWeight = checkKlWeight(args.klWeight, owner);
    this.useBias = args.useBias ?? true;
    this.activationName = args.activation ?? null;
    this.act = activationFn(this.activationName, owner);
    this.divergence = DIVERGENCE_FNS.resolve(args.kernelDivergenceFn, 'klExact', owner, 'kernelDivergenceFn');
    if (args.seed !== undefined && !Number.isFinite(args.seed)) {
      throw new InvalidArgumentError(`${owner}: seed must be a finite number; got ${String(args.seed)}`);
    }
    this.seed = args.seed;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const shape = this.kernelShape(s);
    this.kShape = shape;
    // TFP's default_mean_field_normal_fn: loc ~ N(0, 0.1²), untransformed scale ~ N(−3, 0.1²).
    const [s1, s2] = this.seed === undefined ? [undefined, undefined] : splitSeed(this.seed ^ 0x2545f491, 2);
    const init = (mean: number, seed: number | undefined) => tf.initializers.randomNormal({ mean, stddev: 0.1, ...(seed === undefined ? {} : { seed }) });
    this.kernelLoc = this.addWeight('kernel_posterior_loc', shape, 'float32', init(0, s1));
    this.kernelRawScale = this.addWeight('kernel_posterior_untransformed_scale', shape, 'float32', init(-3, s2));
    if (this.useBias) {
      this.bias = this.addWeight('bias_posterior_loc', [this.outputChannels], 'float32', tf.initializers.zeros());
    }
    this.addLoss(() => this.pending.take(() => this.klTerm(undefined)) as tf.Scalar);
    this.built = true;
  }

  /** The kernel posterior `q = ∏ N(loc, ε + softplus(ρ))` (caller disposes). */
  kernelPosterior(): Distribution {
    this.assertBuilt();
    return independentNormal(() => [tf.reshape(this.kernelLoc!.read(), this.kShape), tf.add(tf.softplus(this.kernelRawScale!.read()), EPS)]);
  }

  /** The kernel prior `∏ N(0, 1)` (caller disposes). */
  kernelPrior(): Distribution {
    this.assertBuilt();
    const shape = this.kShape;
    return independentNormal(() => [tf.zeros(shape), tf.ones(shape)]);
  }

  private assertBuilt(): void {
    if (this.kernelLoc === undefined) throw new InvalidArgumentError(`${this.owner} '${this.name}': the layer is not built yet (apply it to an input first)`);
  }

  private klTerm(w: tf.Tensor | undefined): tf.Tensor {
    return tf.tidy(() => {
      const q = this.kernelPosterior();
      const p = this.kernelPrior();
      const ws = w ?? q.sample([], seedOpts(this.seed, this.calls++));
      return tf.mul(this.divergence.fn(q, p, ws), this.klWeight);
    });
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean } = {}): tf.Tensor {
    this.assertBuilt();
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const [sEps, sIn, sOut] = splitSeed(seedForCall(this.seed, this.calls++), 3);
    const training = kwargs.training === true;
    const [y, kl] = tf.tidy(() => {
      const loc = this.kernelLoc!.read();
      const scale = tf.add(tf.softplus(this.kernelRawScale!.read()), EPS);
      const delta = tf.mul(scale, randomNormal(loc.shape, sEps));
      let out: tf.Tensor;
      if (this.estimator === 'flipout') {
        const [inShape, outShape] = this.signShapes(x);
        const perturbed = tf.mul(this.linear(tf.mul(x, rademacher(inShape, sIn)), delta), rademacher(outShape, sOut));
        out = tf.add(this.linear(x, loc), perturbed);
      } else {
        out = this.linear(x, tf.add(loc, delta));
      }
      if (this.bias !== undefined) out = tf.add(out, this.bias.read());
      out = this.act(out);
      if (!training) return [out];
      const w = tf.add(loc, delta);
      const q = this.kernelPosterior();
      const p = this.kernelPrior();
      return [out, tf.mul(this.divergence.fn(q, p, w), this.klWeight)];
    });
    if (kl !== undefined) this.pending.set(kl);
    return y!;
  }

  override dispose(): ReturnType<tf.layers.Layer['dispose']> {
    this.pending.clear();
    return super.dispose();
  }

  override getConfig(): tf.serialization.ConfigDict {
    const cfg: tf.serialization.ConfigDict = {
      ...super.getConfig(),
      activation: this.activationName,
      kernelDivergenceFn: DIVERGENCE_FNS.configName(this.divergence.fn, this.divergence.name, `${this.owner} '${this.name}'`, 'kernelDivergenceFn'),
      klWeight: this.klWeight,
      useBias: this.useBias,
    };
    if (this.seed !== undefined) cfg['seed'] = this.seed;
    return cfg;
  }
}

/** ±1 with probability ½ each. */
function rademacher(shape: number[], seed: number | undefined): tf.Tensor {
  return tf.tidy(() => tf.sub(tf.mul(tf.cast(tf.greaterEqual(randomUniform(shape, seed), 0.5), 'float32'), 2), 1));
}

