import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, fmtShape } from '../errors.js';
import { Bijector, bijectorParam, type BijectorOptions, type TensorLike } from './bijector.js';

export interface ScaleMatvecDiagArgs extends BijectorOptions {
  /** The diagonal of the scale matrix (nonzero), shape `[...B, d]`. */
  scaleDiag: TensorLike;
}

/**
 * Multiplication of a vector by a diagonal matrix: `y = diag(scaleDiag) x`.
 *
 * Mathematical details: `x = y / scaleDiag`; `log |det J| = Σᵢ log |scaleDiagᵢ|`
 * over the event (constant Jacobian, min event ndims 1).
 *
 * @example
 * ```ts
 * const b = new tfb.ScaleMatvecDiag({ scaleDiag: [1, 2] });
 * b.forward([3, 3]);                    // [3, 6]
 * b.forwardLogDetJacobian([3, 3], 1);   // log 2
 * ```
 */
export class ScaleMatvecDiag extends Bijector {
  readonly scaleDiag: tf.Tensor;
  constructor(args: ScaleMatvecDiagArgs) {
    const scaleDiag = bijectorParam(args.scaleDiag, 'scaleDiag', 'ScaleMatvecDiag');
    super({ ...args, className: 'ScaleMatvecDiag', forwardMinEventNdims: 1, isConstantJacobian: true, params: { scaleDiag: { value: scaleDiag, eventRank: 1 } } });
    this.scaleDiag = scaleDiag;
    if (this.validateArgs) {
      const bad = tf.tidy(() => tf.any(tf.equal(scaleDiag, 0)).dataSync()[0]);
      if (bad) {
        this.dispose();
        throw new InvalidArgumentError(`ScaleMatvecDiag: scaleDiag must be nonzero; got a zero entry in shape ${fmtShape(scaleDiag.shape)}`);
      }
    }
  }
  private checkEvent(v: tf.Tensor, name: string): void {
    const d = this.scaleDiag.shape[this.scaleDiag.rank - 1];
    const k = v.shape[v.rank - 1];
    if (k !== d) {
      throw new InvalidArgumentError(`ScaleMatvecDiag: ${name} must be [..., ${d}] to match scaleDiag ${fmtShape(this.scaleDiag.shape)}; got ${fmtShape(v.shape)}`);
    }
  }
  protected forwardFn(x: tf.Tensor): tf.Tensor {
    this.checkEvent(x, 'x');
    return tf.mul(x, this.scaleDiag);
  }
  protected inverseFn(y: tf.Tensor): tf.Tensor {
    this.checkEvent(y, 'y');
    return tf.div(y, this.scaleDiag);
  }
  protected override forwardLdjFn(x: tf.Tensor): tf.Tensor {
    this.checkEvent(x, 'x');
    return tf.sum(tf.log(tf.abs(this.scaleDiag)), -1);
  }
  protected override inverseLdjFn(y: tf.Tensor): tf.Tensor {
    this.checkEvent(y, 'y');
    return tf.neg(tf.sum(tf.log(tf.abs(this.scaleDiag)), -1));
  }
}
