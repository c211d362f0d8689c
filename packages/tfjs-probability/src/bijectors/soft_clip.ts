import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import { Bijector, bijectorParam, type BijectorOptions, type TensorLike } from './bijector.js';

export interface SoftClipArgs extends BijectorOptions {
  /** Lower bound, shape `[...B]`; default none (−∞). */
  low?: TensorLike;
  /** Upper bound (> low), shape `[...B]`; default none (+∞). */
  high?: TensorLike;
  /** How sharply the clip bends near the bounds (> 0); smaller is closer to a hard clip. Default 1. */
  hingeSoftness?: TensorLike;
}

/**
 * A smooth clip of ℝ into (low, high) that is nearly the identity away from the bounds (TFP's
 * `tfb.SoftClip`): keeps a parameter inside a range without distorting it where it already is.
 *
 * Mathematical details: with `s` the hinge softness and `sp(t) = s log(1 + exp(t/s))`, two
 * bounds give `y = high - sp(high - low - sp(x - low)) · (high - low)/sp(high - low)` (onto
 * (low, high): `y → low` as `x → -∞`, `y → high` as `x → ∞`, `y ≈ x` inside when `s` is small);
 * one bound gives `low + sp(x - low)` or `high - sp(high - x)`; none, the identity. The
 * log-det-Jacobian is the sum of the log-sigmoids of the chain rule (min event ndims 0).
 *
 * @example
 * ```ts
 * const b = new tfb.SoftClip({ low: 0, high: 1, hingeSoftness: 0.1 });
 * b.forward([-10, 0.5, 10]);   // [≈0, ≈0.5, ≈1]
 * ```
 */
export class SoftClip extends Bijector {
  readonly low: tf.Tensor | undefined;
  readonly high: tf.Tensor | undefined;
  readonly hingeSoftness: tf.Tensor;

  constructor(args: SoftClipArgs = {}) {
    const low = args.low === undefined ? undefined : bijectorParam(args.low, 'low', 'SoftClip');
    const high = args.high === undefined ? undefined : bijectorParam(args.high, 'high', 'SoftClip');
    const s = bijectorParam(args.hingeSoftness ?? 1, 'hingeSoftness', 'SoftClip');
    const params: Record<string, { value: tf.Tensor; eventRank: number }> = { hingeSoftness: { value: s, eventRank: 0 } };
    if (low) params['low'] = { value: low, eventRank: 0 };
    if (high) params['high'] = { value: high, eventRank: 0 };
    super({ ...args, className: 'SoftClip', forwardMinEventNdims: 0, params });
    this.low = low;
    this.high = high;
    this.hingeSoftness = s;
    if (this.validateArgs) {
      const bad = tf.tidy(() => {
        let b = tf.any(tf.lessEqual(s, 0));
        if (low && high) b = tf.logicalOr(b, tf.any(tf.lessEqual(high, low)));
        return b.dataSync()[0];
      });
      if (bad) {
        this.dispose();
        throw new InvalidArgumentError('SoftClip: hingeSoftness must be > 0 and high > low elementwise (under validateArgs)');
      }
    }
  }

  /** `s · softplus(t/s)`. */
  private sp(t: tf.Tensor): tf.Tensor {
    return tf.mul(this.hingeSoftness, tf.softplus(tf.div(t, this.hingeSoftness)));
  }
  /** log of d/dt `s · softplus(t/s)` = log sigmoid(t/s). */
  private logDsp(t: tf.Tensor): tf.Tensor {
    // -softplus(-u) rather than tf.logSigmoid, whose gradient fails in tfjs 4.22
    return tf.neg(tf.softplus(tf.neg(tf.div(t, this.hingeSoftness))));
  }
  /** `s · softplus⁻¹(u/s) = u + s log(-expm1(-u/s))`. */
  private spInv(u: tf.Tensor): tf.Tensor {
    const r = tf.div(u, this.hingeSoftness);
    return tf.add(u, tf.mul(this.hingeSoftness, tf.log(tf.neg(tf.sub(tf.exp(tf.neg(r)), 1)))));
  }
  /** The scale (high - low)/sp(high - low) that makes the two-sided map onto (low, high). */
  private ratio(): tf.Tensor {
    const w = tf.sub(this.high!, this.low!);
    return tf.div(w, this.sp(w));
  }

  protected forwardFn(x: tf.Tensor): tf.Tensor {
    const { low, high } = this;
    if (low && high) {
      const inner = this.sp(tf.sub(x, low)); // > 0
      return tf.sub(high, tf.mul(this.sp(tf.sub(tf.sub(high, low), inner)), this.ratio()));
    }
    if (low) return tf.add(low, this.sp(tf.sub(x, low)));
    if (high) return tf.sub(high, this.sp(tf.sub(high, x)));
    return tf.reshape(x, x.shape);
  }
  protected inverseFn(y: tf.Tensor): tf.Tensor {
    const { low, high } = this;
    if (low && high) {
      const v = this.spInv(tf.div(tf.sub(high, y), this.ratio())); // = high - low - inner
      const inner = tf.sub(tf.sub(high, low), v);
      return tf.add(low, this.spInv(inner));
    }
    if (low) return tf.add(low, this.spInv(tf.sub(y, low)));
    if (high) return tf.sub(high, this.spInv(tf.sub(high, y)));
    return tf.reshape(y, y.shape);
  }
  protected override forwardLdjFn(x: tf.Tensor): tf.Tensor {
    const { low, high } = this;
    if (low && high) {
      const a = tf.sub(x, low);
      const inner = this.sp(a);
      return tf.add(tf.add(this.logDsp(tf.sub(tf.sub(high, low), inner)), this.logDsp(a)), tf.log(this.ratio()));
    }
    if (low) return this.logDsp(tf.sub(x, low));
    if (high) return this.logDsp(tf.sub(high, x));
    return tf.zerosLike(x);
  }
  override isIncreasing(): boolean {
    return true;
  }
}
