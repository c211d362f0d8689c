/**
 * Internal: mean, variance and log-normalizer of the standard normal truncated to [a, b] with
 * a + b <= 0 (TruncatedNormal reflects its window there), accurate where the textbook forms
 * (φ(a) - φ(b))/Z and 1 + (aφ(a) - bφ(b))/Z - mean² cancel in float32:
 *
 * - narrow or moderate windows (the log-density varies by at most 20 over [a, b], width <= 8):
 *   32-point Gauss–Legendre quadrature (the integrand is an entire function with bounded
 *   variation there, so the rule is exact to float32) in the distance d = z - a from the lower
 *   end, of the density ∝ exp(-a d - d²/2) on [0, W], W given by the caller from high - low:
 *   the factor exp(-a²/2) that every term shares never enters, so a window far out
 *   ([1000, 1000.001]) keeps the digits that z²/2 ≈ 5e5 in float32 would not;
 * - far-tail windows (b <= -3 and φ(a)/φ(b) < e^-20): the one-sided moments from Laplace's
 *   continued fraction K_j = j/(x + K_(j+1)) at x = -b: mean = -(x + K_1) and
 *   variance = (K_2 - K_1)/(x + K_2), a ratio of positive terms (1 - bλ - λ² cancels to 1/b²);
 * - elsewhere (values of order 1): the textbook forms.
 */
import * as tf from '@tensorflow/tfjs';
import { gaussLegendre } from '../math/gauss_legendre.js';
import { maskOf } from '../util.js';
import { log1p } from '../math/special.js';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
const GL_POINTS = 32;
const CF_TERMS = 24;

export interface WindowMoments {
  /** Where the quadrature applies. */
  quad: tf.Tensor;
  /** Where the far-tail continued fraction applies. */
  tail: tf.Tensor;
  /** Mean and variance of the standard truncated normal in the reflected window (valid where quad or tail). */
  mean: tf.Tensor;
  variance: tf.Tensor;
  /** log(Φ(b) - Φ(a)) by quadrature (valid where quad). */
  logZ: tf.Tensor;
  /** Where quad: the mean distance from the lower end, E[z - a], and log J = log ∫_0^W exp(-a d - d²/2) dd. */
  meanD: tf.Tensor;
  logJ: tf.Tensor;
  /** Where tail: K_1, the mean distance below the heavy end b. */
  tailK: tf.Tensor;
  /**
   * ½ log 2π + log Z + E[z²]/2 in the far tail (valid where tail), = -log(x + K_1) + x K_1 + K_1²/2 +
   * variance/2: the entropy less log σ, without log Z ≈ -x²/2 and E[z²]/2 ≈ x²/2 cancelling.
   */
  tailEntropy: tf.Tensor;
}

/**
 * log ∫ exp(-a d - d²/2) dd over [from, from + len] (d the distance from the window's lower end a)
 * by the same quadrature: the cdf's numerator in narrow windows, where log Φ(hi) - log Φ(lo) keeps
 * few digits; lengths come from the caller without the rounding of a difference of standardized points.
 */
export function logLocalMass(a: tf.Tensor, from: tf.Tensor, len: tf.Tensor): tf.Tensor {
  const h = tf.expandDims(tf.mul(0.5, len), -1);
  const { nodes, weights } = gaussLegendre(GL_POINTS);
  const t = tf.add(tf.expandDims(from, -1), tf.mul(h, tf.add(1, tf.tensor1d(nodes))));
  const lw = tf.sub(tf.log(tf.tensor1d(weights)), tf.mul(t, tf.add(tf.expandDims(a, -1), tf.mul(0.5, t))));
  const m = tf.max(lw, -1, true);
  return tf.squeeze(tf.add(tf.add(tf.log(h), m), tf.log(tf.sum(tf.exp(tf.sub(lw, m)), -1, true))), [-1]);
}

/** K_1(x) of Laplace's continued fraction (x >= 3): Φ(-x)/φ(x) = 1/(x + K_1). */
function millsK(x: tf.Tensor): tf.Tensor {
  let k: tf.Tensor = tf.zerosLike(x);
  for (let j = CF_TERMS; j >= 1; j--) k = tf.div(j, tf.add(x, k));
  return k;
}

/**
 * Far-tail windows [b - W, b] with x = -b >= 3 (where windowMoments uses the continued fraction), in
 * the distance s from the heavy end b: the density ∝ exp(-x s - s²/2), whose integral from s to ∞
 * is R(x) exp(D(s)) with R the Mills ratio and D(s) = -x s - s²/2 - log1p((s + K_1(x+s) - K_1(x))/(x + K_1(x)))
 * (<= 0, formed without differences of large numbers). Returns log J (the integral over [0, W]),
 * the log-density at s relative to it, and the log masses of [b - W, b - s] (far) and [b - s, b]
 * (heavy). log Φ(b) - log Φ(a) and z²/2 cancel in float32 at |b| = 1e4.
 */
