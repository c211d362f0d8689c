/**
 * Internal helpers shared by distributions, math and layers: argument
 * conversion, static shape arithmetic and seed derivation.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, fmtShape } from './errors.js';

/** Anything a parameter or method argument may be given as. */
export type TensorLike =
  | number
  | number[]
  | number[][]
  | number[][][]
  | number[][][][]
  | Float32Array
  | Int32Array
  | tf.Tensor;

/**
 * A new tensor handle on the same memory as `t` (a reshape to its own shape):
 * disposing either leaves the other intact, and the gradient passes straight
 * through. Unlike `tf.clone`, which copies the buffer on the wasm backend
 * (measured: 180 ms for a [1e5, 32, 32] tensor), this never copies.
 */
export function shapeHandle(t: tf.Tensor): tf.Tensor {
  return tf.reshape(t, t.shape);
}

/**
 * Broadcasts `t` to `shape` by adding zeros. Unlike `tf.broadcastTo`, whose
 * gradient (through tile) fails beyond rank 4 in tfjs 4.22, this is
 * differentiable at any rank.
 */
export function broadcastDifferentiable(t: tf.Tensor, shape: number[]): tf.Tensor {
  return tf.add(t, tf.zeros(shape, t.dtype));
}

/** What `toFloat` checks on host values (numbers, arrays, typed arrays): no device read is needed. */
export interface HostCheck {
  /** Description of a valid entry for the message, e.g. `positive (> 0) and finite`. */
  readonly description: string;
  /** True when one entry is valid. */
  element(x: number): boolean;
  /** Trailing dims checked together (0: the index of a bad entry is a batch index). */
  readonly eventRank?: number;
}

/** `'x'` for a string, `undefined`, `null`, `object`, ... : how a wrong argument is named in messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `${typeof value} ${String(value)}`;
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'function') return 'a function';
  const ctor = (value as { constructor?: { name?: string } }).constructor?.name;
  return ctor && ctor !== 'Object' ? `a ${ctor}` : 'an object';
}

/** Flattens a nested array of numbers, or returns the path and the entry that is not a number. */
function flattenNumbers(value: unknown[]): { flat: number[] } | { badPath: number[]; bad: unknown } {
  const flat: number[] = [];
  const walk = (v: unknown[], path: number[]): { badPath: number[]; bad: unknown } | null => {
    for (let i = 0; i < v.length; i++) {
      const e = v[i];
      if (typeof e === 'number') flat.push(e);
      else if (Array.isArray(e)) {
        const r = walk(e, [...path, i]);
        if (r) return r;
      } else return { badPath: [...path, i], bad: e };
    }
    return null;
  };
  const bad = walk(value, []);
  return bad ?? { flat };
}

function isRectangular(v: unknown, shape: readonly number[], depth: number): boolean {
  if (depth === shape.length) return typeof v === 'number';
  return Array.isArray(v) && v.length === shape[depth] && v.every((e) => isRectangular(e, shape, depth + 1));
}

/** Row-major index of entry `flat` in `shape`, e.g. 5 in [2, 3] -> [1, 2]. */
export function unravelIndex(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i]!;
    idx[i] = flat % d;
    flat = Math.floor(flat / d);
  }
  return idx;
}

/**
 * Converts `value` to a float32 tensor. A tensor passed in gets a new handle
 * on the same memory (no copy), so the caller keeps ownership of its own
 * tensor and the result can be disposed independently. `owner` and `name` go
 * into the error message.
 *
 * Rejected with an `InvalidArgumentError`: `undefined`/`null` (a missing
 * argument), strings (also inside arrays: `["1", "2"]` is not coerced),
 * booleans, objects, ragged arrays, disposed tensors, non-numeric dtypes. With
 * `host`, every entry of a host value (number, array, typed array) must also
 * pass `host.element` (a tensor is not read: its values are checked only under
 * `validateArgs`).
 */
