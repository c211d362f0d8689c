import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, fmtShape } from '../errors.js';
import { Bijector, type BijectorOptions } from './bijector.js';
import { AutoregressiveNetwork } from './autoregressive_network.js';
import { callFn, checkBuiltOutsideGradient, splitShiftAndLogScale, type Appliable, type ShiftAndLogScale } from './shift_and_log_scale.js';

export interface MaskedAutoregressiveFlowArgs extends BijectorOptions {
  /**
   * Autoregressive map `y ↦ (shift, logScale)`, each `[..., D]`, where coordinate i
   * depends only on `y_{<i}`: usually a `tfb.AutoregressiveNetwork({params: 2})`
   * (its `[..., D, 2]` output is unstacked), or any function / layer / model returning
   * `[..., D, 2]`, `[..., D, 1]` (shift only) or `[shift, logScale | null]`.
   */
  shiftAndLogScaleFn: ((y: tf.Tensor) => ShiftAndLogScale) | Appliable;
}

/**
 * The masked autoregressive flow (Papamakarios et al. 2017), TFP's `tfb.MaskedAutoregressiveFlow`.
 *
 * Mathematical details: `y_i = x_i · exp(logScale_i(y_{<i})) + shift_i(y_{<i})`.
 * The inverse is one pass, `x = (y - shift(y)) · exp(-logScale(y))`, so density
 * evaluation (training) is fast; the forward (sampling) takes D passes, one per
 * coordinate, in the network's order. `log |det ∂y/∂x| = Σᵢ logScale_i(y)`
 * (min event ndims 1). The network's weights belong to the caller (a layer's
 * weights); the bijector does not cache pairs, since the network trains.
 *
 * @example
 * ```ts
 * const made = new tfb.AutoregressiveNetwork({ params: 2, eventShape: [2], hiddenUnits: [32], activation: 'relu' });
 * const flow = new tfd.TransformedDistribution({
 *   distribution: new tfd.MultivariateNormalDiag({ loc: [0, 0] }),
 *   bijector: new tfb.MaskedAutoregressiveFlow({ shiftAndLogScaleFn: made }),
 * });
 * const loss = () => tf.neg(tf.mean(flow.logProb(batch)));   // train with any optimizer
 * ```
 */
export class MaskedAutoregressiveFlow extends Bijector {
  readonly shiftAndLogScaleFn: ((y: tf.Tensor) => ShiftAndLogScale) | Appliable;

  constructor(args: MaskedAutoregressiveFlowArgs) {
    const fn = args?.shiftAndLogScaleFn;
    if (typeof fn !== 'function' && !(fn && typeof (fn as Appliable).apply === 'function')) {
      throw new InvalidArgumentError(
        `MaskedAutoregressiveFlow: shiftAndLogScaleFn must be a function, a tfjs layer or a model (e.g. tfb.AutoregressiveNetwork); got ${String(fn)}`,
      );
    }
    super({ ...args, className: 'MaskedAutoregressiveFlow', forwardMinEventNdims: 1, cache: false });
    this.shiftAndLogScaleFn = fn;
    // Weights exist from construction when the event size is known, so that
    // `opt.minimize(() => loss(flow.logProb(x)))` trains them from its first step.
    if (fn instanceof AutoregressiveNetwork && !fn.built && fn.hasEventShape) fn.apply(tf.input({ shape: fn.eventShape }));
  }

  private params(y: tf.Tensor): [tf.Tensor, tf.Tensor | null] {
    checkBuiltOutsideGradient(this.shiftAndLogScaleFn, this.className);
    const d = y.shape[y.rank - 1]!;
    return splitShiftAndLogScale(callFn(this.shiftAndLogScaleFn, y), this.className, d);
  }

  private check(v: tf.Tensor, name: string): void {
    if (v.rank < 1 || v.shape[v.rank - 1]! < 1) throw new InvalidArgumentError(`MaskedAutoregressiveFlow: ${name} must be [..., D] with D >= 1; got ${fmtShape(v.shape)}`);
  }

  protected forwardFn(x: tf.Tensor): tf.Tensor {
    this.check(x, 'x');
    const d = x.shape[x.rank - 1]!;
    // D passes: after pass k, the first k coordinates (in the network's order) are final.
    let y = tf.zerosLike(x);
    for (let i = 0; i < d; i++) {
      const [shift, logScale] = this.params(y);
      y = logScale === null ? tf.add(x, shift) : tf.add(tf.mul(x, tf.exp(logScale)), shift);
    }
    return y;
  }

  protected inverseFn(y: tf.Tensor): tf.Tensor {
    this.check(y, 'y');
    const [shift, logScale] = this.params(y);
    const centered = tf.sub(y, shift);
    return logScale === null ? centered : tf.mul(centered, tf.exp(tf.neg(logScale)));
  }

  protected override inverseLdjFn(y: tf.Tensor): tf.Tensor {
    this.check(y, 'y');
    const [, logScale] = this.params(y);
    return logScale === null ? tf.zeros(y.shape.slice(0, -1)) : tf.neg(tf.sum(logScale, -1));
  }

  /** One network call for both the inverse and its log-det-Jacobian. */
  protected override inverseWithLdjFn(y: tf.Tensor): [tf.Tensor, tf.Tensor] {
    this.check(y, 'y');
    const [shift, logScale] = this.params(y);
    const centered = tf.sub(y, shift);
    if (logScale === null) return [centered, tf.zeros(y.shape.slice(0, -1))];
    return [tf.mul(centered, tf.exp(tf.neg(logScale))), tf.neg(tf.sum(logScale, -1))];
  }

  protected override forwardLdjFn(x: tf.Tensor): tf.Tensor {
    return tf.neg(this.inverseLdjFn(this.forwardFn(x)));
  }
}
