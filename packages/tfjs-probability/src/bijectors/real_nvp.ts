import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, fmtShape } from '../errors.js';
import { Bijector, type BijectorOptions } from './bijector.js';
import { callFn, checkBuiltOutsideGradient, splitShiftAndLogScale, type Appliable, type ShiftAndLogScale } from './shift_and_log_scale.js';

/** TFP's signature: `(x0 [..., numMasked], outputUnits) => (shift, logScale)`, each `[..., outputUnits]`. */
export type RealNVPShiftAndLogScaleFn = (x0: tf.Tensor, outputUnits: number) => ShiftAndLogScale;

export interface RealNVPArgs extends BijectorOptions {
  /**
   * Number of leading event coordinates left unchanged (they condition the others).
   * Negative: the last `|numMasked|` coordinates are the conditioning ones. Give this or `fractionMasked`.
   */
  numMasked?: number;
  /** Fraction of the event left unchanged, in (-1, 1) (TFP's `fraction_masked`); rounds toward zero. */
  fractionMasked?: number;
  /**
   * `(x0, outputUnits) => [shift, logScale | null]` or a tensor `[..., outputUnits, 2]`;
   * e.g. `tfb.realNvpDefaultTemplate({hiddenLayers: [64, 64]})`, or a tfjs layer/model whose
   * output is `[..., 2·outputUnits]` ([shift, logScale] concatenated) or `[..., outputUnits]` (shift only).
   */
  shiftAndLogScaleFn: RealNVPShiftAndLogScaleFn | Appliable;
}

/**
 * The real NVP affine coupling layer (Dinh et al. 2017), TFP's `tfb.RealNVP`.
 *
 * Mathematical details: with `x = [x0, x1]` (x0 the first `numMasked` coordinates),
 * `y0 = x0`, `y1 = x1 · exp(logScale(x0)) + shift(x0)`; the inverse is as cheap,
 * `x1 = (y1 - shift(y0)) · exp(-logScale(y0))`, and
 * `log |det ∂y/∂x| = Σ logScale(x0)` (min event ndims 1). Stack several with
 * `tfb.Permute` in between so every coordinate gets transformed. Pairs are not
 * cached (the network trains).
 *
 * @example
 * ```ts
 * const nvp = new tfb.RealNVP({ numMasked: 1, shiftAndLogScaleFn: tfb.realNvpDefaultTemplate({ hiddenLayers: [32, 32] }) });
 * nvp.forward(tf.randomNormal([5, 2])).shape;   // [5, 2]
 * ```
 */
export class RealNVP extends Bijector {
  readonly numMasked: number | undefined;
  readonly fractionMasked: number | undefined;
  readonly shiftAndLogScaleFn: RealNVPShiftAndLogScaleFn | Appliable;

  constructor(args: RealNVPArgs) {
    const fn = args?.shiftAndLogScaleFn;
    if (typeof fn !== 'function' && !(fn && typeof (fn as Appliable).apply === 'function')) {
      throw new InvalidArgumentError(`RealNVP: shiftAndLogScaleFn must be a function (x0, outputUnits) => [shift, logScale], a tfjs layer or a model; got ${String(fn)}`);
    }
    if ((args.numMasked === undefined) === (args.fractionMasked === undefined)) {
      throw new InvalidArgumentError(`RealNVP: give exactly one of numMasked and fractionMasked; got ${args.numMasked === undefined ? 'neither' : 'both'}`);
    }
    if (args.numMasked !== undefined && !Number.isInteger(args.numMasked)) {
      throw new InvalidArgumentError(`RealNVP: numMasked must be an integer; got ${String(args.numMasked)}`);
    }
    if (args.fractionMasked !== undefined && !(Math.abs(args.fractionMasked) < 1)) {
      throw new InvalidArgumentError(`RealNVP: fractionMasked must be in (-1, 1); got ${String(args.fractionMasked)}`);
    }
    super({ ...args, className: 'RealNVP', forwardMinEventNdims: 1, cache: false });
    this.numMasked = args.numMasked;
    this.fractionMasked = args.fractionMasked;
    this.shiftAndLogScaleFn = fn;
  }

