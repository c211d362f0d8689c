import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, fmtShape } from '../errors.js';
import { Bijector, type BijectorOptions } from './bijector.js';

export interface PermuteArgs extends BijectorOptions {
  /** A permutation of `0..d-1`: `y[..., i] = x[..., permutation[i]]`. */
  permutation: number[];
  /** The (negative) axis permuted. Default -1; min event ndims is `-axis`. */
  axis?: number;
}

/**
 * Permutes the entries along one event axis: `y[..., i] = x[..., permutation[i]]`.
 *
 * Mathematical details: a permutation matrix has |det| = 1, so `log |det J| = 0`
 * (constant Jacobian, min event ndims `-axis`).
 *
 * @example
 * ```ts
 * const b = new tfb.Permute({ permutation: [1, 2, 0] });
 * b.forward([10, 20, 30]);   // [20, 30, 10]
 * ```
 */
export class Permute extends Bijector {
  readonly permutation: number[];
  readonly axis: number;
  private readonly inversePermutation: number[];
  constructor(args: PermuteArgs) {
    const p = args?.permutation;
    const d = Array.isArray(p) ? p.length : 0;
    if (!Array.isArray(p) || d === 0 || !p.every((v) => Number.isInteger(v) && v >= 0 && v < d) || new Set(p).size !== d) {
      throw new InvalidArgumentError(`Permute: permutation must be a permutation of 0..d-1 (each index once); got ${JSON.stringify(p)}`);
    }
    const axis = args.axis ?? -1;
    if (!Number.isInteger(axis) || axis >= 0) {
      throw new InvalidArgumentError(`Permute: axis must be a negative integer (an event axis); got ${String(axis)}`);
    }
    super({ ...args, className: 'Permute', forwardMinEventNdims: -axis, isConstantJacobian: true });
    this.permutation = [...p];
    this.axis = axis;
    this.inversePermutation = new Array<number>(d);
    p.forEach((v, i) => (this.inversePermutation[v] = i));
  }
  private apply(v: tf.Tensor, perm: number[], name: string): tf.Tensor {
    this.checkLength(v, name);
    return permuteAxis(v, perm, v.rank + this.axis);
  }
  private checkLength(v: tf.Tensor, name: string): void {
    const ax = v.rank + this.axis;
    const perm = this.permutation;
    if (v.shape[ax] !== perm.length) {
      throw new InvalidArgumentError(
        `Permute: ${name} must have ${perm.length} entries on axis ${this.axis} (the permutation's length); got shape ${fmtShape(v.shape)}`,
      );
    }
  }
  protected forwardFn(x: tf.Tensor): tf.Tensor {
    return this.apply(x, this.permutation, 'x');
  }
  protected inverseFn(y: tf.Tensor): tf.Tensor {
    return this.apply(y, this.inversePermutation, 'y');
  }
  protected override forwardLdjFn(x: tf.Tensor): tf.Tensor {
    this.checkLength(x, 'x');
    return tf.zeros(x.shape.slice(0, x.rank + this.axis));
  }
  protected override inverseLdjFn(y: tf.Tensor): tf.Tensor {
    this.checkLength(y, 'y');
    return tf.zeros(y.shape.slice(0, y.rank + this.axis));
  }
}

/**
 * Gathers `perm` along `axis`, with the gradient a gather by the inverse
 * permutation (tfjs's gather gradient needs UnsortedSegmentSum, which the wasm
 * backend lacks).
 */
function permuteAxis(v: tf.Tensor, perm: number[], axis: number): tf.Tensor {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const x = args[0] as tf.Tensor;
    return {
      value: tf.gather(x, tf.tensor1d(perm, 'int32'), axis),
      gradFunc: (dy: tf.Tensor) => tf.gather(dy, tf.tensor1d(inv, 'int32'), axis),
    };
  }) as (x: tf.Tensor) => tf.Tensor;
  return op(v);
}
