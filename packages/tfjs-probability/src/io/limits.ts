/**
 * Resource bounds and value checks of `loadModel` / `saveModel`: a model file is untrusted
 * input, so its size, its nesting, the weight bytes it declares and the number of files it
 * lists are bounded before anything is allocated, and weights that are not finite are reported
 * by name. Every bound is an option (`LoadLimits`) that a user with a larger model raises.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';

/** Bounds on what `loadModel` reads (each may be raised for a larger model). */
export interface LoadLimits {
  /** Largest `model.json` accepted, in bytes (default 64 MiB). */
  maxModelJsonBytes?: number;
  /** Deepest nesting of objects and arrays in `model.json` (default 500). */
  maxJsonDepth?: number;
  /** Largest total of weight bytes the manifest may declare (default 2 GiB). */
  maxWeightBytes?: number;
  /** Most weights files the manifest may list (default 10,000); a file listed twice is an error. */
  maxWeightFiles?: number;
  /** http(s) loads: milliseconds without completing a response before it is aborted (default 60,000). */
  timeoutMs?: number;
  /** Accept weights holding NaN or ±Infinity (default false: such a model is refused, naming the weights). */
  allowNonFinite?: boolean;
}

export const DEFAULT_LIMITS: Required<LoadLimits> = {
  maxModelJsonBytes: 64 * 1024 * 1024,
  maxJsonDepth: 500,
  maxWeightBytes: 2 * 1024 * 1024 * 1024,
  maxWeightFiles: 10_000,
  timeoutMs: 60_000,
  allowNonFinite: false,
};

/** The limits in `options` over the defaults; a bad value is an error naming the option. */
export function resolveLimits(options: LoadLimits = {}, what = 'loadModel'): Required<LoadLimits> {
  const out = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as Array<keyof LoadLimits>) {
    const v = options[key];
    if (v === undefined) continue;
    if (key === 'allowNonFinite') {
      if (typeof v !== 'boolean') throw new InvalidArgumentError(`${what}: option allowNonFinite must be true or false; got ${JSON.stringify(v)}`);
      out.allowNonFinite = v;
    } else {
      if (typeof v !== 'number' || !(v > 0)) throw new InvalidArgumentError(`${what}: option ${key} must be a positive number; got ${String(v)}`);
      (out as Record<string, unknown>)[key] = v;
    }
  }
  return out;
}

/**
 * The nesting depth of JSON text, scanned without parsing (strings skipped), stopping as soon
 * as it passes `max`: returns the byte offset where it did, or -1.
 */
export function jsonTooDeep(text: string, max: number): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91 /* { [ */) {
      if (++depth > max) return i;
    } else if (c === 125 || c === 93) depth--;
  }
  return -1;
}

/** The same bound on a parsed value (for handlers that parse themselves), iteratively. */
export function checkDepth(value: unknown, max: number, what: string): void {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > max) throw new InvalidArgumentError(`${what} nests objects and arrays more than ${max} deep (option maxJsonDepth)`);
    for (const child of Object.values(v as object)) if (child !== null && typeof child === 'object') stack.push([child, d + 1]);
  }
}

/**
 * Throws naming every weight (up to five) of `specs` whose float values in `data` include NaN
 * or ±Infinity; `action` says what was refused and how to allow it.
 */
export function checkFiniteWeights(specs: readonly tf.io.WeightsManifestEntry[] | undefined, data: tf.io.WeightData | undefined, what: string, action: string): void {
  if (!specs || data === undefined) return;
  const buf = tf.io.CompositeArrayBuffer.join(data);
  const bad: string[] = [];
  let off = 0;
  for (const s of specs) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const bytes = n * (s.dtype === 'float32' || s.dtype === 'int32' ? 4 : s.dtype === 'bool' ? 1 : 4);
    if (s.dtype === 'float32' && s.quantization === undefined && off + bytes <= buf.byteLength) {
      const v = off % 4 === 0 ? new Float32Array(buf, off, n) : new Float32Array(buf.slice(off, off + bytes));
      let nan = 0;
      let inf = 0;
      for (let i = 0; i < n; i++) {
        const x = v[i]!;
        if (x !== x) nan++;
        else if (x === Infinity || x === -Infinity) inf++;
      }
      if (nan + inf > 0) bad.push(`'${s.name}' (${nan} NaN, ${inf} infinite of ${n})`);
    }
    if (s.quantization !== undefined) break; // offsets of quantized weights differ; the float weights before them were checked
    off += bytes;
  }
  if (bad.length > 0) {
    const shown = bad.slice(0, 5).join(', ') + (bad.length > 5 ? ` and ${bad.length - 5} more` : '');
    throw new InvalidArgumentError(`${what}: weights ${shown} are not finite; ${action}`);
  }
}
