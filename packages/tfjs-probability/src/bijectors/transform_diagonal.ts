import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, fmtShape } from '../errors.js';
import { Bijector, type BijectorOptions } from './bijector.js';
import { diagPart, setDiag } from './scale_matvec_tril.js';

export interface TransformDiagonalArgs extends BijectorOptions {
  /** Bijector applied to the diagonal (as a vector, min event ndims <= 1). Owned. */
  diagBijector: Bijector;
}

/**
 * Applies a bijector to the diagonal of a matrix and leaves the other entries as they are.
 *
 * Mathematical details: for `[..., n, n]` matrices, `diag(y) = g(diag(x))`, other
 * entries copied; `log |det J| = log |det J_g(diag x)|` (min event ndims 2). Owns
 * `diagBijector`.
 *
 * @example
 * ```ts
 * const b = new tfb.TransformDiagonal({ diagBijector: new tfb.Exp() });
 * b.forward([[0, 0], [3, 1]]);   // [[1, 0], [3, e]]
 * ```
 */
export class TransformDiagonal extends Bijector {
  readonly diagBijector: Bijector;
  constructor(args: TransformDiagonalArgs) {
    const g = args?.diagBijector;
    if (!(g instanceof Bijector)) {
      throw new InvalidArgumentError(`TransformDiagonal: diagBijector must be a tfp.bijectors Bijector; got ${String(g)}`);
    }
    if (g.forwardMinEventNdims > 1 || g.inverseMinEventNdims > 1) {
      throw new InvalidArgumentError(
        `TransformDiagonal: diagBijector must act on vectors (min event ndims <= 1); got ${g.className} with ${g.forwardMinEventNdims}/${g.inverseMinEventNdims}`,
      );
    }
    super({ ...args, className: 'TransformDiagonal', forwardMinEventNdims: 2, isConstantJacobian: g.isConstantJacobian, cache: g.cacheEnabled });
    this.diagBijector = g;
  }
  private check(m: tf.Tensor, name: string): void {
    if (m.shape[m.rank - 1] !== m.shape[m.rank - 2]) {
      throw new InvalidArgumentError(`TransformDiagonal: ${name} must be [..., n, n]; got ${fmtShape(m.shape)}`);
    }
  }
  protected forwardFn(x: tf.Tensor): tf.Tensor {
    this.check(x, 'x');
    return setDiag(x, this.diagBijector.forward(diagPart(x)));
  }
  protected inverseFn(y: tf.Tensor): tf.Tensor {
    this.check(y, 'y');
    return setDiag(y, this.diagBijector.inverse(diagPart(y)));
  }
  protected override forwardLdjFn(x: tf.Tensor): tf.Tensor {
    this.check(x, 'x');
    return this.diagBijector.forwardLdjAt(diagPart(x), 1);
  }
  protected override inverseLdjFn(y: tf.Tensor): tf.Tensor {
    this.check(y, 'y');
    return this.diagBijector.inverseLdjAt(diagPart(y), 1);
  }
  protected override innerBijectors(): Record<string, Bijector> {
    return { diagBijector: this.diagBijector };
  }
  protected override innerBatchShapes(xEventNdims: number): Array<[string, number[]]> {
    return [['diagBijector', this.diagBijector.experimentalBatchShape(Math.max(xEventNdims, 2) - 1)]];
  }
}
