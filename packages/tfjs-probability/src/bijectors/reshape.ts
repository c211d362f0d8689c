import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, fmtShape } from '../errors.js';
import { sizeOf } from '../util.js';
import { Bijector, type BijectorOptions } from './bijector.js';

export interface ReshapeArgs extends BijectorOptions {
  /** Event shape of y; may contain one -1 (inferred). */
  eventShapeOut: number[];
  /** Event shape of x; may contain one -1. Default `[-1]`. */
  eventShapeIn?: number[];
}

/**
 * Reshapes the rightmost dims: `[...B, ...eventShapeIn] → [...B, ...eventShapeOut]`.
 *
 * Mathematical details: a permutation-free relabelling, `log |det J| = 0`
 * (constant Jacobian). Forward min event ndims `eventShapeIn.length`, inverse
 * `eventShapeOut.length`.
 *
 * @example
 * ```ts
 * const b = new tfb.Reshape({ eventShapeOut: [2, 3], eventShapeIn: [6] });
 * b.forward(tf.zeros([4, 6])).shape;   // [4, 2, 3]
 * ```
 */
export class Reshape extends Bijector {
  readonly eventShapeOut: number[];
  readonly eventShapeIn: number[];
  constructor(args: ReshapeArgs) {
    const out = checkShape(args?.eventShapeOut, 'eventShapeOut');
    const inn = checkShape(args?.eventShapeIn ?? [-1], 'eventShapeIn');
    if (!out.includes(-1) && !inn.includes(-1) && sizeOf(out) !== sizeOf(inn)) {
      throw new InvalidArgumentError(`Reshape: eventShapeIn ${fmtShape(inn)} and eventShapeOut ${fmtShape(out)} have different sizes`);
    }
    super({ ...args, className: 'Reshape', forwardMinEventNdims: inn.length, inverseMinEventNdims: out.length, isConstantJacobian: true });
    this.eventShapeOut = out;
    this.eventShapeIn = inn;
  }
  protected forwardFn(x: tf.Tensor): tf.Tensor {
    const k = this.eventShapeIn.length;
    const ev = x.shape.slice(x.rank - k);
    const outEv = this.forwardEventShapeFn(ev);
    return tf.reshape(x, [...x.shape.slice(0, x.rank - k), ...outEv]);
  }
  protected inverseFn(y: tf.Tensor): tf.Tensor {
    const k = this.eventShapeOut.length;
    const ev = y.shape.slice(y.rank - k);
    const inEv = this.inverseEventShapeFn(ev);
    return tf.reshape(y, [...y.shape.slice(0, y.rank - k), ...inEv]);
  }
  protected override forwardLdjFn(x: tf.Tensor): tf.Tensor {
    this.forwardEventShapeFn(x.shape.slice(x.rank - this.eventShapeIn.length));
    return tf.zeros(x.shape.slice(0, x.rank - this.eventShapeIn.length));
  }
  protected override inverseLdjFn(y: tf.Tensor): tf.Tensor {
    this.inverseEventShapeFn(y.shape.slice(y.rank - this.eventShapeOut.length));
    return tf.zeros(y.shape.slice(0, y.rank - this.eventShapeOut.length));
  }
  protected override forwardEventShapeFn(shape: number[]): number[] {
    return this.map(shape, this.eventShapeIn, this.eventShapeOut, 'eventShapeIn');
  }
  protected override inverseEventShapeFn(shape: number[]): number[] {
    return this.map(shape, this.eventShapeOut, this.eventShapeIn, 'eventShapeOut');
  }
  /** Checks that the trailing dims of `shape` match `from` and returns them reshaped to `to` (the batch dims kept). */
  private map(shape: number[], from: number[], to: number[], fromName: string): number[] {
    const k = from.length;
    const ev = shape.slice(shape.length - k);
    const batch = shape.slice(0, shape.length - k);
    const ok = shape.length >= k && ev.every((d, i) => from[i] === -1 || from[i] === d);
    const n = sizeOf(ev);
    const rest = sizeOf(to.filter((d) => d >= 0));
    const fits = to.includes(-1) ? rest > 0 && n % rest === 0 : n === rest;
    if (!ok || !fits) {
      throw new InvalidArgumentError(
        `Reshape: event shape ${fmtShape(ev)} (of ${fmtShape(shape)}) does not match ${fromName} ${fmtShape(from)} or cannot be reshaped to ${fmtShape(to)}`,
      );
    }
    return [...batch, ...to.map((d) => (d === -1 ? n / rest : d))];
  }
}

function checkShape(s: unknown, name: string): number[] {
  if (!Array.isArray(s) || !s.every((d) => Number.isInteger(d) && (d >= 0 || d === -1)) || s.filter((d) => d === -1).length > 1) {
    throw new InvalidArgumentError(`Reshape: ${name} must be an array of non-negative integers with at most one -1; got ${JSON.stringify(s)}`);
  }
  return [...(s as number[])];
}
