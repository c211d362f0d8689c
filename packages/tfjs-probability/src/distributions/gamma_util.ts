/** Internal: closed forms shared by the gamma family (InverseGamma, Chi2). Not part of the public API. */
import * as tf from '@tensorflow/tfjs';
import { digamma, lgamma } from '../math/special.js';

/**
 * KL(Gamma(αp, rate βp) || Gamma(αq, rate βq)) =
 * (αp - αq) ψ(αp) - lgamma(αp) + lgamma(αq) + αq (log βp - log βq) + αp (βq/βp - 1).
 */
export function gammaKL(ap: tf.Tensor, bp: tf.Tensor | number, aq: tf.Tensor, bq: tf.Tensor | number): tf.Tensor {
  return tf.add(
    tf.add(tf.mul(tf.sub(ap, aq), digamma(ap)), tf.sub(lgamma(aq), lgamma(ap))),
    tf.add(tf.mul(aq, tf.sub(tf.log(bp), tf.log(bq))), tf.mul(ap, tf.sub(tf.div(bq, bp), 1))),
  );
}

/** Log density of Gamma(α, rate β) at x (−∞ for x < 0), gradient-safe in α and β. */
export function gammaLogProb(a: tf.Tensor, rate: tf.Tensor | number, x: tf.Tensor): tf.Tensor {
  const inSupport = tf.greaterEqual(x, 0);
  const safeX = tf.where(inSupport, x, tf.onesLike(x));
  const am1 = tf.sub(a, 1);
  const safeY = tf.where(tf.greaterEqual(tf.neg(tf.abs(am1)), 0), tf.onesLike(safeX), safeX);
  const lp = tf.sub(
    tf.add(tf.mul(a, tf.log(rate)), tf.mul(am1, tf.log(safeY))),
    tf.add(tf.mul(rate, safeX), lgamma(a)),
  );
  return tf.where(inSupport, lp, tf.fill(lp.shape, -Infinity));
}
