import * as tf from '@tensorflow/tfjs';
import { Bijector, type BijectorOptions } from './bijector.js';

/**
 * The identity bijector: `y = x`.
 *
 * Mathematical details: `log |det J| = 0`; acts elementwise (min event ndims 0).
 *
 * @example
 * ```ts
 * const b = new tfb.Identity();
 * b.forward([1, 2]);   // [1, 2]
 * ```
 */
export class Identity extends Bijector {
  constructor(args: BijectorOptions = {}) {
    super({ ...args, className: 'Identity', forwardMinEventNdims: 0, isConstantJacobian: true });
  }
  protected forwardFn(x: tf.Tensor): tf.Tensor {
    return tf.reshape(x, x.shape);
  }
  protected inverseFn(y: tf.Tensor): tf.Tensor {
    return tf.reshape(y, y.shape);
  }
  protected override forwardLdjFn(x: tf.Tensor): tf.Tensor {
    return tf.zerosLike(x);
  }
  protected override inverseLdjFn(y: tf.Tensor): tf.Tensor {
    return tf.zerosLike(y);
  }
  override isIncreasing(): boolean {
    return true;
  }
}
