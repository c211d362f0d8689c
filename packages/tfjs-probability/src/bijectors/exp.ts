import * as tf from '@tensorflow/tfjs';
import { Bijector, type BijectorOptions } from './bijector.js';

/**
 * The exponential bijector: `y = exp(x)`, mapping ℝ onto (0, ∞).
 *
 * Mathematical details: `x = log y`; `log |det J| = x = log y` per element
 * (min event ndims 0). `TransformedDistribution(Normal, Exp)` is `LogNormal`.
 *
 * @example
 * ```ts
 * const b = new tfb.Exp();
 * b.forward([0, 1]);                 // [1, 2.718]
 * b.inverseLogDetJacobian([1, 2]);   // [-0, -0.693]
 * ```
 */
export class Exp extends Bijector {
  constructor(args: BijectorOptions = {}) {
    super({ ...args, className: 'Exp', forwardMinEventNdims: 0 });
  }
  protected forwardFn(x: tf.Tensor): tf.Tensor {
    return tf.exp(x);
  }
  protected inverseFn(y: tf.Tensor): tf.Tensor {
    return tf.log(y);
  }
  protected override forwardLdjFn(x: tf.Tensor): tf.Tensor {
    return tf.reshape(x, x.shape);
  }
  protected override inverseLdjFn(y: tf.Tensor): tf.Tensor {
    return tf.neg(tf.log(y));
  }
  override isIncreasing(): boolean {
    return true;
  }
}
