import * as tf from '@tensorflow/tfjs';
import { Bijector, bijectorParam, type BijectorOptions, type TensorLike } from './bijector.js';

export interface ShiftArgs extends BijectorOptions {
  /** The shift, shape `[...B]` (broadcasts against x). */
  shift: TensorLike;
}

/**
 * The shift bijector: `y = x + shift`.
 *
 * Mathematical details: `x = y - shift`; `log |det J| = 0` (constant Jacobian,
 * min event ndims 0).
 *
 * @example
 * ```ts
 * const b = new tfb.Shift({ shift: [1, -1] });
 * b.forward([0, 0]);   // [1, -1]
 * ```
 */
export class Shift extends Bijector {
  readonly shift: tf.Tensor;
  constructor(args: ShiftArgs) {
    const shift = bijectorParam(args.shift, 'shift', 'Shift');
    super({ ...args, className: 'Shift', forwardMinEventNdims: 0, isConstantJacobian: true, params: { shift: { value: shift, eventRank: 0 } } });
    this.shift = shift;
  }
  protected forwardFn(x: tf.Tensor): tf.Tensor {
    return tf.add(x, this.shift);
  }
  protected inverseFn(y: tf.Tensor): tf.Tensor {
    return tf.sub(y, this.shift);
  }
  // Zeros of the parameter's shape: the base class broadcasts them against the argument's batch.
  protected override forwardLdjFn(_x: tf.Tensor): tf.Tensor {
    return tf.zerosLike(this.shift);
  }
  protected override inverseLdjFn(_y: tf.Tensor): tf.Tensor {
    return tf.zerosLike(this.shift);
  }
  override isIncreasing(): boolean {
    return true;
  }
}

