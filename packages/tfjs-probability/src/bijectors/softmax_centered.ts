import * as tf from '@tensorflow/tfjs';
import { maskOf } from '../util.js';
import { Bijector, type BijectorOptions } from './bijector.js';

/**
 * Maps ℝᴷ onto the interior of the (K+1)-simplex: `y = softmax([x, 0])`.
 *
 * Mathematical details: `x = log y[:K] - log y[K]`. The map is into a
 * K-dimensional manifold of ℝᴷ⁺¹, so (as in TFP) the log-det-Jacobian is the
 * log volume factor `½ log det(JᵀJ) = ½ log(K+1) + Σᵢ₌₀ᴷ log yᵢ`
 * (min event ndims 1; event shape `[K] → [K+1]`).
 *
 * @example
 * ```ts
 * const b = new tfb.SoftmaxCentered();
 * b.forward([0, 0]);   // [1/3, 1/3, 1/3]
 * ```
 */
/**
 * log y with an exact 0 read as the smallest positive float32 (2^-149, log = -103.28): a coordinate
 * that underflowed in the forward map (x more than ~104 below the largest) maps back to the largest
 * gap float32 can express instead of log 0 - log 0 = NaN.
 */
function safeLog(y: tf.Tensor): tf.Tensor {
  return tf.log(tf.where(maskOf((v) => tf.equal(v, 0), y), tf.fill(y.shape, 2 ** -149), y));
}

export class SoftmaxCentered extends Bijector {
  constructor(args: BijectorOptions = {}) {
    super({ ...args, className: 'SoftmaxCentered', forwardMinEventNdims: 1 });
  }
  private padded(x: tf.Tensor): tf.Tensor {
    return tf.concat([x, tf.zeros([...x.shape.slice(0, -1), 1])], -1);
  }
  protected forwardFn(x: tf.Tensor): tf.Tensor {
    // exp(z - logsumexp z), not tf.softmax: the wasm backend's softmax kernel flushes results below
    // 2^-126 to 0 (forward([100, 0]) was [1, 0, 0] there, so the inverse could not recover 100),
    // while its exp keeps float32's subnormals down to 2^-149, as the cpu backend does.
    // The shift by the maximum is exact, so the largest coordinates stay exact too.
    const z = this.padded(x);
    const s = tf.sub(z, tf.max(z, -1, true));
    return tf.exp(tf.sub(s, tf.log(tf.sum(tf.exp(s), -1, true))));
  }
  protected inverseFn(y: tf.Tensor): tf.Tensor {
    const k = y.shape[y.rank - 1]! - 1;
    const logY = safeLog(y);
    const [head, last] = tf.split(logY, [k, 1], -1);
    return tf.sub(head!, last!);
  }
  protected override forwardLdjFn(x: tf.Tensor): tf.Tensor {
    const k = x.shape[x.rank - 1]!;
    const z = this.padded(x);
    return tf.add(0.5 * Math.log(k + 1), tf.sub(tf.sum(x, -1), tf.mul(k + 1, tf.logSumExp(z, -1))));
  }
  protected override inverseLdjFn(y: tf.Tensor): tf.Tensor {
    const k = y.shape[y.rank - 1]! - 1;
    return tf.sub(-0.5 * Math.log(k + 1), tf.sum(safeLog(y), -1));
  }
  protected override forwardEventShapeFn(shape: number[]): number[] {
    return [...shape.slice(0, -1), shape[shape.length - 1]! + 1];
  }
  protected override inverseEventShapeFn(shape: number[]): number[] {
    return [...shape.slice(0, -1), shape[shape.length - 1]! - 1];
  }
}
