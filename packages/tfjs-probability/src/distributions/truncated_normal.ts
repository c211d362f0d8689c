import * as tf from '@tensorflow/tfjs';
import { intervalBetween } from './event_space.js';
import { Distribution, checkLowBelowHigh, convertParams, type DistributionOptions, type TensorLike } from './distribution.js';
import { positive, real, realLine } from './constraints.js';
import { elementwise } from './constraints.js';
import { randomUniform } from '../math/random.js';
import { runSamplerKernel, useSamplerKernels } from '../math/sampler_kernels.js';
import { log1mexp, log1p, logAddExp, logNdtr, ndtri } from '../math/special.js';
import { mulNoNan } from './bernoulli.js';
import { logMassQuad, windowMoments } from './truncated_normal_moments.js';
import { maskOf } from '../util.js';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
/** Bounds: a number, or -Infinity (low) / +Infinity (high) for an open side; NaN fails. */
const lowBound = elementwise('a number or -Infinity (not NaN, not +Infinity)', (v) => tf.logicalNot(tf.logicalAnd(tf.isInf(v), tf.greater(v, 0))), (x) => x !== Infinity);
const highBound = elementwise('a number or +Infinity (not NaN, not -Infinity)', (v) => tf.logicalNot(tf.logicalAnd(tf.isInf(v), tf.less(v, 0))), (x) => x !== -Infinity);

export interface TruncatedNormalArgs extends DistributionOptions {
  /** Mean μ of the underlying normal, shape `[...B]`. */
  loc: TensorLike;
  /** Standard deviation σ > 0 of the underlying normal, shape `[...B]`. */
  scale: TensorLike;
  /** Lower bound (may be -Infinity), shape `[...B]`. */
  low: TensorLike;
  /** Upper bound > low (may be +Infinity), shape `[...B]`. */
  high: TensorLike;
}

/** log(e^a - e^b) for a >= b. */
function logSubExp(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.add(a, log1mexp(tf.sub(a, b)));
}

/**
 * Φ⁻¹(exp(logP)) for log-probabilities down to -1e30: `ndtri` where p is a
 * normal float32 (the upper half from 1 - p = -expm1(logP), accurate near 1),
 * and below p = e^-80 the asymptotic `-√(-2L - log(-2L) - log 2π)` refined by
 * three Newton steps on `logNdtr(x) = L`.
 */
export function ndtriLog(logP: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const L = tf.minimum(logP, 0);
    const upper = tf.greater(L, -Math.LN2);
    const p = tf.exp(tf.maximum(L, -80));
    const mid = tf.where(upper, tf.neg(ndtri(tf.neg(tf.expm1(L)))), ndtri(p));
    const t = tf.mul(-2, tf.minimum(L, -80));
    let x: tf.Tensor = tf.neg(tf.sqrt(tf.sub(tf.sub(t, tf.log(t)), Math.log(2 * Math.PI))));
    for (let i = 0; i < 3; i++) {
      const ln = logNdtr(x);
      // d logΦ / dx = φ(x)/Φ(x) = exp(-x²/2 - log√2π - logΦ(x))
      const slope = tf.exp(tf.sub(tf.sub(tf.mul(-0.5, tf.square(x)), HALF_LOG_2PI), ln));
      x = tf.sub(x, tf.div(tf.sub(ln, tf.minimum(L, -80)), slope));
    }
    return tf.where(tf.greater(L, -80), mid, x);
  });
}

/**
 * The normal distribution N(μ, σ²) conditioned on [low, high].
 *
 * Mathematical details: with `α = (low - μ)/σ`, `β = (high - μ)/σ` and
 * `Z = Φ(β) - Φ(α)`, `p(x) = φ((x - μ)/σ) / (σ Z)` on [low, high]. Everything is
 * computed in log space from `logΦ`, on the side of the window nearer the
 * centre (a window to the right of μ is reflected to the left), so that windows
 * far in a tail (`low = μ + 20σ`) keep relative accuracy: `log Z = logΦ(b') +
 * log(1 - exp(logΦ(a') - logΦ(b')))`. Mean `μ + σ (φ(α) - φ(β))/Z`, variance
 * `σ² (1 + (αφ(α) - βφ(β))/Z - ((φ(α) - φ(β))/Z)²)`, mode `clip(μ, low, high)`,
 * entropy `log(√(2πe) σ Z) + (αφ(α) - βφ(β))/(2Z)`; quantile by the inverse
 * normal cdf in log space (`ndtriLog`).
 * The closed-form variance and entropy are differences of terms of size ~α²; for a window more
 * than ~8σ into a tail they lose relative accuracy (at [20σ, 21σ] the variance is 30% off; TFP
 * uses the same formulas). The mean, density, cdf, quantile and sampler stay accurate there.
 *
 * Sampling on cpu and wasm is a kernel drawing in float64 per element, by
 * rejection matched to the window (normal proposals for wide windows around
 * the mean, uniform ones for narrow windows, Robert's exponential proposals in
 * a tail: each accepts with probability > 0.39, so a window 20σ out costs
 * about what one around the mean does). Elsewhere it is exact inversion of the
 * cdf in log space: for `u ~ U(0, 1)`,
 * `x = Φ⁻¹(Φ(a') + u Z)` evaluated as `ndtriLog(logAddExp(logΦ(a'), log u + log Z))`,
 * reflected back when the window was. Samples are clipped to [low, high].
 * `reparameterized` is false: the draw is a differentiable function of the
 * parameters, but its gradient is not tested against TFP's implicit one.
 *
 * @example
 * ```ts
 * const d = new tfd.TruncatedNormal({ loc: 0, scale: 1, low: [-1, 3], high: [1, 4] });
 * d.sample([5], { seed: 1 }).shape;   // [5, 2]; the second column lies in [3, 4]
 * d.mean();
 * ```
 */