export function tailLogMasses(x: tf.Tensor, s: tf.Tensor, W: tf.Tensor): { logJ: tf.Tensor; logDensity: tf.Tensor; far: tf.Tensor; heavy: tf.Tensor } {
  const xs = tf.maximum(x, 3);
  const k = millsK(xs);
  const xk = tf.add(xs, k);
  const exponent = (u: tf.Tensor) => tf.neg(tf.mul(u, tf.add(xs, tf.mul(0.5, u))));
  const D = (u: tf.Tensor) => tf.sub(exponent(u), log1p(tf.div(tf.add(u, tf.sub(millsK(tf.add(xs, u)), k)), xk)));
  const infinite = maskOf((v) => tf.isInf(v), W);
  const dW = tf.where(infinite, tf.fill(W.shape, -Infinity), D(tf.where(infinite, tf.onesLike(W), W)));
  const dS = tf.minimum(D(s), 0);
  const log1mExp = (v: tf.Tensor) => tf.log(tf.neg(tf.expm1(tf.minimum(v, 0)))); // log(1 - e^v), v <= 0
  const massW = log1mExp(dW);
  const logJ = tf.sub(massW, tf.log(xk));
  return {
    logJ,
    logDensity: tf.sub(exponent(s), logJ),
    far: tf.sub(tf.add(dS, log1mExp(tf.sub(dW, dS))), massW),
    heavy: tf.sub(log1mExp(dS), massW),
  };
}

/** The region masks of windowMoments (see the module comment). */
function regions(a: tf.Tensor, b: tf.Tensor): { finite: tf.Tensor; quad: tf.Tensor; tail: tf.Tensor } {
  const finite = tf.logicalAnd(tf.logicalNot(tf.isInf(a)), tf.logicalNot(tf.isInf(b)));
  const [aF, bF] = [tf.where(finite, a, tf.fill(a.shape, -1)), tf.where(finite, b, tf.fill(b.shape, 1))];
  const range = tf.sub(tf.mul(0.5, tf.square(aF)), tf.where(tf.less(bF, 0), tf.mul(0.5, tf.square(bF)), tf.zerosLike(bF)));
  const quad = tf.logicalAnd(finite, tf.logicalAnd(tf.lessEqual(range, 20), tf.lessEqual(tf.sub(bF, aF), 8)));
  // (a² - b²)/2 >= 20 with a = -∞ allowed
  const spread = tf.where(tf.isInf(a), tf.fill(a.shape, Infinity), tf.mul(0.5, tf.sub(tf.square(a), tf.square(b))));
  const tail = tf.logicalAnd(tf.logicalNot(quad), tf.logicalAnd(tf.lessEqual(b, -3), tf.greaterEqual(spread, 20)));
  return { finite, quad, tail };
}

/**
 * Moments of N(0, 1) truncated to [a, b] (a + b <= 0); see the module comment for the regions.
 * `width`, b - a formed by the caller from high - low, defaults to the difference.
 */
export function windowMoments(a: tf.Tensor, b: tf.Tensor, width?: tf.Tensor): WindowMoments {
  const [finite, quad, tail] = (['finite', 'quad', 'tail'] as const).map((r) => maskOf((u, v) => regions(u, v)[r], a, b)) as [tf.Tensor, tf.Tensor, tf.Tensor];
  const aF = tf.where(finite, a, tf.fill(a.shape, -1));
  const bF = tf.where(finite, b, tf.fill(b.shape, 1));

  // Quadrature in d = z - a on [0, W]: t = h (1 + node), weights ∝ W_i exp(-a t - t²/2).
  const qa = tf.expandDims(tf.where(quad, aF, tf.fill(a.shape, -1)), -1);
  const W = tf.where(quad, width ?? tf.sub(bF, aF), tf.fill(a.shape, 2));
  const h = tf.expandDims(tf.mul(0.5, W), -1);
  const { nodes, weights } = gaussLegendre(GL_POINTS);
  const t = tf.mul(h, tf.add(1, tf.tensor1d(nodes)));
  const lw = tf.sub(tf.log(tf.tensor1d(weights)), tf.mul(t, tf.add(qa, tf.mul(0.5, t))));
  const m = tf.max(lw, -1, true);
  const w = tf.exp(tf.sub(lw, m));
  const s = tf.sum(w, -1, true);
  const et = tf.div(tf.sum(tf.mul(w, t), -1, true), s);
  const dev = tf.sub(t, et);
  const qVar = tf.squeeze(tf.div(tf.sum(tf.mul(w, tf.square(dev)), -1, true), s), [-1]);
  const meanD = tf.squeeze(et, [-1]);
  const qMean = tf.add(tf.squeeze(qa, [-1]), meanD);
  const logJ = tf.squeeze(tf.add(tf.add(tf.log(h), m), tf.log(s)), [-1]);
  const qaS = tf.squeeze(qa, [-1]);
  const logZ = tf.sub(tf.sub(logJ, tf.mul(0.5, tf.square(qaS))), HALF_LOG_2PI);

  // Far tail: x = -b.
  const x = tf.where(tail, tf.neg(b), tf.fill(b.shape, 5));
  let k: tf.Tensor = tf.zerosLike(x);
  let k2: tf.Tensor = k;
  for (let j = CF_TERMS; j >= 1; j--) {
    k2 = k;
    k = tf.div(j, tf.add(x, k));
  }
  const tMean = tf.neg(tf.add(x, k));
  const tVar = tf.div(tf.sub(k2, k), tf.add(x, k2));
  const tailEntropy = tf.add(tf.sub(tf.mul(x, k), tf.log(tf.add(x, k))), tf.mul(0.5, tf.add(tf.square(k), tVar)));
  return {
    tailEntropy,
    quad,
    tail,
    mean: tf.where(quad, qMean, tMean),
    variance: tf.where(quad, qVar, tVar),
    logZ,
    meanD,
    logJ,
    tailK: k,
  };
}
