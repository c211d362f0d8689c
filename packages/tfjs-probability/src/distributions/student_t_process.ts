import * as tf from '@tensorflow/tfjs';
import { GaussianProcessBase, addDiagonal, argOf, convertProcessArgs, type GaussianProcessCommonArgs } from './gaussian_process_base.js';
import { InvalidArgumentError } from '../errors.js';
import { triangularSolve } from '../math/linalg.js';
import { digamma, lgamma } from '../math/special.js';
import { randomGammaBatched } from '../math/gamma_sampler.js';
import { randomNormal } from '../math/random.js';
import { mvnTrilSample } from '../math/mvn_ops.js';
import { splitSeed, toFloat, type TensorLike } from '../util.js';

export interface StudentTProcessArgs extends GaussianProcessCommonArgs {
  /** Degrees of freedom ν > 2, `[...B]`. */
  df: TensorLike;
  /** Variance ≥ 0 added to the diagonal (default 0), `[...B]`. */
  observationNoiseVariance?: TensorLike;
}

/**
 * A Student-t process at finitely many index points (TFP's `StudentTProcess`, Shah et al. 2014):
 * the multivariate Student-t with `df` ν, location `m(X)` and a scale chosen so that its covariance
 * is `Σ = k(X, X) + σ²I`, i.e. shape matrix `(ν − 2)/ν · Σ`.
 *
 * Mathematical details, with `Σ + jitter·I = LLᵀ`, `q = ‖L⁻¹(y − m(X))‖²`:
 * `log p(y) = lgamma((ν + N)/2) − lgamma(ν/2) − (N/2) log((ν − 2)π) − Σᵢ log Lᵢᵢ − (ν + N)/2 · log(1 + q/(ν − 2))`.
 * Draws: `m(X) + L ε √((ν − 2)/χ²_ν)`.
 *
 * @example
 * ```ts
 * const kernel = new tfp.math.psdKernels.MaternFiveHalves({ amplitude: 1, lengthScale: 0.5 });
 * const tp = new tfd.StudentTProcess({ df: 5, kernel, indexPoints: [[0], [1], [2]] });
 * tp.logProb([0, 0.5, -0.2]);   // scalar
 * tp.covariance();              // k(X, X)
 * ```
 */
export class StudentTProcess extends GaussianProcessBase {
  constructor(args: StudentTProcessArgs) {
    const cls = 'StudentTProcess';
    const c = convertProcessArgs(cls, args, { points: ['indexPoints'], scalars: ['observationNoiseVariance'] });
    const fail = (e: unknown): never => {
      for (const p of Object.values(c.params)) p.value.dispose();
      throw e;
    };
    if (args.df === undefined) fail(new InvalidArgumentError(`${cls}: parameter df is missing; expected a number > 2 or [...B]`));
    try {
      if (args.df instanceof tf.Variable && args.df.dtype === 'float32') c.variables['df'] = { value: args.df, eventRank: 0 };
      else c.params['df'] = { value: toFloat(args.df, 'df', cls, { description: 'greater than 2 (a finite covariance)', element: (x) => x > 2 && Number.isFinite(x) }), eventRank: 0 };
    } catch (e) {
      fail(e);
    }
    const ip = argOf(c, 'indexPoints');
    super(cls, c, args, ip.shape[ip.rank - 2]!);
  }

  get df(): tf.Tensor {
    return this.input('df')!;
  }

  protected override logProbFn(x: tf.Tensor): tf.Tensor {
    const N = this.numIndexPoints;
    const L = this.scaleTrilFn();
    const d = tf.sub(x, this.locFn());
    const z = triangularSolve(L, tf.expandDims(d, -1), { lower: true });
    const q = tf.sum(tf.square(z), [-2, -1]);
    const logDiag = tf.sum(tf.log(tf.sum(tf.mul(L, tf.eye(N)), -1)), -1);
    const nu = this.df;
    const half = tf.mul(0.5, tf.add(nu, N));
    const norm = tf.sub(tf.sub(lgamma(half), lgamma(tf.mul(0.5, nu))), tf.mul(0.5 * N, tf.log(tf.mul(tf.sub(nu, 2), Math.PI))));
    return tf.sub(tf.sub(norm, logDiag), tf.mul(half, tf.log1p(tf.div(q, tf.sub(nu, 2)))));
  }

  protected override sampleN(n: number, seed: number | undefined): tf.Tensor {
    const N = this.numIndexPoints;
    const [s1, s2] = splitSeed(seed, 2);
    const eps = randomNormal([n, ...this.batchShape, N], s1);
    const nu = tf.add(this.df, tf.zeros(this.batchShape));
    const chi2 = tf.mul(2, randomGammaBatched([n], tf.mul(0.5, nu), s2)); // [n, ...B]
    const scale = tf.sqrt(tf.div(tf.sub(nu, 2), chi2));
    const loc = this.locFn();
    const Le = mvnTrilSample(tf.zerosLike(loc), this.scaleTrilFn(), eps); // L ε, [n, ...B, N]
    return tf.add(loc, tf.mul(Le, tf.expandDims(scale, -1)));
  }

  /**
   * The multivariate Student-t entropy with shape matrix `S = (ν − 2)/ν · LLᵀ`:
   * `½ log|S| + (N/2) log(νπ) + lgamma(ν/2) − lgamma((ν + N)/2) + (ν + N)/2 · (ψ((ν + N)/2) − ψ(ν/2))`,
   * i.e. `Σᵢ log Lᵢᵢ + (N/2) log((ν − 2)π) + …` (the same jitter as `logProb`).
   */
  protected override entropyFn(): tf.Tensor {
    const N = this.numIndexPoints;
    const L = this.scaleTrilFn();
    const logDiag = tf.sum(tf.log(tf.sum(tf.mul(L, tf.eye(N)), -1)), -1);
    const nu = this.df;
    const half = tf.mul(0.5, tf.add(nu, N));
    const halfNu = tf.mul(0.5, nu);
    const norm = tf.add(tf.mul(0.5 * N, tf.log(tf.mul(tf.sub(nu, 2), Math.PI))), tf.sub(lgamma(halfNu), lgamma(half)));
    return tf.add(tf.add(logDiag, norm), tf.mul(half, tf.sub(digamma(half), digamma(halfNu))));
  }
}
