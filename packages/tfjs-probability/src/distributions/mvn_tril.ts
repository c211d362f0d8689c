import * as tf from '@tensorflow/tfjs';
import { convertParams, type DistributionOptions, type ParamSpec } from './distribution.js';
import { lowerCholesky, real } from './constraints.js';
import { MultivariateNormalLinearOperator, checkMvnShapes } from './mvn_linear_operator.js';
import type { TensorLike } from '../util.js';

export interface MultivariateNormalTriLArgs extends DistributionOptions {
  /** Mean μ, shape `[...B, D]`. Defaults to zeros. */
  loc?: TensorLike;
  /**
   * Lower-triangular Cholesky factor L of the covariance `Σ = L Lᵀ`,
   * `[...B, D, D]`, with a positive diagonal. The strict upper triangle is
   * ignored (as in TFP); `validateArgs` checks that it is zero.
   */
  scaleTril: TensorLike;
}

/**
 * The multivariate normal parameterized by a lower-triangular scale `L`
 * (covariance `Σ = L Lᵀ`), as predicted by a network head.
 *
 * Mathematical details:
 * `log p(x) = -½ ‖L⁻¹(x − μ)‖² − Σᵢ log Lᵢᵢ − (D/2) log 2π`,
 * computed with one triangular solve per point (never an inverse).
 * Reparameterized: `x = μ + L ε`, `ε ~ N(0, I)`.
 *
 * Parameters: `loc [...B, D]`, `scaleTril [...B, D, D]`; the batch parts
 * broadcast (one `scaleTril [D, D]` for locs `[N, D]`, or scales
 * `[N, D, D]` for one loc `[D]`).
 *
 * Support: R^D. Without `validateArgs`, values outside it are not checked: NaN entries give NaN.
 * With `validateArgs: true`, `logProb`, `prob`, `cdf`, `logCdf`, `survivalFunction` and
 * `logSurvivalFunction` throw an `InvalidArgumentError` naming the first value outside (a read-back).
 *
 * @example
 * ```ts
 * const d = new tfd.MultivariateNormalTriL({ loc: [0, 0], scaleTril: [[1, 0], [0.5, 2]] });
 * d.covariance();                      // [[1, 0.5], [0.5, 4.25]]
 * d.sample([100], { seed: 1 }).shape;  // [100, 2]
 * d.logProb([[0, 0], [1, 1]]).shape;   // [2]
 * ```
 */
export class MultivariateNormalTriL extends MultivariateNormalLinearOperator {
  static override readonly parameterProperties = { loc: { eventRank: 1, constraint: real, optional: true }, scaleTril: { eventRank: 2, constraint: lowerCholesky } };
  constructor(args: MultivariateNormalTriLArgs) {
    const cls = 'MultivariateNormalTriL';
    const given = convertParams(cls, args, MultivariateNormalTriL.parameterProperties);
    const scaleTril = given.scaleTril.value;
    const givenLoc = (given.loc as ParamSpec | undefined)?.value;
    checkMvnShapes(cls, givenLoc, 'scaleTril', scaleTril, true);
    const loc: tf.Tensor = givenLoc ?? tf.zeros([scaleTril.shape[scaleTril.rank - 1]!]);
    const params: Record<string, ParamSpec> = {
      loc: { value: loc, eventRank: 1, constraint: real },
      scaleTril: { value: scaleTril, eventRank: 2, constraint: lowerCholesky },
    };
    super({ ...args, className: cls, loc, scaleKind: 'tril', scale: scaleTril, params });
  }
}
