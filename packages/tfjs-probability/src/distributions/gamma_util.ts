/** Internal: closed forms shared by the gamma family (InverseGamma, Chi2). Not part of the public API. */
import * as tf from '@tensorflow/tfjs';
import { lgamma } from '../math/special.js';
import { maskOf } from '../util.js';
import { bd0, gammaEntropyStd, gammaKernelLog, lgammaBregman, SADDLE_MIN } from '../math/saddle_point.js';

/**
 * KL(Gamma(αp, rate βp) || Gamma(αq, rate βq)) =
 * (αp - αq) ψ(αp) - lgamma(αp) + lgamma(αq) + αq (log βp - log βq) + αp (βq/βp - 1),
 * computed as B(αp, αq) + (αp/βp) bd0(βp, βq) - (αq - αp) log(βq/βp) with B the Bregman
 * divergence of lgamma: each piece is small when the pair is near-identical, so no lgamma terms of
 * size α log α cancel (KL(Gamma(1e6, 1) || Gamma(1e6 + 1, 1)) = 5e-7, not a rounding error of 1).
 */
export function gammaKL(ap: tf.Tensor, bp: tf.Tensor | number, aq: tf.Tensor, bq: tf.Tensor | number): tf.Tensor {
  const [bpT, bqT] = [bp, bq].map((b) => tf.add(b, tf.zerosLike(ap)));
  return tf.add(
    tf.add(lgammaBregman(ap, aq), tf.mul(tf.div(ap, bpT!), bd0(bpT!, bqT!))),
    tf.mul(tf.neg(tf.sub(aq, ap)), tf.sub(tf.log(bqT!), tf.log(bpT!))),
  );
}

/**
 * Log density of Gamma(α, rate β) at x (−∞ for x < 0), gradient-safe in α, β and x. For α >= 2
 * Loader's form log β + log(λ^(α-1) e^(-λ) / Γ(α)) at λ = βx (the direct form loses whole nats at
 * α = 1e7: its terms are ~1.5e8 and the answer -8.98); the direct form below.
 */
export function gammaLogProb(a: tf.Tensor, rate: tf.Tensor | number, x: tf.Tensor): tf.Tensor {
  const inSupport = tf.greaterEqual(x, 0);
  const safeX = tf.where(inSupport, x, tf.onesLike(x));
  const am1 = tf.sub(a, 1);
  // (a - 1)·log x is 0 at a = 1 and x = 0 (not 0·(-Inf) = NaN); only that point is replaced, so the
  // gradient in a keeps its log x term at a = 1 for every x > 0.
  const oneAtZero = maskOf((am, sx) => tf.logicalAnd(tf.equal(am, 0), tf.equal(sx, 0)), am1, safeX);
  const safeY = tf.where(oneAtZero, tf.onesLike(safeX), safeX);
  const direct = tf.sub(
    tf.add(tf.mul(a, tf.log(rate)), tf.mul(am1, tf.log(safeY))),
    tf.add(tf.mul(rate, safeX), lgamma(a)),
  );
  const big = tf.greaterEqual(a, SADDLE_MIN);
  const aS = tf.where(big, a, tf.fill(a.shape, SADDLE_MIN));
  const saddle = tf.add(tf.log(rate), gammaKernelLog(aS, tf.mul(rate, safeX)));
  const lp = tf.where(tf.broadcastTo(big, direct.shape), saddle, direct);
  return tf.where(inSupport, lp, tf.fill(lp.shape, -Infinity));
}

/** The entropy of Gamma(α, rate β): H(Gamma(α, 1)) - log β, stable at large α. */
export function gammaEntropy(a: tf.Tensor, rate: tf.Tensor | number): tf.Tensor {
  return tf.sub(gammaEntropyStd(a), tf.log(rate));
}
