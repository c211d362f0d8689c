import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, fmtShape } from '../errors.js';
import { BayesianKernelLayer, type BayesianKernelLayerArgs } from './bayesian_kernel_layer.js';

export interface Convolution2DReparameterizationArgs extends BayesianKernelLayerArgs {
  /** Number of output channels. */
  filters: number;
  /** Kernel height and width (one number for both). */
  kernelSize: number | [number, number];
  /** Strides (default 1). */
  strides?: number | [number, number];
  /** `'valid'` (default, as TFP) or `'same'`. */
  padding?: 'valid' | 'same';
  /** Dilation rate (default 1). */
  dilationRate?: number | [number, number];
  /** Only `'channelsLast'` (NHWC) is supported. */
  dataFormat?: 'channelsLast';
}

function pair(v: number | [number, number] | undefined, dflt: number, owner: string, name: string): [number, number] {
  const p: [number, number] = v === undefined ? [dflt, dflt] : typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if (!p.every((d) => Number.isInteger(d) && d > 0)) {
    throw new InvalidArgumentError(`${owner}: ${name} must be a positive integer or a pair of them; got ${JSON.stringify(v)}`);
  }
  return p;
}

/**
 * 2-D convolution with a mean-field normal kernel posterior, one kernel draw per call:
 * TFP's `tfpl.Convolution2DReparameterization`.
 *
 * Mathematical details: kernel `K [kh, kw, cIn, filters]` with posterior
 * `q(K) = ∏ N(μ, ε + softplus(ρ))` (μ from N(0, 0.1²), ρ from N(−3, 0.1²), TFP's
 * initialization), prior `∏ N(0, 1)`, deterministic bias. Each call draws `K = μ + σ ⊙ ξ`
 * (shared by the batch) and returns `activation(conv2d(x, K) + b)`; the layer's loss is
 * `klWeight · kernelDivergenceFn(q, p, K)` (default the exact KL), added by `model.fit`.
 *
 * Parameters: input `[B, H, W, cIn]` (channels last); output `[B, H', W', filters]`.
 *
 * @example
 * ```ts
 * const model = tf.sequential({ layers: [
 *   new tfpl.Convolution2DReparameterization({ inputShape: [28, 28, 1], filters: 8, kernelSize: 5, activation: 'relu', klWeight: 1 / n }),
 *   tf.layers.flatten(),
 *   new tfpl.DenseReparameterization({ units: 10, klWeight: 1 / n }),
 * ] });
 * ```
 */
export class Convolution2DReparameterization extends BayesianKernelLayer {
  static className = 'Convolution2DReparameterization';
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: 'valid' | 'same';
  readonly dilationRate: [number, number];
  protected readonly estimator: 'reparameterization' | 'flipout' = 'reparameterization';
  private channels = 0;

  constructor(args: Convolution2DReparameterizationArgs, owner = 'Convolution2DReparameterization') {
    super(args, owner);
    if (!Number.isInteger(args?.filters) || args.filters <= 0) {
      throw new InvalidArgumentError(`${owner}: filters must be a positive integer; got ${JSON.stringify(args?.filters)}`);
    }
    this.filters = args.filters;
    this.kernelSize = pair(args.kernelSize, NaN, owner, 'kernelSize');
    this.strides = pair(args.strides, 1, owner, 'strides');
    this.dilationRate = pair(args.dilationRate, 1, owner, 'dilationRate');
    this.padding = args.padding ?? 'valid';
    if (this.padding !== 'valid' && this.padding !== 'same') {
      throw new InvalidArgumentError(`${owner}: padding must be 'valid' or 'same'; got ${JSON.stringify(args.padding)}`);
    }
    if (args.dataFormat !== undefined && args.dataFormat !== 'channelsLast') {
      throw new InvalidArgumentError(`${owner}: only dataFormat 'channelsLast' (NHWC) is supported; got ${JSON.stringify(args.dataFormat)}`);
    }
    if ((this.strides[0] > 1 || this.strides[1] > 1) && (this.dilationRate[0] > 1 || this.dilationRate[1] > 1)) {
      throw new InvalidArgumentError(`${owner}: strides > 1 together with dilationRate > 1 is not supported (tfjs conv2d)`);
    }
  }

  protected kernelShape(inputShape: tf.Shape): number[] {
    const c = inputShape[inputShape.length - 1];
    if (inputShape.length !== 4 || typeof c !== 'number') {
      throw new InvalidArgumentError(`${this.owner}: input must be [batch, height, width, channels] with known channels; got ${JSON.stringify(inputShape)}`);
    }
    this.channels = c;
    return [this.kernelSize[0], this.kernelSize[1], c, this.filters];
  }

  protected get outputChannels(): number {
    return this.filters;
  }

  protected linear(x: tf.Tensor, kernel: tf.Tensor): tf.Tensor {
    if (x.rank !== 4 || x.shape[3] !== this.channels) {
      throw new InvalidArgumentError(`${this.owner} '${this.name}': input must be [B, H, W, ${this.channels}]; got ${fmtShape(x.shape)}`);
    }
    return tf.conv2d(x as tf.Tensor4D, kernel as tf.Tensor4D, this.strides, this.padding, 'NHWC', this.dilationRate);
  }

  protected signShapes(x: tf.Tensor): [number[], number[]] {
    const b = x.shape[0]!;
    return [[b, 1, 1, this.channels], [b, 1, 1, this.filters]];
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const out = (len: number | null, i: 0 | 1): number | null => {
      if (len === null) return null;
      if (this.padding === 'same') return Math.ceil(len / this.strides[i]);
      const eff = (this.kernelSize[i] - 1) * this.dilationRate[i] + 1;
      return Math.ceil((len - eff + 1) / this.strides[i]);
    };
    return [s[0]!, out(s[1]!, 0), out(s[2]!, 1), this.filters];
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: [...this.kernelSize],
      strides: [...this.strides],
      padding: this.padding,
      dilationRate: [...this.dilationRate],
    };
  }
}
