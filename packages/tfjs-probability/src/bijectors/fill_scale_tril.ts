import { Chain } from './chain.js';
import { FillTriangular } from './fill_triangular.js';
import { Shift } from './shift.js';
import { Softplus } from './softplus.js';
import { TransformDiagonal } from './transform_diagonal.js';
import type { Bijector, BijectorOptions } from './bijector.js';

export interface FillScaleTriLArgs extends BijectorOptions {
  /** Bijector that makes the diagonal positive. Default `Softplus()`. Owned. */
  diagBijector?: Bijector;
  /** Added to the diagonal after `diagBijector` (keeps it away from 0); null for none. Default 1e-5. */
  diagShift?: number | null;
}

/**
 * Maps an unconstrained vector to a lower-triangular matrix with a positive diagonal
 * (a Cholesky factor): `[..., n(n+1)/2] → [..., n, n]`.
 *
 * Mathematical details: TFP's
 * `Chain([TransformDiagonal(Chain([Shift(diagShift), diagBijector])), FillTriangular()])`;
 * `log |det J| = Σᵢ log |g'(xᵢᵢ)|` over the diagonal entries (the filling is an isometry).
 * Forward min event ndims 1, inverse 2.
 *
 * @example
 * ```ts
 * const b = new tfb.FillScaleTriL();
 * const L = b.forward([0.5, -1, 2]);   // [[softplus(2)+1e-5, 0], [-1, softplus(0.5)+1e-5]]
 * ```
 */
export class FillScaleTriL extends Chain {
  constructor(args: FillScaleTriLArgs = {}) {
    const diagBijector = args.diagBijector ?? new Softplus();
    const shift = args.diagShift === undefined ? 1e-5 : args.diagShift;
    const diag = shift === null ? diagBijector : new Chain({ bijectors: [new Shift({ shift }), diagBijector] });
    super({ ...args, bijectors: [new TransformDiagonal({ diagBijector: diag }), new FillTriangular()] }, 'FillScaleTriL');
  }
}
