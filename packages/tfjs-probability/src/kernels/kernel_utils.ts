/**
 * What the kernel files share: the backend-independent kernel config (registered for cpu and
 * wasm by register_all.ts), input access, and batch-shape broadcasting.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, fmtShape } from '../errors.js';
import { sizeOf } from './backend_memory.js';
import { broadcastMap } from './linalg_js.js';

/** A kernel config without its backend: register_all.ts registers it for each backend in `backends` (default cpu and wasm). */
export interface KernelSpec {
  kernelName: string;
  kernelFunc: tf.KernelFunc;
  backends?: readonly string[];
}

export type Info = tf.TensorInfo;
export type Params = { inputs: Record<string, Info | undefined>; backend: unknown; attrs?: Record<string, unknown> };

/** A kernel function over `Params` as tfjs' `KernelFunc`. */
export const asKernelFunc = (f: (p: Params) => Info | Info[]): tf.KernelFunc => f as unknown as tf.KernelFunc;

export function input(p: Params, name: string): Info {
  const t = p.inputs[name];
  if (!t) throw new Error(`tfp kernel: missing input ${name}`);
  return t;
}

export function bshape(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new InvalidArgumentError(`batch shapes ${fmtShape(a)} and ${fmtShape(b)} do not broadcast`);
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Multi-index of flat index `i` in `shape` (for error messages). */
export function unravel(i: number, shape: readonly number[]): number[] {
  const out: number[] = [];
  for (let k = shape.length - 1; k >= 0; k--) {
    const d = shape[k]!;
    out.unshift(i % d);
    i = Math.floor(i / d);
  }
  return out;
}

/**
 * Accumulation target for a gradient of an operand: the output array itself
 * when no batch reduction happens (each element written by one row), else a
 * float64 buffer copied out at the end.
 */
export function accum(size: number, reduced: boolean): Float64Array | null {
  return reduced ? new Float64Array(size) : null;
}

export function mvnShapes(x: Info, loc: Info, l: Info) {
  const d = l.shape[l.shape.length - 1]!;
  const xB = x.shape.slice(0, -1);
  const locB = loc.shape.slice(0, -1);
  const lB = l.shape.slice(0, -2);
  const outB = bshape(bshape(xB, locB), lB);
  return {
    d,
    outB,
    batch: sizeOf(outB),
    xMap: broadcastMap(outB, xB),
    locMap: broadcastMap(outB, locB),
    lMap: broadcastMap(outB, lB),
    nL: sizeOf(lB),
  };
}

export function sampleShapes(loc: Info, l: Info, eps: Info) {
  const d = l.shape[l.shape.length - 1]!;
  const locB = loc.shape.slice(0, -1);
  const lB = l.shape.slice(0, -2);
  const eB = eps.shape.slice(0, -1);
  const outB = bshape(bshape(eB, locB), lB);
  return {
    d, outB, batch: sizeOf(outB),
    locMap: broadcastMap(outB, locB), lMap: broadcastMap(outB, lB), epsMap: broadcastMap(outB, eB),
  };
}


/** Rows of an operand of batch `inB` when it is a trailing part of `outB` (leading 1s allowed), else -1. */
export function suffixRows(outB: readonly number[], inB: readonly number[]): number {
  const lead = inB.length - outB.length;
  for (let k = 0; k < inB.length; k++) {
    const o = k - lead < 0 ? 1 : outB[k - lead]!;
    if (inB[k] !== o && !(inB[k] === 1 && inB.slice(0, k + 1).every((e) => e === 1))) return -1;
  }
  return sizeOf(inB);
}
