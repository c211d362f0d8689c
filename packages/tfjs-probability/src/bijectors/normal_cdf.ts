import * as tf from '@tensorflow/tfjs';
import { ndtr, ndtri } from '../math/special.js';
import { Bijector, type BijectorOptions } from './bijector.js';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * The standard normal cdf as a bijector: `y = Φ(x)`, mapping ℝ onto (0, 1).
 *
 * Mathematical details: `x = Φ⁻¹(y)` (ndtri, accurate in both tails);
 * `log |det J| = log φ(x) = -x²/2 - ½ log 2π` (min event ndims 0).
 *
 * @example
 * ```ts
 * const b = new tfb.NormalCDF();
 * b.forward([0]);   // [0.5]
 * ```
 */
export class NormalCDF extends Bijector {
  constructor(args: BijectorOptions = {}) {
    super({ ...args, className: 'NormalCDF', forwardMinEventNdims: 0 });
  }
  protected forwardFn(x: tf.Tensor): tf.Tensor {
    return ndtr(x);
  }
  protected inverseFn(y: tf.Tensor): tf.Tensor {
    return ndtri(y);
  }
  protected override forwardLdjFn(x: tf.Tensor): tf.Tensor {
    return tf.sub(tf.mul(-0.5, tf.square(x)), HALF_LOG_2PI);
  }
  override isIncreasing(): boolean {
    return true;
  }
}