export class TruncatedNormal extends Distribution {
  static override readonly parameterProperties = { loc: { constraint: real }, scale: { constraint: positive }, low: { constraint: lowBound }, high: { constraint: highBound } };
  static override readonly eventSpace = intervalBetween('low', 'high');
  readonly loc: tf.Tensor;
  readonly scale: tf.Tensor;
  readonly low: tf.Tensor;
  readonly high: tf.Tensor;

  constructor(args: TruncatedNormalArgs) {
    const params = convertParams('TruncatedNormal', args, TruncatedNormal.parameterProperties);
    const { loc, scale, low, high } = { loc: params.loc.value, scale: params.scale.value, low: params.low.value, high: params.high.value };
    super({ ...args, className: 'TruncatedNormal', params, eventShape: [], reparameterized: false, support: realLine });
    this.loc = loc;
    this.scale = scale;
    this.low = low;
    this.high = high;
    checkLowBelowHigh(this, 'TruncatedNormal', low, high);
  }

  /**
   * Standardized bounds and the window in reflected coordinates:
   * `flip` where α + β > 0; then `[a', b'] = [-β, -α]`, else `[α, β]`;
   * `logZ = log(Φ(b') - Φ(a'))`.
   */
  private window(): { alpha: tf.Tensor; beta: tf.Tensor; flip: tf.Tensor; a: tf.Tensor; b: tf.Tensor; lfa: tf.Tensor; logZ: tf.Tensor } {
    const alpha = tf.div(tf.sub(this.low, this.loc), this.scale);
    const beta = tf.div(tf.sub(this.high, this.loc), this.scale);
    const flip = maskOf((u, v) => tf.greater(tf.add(u, v), 0), alpha, beta);
    const a = tf.where(flip, tf.neg(beta), alpha);
    const b = tf.where(flip, tf.neg(alpha), beta);
    const lfa = logNdtr(a);
    const logZ = logSubExp(logNdtr(b), lfa);
    return { alpha, beta, flip, a, b, lfa, logZ };
  }

  /**
   * Log masses of [a', z'] and [z', b'] over log Z in reflected coordinates (z' = ∓z). In narrow or
   * moderate windows both by quadrature (a difference of log Φ keeps few digits there:
   * TruncatedNormal(5, 1000, 0, 1).cdf(0.3) was 0.30017), else from log Φ.
   */
  private logMasses(x: tf.Tensor): { lm: tf.Tensor; lmc: tf.Tensor; flip: tf.Tensor } {
    const w = this.window();
    const z = tf.div(tf.sub(x, this.loc), this.scale);
    const zr = tf.clipByValue(tf.where(w.flip, tf.neg(z), z), -1e30, 1e30);
    const zc = tf.minimum(tf.maximum(zr, w.a), w.b);
    const closed = tf.sub(logSubExp(logNdtr(zc), w.lfa), w.logZ);
    const m = windowMoments(w.a, w.b);
    const aQ = tf.where(m.quad, tf.add(w.a, tf.zerosLike(zc)), tf.zerosLike(zc));
    const bQ = tf.where(m.quad, tf.add(w.b, tf.zerosLike(zc)), tf.onesLike(zc));
    // widths of [a', z'] and [z', b'] from x - low (or high - x) and high - low directly
    const total = tf.sub(bQ, aQ);
    const wRaw = tf.div(tf.where(w.flip, tf.sub(this.high, x), tf.sub(x, this.low)), this.scale);
    const wBelow = tf.minimum(tf.maximum(tf.where(m.quad, wRaw, tf.fill(wRaw.shape, 0.5)), 0), total);
    const wRawAbove = tf.div(tf.where(w.flip, tf.sub(x, this.low), tf.sub(this.high, x)), this.scale);
    const wAbove = tf.minimum(tf.maximum(tf.where(m.quad, wRawAbove, tf.fill(wRaw.shape, 0.5)), 0), total);
    const logZQ = tf.where(m.quad, m.logZ, tf.zerosLike(m.logZ));
    const below = tf.minimum(tf.sub(logMassQuad(aQ, wBelow), logZQ), 0);
    const above = tf.minimum(tf.sub(logMassQuad(tf.sub(bQ, wAbove), wAbove), logZQ), 0);
    const atA = maskOf((u, v) => tf.lessEqual(u, v), zc, w.a);
    const atB = maskOf((u, v) => tf.greaterEqual(u, v), zc, w.b);
    const ninf = tf.fill(zc.shape, -Infinity);
    const lm = tf.where(atA, ninf, tf.where(m.quad, below, closed));
    const lmc = tf.where(atB, ninf, tf.where(m.quad, above, log1mexp(closed)));
    return { lm, lmc, flip: w.flip };
  }

