import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import { log1mexp, softplusInverse } from '../math/special.js';
import { Bijector, type BijectorOptions } from './bijector.js';

export interface SoftplusArgs extends BijectorOptions {
  /** Hinge softness c > 0 (a number): `y = c · softplus(x / c)`. Default 1. */
  hingeSoftness?: number;
}

/**
 * The softplus bijector: `y = c · log(1 + exp(x / c))`, mapping ℝ onto (0, ∞).
 *
 * Mathematical details: `x = c · log(expm1(y / c))`;
 * `log |det J| = -softplus(-x / c) = log σ(x / c)`, and the inverse
 * log-det-Jacobian is `-log(1 - exp(-y / c))`, both evaluated stably
 * (min event ndims 0).
 *
 * @example
 * ```ts
 * const b = new tfb.Softplus({ hingeSoftness: 0.5 });
 * b.forward([0]);   // [0.5 · log 2]
 * ```
 */
export class Softplus extends Bijector {
  readonly hingeSoftness: number;
  constructor(args: SoftplusArgs = {}) {
    const c = args.hingeSoftness ?? 1;
    if (typeof c !== 'number' || !(c > 0) || !Number.isFinite(c)) {
      throw new InvalidArgumentError(`Softplus: hingeSoftness must be a finite number > 0; got ${String(c)}`);
    }
    super({ ...args, className: 'Softplus', forwardMinEventNdims: 0 });
    this.hingeSoftness = c;
  }
  protected forwardFn(x: tf.Tensor): tf.Tensor {
    const c = this.hingeSoftness;
    return c === 1 ? tf.softplus(x) : tf.mul(c, tf.softplus(tf.div(x, c)));
  }
  protected inverseFn(y: tf.Tensor): tf.Tensor {
    const c = this.hingeSoftness;
    return c === 1 ? softplusInverse(y) : tf.mul(c, softplusInverse(tf.div(y, c)));
  }
  protected override forwardLdjFn(x: tf.Tensor): tf.Tensor {
    return tf.neg(tf.softplus(tf.neg(tf.div(x, this.hingeSoftness))));
  }
  protected override inverseLdjFn(y: tf.Tensor): tf.Tensor {
    return tf.neg(log1mexp(tf.div(y, this.hingeSoftness)));
  }
  override isIncreasing(): boolean {
    return true;
  }
}
