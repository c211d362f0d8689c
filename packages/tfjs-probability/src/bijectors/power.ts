import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import { Bijector, bijectorParam, type BijectorOptions, type TensorLike } from './bijector.js';

export interface PowerArgs extends BijectorOptions {
  /** The exponent p ≠ 0, shape `[...B]`. */
  power: TensorLike;
}

/**
 * The power bijector: `y = xᵖ` on x > 0 (on all of ℝ, as `sign(x)|x|ᵖ`, when p is an odd integer).
 *
 * Mathematical details: `x = y^(1/p)`; `log |det J| = log |p| + (p - 1) log |x|`
 * (min event ndims 0).
 *
 * @example
 * ```ts
 * const b = new tfb.Power({ power: 2 });
 * b.forward([3]);   // [9]
 * ```
 */
export class Power extends Bijector {
  readonly power: tf.Tensor;
  private readonly powerNumber: number | undefined;
  constructor(args: PowerArgs) {
    if (args?.power === undefined) throw new InvalidArgumentError('Power: power is required; got undefined');
    if (typeof args.power === 'number' && (args.power === 0 || !Number.isFinite(args.power))) {
      throw new InvalidArgumentError(`Power: power must be finite and nonzero (x^0 is not invertible); got ${args.power}`);
    }
    const power = bijectorParam(args.power, 'power', 'Power');
    super({ ...args, className: 'Power', forwardMinEventNdims: 0, params: { power: { value: power, eventRank: 0 } } });
    this.power = power;
    this.powerNumber = typeof args.power === 'number' ? args.power : undefined;
  }
  /** True where the power is an odd integer (the map extends to x < 0). Depends on the parameter only. */
  private odd(): tf.Tensor {
    const p = this.power;
    return tf.logicalAnd(tf.equal(tf.floor(p), p), tf.equal(tf.mod(tf.abs(p), 2), 1));
  }
  /**
   * sign(v)·|v|^q; NaN for v < 0 unless the power is an odd integer (outside the
   * domain). Conditions on v use greaterEqual, the comparison tfjs can differentiate through.
   */
  private signedPow(v: tf.Tensor, q: tf.Tensor): tf.Tensor {
    const mag = tf.pow(tf.abs(v), q);
    const nonNeg = tf.greaterEqual(v, 0);
    const signed = tf.where(tf.broadcastTo(nonNeg, mag.shape), mag, tf.neg(mag));
    const negOk = tf.where(tf.broadcastTo(this.odd(), mag.shape), signed, tf.fill(mag.shape, NaN));
    return tf.where(tf.broadcastTo(nonNeg, mag.shape), signed, negOk);
  }
  protected forwardFn(x: tf.Tensor): tf.Tensor {
    return this.signedPow(x, this.power);
  }
  protected inverseFn(y: tf.Tensor): tf.Tensor {
    return this.signedPow(y, tf.reciprocal(this.power));
  }
  protected override forwardLdjFn(x: tf.Tensor): tf.Tensor {
    return tf.add(tf.log(tf.abs(this.power)), tf.mul(tf.sub(this.power, 1), tf.log(tf.abs(x))));
  }
  protected override inverseLdjFn(y: tf.Tensor): tf.Tensor {
    // x = y^(1/p): log|dx/dy| = -log|p| + (1/p - 1) log|y|
    return tf.sub(tf.mul(tf.sub(tf.reciprocal(this.power), 1), tf.log(tf.abs(y))), tf.log(tf.abs(this.power)));
  }
  override isIncreasing(): boolean | undefined {
    return this.powerNumber === undefined ? undefined : this.powerNumber > 0;
  }
}
