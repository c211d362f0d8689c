import * as tf from '@tensorflow/tfjs';
import { triangularSolve } from '../math/linalg.js';
import { randomLogGammaBatched } from '../math/gamma_sampler.js';
import { randomNormal } from '../math/random.js';
import { log1p } from '../math/special.js';
import { splitSeed } from '../util.js';
import { lowerCholesky, positive, real, realLine } from './constraints.js';
import { Distribution, checkArgsObject, convertParams, type DistributionOptions, type ParamSpec, type TensorLike } from './distribution.js';
import { checkMvnShapes, maskLower, matrixDiag } from './mvn_linear_operator.js';
import { halfDfTerms } from './student_t.js';

export interface MultivariateStudentTLinearOperatorArgs extends DistributionOptions {
  /** Degrees of freedom ν > 0, shape `[...B]`. */
  df: TensorLike;
  /** Location μ, shape `[...B, D]`. Defaults to zeros. */
  loc?: TensorLike;
  /**
   * Lower-triangular scale L, `[...B, D, D]`, with a positive diagonal (the strict upper triangle
   * is ignored, as in TFP): the scale matrix (not the covariance) is `L Lᵀ`.
   */
  scaleTril: TensorLike;
}

/**
 * `lgamma(h + D/2) − lgamma(h)` and (with `withDigamma`) `ψ(h + D/2) − ψ(h)` without the
 * cancellation of the two lgammas at large h: whole steps by `lgamma(x + 1) = lgamma(x) + log x`,
 * and a half step by the Student t's `halfDfTerms`.
 */
function gammaRatio(h: tf.Tensor, D: number, withDigamma: boolean): { lg: tf.Tensor; dg?: tf.Tensor } {
  let lg: tf.Tensor = tf.zerosLike(h);
  let dg: tf.Tensor = tf.zerosLike(h);
  let base = h;
  if (D % 2 === 1) {
    const t = halfDfTerms(h);
    lg = tf.add(t.d, tf.mul(0.5, tf.log(h)));
    dg = t.e;
    base = tf.add(h, 0.5);
  }
  for (let j = 0; j < Math.floor(D / 2); j++) {
    const a = j === 0 ? base : tf.add(base, j);
    lg = tf.add(lg, tf.log(a));
    if (withDigamma) dg = tf.add(dg, tf.div(1, a));
  }
  return withDigamma ? { lg, dg } : { lg };
}

/**
 * The multivariate Student t distribution (TFP's `tfd.MultivariateStudentTLinearOperator`, with
 * the scale given by its lower-triangular factor): `X = μ + L T`, T a standard multivariate t
 * with ν degrees of freedom, i.e. `X = μ + L Z √(ν/χ²_ν)`. A robust likelihood, or a heavy-tailed
 * proposal.
 *
 * Mathematical details:
 * `log p(x) = lgamma((ν+D)/2) − lgamma(ν/2) − (D/2) log(νπ) − Σᵢ log Lᵢᵢ − ((ν+D)/2) log(1 + ‖L⁻¹(x−μ)‖²/ν)`
 * with one triangular solve per point (never an inverse). Mean μ for ν > 1 (NaN otherwise);
 * covariance `ν/(ν−2) L Lᵀ` for ν > 2, ∞ for 1 < ν ≤ 2, NaN for ν ≤ 1 (as TFP); variance and
 * stddev its diagonal; mode μ; entropy
 * `−lgamma((ν+D)/2) + lgamma(ν/2) + (D/2) log(νπ) + Σᵢ log Lᵢᵢ + ((ν+D)/2)(ψ((ν+D)/2) − ψ(ν/2))`.
 * The gamma-function differences are formed without cancellation, so ν in the thousands stays
 * accurate in float32. Reparameterized in μ and L. Event space: the identity (support ℝᴰ).
 *
 * Parameters: `df [...B]`, `loc [...B, D]`, `scaleTril [...B, D, D]`; the batch parts broadcast.
 *
 * @example
 * ```ts
 * const d = new tfd.MultivariateStudentTLinearOperator({ df: 5, loc: [0, 1], scaleTril: [[1, 0], [0.5, 2]] });
 * d.logProb([[0, 1], [3, -2]]).shape;    // [2]
 * d.covariance();                        // 5/3 · L Lᵀ = [[1.667, 0.833], [0.833, 7.083]]
 * d.sample([100], { seed: 1 }).shape;    // [100, 2]
 * ```
 */
