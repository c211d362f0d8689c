import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import { log1p } from '../math/special.js';
import { Bijector, bijectorParam, type BijectorOptions, type TensorLike } from './bijector.js';

export interface SigmoidArgs extends BijectorOptions {
  /** Lower bound of the range, shape `[...B]`. Default 0 (with `high`, both or neither). */
  low?: TensorLike;
  /** Upper bound of the range (> low), shape `[...B]`. Default 1. */
  high?: TensorLike;
}

/**
 * The logistic sigmoid bijector: `y = low + (high - low) σ(x)`, mapping ℝ onto (low, high).
 *
 * Mathematical details: computed as `high · σ(x) + low · σ(-x)` for accuracy near
 * both ends; `x = log(y - low) - log(high - y)`;
 * `log |det J| = log(high - low) - softplus(-x) - softplus(x)` (min event ndims 0).
 *
 * @example
 * ```ts
 * const b = new tfb.Sigmoid({ low: -1, high: 3 });
 * b.forward([0]);   // [1]
 * ```
 */
export class Sigmoid extends Bijector {
  readonly low: tf.Tensor | undefined;
  readonly high: tf.Tensor | undefined;
  constructor(args: SigmoidArgs = {}) {
    if ((args.low === undefined) !== (args.high === undefined)) {
      throw new InvalidArgumentError(
        `Sigmoid: give both low and high or neither; got ${args.low === undefined ? 'only high' : 'only low'}`,
      );
    }
    const low = args.low === undefined ? undefined : bijectorParam(args.low, 'low', 'Sigmoid');
    const high = args.high === undefined ? undefined : bijectorParam(args.high, 'high', 'Sigmoid');
    super({
      ...args,
      className: 'Sigmoid',
      forwardMinEventNdims: 0,
      params: low && high ? { low: { value: low, eventRank: 0 }, high: { value: high, eventRank: 0 } } : {},
    });
    this.low = low;
    this.high = high;
    if (this.validateArgs && low && high) {
      const bad = tf.tidy(() => tf.any(tf.lessEqual(high, low)).dataSync()[0]);
      if (bad) {
        const shown = (t: tf.Tensor): string => `[${Array.from(t.dataSync().slice(0, 16)).join(', ')}]`;
        const msg = `Sigmoid: high must be greater than low elementwise; got low ${shown(low)}, high ${shown(high)}`;
        this.dispose();
        throw new InvalidArgumentError(msg);
      }
    }
  }
  protected forwardFn(x: tf.Tensor): tf.Tensor {
    if (!this.low || !this.high) return tf.sigmoid(x);
    return tf.add(tf.mul(this.high, tf.sigmoid(x)), tf.mul(this.low, tf.sigmoid(tf.neg(x))));
  }
  protected inverseFn(y: tf.Tensor): tf.Tensor {
    if (!this.low || !this.high) return tf.sub(tf.log(y), log1p(tf.neg(y)));
    return tf.sub(tf.log(tf.sub(y, this.low)), tf.log(tf.sub(this.high, y)));
  }
  protected override forwardLdjFn(x: tf.Tensor): tf.Tensor {
    const base = tf.neg(tf.add(tf.softplus(tf.neg(x)), tf.softplus(x)));
    if (!this.low || !this.high) return base;
    return tf.add(base, tf.log(tf.sub(this.high, this.low)));
  }
  protected override inverseLdjFn(y: tf.Tensor): tf.Tensor {
    if (!this.low || !this.high) return tf.neg(tf.add(tf.log(y), log1p(tf.neg(y))));
    const range = tf.log(tf.sub(this.high, this.low));
    return tf.sub(range, tf.add(tf.log(tf.sub(y, this.low)), tf.log(tf.sub(this.high, y))));
  }
  override isIncreasing(): boolean {
    return true;
  }
}
