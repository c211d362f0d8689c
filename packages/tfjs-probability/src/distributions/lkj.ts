import * as tf from '@tensorflow/tfjs';
import { CorrelationCholesky } from '../bijectors/correlation_cholesky.js';
import { InvalidArgumentError } from '../errors.js';
import { describeValue } from '../util.js';
import { positive } from './constraints.js';
import { Distribution, checkArgsObject, convertParams, type DistributionOptions, type TensorLike } from './distribution.js';
import {
  CorrelationMatrixBijector,
  checkDimension,
  correlationCholesky,
  correlationMatrix,
  lkjLogNormalizer,
  logDetSpd,
  logDiag,
  sampleLkjCholesky,
} from './lkj_util.js';

export interface LKJArgs extends DistributionOptions {
  /** The side d of the matrices (a positive integer, not a tensor). */
  dimension: number;
  /** Concentration η > 0, shape `[...B]`: η = 1 is uniform over correlation matrices, η > 1 favours the identity. */
  concentration: TensorLike;
  /**
   * Sample Cholesky factors L and take them in `logProb` (TFP's `input_output_cholesky`): the
   * density is still that of the correlation matrix `L Lᵀ` (no Jacobian of L ↦ L Lᵀ; for a
   * density over L use `CholeskyLKJ`). Default false.
   */
  inputOutputCholesky?: boolean;
}

/**
 * The LKJ distribution over d × d correlation matrices (Lewandowski, Kurowicka & Joe 2009;
 * TFP's `tfd.LKJ`).
 *
 * Mathematical details: over the d(d−1)/2 off-diagonal entries of a correlation matrix C,
 * `p(C) = det(C)^(η−1) / Z(d, η)` with
 * `log Z(d, η) = Σ_{k=1}^{d−1} [(k/2) log π + lgamma(η + (d−1−k)/2) − lgamma(η + (d−1)/2)]`.
 * Each off-diagonal entry is marginally `2 Beta(η − 1 + d/2, η − 1 + d/2) − 1`: mean 0 and
 * variance `1/(2η + d − 1)`; the mean is the identity. `log det C` is computed by elimination
 * on tensor ops (differentiable; NaN where C is not positive definite). Sampled by the onion
 * method (exact; not reparameterized). Event space: ℝ^{d(d−1)/2} → `CorrelationCholesky` →
 * `L Lᵀ`, with the log-det-Jacobian over the off-diagonal entries (`(d + 1) Σᵢ log Lᵢᵢ`), so
 * MCMC through it samples this density; with `inputOutputCholesky`, `CorrelationCholesky`.
 *
 * Parameters: `dimension` d, `concentration [...B]`; event shape `[d, d]`.
 *
 * @example
 * ```ts
 * const d = new tfd.LKJ({ dimension: 3, concentration: 1.5 });
 * const c = d.sample([4], { seed: 2 });   // [4, 3, 3] correlation matrices
 * d.logProb(c).shape;                     // [4]
 * d.variance();                           // 1/(2η + d − 1) = 0.2 off the diagonal, 0 on it
 * ```
 */
export class LKJ extends Distribution {
  static override readonly parameterProperties = { concentration: { constraint: positive } };
  static override readonly eventSpace = (d: Distribution) =>
    (d as LKJ).inputOutputCholesky ? new CorrelationCholesky() : new CorrelationMatrixBijector();
  readonly dimension: number;
  readonly concentration: tf.Tensor;
  readonly inputOutputCholesky: boolean;
  /** log Z(d, η), `[...B]` (owned). */
  private readonly logNormalizer: tf.Tensor;

  constructor(args: LKJArgs) {
    const cls = 'LKJ';
    checkArgsObject(cls, args, ['dimension', 'concentration', 'inputOutputCholesky']);
    const d = checkDimension(cls, args.dimension);
    const ioc = args.inputOutputCholesky ?? false;
    if (typeof ioc !== 'boolean') throw new InvalidArgumentError(`${cls}: inputOutputCholesky must be true or false; got ${describeValue(ioc)}`);
    const params = convertParams(cls, { concentration: args.concentration }, LKJ.parameterProperties);
    // Formed once (it depends on η only; seven lgammas are ~700 kernels, more than the rest of logProb).
    const logNormalizer = tf.tidy(() => lkjLogNormalizer(d, params.concentration.value));
    super({
      ...args,
      className: cls,
      params,
      owned: [logNormalizer],
      eventShape: [d, d],
      reparameterized: false,
      support: ioc ? correlationCholesky : correlationMatrix,
    });
    this.dimension = d;
    this.concentration = params.concentration.value;
    this.inputOutputCholesky = ioc;
    this.logNormalizer = logNormalizer;
  }

  protected sampleN(n: number, seed?: number): tf.Tensor {
    const l = sampleLkjCholesky(n, this.dimension, this.concentration, this.batchShape, seed);
    if (this.inputOutputCholesky) return l;
    // L Lᵀ with the diagonal set to exactly 1 (rounding leaves it within an ulp or two).
    const eye = tf.eye(this.dimension);
    return tf.add(tf.mul(tf.matMul(l, l, false, true), tf.sub(1, eye)), eye);
  }

  protected override logProbFn(x: tf.Tensor): tf.Tensor {
    const logDet = this.inputOutputCholesky ? tf.mul(2, tf.sum(logDiag(x), -1)) : logDetSpd(x);
    const eta = this.concentration;
    return tf.sub(tf.mul(tf.sub(eta, 1), logDet), this.logNormalizer);
  }

  protected override meanFn(): tf.Tensor {
    if (this.inputOutputCholesky) throw this.notImplemented('mean', 'the mean of a Cholesky factor has no closed form (it is the identity for the correlation matrix)');
    return tf.add(tf.eye(this.dimension), tf.zeros([...this.batchShape, 1, 1]));
  }

  protected override varianceFn(): tf.Tensor {
    if (this.inputOutputCholesky) throw this.notImplemented('variance', 'no closed form for a Cholesky factor');
    const d = this.dimension;
    const v = tf.reshape(tf.div(1, tf.add(tf.mul(2, this.concentration), d - 1)), [...this.batchShape, 1, 1]);
    return tf.mul(v, tf.sub(1, tf.eye(d)));
  }
}
