/**
 * Internal: mean, variance and log-normalizer of the standard normal truncated to [a, b] with
 * a + b <= 0 (TruncatedNormal reflects its window there), accurate where the textbook forms
 * (φ(a) - φ(b))/Z and 1 + (aφ(a) - bφ(b))/Z - mean² cancel in float32:
 *
 * - narrow or moderate windows (the log-density varies by at most 20 over [a, b], width <= 8):
 *   32-point Gauss–Legendre quadrature of the moments about the midpoint (the integrand is an
 *   entire function with bounded variation there, so the rule is exact to float32);
 * - far-tail windows (b <= -3 and φ(a)/φ(b) < e^-20): the one-sided moments from Laplace's
 *   continued fraction K_j = j/(x + K_(j+1)) at x = -b: mean = -(x + K_1) and
 *   variance = (K_2 - K_1)/(x + K_2), a ratio of positive terms (1 - bλ - λ² cancels to 1/b²);
 * - elsewhere (values of order 1): the textbook forms.
 */
import * as tf from '@tensorflow/tfjs';
import { gaussLegendre } from '../math/gauss_legendre.js';
import { maskOf } from '../util.js';

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
  /**
   * ½ log 2π + log Z + E[z²]/2 in the far tail (valid where tail), = -log(x + K_1) + x K_1 + K_1²/2 +
   * variance/2: the entropy less log σ, without log Z ≈ -x²/2 and E[z²]/2 ≈ x²/2 cancelling.
   */
  tailEntropy: tf.Tensor;
}

/**
 * log ∫ φ(z) dz over [lo, lo + width] by the same quadrature (inside a window where it applies; the
 * width given by the caller without the rounding of a difference of standardized points): the
 * cdf's numerator in narrow windows, where log Φ(hi) - log Φ(lo) keeps few digits.
 */
export function logMassQuad(lo: tf.Tensor, width: tf.Tensor): tf.Tensor {
  const h = tf.expandDims(tf.mul(0.5, width), -1);
  const c = tf.add(tf.expandDims(lo, -1), h);
  const { nodes, weights } = gaussLegendre(GL_POINTS);
  const lw = tf.sub(tf.log(tf.tensor1d(weights)), tf.mul(0.5, tf.square(tf.add(c, tf.mul(h, tf.tensor1d(nodes))))));
  const m = tf.max(lw, -1, true);
  const l = tf.add(tf.add(tf.log(h), m), tf.log(tf.sum(tf.exp(tf.sub(lw, m)), -1, true)));
  return tf.squeeze(tf.sub(l, HALF_LOG_2PI), [-1]);
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

/** Moments of N(0, 1) truncated to [a, b] (a + b <= 0); see the module comment for the regions. */
export function windowMoments(a: tf.Tensor, b: tf.Tensor): WindowMoments {
  const [finite, quad, tail] = (['finite', 'quad', 'tail'] as const).map((r) => maskOf((u, v) => regions(u, v)[r], a, b)) as [tf.Tensor, tf.Tensor, tf.Tensor];
  const aF = tf.where(finite, a, tf.fill(a.shape, -1));
  const bF = tf.where(finite, b, tf.fill(b.shape, 1));

  // Quadrature about the midpoint c: t = h·node, weights ∝ W_i exp(-(c + t)²/2).
  const qa = tf.where(quad, aF, tf.fill(a.shape, -1));
  const qb = tf.where(quad, bF, tf.fill(b.shape, 1));
  const c = tf.expandDims(tf.mul(0.5, tf.add(qa, qb)), -1);
  const h = tf.expandDims(tf.mul(0.5, tf.sub(qb, qa)), -1);
  const { nodes, weights } = gaussLegendre(GL_POINTS);
  const t = tf.mul(h, tf.tensor1d(nodes));
  const lw = tf.sub(tf.log(tf.tensor1d(weights)), tf.mul(0.5, tf.square(tf.add(c, t))));
  const m = tf.max(lw, -1, true);
  const w = tf.exp(tf.sub(lw, m));
  const s = tf.sum(w, -1, true);
  const et = tf.div(tf.sum(tf.mul(w, t), -1, true), s);
  const dev = tf.sub(t, et);
  const qVar = tf.squeeze(tf.div(tf.sum(tf.mul(w, tf.square(dev)), -1, true), s), [-1]);
  const qMean = tf.squeeze(tf.add(c, et), [-1]);
  const logZ = tf.squeeze(tf.sub(tf.add(tf.add(tf.log(h), m), tf.log(s)), HALF_LOG_2PI), [-1]);

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
  };
}