export class MultivariateStudentTLinearOperator extends Distribution {
  static override readonly parameterProperties = {
    df: { constraint: positive },
    loc: { eventRank: 1, constraint: real, optional: true },
    scaleTril: { eventRank: 2, constraint: lowerCholesky },
  };
  readonly df: tf.Tensor;
  readonly loc: tf.Tensor;
  readonly scaleTril: tf.Tensor;
  /** Event size D. */
  readonly eventSize: number;
  /** lgamma((ν+D)/2) − lgamma(ν/2) − (D/2) log(νπ) − Σᵢ log Lᵢᵢ (owned). */
  private readonly logNorm: tf.Tensor;

  constructor(args: MultivariateStudentTLinearOperatorArgs, className = 'MultivariateStudentTLinearOperator') {
    checkArgsObject(className, args, ['df', 'loc', 'scaleTril']);
    const given = convertParams(className, args, MultivariateStudentTLinearOperator.parameterProperties);
    const scaleTril = given.scaleTril.value;
    const givenLoc = (given.loc as ParamSpec | undefined)?.value;
    try {
      checkMvnShapes(className, givenLoc, 'scaleTril', scaleTril, true);
    } catch (e) {
      given.df.value.dispose();
      throw e;
    }
    const D = scaleTril.shape[scaleTril.rank - 1]!;
    const loc = givenLoc ?? tf.zeros([D]);
    const params: Record<string, ParamSpec> = {
      df: given.df,
      loc: { value: loc, eventRank: 1, constraint: real },
      scaleTril: given.scaleTril,
    };
    // The normalizer depends on ν and L only: formed once, not in every logProb (its gamma-function
    // terms are most of the kernels of a small model's density otherwise).
    const logNorm = tf.tidy(() => {
      const nu = given.df.value;
      const halfLogDet = tf.sum(tf.log(tf.abs(matrixDiag(scaleTril))), -1);
      return tf.sub(gammaRatio(tf.mul(nu, 0.5), D, false).lg, tf.add(tf.mul(D / 2, tf.log(tf.mul(nu, Math.PI))), halfLogDet));
    });
    super({ ...args, className, params, eventShape: [D], reparameterized: true, support: realLine, owned: [logNorm] });
    this.df = given.df.value;
    this.loc = loc;
    this.scaleTril = scaleTril;
    this.eventSize = D;
    this.logNorm = logNorm;
  }

  /** Σᵢ log Lᵢᵢ, `[...Bs]`. */
  private halfLogDet(): tf.Tensor {
    return tf.sum(tf.log(tf.abs(matrixDiag(this.scaleTril))), -1);
  }

  protected sampleN(n: number, seed?: number): tf.Tensor {
    const D = this.eventSize;
    const B = this.batchShape;
    const [se, sg] = splitSeed(seed, 2);
    const eps = randomNormal([n, ...B, D], se);
    const y = tf.sum(tf.mul(maskLower(this.scaleTril), tf.expandDims(eps, -2)), -1); // L ε, [n, ...B, D]
    const logG = randomLogGammaBatched([n], tf.broadcastTo(tf.mul(this.df, 0.5), B), sg); // G ~ Gamma(ν/2), χ² = 2G
    const w = tf.exp(tf.mul(0.5, tf.sub(tf.sub(tf.log(this.df), Math.LN2), logG))); // √(ν/χ²)
    return tf.add(tf.mul(y, tf.expandDims(w, -1)), this.loc);
  }

