import * as tf from '@tensorflow/tfjs';
import { betainc, betaincinvImpl, log1p, logBetainc } from '../math/special.js';
import { maskOf } from '../util.js';
import { positive, real, realLine } from './constraints.js';
import { Distribution, convertParams, type DistributionOptions, type TensorLike } from './distribution.js';
import { aboveLoc } from './event_space.js';
import { StudentT, halfDfTerms } from './student_t.js';

export interface HalfStudentTArgs extends DistributionOptions {
  /** Degrees of freedom ν > 0, shape `[...B]`. */
  df: TensorLike;
  /** Location μ: the lower end of the support, shape `[...B]`. */
  loc: TensorLike;
  /** Scale σ > 0, shape `[...B]`. */
  scale: TensorLike;
}

/**
 * The half-Student t distribution: a Student t folded at its location, over x ≥ μ (a
 * weakly informative prior for scales; ν = 1 is the half-Cauchy, ν → ∞ the half-normal).
 *
 * Mathematical details: `p(x) = 2 t_ν((x - μ)/σ) / σ` for `x ≥ μ` (−∞ below), with `t_ν` the
 * standard Student t density; `cdf(x) = 2 F_ν(z) - 1`, survival `2 (1 - F_ν(z))`, quantile
 * `μ + σ F_ν⁻¹((1 + p)/2)`. Mean `μ + 2σ √(ν/π) Γ((ν+1)/2) / (Γ(ν/2) (ν - 1))` for ν > 1 (∞
 * otherwise); variance `σ² (ν/(ν-2) - (mean - μ)²/σ²)` for ν > 2; mode μ; entropy that of the
 * Student t less log 2. Reparameterized as `μ + σ |T|`. Event space: `μ + softplus(u)`.
 *
 * @example
 * ```ts
 * const d = new tfd.HalfStudentT({ df: 3, loc: 0, scale: 1 });
 * d.logProb([0, 1]);   // log 2 + the Student t log density
 * d.cdf(1);            // 2 F₃(1) - 1 = 0.609
 * ```
 */
export class HalfStudentT extends Distribution {
  static override readonly parameterProperties = { df: { constraint: positive }, loc: { constraint: real }, scale: { constraint: positive } };
  static override readonly eventSpace = aboveLoc;
  readonly df: tf.Tensor;
  readonly loc: tf.Tensor;
  readonly scale: tf.Tensor;
  /** The Student t that is folded (owned). */
  private readonly full: StudentT;

  constructor(args: HalfStudentTArgs) {
    const params = convertParams('HalfStudentT', args, HalfStudentT.parameterProperties);
    super({ ...args, className: 'HalfStudentT', params, eventShape: [], reparameterized: true, support: realLine });
    this.df = params.df.value;
    this.loc = params.loc.value;
    this.scale = params.scale.value;
    this.full = new StudentT({ df: this.df, loc: this.loc, scale: this.scale });
  }

  protected override ownedDistributions(): Distribution[] {
    return [this.full];
  }

  protected sampleN(n: number, seed?: number): tf.Tensor {
    const t = this.full.sample([n], seed === undefined ? {} : { seed });
    return tf.add(this.loc, tf.abs(tf.sub(t, this.loc)));
  }