  /** [start, size] of the conditioning part and of the transformed part for an event of size d. */
  private split(d: number, name: string, shape: number[]): { cond: [number, number]; tr: [number, number] } {
    const m = this.numMasked ?? Math.trunc(this.fractionMasked! * d);
    const k = Math.abs(m);
    if (k >= d || (m === 0 && this.numMasked !== undefined && d < 1)) {
      throw new InvalidArgumentError(`RealNVP: ${name} must have more than |numMasked| = ${k} event coordinates; got ${fmtShape(shape)}`);
    }
    return m >= 0 ? { cond: [0, k], tr: [k, d - k] } : { cond: [d - k, k], tr: [0, d - k] };
  }

  private parts(v: tf.Tensor, name: string): { cond: tf.Tensor; tr: tf.Tensor; join: (c: tf.Tensor, t: tf.Tensor) => tf.Tensor; units: number } {
    if (v.rank < 1) throw new InvalidArgumentError(`RealNVP: ${name} must be [..., D]; got ${fmtShape(v.shape)}`);
    const d = v.shape[v.rank - 1]!;
    const { cond, tr } = this.split(d, name, v.shape);
    const sl = (start: number, size: number): tf.Tensor => tf.slice(v, [...v.shape.slice(0, -1).map(() => 0), start], [...v.shape.slice(0, -1), size]);
    const condFirst = cond[0] === 0;
    return {
      cond: sl(...cond),
      tr: sl(...tr),
      join: (c, t) => tf.concat(condFirst ? [c, t] : [t, c], -1),
      units: tr[1],
    };
  }

  private params(x0: tf.Tensor, units: number): [tf.Tensor, tf.Tensor | null] {
    checkBuiltOutsideGradient(this.shiftAndLogScaleFn, this.className);
    const out = callFn(this.shiftAndLogScaleFn as RealNVPShiftAndLogScaleFn, x0, units);
    if (typeof this.shiftAndLogScaleFn !== 'function' && out instanceof tf.Tensor && out.rank === x0.rank) {
      // A layer/model: [..., 2·units] is [shift, logScale] concatenated, [..., units] a shift only.
      const k = out.shape[out.rank - 1];
      if (k === 2 * units) {
        const [s, l] = tf.split(out, 2, -1);
        return [s!, l!];
      }
      if (k === units) return [out, null];
      throw new InvalidArgumentError(`RealNVP: the shiftAndLogScaleFn layer must output [..., ${2 * units}] or [..., ${units}]; got ${fmtShape(out.shape)}`);
    }
    return splitShiftAndLogScale(out, this.className, units);
  }

  protected forwardFn(x: tf.Tensor): tf.Tensor {
    const p = this.parts(x, 'x');
    const [shift, logScale] = this.params(p.cond, p.units);
    const y1 = logScale === null ? tf.add(p.tr, shift) : tf.add(tf.mul(p.tr, tf.exp(logScale)), shift);
    return p.join(p.cond, y1);
  }

  protected inverseFn(y: tf.Tensor): tf.Tensor {
    const p = this.parts(y, 'y');
    const [shift, logScale] = this.params(p.cond, p.units);
    const c = tf.sub(p.tr, shift);
    return p.join(p.cond, logScale === null ? c : tf.mul(c, tf.exp(tf.neg(logScale))));
  }

  protected override forwardLdjFn(x: tf.Tensor): tf.Tensor {
    const p = this.parts(x, 'x');
    const [, logScale] = this.params(p.cond, p.units);
    return logScale === null ? tf.zeros(x.shape.slice(0, -1)) : tf.sum(logScale, -1);
  }

  protected override inverseLdjFn(y: tf.Tensor): tf.Tensor {
    return tf.neg(this.forwardLdjFn(y));
  }

  /** One network call for both the inverse and its log-det-Jacobian. */
  protected override inverseWithLdjFn(y: tf.Tensor): [tf.Tensor, tf.Tensor] {
    const p = this.parts(y, 'y');
    const [shift, logScale] = this.params(p.cond, p.units);
    const c = tf.sub(p.tr, shift);
    if (logScale === null) return [p.join(p.cond, c), tf.zeros(y.shape.slice(0, -1))];
    return [p.join(p.cond, tf.mul(c, tf.exp(tf.neg(logScale)))), tf.neg(tf.sum(logScale, -1))];
  }
}
