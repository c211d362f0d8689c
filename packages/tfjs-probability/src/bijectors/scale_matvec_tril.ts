import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, fmtShape } from '../errors.js';
import { triangularSolve } from '../math/linalg.js';
import { Bijector, bijectorParam, type BijectorOptions, type TensorLike } from './bijector.js';

export interface ScaleMatvecTriLArgs extends BijectorOptions {
  /** Lower-triangular scale matrix with nonzero diagonal, shape `[...B, d, d]` (the upper triangle is ignored). */
  scaleTril: TensorLike;
}

/**
 * Multiplication of a vector by a lower-triangular matrix: `y = L x`.
 *
 * Mathematical details: `x = L⁻¹ y` by a triangular solve (never an explicit
 * inverse); `log |det J| = Σᵢ log |Lᵢᵢ|` (constant Jacobian, min event ndims 1).
 * With `L` the Cholesky factor of Σ, `TransformedDistribution(N(0, I), ScaleMatvecTriL(L))`
 * is `N(0, Σ)`.
 *
 * @example
 * ```ts
 * const b = new tfb.ScaleMatvecTriL({ scaleTril: [[2, 0], [1, 1]] });
 * b.forward([1, 1]);   // [2, 2]
 * ```
 */
export class ScaleMatvecTriL extends Bijector {
  readonly scaleTril: tf.Tensor;
  private readonly d: number;
  constructor(args: ScaleMatvecTriLArgs) {
    const raw = bijectorParam(args.scaleTril, 'scaleTril', 'ScaleMatvecTriL');
    const d = raw.shape[raw.rank - 1];
    if (raw.rank < 2 || raw.shape[raw.rank - 2] !== d) {
      raw.dispose();
      throw new InvalidArgumentError(`ScaleMatvecTriL: scaleTril must be [..., d, d]; got ${fmtShape(raw.shape)}`);
    }
    const scaleTril = tf.tidy(() => tf.linalg.bandPart(raw, -1, 0));
    raw.dispose();
    super({ ...args, className: 'ScaleMatvecTriL', forwardMinEventNdims: 1, isConstantJacobian: true, params: { scaleTril: { value: scaleTril, eventRank: 2 } } });
    this.scaleTril = scaleTril;
    this.d = d!;
    if (this.validateArgs) {
      const bad = tf.tidy(() => tf.any(tf.equal(diagPart(scaleTril), 0)).dataSync()[0]);
      if (bad) {
        this.dispose();
        throw new InvalidArgumentError(`ScaleMatvecTriL: scaleTril must have a nonzero diagonal (invertible); got a zero on the diagonal of ${fmtShape(scaleTril.shape)}`);
      }
    }
  }
  private checkEvent(v: tf.Tensor, name: string): void {
    if (v.shape[v.rank - 1] !== this.d) {
      throw new InvalidArgumentError(`ScaleMatvecTriL: ${name} must be [..., ${this.d}] to match scaleTril ${fmtShape(this.scaleTril.shape)}; got ${fmtShape(v.shape)}`);
    }
  }
  protected forwardFn(x: tf.Tensor): tf.Tensor {
    this.checkEvent(x, 'x');
    // Σⱼ Lᵢⱼ xⱼ by broadcasting: batch dims of L and x broadcast freely.
    return tf.sum(tf.mul(this.scaleTril, tf.expandDims(x, -2)), -1);
  }
  protected inverseFn(y: tf.Tensor): tf.Tensor {
    this.checkEvent(y, 'y');
    return tf.squeeze(triangularSolve(this.scaleTril, tf.expandDims(y, -1), { lower: true }), [-1]);
  }
  protected override forwardLdjFn(x: tf.Tensor): tf.Tensor {
    this.checkEvent(x, 'x');
    return tf.sum(tf.log(tf.abs(diagPart(this.scaleTril))), -1);
  }
  protected override inverseLdjFn(y: tf.Tensor): tf.Tensor {
    this.checkEvent(y, 'y');
    return tf.neg(tf.sum(tf.log(tf.abs(diagPart(this.scaleTril))), -1));
  }
}

/** The diagonal `[..., n]` of `[..., n, n]` matrices (differentiable; tfjs has no matrixDiagPart). */
export function diagPart(m: tf.Tensor): tf.Tensor {
  const n = m.shape[m.rank - 1]!;
  return tf.sum(tf.mul(m, tf.eye(n)), -1);
}

/** `m` with its diagonal replaced by `d` (`[..., n]`), differentiable in both. */
export function setDiag(m: tf.Tensor, d: tf.Tensor): tf.Tensor {
  const n = m.shape[m.rank - 1]!;
  const eye = tf.eye(n);
  return tf.add(tf.mul(m, tf.sub(1, eye)), tf.mul(eye, tf.expandDims(d, -2)));
}
