import * as tf from '@tensorflow/tfjs';
import { checkArgsObject, convertParams, type DistributionOptions, type ParamSpec } from './distribution.js';
import { positive, real } from './constraints.js';
import { MultivariateNormalLinearOperator, checkMvnShapes } from './mvn_linear_operator.js';
import { InvalidArgumentError } from '../errors.js';
import type { TensorLike } from '../util.js';

export interface MultivariateNormalDiagArgs extends DistributionOptions {
  /** Mean μ, shape `[...B, D]`. Defaults to zeros. */
  loc?: TensorLike;
  /** Diagonal of the scale matrix (the per-coordinate standard deviations), `[...B, D]`, > 0. Defaults to ones. */
  scaleDiag?: TensorLike;
}

/**
 * The multivariate normal with a diagonal covariance `diag(scaleDiag²)`: D
 * independent normals treated as one event.
 *
 * Mathematical details:
 * `log p(x) = -½ Σᵢ ((xᵢ − μᵢ)/sᵢ)² − Σᵢ log sᵢ − (D/2) log 2π`.
 * Every method is elementwise (only `covariance()` and the `scaleTril`
 * accessor build matrices). Reparameterized: `x = μ + s ⊙ ε`.
 *
 * Parameters: `loc [...B, D]`, `scaleDiag [...B, D]` (batch dims broadcast;
 * either may be omitted, not both).
 *
 * Support: R^D. Without `validateArgs`, values outside it are not checked: NaN entries give NaN.
 * With `validateArgs: true`, `logProb`, `prob`, `cdf`, `logCdf`, `survivalFunction` and
 * `logSurvivalFunction` throw an `InvalidArgumentError` naming the first value outside (a read-back).
 *
 * @example
 * ```ts
 * const d = new tfd.MultivariateNormalDiag({ loc: [[0, 0], [1, 2]], scaleDiag: [1, 0.5] });
 * d.batchShape;                        // [2]
 * d.sample([3], { seed: 1 }).shape;    // [3, 2, 2]
 * d.logProb([0.5, 1]).shape;           // [2]
 * ```
 */
export class MultivariateNormalDiag extends MultivariateNormalLinearOperator {
  static override readonly parameterProperties = { loc: { eventRank: 1, constraint: real, optional: true }, scaleDiag: { eventRank: 1, constraint: positive, optional: true } };
  /** Diagonal of the scale, shape `[...Bs, D]` (as given; ones when omitted). */
  readonly scaleDiag: tf.Tensor;

  constructor(args: MultivariateNormalDiagArgs) {
    const cls = 'MultivariateNormalDiag';
    checkArgsObject(cls, args, ['loc', 'scaleDiag']);
    if (args.loc == null && args.scaleDiag == null) {
      throw new InvalidArgumentError(`${cls}: give loc [..., k] or scaleDiag [..., k] (or both); got neither`);
    }
    const given = convertParams(cls, args, MultivariateNormalDiag.parameterProperties);
    let loc = (given.loc as ParamSpec | undefined)?.value;
    let scaleDiag = (given.scaleDiag as ParamSpec | undefined)?.value;
    checkMvnShapes(cls, loc, 'scaleDiag', scaleDiag, false);
    if (loc === undefined) loc = tf.zeros([scaleDiag!.shape[scaleDiag!.rank - 1]!]);
    if (scaleDiag === undefined) scaleDiag = tf.ones([loc.shape[loc.rank - 1]!]);
    const params: Record<string, ParamSpec> = {
      loc: { value: loc, eventRank: 1, constraint: real },
      scaleDiag: { value: scaleDiag, eventRank: 1, constraint: positive },
    };
    super({ ...args, className: cls, loc, scaleKind: 'diag', scale: scaleDiag, params });
    this.scaleDiag = scaleDiag;
  }
}