  protected override logProbFn(x: tf.Tensor): tf.Tensor {
    const D = this.eventSize;
    const xe = x.shape[x.rank - 1] === D ? x : tf.add(x, tf.zeros([...x.shape.slice(0, -1), D]));
    const z = triangularSolve(this.scaleTril, tf.expandDims(tf.sub(xe, this.loc), -1), { lower: true });
    const q = tf.sum(tf.square(z), [-2, -1]);
    const nu = this.df;
    return tf.sub(this.logNorm, tf.mul(tf.add(tf.mul(nu, 0.5), D / 2), log1p(tf.div(q, nu))));
  }

  /** `v` broadcast with ν (reshaped to align with `extra` trailing dims), ∞ where 1 < ν ≤ 2 and NaN where ν ≤ 1. */
  private guarded(v: tf.Tensor, extra: number, infBelow2: boolean): tf.Tensor {
    const nu = tf.reshape(this.df, [...this.df.shape, ...new Array<number>(extra).fill(1)]);
    const vb = tf.add(v, tf.zerosLike(nu));
    const shape = vb.shape;
    const atMost1 = tf.broadcastTo(tf.greaterEqual(tf.sub(1, nu), 0), shape);
    if (!infBelow2) return tf.where(atMost1, tf.fill(shape, NaN), vb);
    const atMost2 = tf.broadcastTo(tf.greaterEqual(tf.sub(2, nu), 0), shape);
    return tf.where(atMost1, tf.fill(shape, NaN), tf.where(atMost2, tf.fill(shape, Infinity), vb));
  }
  private covarianceFactor(extra: number): tf.Tensor {
    const nu = tf.reshape(this.df, [...this.df.shape, ...new Array<number>(extra).fill(1)]);
    return tf.div(nu, tf.sub(nu, 2));
  }

  protected override meanFn(): tf.Tensor {
    return this.guarded(tf.add(this.loc, tf.zeros([...this.batchShape, this.eventSize])), 1, false);
  }
  protected override modeFn(): tf.Tensor {
    return tf.add(this.loc, tf.zeros([...this.batchShape, this.eventSize]));
  }
  protected override covarianceFn(): tf.Tensor {
    const L = maskLower(this.scaleTril);
    const perm = L.shape.map((_, i) => i);
    [perm[perm.length - 1], perm[perm.length - 2]] = [perm.length - 2, perm.length - 1];
    return this.guarded(tf.mul(tf.matMul(L, tf.transpose(L, perm)), this.covarianceFactor(2)), 2, true);
  }
  protected override varianceFn(): tf.Tensor {
    return this.guarded(tf.mul(tf.sum(tf.square(maskLower(this.scaleTril)), -1), this.covarianceFactor(1)), 1, true);
  }
  protected override entropyFn(): tf.Tensor {
    const D = this.eventSize;
    const nu = this.df;
    const h = tf.mul(nu, 0.5);
    const { lg, dg } = gammaRatio(h, D, true);
    const logVol = tf.add(tf.mul(D / 2, tf.log(tf.mul(nu, Math.PI))), this.halfLogDet());
    return tf.add(tf.sub(logVol, lg), tf.mul(tf.add(h, D / 2), dg!));
  }
}

/**
 * `MultivariateStudentTLinearOperator` under the name that matches `MultivariateNormalTriL`:
 * the same distribution and arguments `{df, loc, scaleTril}`.
 *
 * @example
 * ```ts
 * const d = new tfd.MultivariateStudentTTriL({ df: 3, scaleTril: [[2, 0], [1, 1]] });
 * d.mean();                  // [0, 0]
 * d.stddev();                // √3 · [2, √2]
 * ```
 */
export class MultivariateStudentTTriL extends MultivariateStudentTLinearOperator {
  constructor(args: MultivariateStudentTLinearOperatorArgs) {
    super(args, 'MultivariateStudentTTriL');
  }
}
