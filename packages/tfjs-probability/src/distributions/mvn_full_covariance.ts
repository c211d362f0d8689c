import * as tf from '@tensorflow/tfjs';
import { convertParams, type DistributionOptions, type ParamSpec } from './distribution.js';
import { real, symmetric } from './constraints.js';
import { MultivariateNormalLinearOperator, checkMvnShapes } from './mvn_linear_operator.js';
import { InvalidArgumentError } from '../errors.js';
import { cholesky } from '../math/linalg.js';
import { shapeHandle, type TensorLike } from '../util.js';

export interface MultivariateNormalFullCovarianceArgs extends DistributionOptions {
  /** Mean μ, shape `[...B, D]`. Defaults to zeros. */
  loc?: TensorLike;
  /** Symmetric positive-definite covariance Σ, `[...B, D, D]`. */
  covarianceMatrix: TensorLike;
}

/**
 * The multivariate normal parameterized by its covariance matrix.
 *
 * Mathematical details: `log p(x) = -½ (x − μ)ᵀ Σ⁻¹ (x − μ) − ½ log det Σ − (D/2) log 2π`.
 * The constructor factors `Σ = L Lᵀ` once (Cholesky) and from then on the
 * distribution behaves exactly as `MultivariateNormalTriL` with `scaleTril = L`
 * (no inverse is ever formed). A covariance that is not positive definite is
 * rejected at construction with an error naming the failing batch index.
 * Reparameterized: `x = μ + L ε`.
 *
 * Parameters: `loc [...B, D]`, `covarianceMatrix [...B, D, D]` (batch dims broadcast).
 *
 * Support: R^D. Without `validateArgs`, values outside it are not checked: NaN entries give NaN.
 * With `validateArgs: true`, `logProb`, `prob`, `cdf`, `logCdf`, `survivalFunction` and
 * `logSurvivalFunction` throw an `InvalidArgumentError` naming the first value outside (a read-back).
 *
 * @example
 * ```ts
 * const d = new tfd.MultivariateNormalFullCovariance({ loc: [1, 2], covarianceMatrix: [[1, 0.5], [0.5, 2]] });
 * d.scaleTril;                         // the Cholesky factor, [[1, 0], [0.5, 1.3229]]
 * d.logProb([1, 2]);                   // -½ log det(2π Σ)
 * ```
 */
export class MultivariateNormalFullCovariance extends MultivariateNormalLinearOperator {
  static override readonly parameterProperties = { loc: { eventRank: 1, constraint: real, optional: true }, covarianceMatrix: { eventRank: 2, constraint: symmetric } };
  /** Σ as given, `[...Bs, D, D]`. */
  readonly covarianceMatrix: tf.Tensor;

  constructor(args: MultivariateNormalFullCovarianceArgs) {
    const cls = 'MultivariateNormalFullCovariance';
    const given = convertParams(cls, args, MultivariateNormalFullCovariance.parameterProperties);
    const cov = given.covarianceMatrix.value;
    const givenLoc = (given.loc as ParamSpec | undefined)?.value;
    checkMvnShapes(cls, givenLoc, 'covarianceMatrix', cov, true);
    let L: tf.Tensor;
    try {
      L = cholesky(cov, { validateArgs: args.validateArgs === true });
    } catch (e) {
      cov.dispose();
      givenLoc?.dispose();
      const msg = (e as Error).message;
      if (!(e instanceof InvalidArgumentError)) throw e;
      const where = /not positive definite( at batch index [^;]*)?/.exec(msg);
      throw new InvalidArgumentError(
        where
          ? `${cls}: covarianceMatrix (shape [${cov.shape.join(', ')}]) is not positive definite${where[1] ?? ''}; ` +
              `expected symmetric positive-definite [..., k, k] matrices`
          : `${cls}: covarianceMatrix: ${msg}`,
      );
    }
    const loc = givenLoc ?? tf.zeros([cov.shape[cov.rank - 1]!]);
    const params: Record<string, ParamSpec> = {
      loc: { value: loc, eventRank: 1, constraint: real },
      covarianceMatrix: { value: cov, eventRank: 2, constraint: symmetric },
    };
    super({ ...args, className: cls, loc, scaleKind: 'tril', scale: L, params, owned: [L] });
    this.covarianceMatrix = cov;
  }

  /** Σ as given (broadcast to the batch); exact, not recomputed from the factor. */
  protected override covarianceFn(): tf.Tensor {
    return shapeHandle(this.covarianceMatrix);
  }
}