  protected sampleN(n: number, seed?: number): tf.Tensor {
    const shape = [n, ...this.batchShape];
    if (useSamplerKernels()) return runSamplerKernel('TfpRandomTruncatedNormal', shape, [this.loc, this.scale, this.low, this.high], seed);
    return this.quantileFn(randomUniform(shape, seed));
  }

  protected override logProbFn(x: tf.Tensor): tf.Tensor {
    const z = tf.div(tf.sub(x, this.loc), this.scale);
    const lp = tf.sub(tf.mul(-0.5, tf.square(z)), tf.add(tf.add(tf.log(this.scale), HALF_LOG_2PI), this.moments().logZ));
    const inside = maskOf((v, lo, hi) => tf.logicalAnd(tf.greaterEqual(v, lo), tf.greaterEqual(hi, v)), x, this.low, this.high);
    return tf.where(inside, lp, tf.fill(lp.shape, -Infinity));
  }
  protected override cdfFn(x: tf.Tensor): tf.Tensor {
    const { lm, lmc, flip } = this.logMasses(x);
    return tf.exp(tf.where(flip, lmc, lm));
  }
  protected override survivalFn(x: tf.Tensor): tf.Tensor {
    const { lm, lmc, flip } = this.logMasses(x);
    return tf.exp(tf.where(flip, lm, lmc));
  }
  protected override logCdfFn(x: tf.Tensor): tf.Tensor {
    const { lm, lmc, flip } = this.logMasses(x);
    return tf.where(flip, lmc, lm);
  }
  protected override logSurvivalFn(x: tf.Tensor): tf.Tensor {
    const { lm, lmc, flip } = this.logMasses(x);
    return tf.where(flip, lm, lmc);
  }
  protected override quantileFn(p: tf.Tensor): tf.Tensor {
    const w = this.window();
    // In reflected coordinates the mass below the draw is p (no flip) or 1 - p (flip).
    const logQ = tf.where(w.flip, log1p(tf.neg(p)), tf.log(p));
    const zr = ndtriLog(logAddExp(w.lfa, tf.add(logQ, w.logZ)));
    const zc = tf.minimum(tf.maximum(zr, w.a), w.b);
    const m = windowMoments(w.a, w.b);
    const dist = this.narrowQuantile(p, w, m, tf.sub(zc, w.a));
    // distance from the reflected lower end back to x: low + σ·d, or high - σ·d where reflected
    const xNarrow = tf.where(w.flip, tf.sub(this.high, tf.mul(this.scale, dist)), tf.add(this.low, tf.mul(this.scale, dist)));
    const z = tf.where(w.flip, tf.neg(zc), zc);
    const x = tf.where(m.quad, xNarrow, tf.add(this.loc, tf.mul(this.scale, z)));
    return tf.minimum(tf.maximum(x, this.low), this.high);
  }
  /**
   * The quantile in narrow or moderate windows (where windowMoments integrates by quadrature) as
   * the distance d from the reflected lower end: Newton's method in u = log e on the log of the
   * quadrature mass between the nearer end and the point, e the distance from that end (the lower
   * end for p' <= ½, the upper one, from the complement given exactly, above), so tiny masses
   * converge as fast as large ones. Φ⁻¹ of a difference of Φ keeps few digits there:
   * TruncatedNormal(5, 1000, 0, 1).quantile(1e-6) was 1e-5.
   */
  private narrowQuantile(p: tf.Tensor, w: ReturnType<TruncatedNormal['window']>, m: ReturnType<typeof windowMoments>, start: tf.Tensor): tf.Tensor {
    const shape = tf.broadcast_util.assertAndGetBroadcastShape(p.shape, w.a.shape);
    const q = tf.broadcastTo(m.quad, shape);
    const a = tf.broadcastTo(tf.where(m.quad, w.a, tf.zerosLike(w.a)), shape);
    const width = tf.broadcastTo(tf.where(m.quad, tf.div(tf.sub(this.high, this.low), this.scale), tf.onesLike(w.a)), shape);
    const logZ = tf.broadcastTo(tf.where(m.quad, m.logZ, tf.zerosLike(m.logZ)), shape);
    const pb = tf.broadcastTo(p, shape);
    const flip = tf.broadcastTo(w.flip, shape);
    const lowT = tf.where(flip, tf.sub(1, pb), pb);
    const upT = tf.where(flip, pb, tf.sub(1, pb));
    const useLow = maskOf((v) => tf.lessEqual(v, 0.5), lowT);
    const target = tf.log(tf.where(useLow, lowT, upT));
    const s0 = tf.where(q, tf.broadcastTo(start, shape), tf.mul(0.5, width));
    const lo = tf.log(tf.mul(width, 1e-30));
    const hi = tf.log(width);
    let u: tf.Tensor = tf.minimum(tf.maximum(tf.log(tf.where(useLow, s0, tf.sub(width, s0))), lo), hi);
    for (let i = 0; i < 8; i++) {
      const e = tf.exp(u);
      const from = tf.where(useLow, a, tf.sub(tf.add(a, width), e)); // the mass over [from, from + e]
      const lm = logMassQuad(from, e);
      const point = tf.where(useLow, tf.add(a, e), from);
      const logDensity = tf.sub(tf.mul(-0.5, tf.square(point)), HALF_LOG_2PI);
      // d lm / du = e φ(point) / mass
      const slope = tf.exp(tf.add(u, tf.sub(logDensity, lm)));
      u = tf.minimum(tf.maximum(tf.sub(u, tf.div(tf.sub(tf.sub(lm, logZ), target), slope)), lo), hi);
    }
    const e = tf.exp(u);
    return tf.where(useLow, e, tf.sub(width, e));
  }