export function toFloat(value: TensorLike, name: string, owner: string, host?: HostCheck): tf.Tensor {
  if (value instanceof tf.Tensor) {
    if (value.isDisposed) {
      throw new InvalidArgumentError(`${owner}: ${name} is a disposed tensor (shape ${fmtShape(value.shape)}); pass a live tensor or a number`);
    }
    if (value.dtype === 'float32') return shapeHandle(value);
    if (value.dtype === 'int32' || value.dtype === 'bool') return tf.cast(value, 'float32');
    throw new InvalidArgumentError(`${owner}: ${name} must be a numeric tensor; got dtype ${value.dtype}`);
  }
  let flat: ArrayLike<number>;
  let shape: number[];
  if (typeof value === 'number') {
    flat = [value];
    shape = [];
  } else if (ArrayBuffer.isView(value) && !(value instanceof DataView) && !(value instanceof BigInt64Array) && !(value instanceof BigUint64Array)) {
    flat = value as unknown as ArrayLike<number>;
    shape = [flat.length];
  } else if (Array.isArray(value)) {
    const r = flattenNumbers(value);
    if ('bad' in r) {
      throw new InvalidArgumentError(
        `${owner}: ${name} must be a number, a nested array of numbers, a Float32Array or a tf.Tensor; ` +
          `entry ${fmtShape(r.badPath)} is ${describeValue(r.bad)}`,
      );
    }
    flat = r.flat;
    shape = [];
    let cur: unknown = value;
    while (Array.isArray(cur)) {
      shape.push(cur.length);
      cur = cur[0];
    }
    if (!isRectangular(value, shape, 0)) {
      throw new InvalidArgumentError(
        `${owner}: ${name} must be a nested array of numbers of rectangular shape; got a ragged array (${flat.length} numbers, first row shape ${fmtShape(shape)})`,
      );
    }
  } else {
    throw new InvalidArgumentError(
      `${owner}: ${name} must be a number, a nested array of numbers, a Float32Array or a tf.Tensor; got ${describeValue(value)}` +
        (value === undefined ? ` (is ${name} missing?)` : ''),
    );
  }
  if (host) {
    for (let i = 0; i < flat.length; i++) {
      const x = flat[i]!;
      if (!host.element(x)) {
        // The batch index of the event holding the bad entry, and the event's entries (as validateArgs reports them).
        const r = Math.min(host.eventRank ?? 0, shape.length);
        const inner = sizeOf(shape.slice(shape.length - r));
        const b = Math.floor(i / inner);
        const event = Array.from(flat).slice(b * inner, b * inner + Math.min(inner, 16));
        throw new InvalidArgumentError(
          `${owner}: parameter ${name} (shape ${fmtShape(shape)}) must be ${host.description}; ` +
            `found invalid value${inner > 1 ? 's' : ''} at batch index ${fmtShape(unravelIndex(b, shape.slice(0, shape.length - r)))}: ` +
            `${event.join(', ')}${inner > 16 ? ', ...' : ''}`,
        );
      }
    }
  }
  try {
    return tf.tensor(Float32Array.from(flat), shape, 'float32');
  } catch (e) {
    throw new InvalidArgumentError(`${owner}: ${name} could not be converted: ${(e as Error).message}`);
  }
}

/**
 * Checks a sampling seed: `undefined` (fresh randomness) or an integer. NaN,
 * fractions, strings and ±Infinity are errors (they used to act as seed 0).
 */
export function checkSeed(seed: unknown, owner: string): number | undefined {
  if (seed === undefined) return undefined;
  if (typeof seed !== 'number' || !Number.isInteger(seed)) {
    throw new InvalidArgumentError(
      `${owner}: seed must be an integer or undefined; got ${describeValue(seed)}`,
    );
  }
  return seed;
}

/** Broadcasts two static shapes (numpy rules) or returns null if they are incompatible. */
export function broadcastPair(a: readonly number[], b: readonly number[]): number[] | null {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else return null;
  }
  return out;
}

/**
 * Broadcasts named shapes; on failure throws an error naming `owner` and the
 * offending parameters.
 */
export function broadcastShapes(owner: string, shapes: ReadonlyArray<[string, readonly number[]]>): number[] {
  let out: number[] = [];
  let names: string[] = [];
  for (const [name, s] of shapes) {
    const next = broadcastPair(out, s);
    if (next === null) {
      throw new InvalidArgumentError(
        `${owner}: batch shapes do not broadcast: ${names.join(', ')} give ${fmtShape(out)} but ${name} has batch shape ${fmtShape(s)}`,
      );
    }
    out = next;
    names = [...names, name];
  }
  return out;
}

/** Product of the dimensions of a shape (1 for a scalar). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Normalizes a sample shape argument (`5` or `[2, 3]`) to an array of non-negative integers. */
export function asShape(sampleShape: number | readonly number[], owner: string): number[] {
  if (typeof sampleShape !== 'number' && !Array.isArray(sampleShape)) {
    throw new InvalidArgumentError(
      `${owner}: sampleShape must be a non-negative integer or an array of them; got ${describeValue(sampleShape)}`,
    );
  }
  const s = typeof sampleShape === 'number' ? [sampleShape] : [...sampleShape];
  for (const d of s) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new InvalidArgumentError(
        `${owner}: sampleShape must be a non-negative integer or an array of them; got ${JSON.stringify(sampleShape)}`,
      );
    }
  }
  return s;
}

/** True when two static shapes are equal. */
export function shapesEqual(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Derives `n` independent 32-bit seeds from one seed (a splitmix32-style
 * hash), so a distribution that draws from several random ops is still
 * reproducible from a single user seed. Returns `undefined`s when no seed was given.
 */
export function splitSeed(seed: number | undefined, n: number): Array<number | undefined> {
  if (seed === undefined) return new Array<undefined>(n).fill(undefined);
  checkSeed(seed, 'splitSeed');
  const out: number[] = [];
  let s = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    z = (z ^ (z >>> 16)) >>> 0;
    out.push(z);
  }
  return out;
}

/**
 * `fn(...inputs)` (a boolean mask or any other value) with a zero gradient for every input, the
 * comparison run out of the gradient tape. tfjs' comparison and logical ops (tf.less, tf.greater,
 * tf.logicalAnd, ...) have no gradients, so a branch mask computed from a differentiated tensor
 * makes the whole gradient throw; computed through here it does not.
 */
export function maskOf(fn: (...inputs: tf.Tensor[]) => tf.Tensor, ...inputs: tf.Tensor[]): tf.Tensor {
  const op = tf.customGrad((...args: unknown[]) => {
    const ts = args.slice(0, inputs.length) as tf.Tensor[];
    return { value: fn(...ts), gradFunc: () => ts.map((t) => tf.zerosLike(t)) };
  });
  return op(...inputs);
}
