import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, fmtShape } from '../errors.js';
import { fillTriangular, fillTriangularInverse, triangularSideFromSize } from '../math/fill_triangular.js';
import { Bijector, type BijectorOptions } from './bijector.js';

export interface FillTriangularArgs extends BijectorOptions {
  /** Fill the upper triangle instead of the lower one. Default false. */
  upper?: boolean;
}

/**
 * Packs a vector into a triangular matrix in TFP's order (`tfp.math.fillTriangular`):
 * `[..., n(n+1)/2] → [..., n, n]`.
 *
 * Mathematical details: a linear isometry onto the triangular matrices, so
 * `log |det J| = 0` (constant Jacobian); forward min event ndims 1, inverse 2.
 *
 * @example
 * ```ts
 * const b = new tfb.FillTriangular();
 * b.forward([1, 2, 3]);   // [[3, 0], [2, 1]] (as tfp.math.fillTriangular)
 * ```
 */
export class FillTriangular extends Bijector {
  readonly upper: boolean;
  constructor(args: FillTriangularArgs = {}) {
    super({ ...args, className: 'FillTriangular', forwardMinEventNdims: 1, inverseMinEventNdims: 2, isConstantJacobian: true });
    this.upper = args.upper ?? false;
  }
  protected forwardFn(x: tf.Tensor): tf.Tensor {
    this.side(x.shape.slice(-1), 'x');
    return fillTriangular(x, this.upper);
  }
  protected inverseFn(y: tf.Tensor): tf.Tensor {
    this.checkSquare(y.shape, 'y');
    return fillTriangularInverse(y, this.upper);
  }
  protected override forwardLdjFn(x: tf.Tensor): tf.Tensor {
    this.side(x.shape.slice(-1), 'x');
    return tf.zeros(x.shape.slice(0, -1));
  }
  protected override inverseLdjFn(y: tf.Tensor): tf.Tensor {
    this.checkSquare(y.shape, 'y');
    return tf.zeros(y.shape.slice(0, -2));
  }
  protected override forwardEventShapeFn(shape: number[]): number[] {
    const n = this.side(shape, 'event shape');
    return [...shape.slice(0, -1), n, n];
  }
  protected override inverseEventShapeFn(shape: number[]): number[] {
    const n = this.checkSquare(shape, 'event shape');
    return [...shape.slice(0, -2), (n * (n + 1)) / 2];
  }
  private side(shape: readonly number[], name: string): number {
    const m = shape[shape.length - 1]!;
    const n = triangularSideFromSize(m);
    if (n < 0) {
      throw new InvalidArgumentError(`FillTriangular: ${name} must end in m = n(n+1)/2 (1, 3, 6, 10, ...); got ${fmtShape(shape)}`);
    }
    return n;
  }
  private checkSquare(shape: readonly number[], name: string): number {
    const n = shape[shape.length - 1]!;
    if (shape.length < 2 || shape[shape.length - 2] !== n) {
      throw new InvalidArgumentError(`FillTriangular: ${name} must be [..., n, n]; got ${fmtShape(shape)}`);
    }
    return n;
  }
}
