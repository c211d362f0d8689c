import * as tf from '@tensorflow/tfjs';
import { CorrelationCholesky } from '../bijectors/correlation_cholesky.js';
import { positive } from './constraints.js';
import { Distribution, checkArgsObject, convertParams, type DistributionOptions, type TensorLike } from './distribution.js';
import { checkDimension, correlationCholesky, lkjLogNormalizer, logDiag, sampleLkjCholesky } from './lkj_util.js';

export interface CholeskyLKJArgs extends DistributionOptions {
  /** The side d of the matrices (a positive integer, not a tensor). */
  dimension: number;
  /** Concentration η > 0, shape `[...B]`: η = 1 is uniform over correlation matrices, η > 1 favours the identity. */
  concentration: TensorLike;
}

/**
 * The LKJ distribution over Cholesky factors `L` of d × d correlation matrices (TFP's
 * `tfd.CholeskyLKJ`): `L Lᵀ ~ LKJ(d, η)`. The prior for the correlations of a multivariate
 * model written with its Cholesky factor (`scaleTril = diag(σ) L`).
 *
 * Mathematical details: over the strictly lower entries of L (row i's first i entries, in the
 * unit ball), `log p(L) = Σᵢ (d − 1 − i + 2η − 2) log Lᵢᵢ − log Z(d, η)` (i from 0): LKJ's
 * `det(L Lᵀ)^(η−1)` times the Jacobian `Πᵢ Lᵢᵢ^(d−1−i)` of `L ↦ L Lᵀ`, with
 * `log Z(d, η) = Σ_{k=1}^{d−1} [(k/2) log π + lgamma(η + (d−1−k)/2) − lgamma(η + (d−1)/2)]`
 * (Lewandowski, Kurowicka & Joe 2009). Each off-diagonal correlation `(L Lᵀ)ᵢⱼ` is marginally
 * `2 Beta(η − 1 + d/2, η − 1 + d/2) − 1`. Sampled by the onion method (exact; not
 * reparameterized). Event space: `CorrelationCholesky`. Mean and variance have no closed form.
 *
 * Parameters: `dimension` d, `concentration [...B]`; event shape `[d, d]`.
 *
 * @example
 * ```ts
 * const d = new tfd.CholeskyLKJ({ dimension: 3, concentration: 2 });
 * const l = d.sample([5], { seed: 1 });        // [5, 3, 3], lower triangular, rows of unit norm
 * d.logProb(l).shape;                          // [5]
 * tf.matMul(l, l, false, true);                // five 3 x 3 correlation matrices
 * ```
 */
export class CholeskyLKJ extends Distribution {
  static override readonly parameterProperties = { concentration: { constraint: positive } };
  static override readonly eventSpace = (): CorrelationCholesky => new CorrelationCholesky();
  readonly dimension: number;
  readonly concentration: tf.Tensor;
  /** log Z(d, η), `[...B]` (owned). */
  private readonly logNormalizer: tf.Tensor;

  constructor(args: CholeskyLKJArgs) {
    const cls = 'CholeskyLKJ';
    checkArgsObject(cls, args, ['dimension', 'concentration']);
    const d = checkDimension(cls, args.dimension);
    const params = convertParams(cls, { concentration: args.concentration }, CholeskyLKJ.parameterProperties);
    // Formed once (it depends on η only; its lgammas are most of the kernels of logProb otherwise).
    const logNormalizer = tf.tidy(() => lkjLogNormalizer(d, params.concentration.value));
    super({ ...args, className: cls, params, eventShape: [d, d], reparameterized: false, support: correlationCholesky, owned: [logNormalizer] });
    this.dimension = d;
    this.concentration = params.concentration.value;
    this.logNormalizer = logNormalizer;
  }

  protected sampleN(n: number, seed?: number): tf.Tensor {
    return sampleLkjCholesky(n, this.dimension, this.concentration, this.batchShape, seed);
  }

  protected override logProbFn(x: tf.Tensor): tf.Tensor {
    const d = this.dimension;
    // exponent of log Lᵢᵢ: (d − 1 − i) + 2η − 2, [...B, d]
    const exponent = tf.add(tf.range(d - 1, -1, -1), tf.expandDims(tf.sub(tf.mul(2, this.concentration), 2), -1));
    return tf.sub(tf.sum(tf.mul(exponent, logDiag(x)), -1), this.logNormalizer);
  }
}