  /** [φ(α)/Z, φ(β)/Z] (0 at infinite bounds), Z = Φ(β) - Φ(α). */
  private densityRatios(logZ: tf.Tensor): { alpha: tf.Tensor; beta: tf.Tensor; pa: tf.Tensor; pb: tf.Tensor } {
    const w = this.window();
    const ratio = (t: tf.Tensor) => tf.exp(tf.sub(tf.sub(tf.mul(-0.5, tf.square(t)), HALF_LOG_2PI), logZ));
    return { alpha: w.alpha, beta: w.beta, pa: ratio(w.alpha), pb: ratio(w.beta) };
  }
  /**
   * Mean and variance of the standardized variable and log Z: by quadrature or the tail continued
   * fraction where the closed forms cancel (narrow windows, far tails; see truncated_normal_moments.ts),
   * by the closed forms elsewhere.
   */
  private moments(): { mean: tf.Tensor; variance: tf.Tensor; logZ: tf.Tensor; tail: tf.Tensor; tailEntropy: tf.Tensor } {
    const w = this.window();
    const m = windowMoments(w.a, w.b);
    const logZ = tf.where(m.quad, m.logZ, w.logZ);
    const { alpha, beta, pa, pb } = this.densityRatios(logZ);
    const mean = tf.sub(pa, pb);
    const variance = tf.sub(tf.add(1, tf.sub(mulNoNan(pa, alpha), mulNoNan(pb, beta))), tf.square(mean));
    const ownMean = tf.where(w.flip, tf.neg(m.mean), m.mean);
    const pick = (own: tf.Tensor, closed: tf.Tensor) => tf.where(m.quad, own, tf.where(m.tail, own, closed));
    return { mean: pick(ownMean, mean), variance: pick(m.variance, variance), logZ, tail: m.tail, tailEntropy: m.tailEntropy };
  }
  protected override meanFn(): tf.Tensor {
    return tf.add(this.loc, tf.mul(this.scale, this.moments().mean));
  }
  protected override varianceFn(): tf.Tensor {
    return tf.mul(tf.square(this.scale), this.moments().variance);
  }
  protected override modeFn(): tf.Tensor {
    return tf.minimum(tf.maximum(this.loc, this.low), this.high);
  }
  protected override entropyFn(): tf.Tensor {
    // log(σ √(2π) Z) + E[z²]/2
    const { mean, variance, logZ, tail, tailEntropy } = this.moments();
    const h = tf.where(tail, tailEntropy, tf.add(tf.add(logZ, HALF_LOG_2PI), tf.mul(0.5, tf.add(variance, tf.square(mean)))));
    return tf.add(tf.log(this.scale), h);
  }
}
