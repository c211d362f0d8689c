import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, fmtShape } from '../errors.js';
import { randomNormal } from '../math/random.js';
import { splitSeed } from '../util.js';
import type { LayerArgs } from './distribution_layer.js';

export interface SamplingArgs extends LayerArgs {
  /**
   * Integer seed. A layer with a seed draws a reproducible sequence: its k-th call uses a
   * seed derived from `(seed, k)`, so two layers built with the same seed give the same
   * outputs call for call, while successive calls still get fresh noise.
   */
  seed?: number;
}

/**
 * The reparameterized Gaussian sampling layer of a VAE (recipe 003).
 *
 * Mathematical details: inputs `[mean, logVar]`, both `[...batch, d]`; output
 * `z = mean + exp(logVar / 2) · ε` with `ε ~ N(0, I)` drawn fresh on each call. Because the
 * randomness enters only through `ε`, `z` is differentiable in both inputs:
 * `∂z/∂mean = 1`, `∂z/∂logVar = ½ exp(logVar / 2) · ε`.
 *
 * Parameters: inputs `[mean [...B, d], logVar [...B, d]]`; output `[...B, d]`.
 *
 * @example
 * ```ts
 * const x = tf.input({ shape: [784] });
 * const h = tf.layers.dense({ units: 64, activation: 'relu' }).apply(x) as tf.SymbolicTensor;
 * const zMean = tf.layers.dense({ units: 2 }).apply(h) as tf.SymbolicTensor;
 * const zLogVar = tf.layers.dense({ units: 2 }).apply(h) as tf.SymbolicTensor;
 * const z = new tfpl.Sampling({ seed: 1 }).apply([zMean, zLogVar]) as tf.SymbolicTensor;
 * const encoder = tf.model({ inputs: x, outputs: [zMean, zLogVar, z] });
 * ```
 */
export class Sampling extends tf.layers.Layer {
  static className = 'Sampling';
  readonly seed: number | undefined;
  private calls = 0;

  constructor(args: SamplingArgs = {}) {
    super(args);
    if (args.seed !== undefined && !Number.isFinite(args.seed)) {
      throw new InvalidArgumentError(`Sampling: seed must be a finite number; got ${String(args.seed)}`);
    }
    this.seed = args.seed;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    if (!Array.isArray(inputShape[0]) || inputShape.length !== 2) {
      throw new InvalidArgumentError(`Sampling: expects two inputs [mean, logVar]; got input shape ${JSON.stringify(inputShape)}`);
    }
    return inputShape[0] as tf.Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    if (!Array.isArray(inputs) || inputs.length !== 2) {
      throw new InvalidArgumentError(
        `Sampling: expects two inputs [mean, logVar]; got ${Array.isArray(inputs) ? `${inputs.length} tensors` : `one tensor of shape ${fmtShape(inputs.shape)}`}`,
      );
    }
    const [mean, logVar] = inputs as [tf.Tensor, tf.Tensor];
    if (mean.shape.length !== logVar.shape.length || !mean.shape.every((d, i) => d === logVar.shape[i])) {
      throw new InvalidArgumentError(`Sampling: mean and logVar must have the same shape; got ${fmtShape(mean.shape)} and ${fmtShape(logVar.shape)}`);
    }
    const seed = this.nextSeed();
    return tf.tidy(() => {
      const eps = randomNormal(mean.shape, seed);
      return tf.add(mean, tf.mul(tf.exp(tf.mul(logVar, 0.5)), eps));
    });
  }

  private nextSeed(): number | undefined {
    if (this.seed === undefined) return undefined;
    const k = this.calls++;
    return splitSeed((Math.floor(this.seed) + Math.imul(k, 0x632be5ab)) >>> 0, 1)[0];
  }

  override getConfig(): tf.serialization.ConfigDict {
    const cfg: tf.serialization.ConfigDict = { ...super.getConfig() };
    if (this.seed !== undefined) cfg['seed'] = this.seed;
    return cfg;
  }
}
