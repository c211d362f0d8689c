import * as tf from '@tensorflow/tfjs';
import { Distribution, convertParams, type DistributionOptions, type TensorLike } from './distribution.js';
import { positive, real, realLine } from './constraints.js';
import { randomLogGammaBatched } from '../math/gamma_sampler.js';
import { runSamplerKernel, useSamplerKernels } from '../math/sampler_kernels.js';
import { randomNormal } from '../math/random.js';
import { betainc, betaincc, betaincinvImpl, digamma, lgamma, logBetainc, logBetaincc } from '../math/special.js';
import { splitSeed, toFloat } from '../util.js';
import { log1p } from './continuous_util.js';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
/** Below this value of ν/(ν + t²) the tail uses its leading asymptotic term (relative error < 1e-29). */
const TINY_TAIL_ARG = 1e-30;
/** Half degrees of freedom from which the Stirling forms of D and E below are used directly. */
const SHIFT_TO = 10;

/**
 * Stable pieces of the Student t normalizer and entropy as functions of h = ν/2:
 * D(h) = lgamma(h + ½) - lgamma(h) - ½ log h (→ -1/(8h) as h → ∞) and
 * E(h) = ψ(h + ½) - ψ(h) (→ 1/(2h)). Differences of lgamma or digamma lose
 * everything in float32 at large h (lgamma(5e4) ≈ 5e5 has an ulp of 0.03), so h
 * is shifted up to w = h + n >= 10 by the recurrences
 * D(h) = D(w) + ½ log(w/h) - Σ log1p(1/(2(h+k))) and
 * E(h) = E(w) + Σ 1/(2 (h+k)(h+k+½)) (k < n, no cancellation), and at w the
 * Stirling series of lgamma and ψ are subtracted term by term, analytically.
 */
export function halfDfTerms(h: tf.Tensor): { d: tf.Tensor; e: tf.Tensor } {
  let w: tf.Tensor = h;
  let sumLog: tf.Tensor = tf.zerosLike(h);
  let sumE: tf.Tensor = tf.zerosLike(h);
  for (let k = 0; k < SHIFT_TO; k++) {
    // conditions with greaterEqual only: it has a gradient (continuous_util.ts)
    const done = tf.greaterEqual(w, SHIFT_TO);
    sumLog = tf.where(done, sumLog, tf.add(sumLog, log1p(tf.div(0.5, w))));
    sumE = tf.where(done, sumE, tf.add(sumE, tf.div(0.5, tf.mul(w, tf.add(w, 0.5)))));
    w = tf.where(done, w, tf.add(w, 1));
  }
  const u = tf.div(0.5, w); // <= 0.05
  // w log1p(u) - ½ = ½ Σ_{k>=1} (-u)^k / (k + 1)
  let series: tf.Tensor = tf.fill(u.shape, 1 / 12);
  for (let k = 10; k >= 1; k--) series = tf.add(tf.mul(series, tf.neg(u)), 1 / (k + 1));
  const lead = tf.mul(tf.mul(0.5, tf.neg(u)), series);
  // Stirling remainders S(z) = 1/(12z) - 1/(360z³) + 1/(1260z⁵) - 1/(1680z⁷) at w + ½ minus at w
  const wp = tf.add(w, 0.5);
  const inv = (z: tf.Tensor, n: number) => tf.pow(tf.reciprocal(z), n);
  const dS = tf.add(
    tf.add(tf.div(-1 / 24, tf.mul(w, wp)), tf.mul(-1 / 360, tf.sub(inv(wp, 3), inv(w, 3)))),
    tf.add(tf.mul(1 / 1260, tf.sub(inv(wp, 5), inv(w, 5))), tf.mul(-1 / 1680, tf.sub(inv(wp, 7), inv(w, 7)))),
  );
  const dW = tf.add(lead, dS);
  const d = tf.sub(tf.add(dW, tf.mul(0.5, tf.sub(tf.log(w), tf.log(h)))), sumLog);
  // ψ(z) ~ log z - 1/(2z) - 1/(12z²) + 1/(120z⁴) - 1/(252z⁶), differenced at w + ½ and w
  const eW = tf.add(
    tf.add(log1p(u), tf.div(0.5, tf.mul(w, tf.add(tf.mul(2, w), 1)))),
    tf.add(
      tf.div(tf.add(w, 0.25), tf.mul(12, tf.square(tf.mul(w, wp)))),
      tf.sub(tf.mul(1 / 120, tf.sub(inv(wp, 4), inv(w, 4))), tf.mul(1 / 252, tf.sub(inv(wp, 6), inv(w, 6)))),
    ),
  );
  return { d, e: tf.add(eW, sumE) };
}