  private above(x: tf.Tensor, v: tf.Tensor, below: number): tf.Tensor {
    return tf.where(tf.greaterEqual(x, this.loc), v, tf.fill(v.shape, below));
  }
  protected override logProbFn(x: tf.Tensor): tf.Tensor {
    return this.above(x, tf.add(this.full.logProb(x), Math.LN2), -Infinity);
  }
  /**
   * Twice the t tail above x, and u = z²/(ν + z²) for z = (x - μ)/σ: P(|T| <= z) = I_u(½, ν/2),
   * which keeps its digits where 1 - 2 P(T > z) would cancel (z near 0).
   */
  private folded(x: tf.Tensor): { tail2: tf.Tensor; u: tf.Tensor; near: tf.Tensor } {
    const tail2 = tf.mul(2, this.full.survivalFunction(x));
    const z2 = tf.square(tf.div(tf.sub(x, this.loc), this.scale));
    const u = tf.div(z2, tf.add(this.df, z2));
    return { tail2, u, near: maskOf((t) => tf.greater(t, 0.5), tail2) };
  }
  protected override cdfFn(x: tf.Tensor): tf.Tensor {
    const { tail2, u, near } = this.folded(x);
    return this.above(x, tf.where(near, betainc(0.5, tf.mul(0.5, this.df), u), tf.sub(1, tail2)), 0);
  }
  protected override logCdfFn(x: tf.Tensor): tf.Tensor {
    const { tail2, u, near } = this.folded(x);
    return this.above(x, tf.where(near, logBetainc(0.5, tf.mul(0.5, this.df), u), log1p(tf.neg(tail2))), -Infinity);
  }
  protected override survivalFn(x: tf.Tensor): tf.Tensor {
    return this.above(x, tf.mul(2, this.full.survivalFunction(x)), 1);
  }
  protected override logSurvivalFn(x: tf.Tensor): tf.Tensor {
    return this.above(x, tf.add(this.full.logSurvivalFunction(x), Math.LN2), 0);
  }
  protected override quantileFn(p: tf.Tensor): tf.Tensor {
    // p <= ½: z from I_u(½, ν/2) = p, u = z²/(ν + z²) (small, so relative-accurate), not from the
    // t quantile at (1 + p)/2, which rounds small p away in float32; above ½ the t quantile.
    const h = tf.mul(0.5, tf.add(this.df, tf.zerosLike(p)));
    const pb = tf.add(p, tf.zerosLike(h));
    const low = maskOf((v) => tf.lessEqual(v, 0.5), pb);
    const u = betaincinvImpl(tf.fill(h.shape, 0.5), h, tf.where(low, pb, tf.fill(pb.shape, 0.25)));
    const zLow = tf.add(this.loc, tf.mul(this.scale, tf.sqrt(tf.div(tf.mul(this.df, u), tf.sub(1, u)))));
    return tf.where(low, zLow, this.full.quantile(tf.mul(0.5, tf.add(tf.where(low, tf.fill(pb.shape, 0.75), pb), 1))));
  }
  /** `2 √(ν/π) Γ((ν+1)/2) / (Γ(ν/2) (ν - 1))`: E|T| for the standard t (ν > 1). */
  private meanAbs(): tf.Tensor {
    const nu = this.df;
    // log Γ((ν+1)/2) - log Γ(ν/2) from the t's stable D(h) + ½ log h: the two lgamma terms cancel in float32 at large ν
    const h = tf.mul(nu, 0.5);
    const lg = tf.add(halfDfTerms(h).d, tf.mul(0.5, tf.log(h)));
    const m = tf.div(tf.mul(tf.mul(2, tf.sqrt(tf.div(nu, Math.PI))), tf.exp(lg)), tf.sub(nu, 1));
    return tf.where(tf.greater(nu, 1), m, tf.fill(m.shape, Infinity));
  }
  protected override meanFn(): tf.Tensor {
    return tf.add(this.loc, tf.mul(this.scale, this.meanAbs()));
  }
  protected override varianceFn(): tf.Tensor {
    const nu = this.df;
    const m = this.meanAbs();
    const v = tf.mul(tf.square(this.scale), tf.sub(tf.div(nu, tf.sub(nu, 2)), tf.square(m)));
    return tf.where(tf.greater(nu, 2), v, tf.fill(v.shape, Infinity));
  }
  protected override modeFn(): tf.Tensor {
    return tf.add(this.loc, tf.zerosLike(tf.add(this.df, this.scale)));
  }
  protected override entropyFn(): tf.Tensor {
    return tf.sub(this.full.entropy(), Math.LN2);
  }
}
