import * as tf from '@tensorflow/tfjs';
import { Distribution, convertParams, type DistributionOptions, type TensorLike } from './distribution.js';
import { positive, real, realLine } from './constraints.js';
import { randomLogGammaBatched } from '../math/gamma_sampler.js';
import { randomNormal } from '../math/random.js';
import { betainc, digamma, lgamma } from '../math/special.js';
import { splitSeed } from '../util.js';
import { log1p } from './continuous_util.js';
import { lbeta } from './beta.js';

const HALF_LOG_PI = 0.5 * Math.log(Math.PI);

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
 * cdf and survivalFunction are taken without cancellation in either tail.
 * Mean μ for ν > 1, variance σ² ν/(ν-2) for ν > 2, mode μ.
 *
 * Undefined statistics follow TFP's default `allow_nan_stats=True`: mean is NaN
 * for ν <= 1; variance is +Infinity for 1 < ν <= 2 and NaN for ν <= 1.
 * `quantile` throws NotImplementedError (it needs the inverse incomplete beta).
 *
 * Reparameterized in loc and scale: `x = μ + σ Z / √(2G/ν)` with Z ~ N(0, 1) and
 * G ~ Gamma(ν/2, 1) from the batched gamma sampler (computed in log space);
 * the draws carry no gradient with respect to df.
 *
 * @example
 * ```ts
 * const d = new tfd.StudentT({ df: [1, 5], loc: 0, scale: [1, 2] });
 * d.sample([5], { seed: 1 }).shape;   // [5, 2]
 * d.mean();                            // [NaN, 0]
 * ```
 */
export class StudentT extends Distribution {
  readonly df: tf.Tensor;
  readonly loc: tf.Tensor;
  readonly scale: tf.Tensor;

  constructor(args: StudentTArgs) {
    const params = convertParams('StudentT', args, {
      df: { constraint: positive },
      loc: { constraint: real },
      scale: { constraint: positive },
    });
    super({ ...args, className: 'StudentT', params, eventShape: [], reparameterized: true, support: realLine });
    this.df = params.df.value;
    this.loc = params.loc.value;
    this.scale = params.scale.value;
  }

  protected sampleN(n: number, seed?: number): tf.Tensor {
    const [sz, sg] = splitSeed(seed, 2);
    const shape = [n, ...this.batchShape];
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
    const norm = tf.sub(
      tf.sub(lgamma(halfP), lgamma(half)),
      tf.add(tf.add(tf.mul(0.5, tf.log(nu)), HALF_LOG_PI), tf.log(this.scale)),
    );
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
  /** P(X > |x|) = ½ I_{ν/(ν+t²)}(ν/2, ½). */
  private tail(t: tf.Tensor): tf.Tensor {
    const nu = this.df;
    const xb = tf.div(nu, tf.add(nu, tf.square(t)));
    return tf.mul(0.5, betainc(tf.mul(nu, 0.5), tf.fill(xb.shape, 0.5), xb));
  }
  protected override cdfFn(x: tf.Tensor): tf.Tensor {
    const t = this.t(x);
    const tail = this.tail(t);
    return tf.where(tf.greaterEqual(t, 0), tf.sub(1, tail), tail);
  }
  protected override survivalFn(x: tf.Tensor): tf.Tensor {
    const t = this.t(x);
    const tail = this.tail(t);
    return tf.where(tf.greaterEqual(t, 0), tail, tf.sub(1, tail));
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
    const nu = this.df;
    const half = tf.mul(nu, 0.5);
    const halfP = tf.add(half, 0.5);
    return tf.add(
      tf.add(tf.mul(halfP, tf.sub(digamma(halfP), digamma(half))), tf.mul(0.5, tf.log(nu))),
      tf.add(lbeta(half, tf.fill(half.shape, 0.5)), tf.add(tf.log(this.scale), tf.zerosLike(this.loc))),
    );
  }
}