export interface StudentTArgs extends DistributionOptions {
  /** Degrees of freedom ν > 0, shape `[...B]`. */
  df: TensorLike;
  /** Location μ, shape `[...B]`. */
  loc: TensorLike;
  /** Scale σ > 0, shape `[...B]` (not the standard deviation). */
  scale: TensorLike;
}

/**
 * Student's t distribution with location and scale.
 *
 * Mathematical details: with t = (x - μ)/σ,
 * `p(x; ν, μ, σ) = Γ((ν+1)/2) / (Γ(ν/2) √(νπ) σ) · (1 + t²/ν)^(-(ν+1)/2)`;
 * `P(X > |x|) = ½ I_{ν/(ν+t²)}(ν/2, ½)` (regularized incomplete beta), from which
 * cdf and survivalFunction are taken without cancellation in either tail, and
 * logCdf / logSurvivalFunction in log space (finite far into the tails).
 * The normalizer and entropy use lgamma/digamma differences rewritten in a form
 * without cancellation, so all of these stay accurate as ν → ∞ (to ν = 1e7,
 * where they agree with the normal distribution to float32 rounding).
 * Mean μ for ν > 1, variance σ² ν/(ν-2) for ν > 2, mode μ.
 *
 * Undefined statistics follow TFP's default `allow_nan_stats=True`: mean is NaN
 * for ν <= 1; variance is +Infinity for 1 < ν <= 2 and NaN for ν <= 1.
 *
 * Reparameterized in loc and scale: `x = μ + σ Z / √(2G/ν)` with Z ~ N(0, 1) and
 * G ~ Gamma(ν/2, 1) from the batched gamma sampler (computed in log space; on
 * cpu and wasm the standard t draws come from one float64 kernel);
 * the draws carry no gradient with respect to df.
 *
 * Support: the real line. Without `validateArgs`, values outside it are not checked: NaN gives NaN.
 * With `validateArgs: true`, `logProb`, `prob`, `cdf`, `logCdf`, `survivalFunction` and
 * `logSurvivalFunction` throw an `InvalidArgumentError` naming the first value outside (a read-back).
 *
 * @example
 * ```ts
 * const d = new tfd.StudentT({ df: [1, 5], loc: 0, scale: [1, 2] });
 * d.sample([5], { seed: 1 }).shape;   // [5, 2]
 * d.mean();                            // [NaN, 0]
 * ```
 */
export class StudentT extends Distribution {
  static override readonly parameterProperties = { df: { constraint: positive }, loc: { constraint: real }, scale: { constraint: positive } };
  readonly df: tf.Tensor;
  readonly loc: tf.Tensor;
  readonly scale: tf.Tensor;

  constructor(args: StudentTArgs) {
    const params = convertParams('StudentT', args, StudentT.parameterProperties);
    super({ ...args, className: 'StudentT', params, eventShape: [], reparameterized: true, support: realLine });
    this.df = params.df.value;
    this.loc = params.loc.value;
    this.scale = params.scale.value;
  }

  protected sampleN(n: number, seed?: number): tf.Tensor {
    const shape = [n, ...this.batchShape];
    if (useSamplerKernels()) {
      // Standard t draws from a kernel (float64, one per element); loc and scale applied here keep their gradients.
      const t = runSamplerKernel('TfpRandomStudentT', shape, [tf.broadcastTo(this.df, this.batchShape)], seed);
      return tf.add(tf.mul(t, this.scale), this.loc);
    }
    const [sz, sg] = splitSeed(seed, 2);
    const z = randomNormal(shape, sz);
    const halfDf = tf.broadcastTo(tf.mul(this.df, 0.5), this.batchShape);
    const logG = randomLogGammaBatched([n], halfDf, sg);
    // Z / √(2G/ν) = Z · exp(½ (log ν - log 2 - log G))
    const t = tf.mul(z, tf.exp(tf.mul(0.5, tf.sub(tf.sub(tf.log(this.df), Math.LN2), logG))));
    return tf.add(tf.mul(t, this.scale), this.loc);
  }

  private t(x: tf.Tensor): tf.Tensor {
    return tf.div(tf.sub(x, this.loc), this.scale);
  }

