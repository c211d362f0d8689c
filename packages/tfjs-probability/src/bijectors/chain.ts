import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import { broadcastDifferentiable, broadcastPair } from '../util.js';
import { Bijector, type BijectorOptions } from './bijector.js';

export interface ChainArgs extends BijectorOptions {
  /** The bijectors, applied last first: `Chain([f, g]).forward(x) = f(g(x))`. Owned by the chain. */
  bijectors: Bijector[];
}

/** Largest event rank the chain's minimum event ndims are searched over. */
const MAX_EVENT_NDIMS = 16;

/**
 * The composition of bijectors, in TFP's order: the last in the list is applied first,
 * `Chain([f, g]).forward(x) = f(g(x))`.
 *
 * Mathematical details: the log-det-Jacobians add,
 * `log |det J_{f∘g}(x)| = log |det J_g(x)| + log |det J_f(g(x))|`, each at the event rank
 * its input has inside the chain. The minimum event ndims are the smallest rank at which
 * every member gets at least its own minimum. An empty chain is the identity. Owns its
 * bijectors: disposing the chain disposes them.
 *
 * @example
 * ```ts
 * const b = new tfb.Chain({ bijectors: [new tfb.Shift({ shift: 1 }), new tfb.Scale({ scale: 2 })] });
 * b.forward([1]);   // [3] = 2·1 + 1
 * ```
 */
export class Chain extends Bijector {
  readonly bijectors: Bijector[];
  constructor(args: ChainArgs, className = 'Chain') {
    if (!Array.isArray(args?.bijectors) || !args.bijectors.every((b) => b instanceof Bijector)) {
      throw new InvalidArgumentError(`${className}: bijectors must be an array of tfp.bijectors Bijectors; got ${String(args?.bijectors)}`);
    }
    const list = [...args.bijectors];
    const order = [...list].reverse();
    let fmin = -1;
    for (let n = 0; n <= MAX_EVENT_NDIMS && fmin < 0; n++) if (propagate(order, n) !== null) fmin = n;
    if (fmin < 0) {
      throw new InvalidArgumentError(`${className}: the bijectors [${list.map((b) => b.className).join(', ')}] cannot be composed at any event rank <= ${MAX_EVENT_NDIMS}`);
    }
    super({
      ...args,
      className,
      forwardMinEventNdims: fmin,
      inverseMinEventNdims: propagate(order, fmin)!,
      isConstantJacobian: list.every((b) => b.isConstantJacobian),
      cache: list.every((b) => b.cacheEnabled),
    });
    this.bijectors = list;
  }

  protected forwardFn(x: tf.Tensor): tf.Tensor {
    return this.named(() => {
      let cur = x;
      for (let i = this.bijectors.length - 1; i >= 0; i--) cur = this.bijectors[i]!.forward(cur);
      return cur === x ? tf.reshape(x, x.shape) : cur;
    });
  }
  protected inverseFn(y: tf.Tensor): tf.Tensor {
    return this.named(() => {
      let cur = y;
      for (const b of this.bijectors) cur = b.inverse(cur);
      return cur === y ? tf.reshape(y, y.shape) : cur;
    });
  }
  /** Runs `fn`, prefixing the chain's name to a member's InvalidArgumentError (so FillScaleTriL's errors say FillScaleTriL). */
  private named<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof InvalidArgumentError && this.bijectors.length > 0 && !e.message.startsWith(this.className)) {
        throw new InvalidArgumentError(`${this.className}: ${e.message}`);
      }
      throw e;
    }
  }
  override forwardLdjAt(x: tf.Tensor, eventNdims: number): tf.Tensor {
    return this.named(() => this.forwardLdjChain(x, eventNdims));
  }
  override inverseLdjAt(y: tf.Tensor, eventNdims: number): tf.Tensor {
    return this.named(() => this.inverseLdjChain(y, eventNdims));
  }
  override inverseAndLdjAt(y: tf.Tensor, eventNdims: number): [tf.Tensor, tf.Tensor] {
    return this.named((): [tf.Tensor, tf.Tensor] => {
      let cur = y;
      let n = eventNdims;
      let total: tf.Tensor = tf.zeros(y.shape.slice(0, y.rank - eventNdims));
      for (const b of this.bijectors) {
        const [x, l] = b.inverseAndLdjAt(cur, n);
        total = addBroadcast(total, l);
        cur = x;
        n = b.inverseEventNdims(n);
      }
      return [cur === y ? tf.reshape(y, y.shape) : cur, total];
    });
  }
  private forwardLdjChain(x: tf.Tensor, eventNdims: number): tf.Tensor {
    let cur = x;
    let n = eventNdims;
    let total: tf.Tensor = tf.zeros(x.shape.slice(0, x.rank - eventNdims));
    for (let i = this.bijectors.length - 1; i >= 0; i--) {
      const b = this.bijectors[i]!;
      total = addBroadcast(total, b.forwardLdjAt(cur, n));
      if (i > 0) cur = b.forward(cur);
      n = b.forwardEventNdims(n);
    }
    return total;
  }
  private inverseLdjChain(y: tf.Tensor, eventNdims: number): tf.Tensor {
    let cur = y;
    let n = eventNdims;
    let total: tf.Tensor = tf.zeros(y.shape.slice(0, y.rank - eventNdims));
    this.bijectors.forEach((b, i) => {
      total = addBroadcast(total, b.inverseLdjAt(cur, n));
      if (i < this.bijectors.length - 1) cur = b.inverse(cur);
      n = b.inverseEventNdims(n);
    });
    return total;
  }
  protected override forwardEventShapeFn(shape: number[]): number[] {
    let s = shape;
    for (let i = this.bijectors.length - 1; i >= 0; i--) s = this.bijectors[i]!.forwardEventShape(s);
    return s;
  }
  protected override inverseEventShapeFn(shape: number[]): number[] {
    let s = shape;
    for (const b of this.bijectors) s = b.inverseEventShape(s);
    return s;
  }
  protected override innerBijectors(): Record<string, Bijector> {
    return Object.fromEntries(this.bijectors.map((b, i) => [`bijectors[${i}]`, b]));
  }
  protected override innerBatchShapes(xEventNdims: number): Array<[string, number[]]> {
    const out: Array<[string, number[]]> = [];
    let n = Math.max(xEventNdims, this.forwardMinEventNdims);
    for (let i = this.bijectors.length - 1; i >= 0; i--) {
      const b = this.bijectors[i]!;
      out.push([`bijectors[${i}] (${b.className})`, b.experimentalBatchShape(n)]);
      n = b.forwardEventNdims(n);
    }
    return out;
  }
  override isIncreasing(): boolean | undefined {
    let inc = true;
    for (const b of this.bijectors) {
      const s = b.isIncreasing();
      if (s === undefined) return undefined;
      if (!s) inc = !inc;
    }
    return inc;
  }
}

/** Event rank after passing rank `n` through `order` (application order), or null if a member's minimum is not met. */
function propagate(order: Bijector[], n: number): number | null {
  let cur = n;
  for (const b of order) {
    if (cur < b.forwardMinEventNdims) return null;
    cur = b.forwardEventNdims(cur);
  }
  return cur;
}

function addBroadcast(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const s = broadcastPair(a.shape, b.shape);
  if (s === null) throw new InvalidArgumentError(`Chain: log-det-Jacobians of shapes [${a.shape}] and [${b.shape}] do not broadcast`);
  return tf.add(a, b.rank === s.length ? b : broadcastDifferentiable(b, s));
}
