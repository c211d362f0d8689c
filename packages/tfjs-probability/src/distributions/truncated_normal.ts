import * as tf from '@tensorflow/tfjs';
import { intervalBetween } from './event_space.js';
import { Distribution, checkLowBelowHigh, convertParams, type DistributionOptions, type TensorLike } from './distribution.js';
import { positive, real, realLine } from './constraints.js';
import { elementwise } from './constraints.js';
import { randomUniform } from '../math/random.js';
import { runSamplerKernel, useSamplerKernels } from '../math/sampler_kernels.js';
import { log1mexp, log1p, logAddExp, logNdtr, ndtri } from '../math/special.js';
import { mulNoNan } from './bernoulli.js';
import { logLocalMass, tailLogMasses, windowMoments } from './truncated_normal_moments.js';
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

  /** tailLogMasses at x in far-tail windows (placeholder values elsewhere): s from the heavy bound. */
  private tailParts(x: tf.Tensor, w: ReturnType<TruncatedNormal['window']>, m: ReturnType<typeof windowMoments>): ReturnType<typeof tailLogMasses> {
    const s = tf.div(tf.where(w.flip, tf.sub(x, this.low), tf.sub(this.high, x)), this.scale);
    const W = tf.where(maskOf((v) => tf.isInf(v), w.a), tf.fill(w.a.shape, Infinity), this.width());
    const shape = tf.broadcast_util.assertAndGetBroadcastShape(s.shape, W.shape);
    const tail = tf.broadcastTo(m.tail, shape);
    const Wt = tf.where(tail, tf.broadcastTo(W, shape), tf.fill(shape, 2));
    const st = tf.minimum(tf.maximum(tf.where(tail, tf.broadcastTo(s, shape), tf.fill(shape, 1)), 0), Wt);
    const xt = tf.where(tail, tf.broadcastTo(tf.neg(w.b), shape), tf.fill(shape, 5));
    return tailLogMasses(xt, st, Wt);
  }

  /** (high - low)/σ, formed from the bounds (1 where one is infinite: only used where both are finite). */
  private width(): tf.Tensor {
    const finite = maskOf((l, h) => tf.logicalAnd(tf.logicalNot(tf.isInf(l)), tf.logicalNot(tf.isInf(h))), this.low, this.high);
    const lo = tf.where(finite, tf.add(this.low, tf.zerosLike(this.high)), tf.zeros(finite.shape));
    const hi = tf.where(finite, tf.add(this.high, tf.zerosLike(this.low)), tf.ones(finite.shape));
    return tf.div(tf.sub(hi, lo), this.scale);
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
    const m = windowMoments(w.a, w.b, this.width());
    const aQ = tf.where(m.quad, tf.add(w.a, tf.zerosLike(zc)), tf.zerosLike(zc));
    // widths of [a', z'] and [z', b'] from x - low (or high - x) and high - low directly
    const total = tf.where(m.quad, tf.add(this.width(), tf.zerosLike(zc)), tf.onesLike(zc));
    const wRaw = tf.div(tf.where(w.flip, tf.sub(this.high, x), tf.sub(x, this.low)), this.scale);
    const wBelow = tf.minimum(tf.maximum(tf.where(m.quad, wRaw, tf.fill(wRaw.shape, 0.5)), 0), total);
    const wRawAbove = tf.div(tf.where(w.flip, tf.sub(x, this.low), tf.sub(this.high, x)), this.scale);
    const wAbove = tf.minimum(tf.maximum(tf.where(m.quad, wRawAbove, tf.fill(wRaw.shape, 0.5)), 0), total);
    const logJQ = tf.where(m.quad, m.logJ, tf.zerosLike(m.logJ));
    const below = tf.minimum(tf.sub(logLocalMass(aQ, tf.zerosLike(wBelow), wBelow), logJQ), 0);
    const above = tf.minimum(tf.sub(logLocalMass(aQ, tf.sub(total, wAbove), wAbove), logJQ), 0);
    // at a bound by the exact distances (z' rounds onto a bound in windows far from loc)
    const atA = maskOf((u) => tf.lessEqual(u, 0), wRaw);
    const atB = maskOf((u) => tf.lessEqual(u, 0), wRawAbove);
    const ninf = tf.fill(zc.shape, -Infinity);
    const tail = this.tailParts(x, w, m);
    const lm = tf.where(atA, ninf, tf.where(m.quad, below, tf.where(m.tail, tail.far, closed)));
    const lmc = tf.where(atB, ninf, tf.where(m.quad, above, tf.where(m.tail, tail.heavy, log1mexp(closed))));
    return { lm, lmc, flip: w.flip };
  }

  protected sampleN(n: number, seed?: number): tf.Tensor {
    const shape = [n, ...this.batchShape];
    if (useSamplerKernels()) return runSamplerKernel('TfpRandomTruncatedNormal', shape, [this.loc, this.scale, this.low, this.high], seed);
    return this.quantileFn(randomUniform(shape, seed));
  }

  protected override logProbFn(x: tf.Tensor): tf.Tensor {
    const z = tf.div(tf.sub(x, this.loc), this.scale);
    const closed = tf.sub(tf.mul(-0.5, tf.square(z)), tf.add(tf.add(tf.log(this.scale), HALF_LOG_2PI), this.moments().logZ));
    // narrow or moderate windows: -a d - d²/2 - log J - log σ in the distance d from the reflected
    // lower end a (truncated_normal_moments.ts), without z²/2 and log Z cancelling
    const w = this.window();
    const m = windowMoments(w.a, w.b, this.width());
    const d = tf.div(tf.where(w.flip, tf.sub(this.high, x), tf.sub(x, this.low)), this.scale);
    const aQ = tf.where(m.quad, w.a, tf.zerosLike(w.a));
    const local = tf.neg(tf.add(tf.add(tf.mul(d, tf.add(aQ, tf.mul(0.5, d))), m.logJ), tf.log(this.scale)));
    const tailLp = tf.sub(this.tailParts(x, w, m).logDensity, tf.log(this.scale));
    const lp = tf.where(m.quad, local, tf.where(m.tail, tailLp, closed));
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
    const m = windowMoments(w.a, w.b, this.width());
    const { e, fromLower } = this.boundQuantile(p, w, m, tf.sub(zc, w.a));
    // back to x from the bound e is measured from: the reflected lower end is low (high where
    // reflected), the upper one high (low), so a point near either bound keeps its digits
    const fromLow = tf.logicalXor(fromLower, tf.broadcastTo(w.flip, fromLower.shape));
    const xBound = tf.where(fromLow, tf.add(this.low, tf.mul(this.scale, e)), tf.sub(this.high, tf.mul(this.scale, e)));
    const z = tf.where(w.flip, tf.neg(zc), zc);
    const x = tf.where(tf.logicalOr(m.quad, m.tail), xBound, tf.add(this.loc, tf.mul(this.scale, z)));
    return tf.minimum(tf.maximum(x, this.low), this.high);
  }
  /**
   * The quantile where windowMoments integrates by quadrature (narrow or moderate windows) or by
   * the continued fraction (far tails), as distances from the bounds: Newton's method in u = log e
   * on the log of the mass between the nearer end and the point, e the distance from that end (the
   * reflected lower end for p' <= ½, the upper one, from the complement given exactly, above), so
   * tiny masses converge as fast as large ones. Φ⁻¹ of a difference of Φ keeps few digits there:
   * TruncatedNormal(5, 1000, 0, 1).quantile(1e-6) was 1e-5. Returns e and whether it is measured from
   * the reflected lower end (else from the upper, the heavy end in far tails).
   */
  private boundQuantile(p: tf.Tensor, w: ReturnType<TruncatedNormal['window']>, m: ReturnType<typeof windowMoments>, start: tf.Tensor): { e: tf.Tensor; fromLower: tf.Tensor } {
    const shape = tf.broadcast_util.assertAndGetBroadcastShape(p.shape, w.a.shape);
    const [quad, tail] = [m.quad, m.tail].map((r) => tf.broadcastTo(r, shape)) as [tf.Tensor, tf.Tensor];
    const on = tf.logicalOr(quad, tail);
    const a = tf.broadcastTo(tf.where(m.quad, w.a, tf.zerosLike(w.a)), shape);
    const infinite = tf.broadcastTo(maskOf((v) => tf.isInf(v), w.a), shape);
    const width = tf.where(on, tf.where(infinite, tf.fill(shape, Infinity), tf.broadcastTo(this.width(), shape)), tf.onesLike(a));
    const span = tf.where(infinite, tf.fill(shape, 1e30), width);
    const xT = tf.broadcastTo(tf.where(m.tail, tf.neg(w.b), tf.fill(w.b.shape, 5)), shape);
    const logJ = tf.broadcastTo(tf.where(m.quad, m.logJ, tf.zerosLike(m.logJ)), shape);
    const pb = tf.broadcastTo(p, shape);
    const flip = tf.broadcastTo(w.flip, shape);
    const lowT = tf.where(flip, tf.sub(1, pb), pb);
    const upT = tf.where(flip, pb, tf.sub(1, pb));
    const useLow = tf.logicalAnd(maskOf((v) => tf.lessEqual(v, 0.5), lowT), tf.logicalNot(infinite));
    const target = tf.log(tf.where(useLow, lowT, upT));
    const s0 = tf.minimum(tf.maximum(tf.where(on, tf.broadcastTo(start, shape), tf.mul(0.5, span)), 0), span);
    const lo = tf.log(tf.mul(span, 1e-30));
    const hi = tf.log(span);
    let u: tf.Tensor = tf.minimum(tf.maximum(tf.log(tf.where(useLow, s0, tf.sub(span, s0))), lo), hi);
    for (let i = 0; i < 8; i++) {
      const e = tf.exp(u);
      const from = tf.where(useLow, tf.zerosLike(e), tf.sub(span, e)); // the quadrature mass over [from, from + e]
      const lmQ = tf.sub(logLocalMass(a, from, e), logJ);
      const point = tf.where(useLow, e, from);
      const ldQ = tf.sub(tf.neg(tf.mul(point, tf.add(a, tf.mul(0.5, point)))), logJ);
      const tp = tailLogMasses(xT, tf.where(useLow, tf.sub(span, e), e), tf.where(tail, width, tf.fill(shape, 2)));
      const lm = tf.where(tail, tf.where(useLow, tp.far, tp.heavy), lmQ);
      const ld = tf.where(tail, tp.logDensity, ldQ);
      // d lm / du = e · density(point) / mass
      const slope = tf.exp(tf.add(u, tf.sub(ld, lm)));
      u = tf.minimum(tf.maximum(tf.sub(u, tf.div(tf.sub(lm, target), slope)), lo), hi);
    }
    return { e: tf.exp(u), fromLower: useLow };
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
  private moments(): { mean: tf.Tensor; variance: tf.Tensor; logZ: tf.Tensor; tail: tf.Tensor; tailEntropy: tf.Tensor; quad: tf.Tensor; meanD: tf.Tensor; logJ: tf.Tensor; a: tf.Tensor; flip: tf.Tensor; tailK: tf.Tensor } {
    const w = this.window();
    const m = windowMoments(w.a, w.b, this.width());
    const logZ = tf.where(m.quad, m.logZ, w.logZ);
    const { alpha, beta, pa, pb } = this.densityRatios(logZ);
    const mean = tf.sub(pa, pb);
    const variance = tf.sub(tf.add(1, tf.sub(mulNoNan(pa, alpha), mulNoNan(pb, beta))), tf.square(mean));
    const ownMean = tf.where(w.flip, tf.neg(m.mean), m.mean);
    const pick = (own: tf.Tensor, closed: tf.Tensor) => tf.where(m.quad, own, tf.where(m.tail, own, closed));
    return {
      mean: pick(ownMean, mean), variance: pick(m.variance, variance), logZ, tail: m.tail, tailEntropy: m.tailEntropy,
      quad: m.quad, meanD: m.meanD, logJ: m.logJ, a: tf.where(m.quad, w.a, tf.zerosLike(w.a)), flip: w.flip, tailK: m.tailK,
    };
  }
  protected override meanFn(): tf.Tensor {
    const m = this.moments();
    // narrow or moderate windows: from the nearer bound, low + σ E[d] (or high - σ E[d] reflected),
    // not loc + σ E[z], which cancels when the window sits far from loc
    const local = tf.where(m.flip, tf.sub(this.high, tf.mul(this.scale, m.meanD)), tf.add(this.low, tf.mul(this.scale, m.meanD)));
    // far tails: the heavy bound less σ E[distance from it] = σ K_1
    const tail = tf.where(m.flip, tf.add(this.low, tf.mul(this.scale, m.tailK)), tf.sub(this.high, tf.mul(this.scale, m.tailK)));
    return tf.where(m.quad, local, tf.where(m.tail, tail, tf.add(this.loc, tf.mul(this.scale, m.mean))));
  }
  protected override varianceFn(): tf.Tensor {
    return tf.mul(tf.square(this.scale), this.moments().variance);
  }
  protected override modeFn(): tf.Tensor {
    return tf.minimum(tf.maximum(this.loc, this.low), this.high);
  }
  protected override entropyFn(): tf.Tensor {
    // log(σ √(2π) Z) + E[z²]/2
    const { mean, variance, logZ, tail, tailEntropy, quad, meanD, logJ, a } = this.moments();
    const h = tf.where(tail, tailEntropy, tf.add(tf.add(logZ, HALF_LOG_2PI), tf.mul(0.5, tf.add(variance, tf.square(mean)))));
    // narrow or moderate windows: log J + a E[d] + E[d²]/2 (the a²/2 of log Z and E[z²]/2 cancelled exactly)
    const local = tf.add(tf.add(logJ, tf.mul(a, meanD)), tf.mul(0.5, tf.add(variance, tf.square(meanD))));
    return tf.add(tf.log(this.scale), tf.where(quad, local, h));
  }
}