  protected override logProbFn(x: tf.Tensor): tf.Tensor {
    const nu = this.df;
    const half = tf.mul(nu, 0.5);
    const halfP = tf.add(half, 0.5);
    // lgamma((ν+1)/2) - lgamma(ν/2) - ½ log(νπ) - log σ = D(ν/2) - ½ log(2π) - log σ
    const norm = tf.sub(tf.sub(halfDfTerms(half).d, HALF_LOG_2PI), tf.log(this.scale));
    // log(1 + t²/ν): for t² >= ν as 2 log|t| - log ν + log1p(ν/t²), finite even where t² overflows
    const t = this.t(x);
    const absT = tf.abs(t);
    const big = tf.greaterEqual(tf.sub(absT, tf.sqrt(nu)), 0);
    const tSmall = tf.where(big, tf.zerosLike(t), t);
    const tBig = tf.where(big, absT, tf.onesLike(absT));
    const small = log1p(tf.div(tf.square(tSmall), nu));
    const large = tf.add(tf.sub(tf.mul(2, tf.log(tBig)), tf.log(nu)), log1p(tf.square(tf.div(tf.sqrt(nu), tBig))));
    return tf.sub(norm, tf.mul(halfP, tf.where(big, large, small)));
  }
  /**
   * The tail P(T > |t|) and its log, for the standard t with ν degrees of freedom:
   * for t² < ν as ½ (1 - I_{t²/(ν+t²)}(½, ν/2)) (the complement evaluated directly,
   * so the dependence on t survives ν → ∞, where ν/(ν+t²) rounds to 1 in float32);
   * for t² >= ν as ½ I_{ν/(ν+t²)}(ν/2, ½) in log space (finite far out:
   * logCdf(-1000) = -158.8 at ν = 30); where ν/(ν+t²) < 1e-30 by the leading term
   * x^(ν/2) / ((ν/2) B(ν/2, ½)) of the incomplete beta (t² may overflow float32).
   */
  private tails(x: tf.Tensor): { t: tf.Tensor; tail: tf.Tensor; logTail: tf.Tensor } {
    const nu = this.df;
    const h = tf.mul(nu, 0.5);
    const t = this.t(x);
    const absT = tf.abs(t);
    const sqrtNu = tf.sqrt(nu);
    const big = tf.greaterEqual(tf.sub(absT, sqrtNu), 0);
    // small |t|: x₂ = t²/(ν + t²)
    const tS = tf.where(big, tf.zerosLike(t), t);
    const t2 = tf.square(tS);
    const x2 = tf.div(t2, tf.add(nu, t2));
    const halfB = tf.fill(x2.shape, 0.5);
    const tailS = tf.mul(0.5, betaincc(halfB, h, x2));
    const logTailS = tf.sub(logBetaincc(halfB, h, x2), Math.LN2);
    // large |t|: x₁ = ν/(ν + t²) = r²/(1 + r²), r = √ν/|t| <= 1
    const r = tf.div(sqrtNu, tf.where(big, absT, tf.onesLike(absT)));
    const r2 = tf.square(r);
    const logX1 = tf.sub(tf.mul(2, tf.log(r)), log1p(r2));
    const tiny = tf.greaterEqual(tf.sub(Math.log(TINY_TAIL_ARG), logX1), 0);
    const x1 = tf.where(tiny, tf.fill(r2.shape, 0.5), tf.div(r2, tf.add(1, r2)));
    const logTailB = tf.sub(logBetainc(h, halfB, x1), Math.LN2);
    // leading term: log(½ x^h / (h B(h, ½))), log B(h, ½) = ½ log π - D(h) - ½ log h
    const logBh = tf.sub(tf.sub(0.5 * Math.log(Math.PI), halfDfTerms(h).d), tf.mul(0.5, tf.log(h)));
    const logAsym = tf.sub(tf.sub(tf.mul(h, logX1), tf.log(h)), tf.add(logBh, Math.LN2));
    const logTailL = tf.where(tiny, logAsym, logTailB);
    const logTail = tf.where(big, logTailL, logTailS);
    const tail = tf.where(big, tf.exp(logTailL), tailS);
    return { t, tail, logTail };
  }
  protected override cdfFn(x: tf.Tensor): tf.Tensor {
    const { t, tail } = this.tails(x);
    return tf.where(tf.greaterEqual(t, 0), tf.sub(1, tail), tail);
  }
  protected override survivalFn(x: tf.Tensor): tf.Tensor {
    const { t, tail } = this.tails(x);
    return tf.where(tf.greaterEqual(t, 0), tail, tf.sub(1, tail));
  }
  protected override logCdfFn(x: tf.Tensor): tf.Tensor {
    const { t, tail, logTail } = this.tails(x);
    return tf.where(tf.greaterEqual(t, 0), log1p(tf.neg(tail)), logTail);
  }
  protected override logSurvivalFn(x: tf.Tensor): tf.Tensor {
    const { t, tail, logTail } = this.tails(x);
    return tf.where(tf.greaterEqual(t, 0), logTail, log1p(tf.neg(tail)));
  }
  /**
   * With q = min(p, 1 - p), the tail P(T < -|t|) = q, from two inverses of the
   * incomplete beta function: y = ν/(ν + t²) with I_y(ν/2, ½) = 2q, used where
   * y <= ½ (t² >= ν: then t² = ν (1 - y)/y has no cancellation), and
   * w = t²/(ν + t²) with 1 - I_w(½, ν/2) = 2q (the complement given exactly),
   * t² = ν w/(1 - w), used where t² < ν (large df: y would round to 1).
   * Where y underflows float32, the leading term of I_y gives log y directly.
   */
  protected override quantileFn(p: tf.Tensor): tf.Tensor {
    const nu = this.df;
    const h = tf.mul(nu, 0.5);
    const q = tf.minimum(p, tf.sub(1, p));
    const q2 = tf.mul(2, q);
    const half = tf.fill(tf.broadcast_util.assertAndGetBroadcastShape(q.shape, h.shape), 0.5);
    const y = betaincinvImpl(h, half, q2);
    const w = betaincinvImpl(half, h, tf.sub(1, q2), q2);
    const useY = tf.lessEqual(y, 0.5);
    const ratio = tf.where(useY, tf.div(tf.sub(1, y), y), tf.div(w, tf.sub(1, w)));
    // Where y would underflow float32 (|t| beyond ~1e15 √ν): I_y(h, ½) ≈ y^h / (h B(h, ½)) gives
    // log y = (log 2q + log h + log B(h, ½)) / h, and |t| ≈ √ν · exp(-½ log y).
    const logBh = tf.sub(tf.sub(0.5 * Math.log(Math.PI), halfDfTerms(h).d), tf.mul(0.5, tf.log(h)));
    const logY = tf.div(tf.add(tf.add(tf.log(q2), tf.log(h)), logBh), h);
    const underflow = tf.less(logY, Math.log(TINY_TAIL_ARG));
    const absT = tf.mul(tf.sqrt(nu), tf.where(underflow, tf.exp(tf.mul(-0.5, logY)), tf.sqrt(ratio)));
    const t = tf.where(tf.less(p, 0.5), tf.neg(absT), absT);
    const t0 = tf.where(tf.equal(p, 0.5), tf.zerosLike(t), t);
    const nan = tf.logicalOr(tf.isNaN(p), tf.logicalOr(tf.less(p, 0), tf.greater(p, 1)));
    return tf.add(tf.mul(tf.where(nan, tf.fill(t0.shape, NaN), t0), this.scale), this.loc);
  }
  protected override meanFn(): tf.Tensor {
    const m = tf.add(this.loc, tf.zerosLike(tf.add(this.df, this.scale)));
    return tf.where(tf.greaterEqual(tf.sub(1, this.df), 0), tf.fill(m.shape, NaN), m);
  }
  protected override modeFn(): tf.Tensor {
    return tf.add(this.loc, tf.zerosLike(tf.add(this.df, this.scale)));
  }
  protected override varianceFn(): tf.Tensor {
    const nu = this.df;
    const v = tf.div(tf.mul(tf.square(this.scale), nu), tf.sub(nu, 2));
    const vb = tf.add(v, tf.zerosLike(this.loc));
    const shape = vb.shape;
    const atMost2 = tf.broadcastTo(tf.greaterEqual(tf.sub(2, nu), 0), shape);
    const atMost1 = tf.broadcastTo(tf.greaterEqual(tf.sub(1, nu), 0), shape);
    return tf.where(atMost1, tf.fill(shape, NaN), tf.where(atMost2, tf.fill(shape, Infinity), vb));
  }
  protected override entropyFn(): tf.Tensor {
    // (ν+1)/2 (ψ((ν+1)/2) - ψ(ν/2)) + ½ log ν + log B(ν/2, ½) + log σ
    //   = (h + ½) E(h) + ½ log(2π) - D(h) + log σ with h = ν/2 (halfDfTerms: no cancellation as ν → ∞)
    const h = tf.mul(this.df, 0.5);
    const { d, e } = halfDfTerms(h);
    return tf.add(
      tf.sub(tf.add(tf.mul(tf.add(h, 0.5), e), HALF_LOG_2PI), d),
      tf.add(tf.log(this.scale), tf.zerosLike(this.loc)),
    );
  }
}
