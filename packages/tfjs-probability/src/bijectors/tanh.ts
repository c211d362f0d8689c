import * as tf from '@tensorflow/tfjs';
import { log1p } from '../math/special.js';
import { Bijector, type BijectorOptions } from './bijector.js';

/**
 * The hyperbolic tangent bijector: `y = tanh(x)`, mapping ℝ onto (-1, 1).
 *
 * Mathematical details: `x = atanh(y) = ½ (log1p(y) - log1p(-y))`;
 * `log |det J| = log(1 - tanh² x) = 2 (log 2 - x - softplus(-2x))`, stable for
 * large |x| (min event ndims 0).
 *
 * @example
 * ```ts
 * const b = new tfb.Tanh();
 * b.inverse([0.5]);   // [0.549]
 * ```
 */
export class Tanh extends Bijector {
  constructor(args: BijectorOptions = {}) {
    super({ ...args, className: 'Tanh', forwardMinEventNdims: 0 });
  }
  protected forwardFn(x: tf.Tensor): tf.Tensor {
    return tf.tanh(x);
  }
  protected inverseFn(y: tf.Tensor): tf.Tensor {
    return tf.mul(0.5, tf.sub(log1p(y), log1p(tf.neg(y))));
  }
  protected override forwardLdjFn(x: tf.Tensor): tf.Tensor {
    return tf.mul(2, tf.sub(tf.sub(Math.LN2, x), tf.softplus(tf.mul(-2, x))));
  }
  protected override inverseLdjFn(y: tf.Tensor): tf.Tensor {
    // -log(1 - y²) = -log1p(-y) - log1p(y)
    return tf.neg(tf.add(log1p(y), log1p(tf.neg(y))));
  }
  override isIncreasing(): boolean {
    return true;
  }
}
