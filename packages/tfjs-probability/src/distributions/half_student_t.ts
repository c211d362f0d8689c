import * as tf from '@tensorflow/tfjs';
import { lgamma } from '../math/special.js';
import { positive, real, realLine } from './constraints.js';
import { Distribution, convertParams, type DistributionOptions, type TensorLike } from './distribution.js';
import { aboveLoc } from './event_space.js';
import { StudentT } from './student_t.js';

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
  protected override cdfFn(x: tf.Tensor): tf.Tensor {
    return this.above(x, tf.sub(1, tf.mul(2, this.full.survivalFunction(x))), 0);
  }
  protected override survivalFn(x: tf.Tensor): tf.Tensor {
    return this.above(x, tf.mul(2, this.full.survivalFunction(x)), 1);
  }
  protected override logSurvivalFn(x: tf.Tensor): tf.Tensor {
    return this.above(x, tf.add(this.full.logSurvivalFunction(x), Math.LN2), 0);
  }
  protected override quantileFn(p: tf.Tensor): tf.Tensor {
    return this.full.quantile(tf.mul(0.5, tf.add(p, 1)));
  }
  /** `2 √(ν/π) Γ((ν+1)/2) / (Γ(ν/2) (ν - 1))`: E|T| for the standard t (ν > 1). */
  private meanAbs(): tf.Tensor {
    const nu = this.df;
    const lg = tf.sub(lgamma(tf.mul(tf.add(nu, 1), 0.5)), lgamma(tf.mul(nu, 0.5)));
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
