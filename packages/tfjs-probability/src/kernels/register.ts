/**
 * Registers tfjs-probability's plain-loop kernels for the 'cpu' and 'wasm'
 * backends (forward only; gradients are registered by the ops that own the
 * math: src/math/linalg.ts and src/math/mvn_ops.ts). Registration is lazy
 * (`ensureKernels()` on first use), so no module needs a side-effect import.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, fmtShape } from '../errors.js';
import { memFor, sizeOf, wasmHeapOffset } from './backend_memory.js';
import { HALF_LOG_2PI } from './scalar_fns.js';
import { simdFor } from './wasm_simd.js';
import {
  broadcastMap,
  choleskyJs,
  mvnTrilLogProbGradJs,
  mvnTrilLogProbGradSharedJs,
  mvnTrilLogProbJs,
  mvnTrilLogProbSharedJs,
  mvnTrilSampleGradJs,
  mvnTrilSampleJs,
  mvnTrilSampleSuffixJs,
  triangularSolveJs,
} from './linalg_js.js';

export const CHOLESKY = 'TfpCholesky';
export const TRIANGULAR_SOLVE = 'TfpTriangularSolve';
export const MVN_TRIL_LOG_PROB = 'TfpMvnTrilLogProb';
export const MVN_TRIL_LOG_PROB_GRAD = 'TfpMvnTrilLogProbGrad';
export const MVN_TRIL_SAMPLE = 'TfpMvnTrilSample';
export const MVN_TRIL_SAMPLE_GRAD = 'TfpMvnTrilSampleGrad';

const BACKENDS = ['cpu', 'wasm'];
let enabled = true;
let registered = false;

/**
 * Turns the fast kernels off (true: on, the default) so the composed tf-op
 * implementations run on every backend; for tests and benchmarks.
 */
export function setKernelsEnabled(on: boolean): void {
  enabled = on;
}

/** True when the active backend should use the plain-loop kernels. */
export function useKernels(): boolean {
  if (!enabled) return false;
  const b = tf.getBackend();
  if (!BACKENDS.includes(b)) return false;
  ensureKernels();
  return true;
}

function bshape(a: readonly number[], b: readonly number[]): number[] {
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

type Info = tf.TensorInfo;
type Params = { inputs: Record<string, Info | undefined>; backend: unknown; attrs?: Record<string, unknown> };

function input(p: Params, name: string): Info {
  const t = p.inputs[name];
  if (!t) throw new Error(`tfp kernel: missing input ${name}`);
  return t;
}

function choleskyKernel(p: Params): Info {
  const a = input(p, 'a');
  const mem = memFor(p.backend);
  const n = a.shape[a.shape.length - 1]!;
  const batchShape = a.shape.slice(0, -2);
  const batch = sizeOf(batchShape);
  const out = mem.alloc(a.shape);
  const failed = choleskyJs(mem.view(a), mem.view(out), batch, n);
  if (failed >= 0) {
    mem.free(out);
    const where = batchShape.length ? ` at batch index ${failed} (${fmtShape(unravel(failed, batchShape))} of batch shape ${fmtShape(batchShape)})` : '';
    throw new InvalidArgumentError(
      `cholesky: matrix is not positive definite${where}; a must be symmetric positive definite [..., n, n] (got ${fmtShape(a.shape)})`,
    );
  }
  return out;
}

function triangularSolveKernel(p: Params): Info {
  const a = input(p, 'matrix');
  const b = input(p, 'rhs');
  const lower = p.attrs?.['lower'] !== false;
  const adjoint = p.attrs?.['adjoint'] === true;
  const n = a.shape[a.shape.length - 1]!;
  const m = b.shape[b.shape.length - 1]!;
  const aB = a.shape.slice(0, -2);
  const bB = b.shape.slice(0, -2);
  const outB = bshape(aB, bB);
  const batch = sizeOf(outB);
  const mem = memFor(p.backend);
  const out = mem.alloc([...outB, n, m]);
  triangularSolveJs(mem.view(a), mem.view(b), mem.view(out), batch, n, m, lower, adjoint, broadcastMap(outB, aB), broadcastMap(outB, bB));
  return out;
}

function mvnShapes(x: Info, loc: Info, l: Info) {
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

/**
 * The wasm SIMD path of the MVN log density (wasm backend, one scale per row, x and loc each
 * per row or one row for all): z and the per-row results in two scratch buffers of the heap,
 * one log per row here. Returns false where it does not apply (the JS loop runs instead).
 */
function mvnLogProbSimd(backend: unknown, x: Info, loc: Info, l: Info, out: Info, s: ReturnType<typeof mvnShapes>): boolean {
  const simd = simdFor(backend);
  const rowStride = (t: Info, own: number) => (sizeOf(t.shape.slice(0, -1)) === s.batch ? own : sizeOf(t.shape.slice(0, -1)) === 1 ? 0 : -1);
  const xs = rowStride(x, s.d);
  const ms = rowStride(loc, s.d);
  if (simd === null || s.nL !== s.batch || xs < 0 || ms < 0 || s.batch === 0) return false;
  const mem = memFor(backend);
  // Float64 scratch: z [d] and per-row (partial log density, diagonal product mantissa).
  const zBuf = mem.alloc([2 * s.d], false);
  const resBuf = mem.alloc([4 * s.batch], false);
  try {
    const res = wasmHeapOffset(backend, resBuf);
    const z = wasmHeapOffset(backend, zBuf);
    if (res % 8 !== 0 || z % 8 !== 0) return false;
    simd.mvn_tril_logprob(
      wasmHeapOffset(backend, x), xs, wasmHeapOffset(backend, loc), ms, wasmHeapOffset(backend, l), s.d * s.d,
      res, s.batch, s.d, z, s.d * HALF_LOG_2PI,
    );
    const r = new Float64Array(mem.view(resBuf).buffer, res, 2 * s.batch);
    const o = mem.view(out);
    for (let t = 0; t < s.batch; t++) o[t] = r[2 * t]! - Math.log(r[2 * t + 1]!);
    return true;
  } finally {
    mem.free(zBuf);
    mem.free(resBuf);
  }
}

function mvnLogProbKernel(p: Params): Info {
  const x = input(p, 'x');
  const loc = input(p, 'loc');
  const l = input(p, 'scaleTril');
  const s = mvnShapes(x, loc, l);
  const mem = memFor(p.backend);
  const out = mem.alloc(s.outB);
  if (s.nL === 1 && s.batch > 1) {
    mvnTrilLogProbSharedJs(mem.view(x), mem.view(loc), mem.view(l), mem.view(out), s.batch, s.d, s.xMap, s.locMap);
  } else if (mvnLogProbSimd(p.backend, x, loc, l, out, s)) {
    // done in the wasm heap with SIMD dot products
  } else {
    mvnTrilLogProbJs(mem.view(x), mem.view(loc), mem.view(l), mem.view(out), s.batch, s.d, s.xMap, s.locMap, s.lMap, s.nL);
  }
  return out;
}

/**
 * Accumulation target for a gradient of an operand: the output array itself
 * when no batch reduction happens (each element written by one row), else a
 * float64 buffer copied out at the end.
 */
function accum(size: number, reduced: boolean): Float64Array | null {
  return reduced ? new Float64Array(size) : null;
}

function mvnLogProbGradKernel(p: Params): Info[] {
  const x = input(p, 'x');
  const loc = input(p, 'loc');
  const l = input(p, 'scaleTril');
  const dy = input(p, 'dy');
  const s = mvnShapes(x, loc, l);
  const mem = memFor(p.backend);
  const dxI = mem.alloc(x.shape);
  const dlocI = mem.alloc(loc.shape);
  const dlI = mem.alloc(l.shape);
  const xs = sizeOf(x.shape), ls = sizeOf(loc.shape), lls = sizeOf(l.shape);
  const ax = accum(xs, xs !== s.batch * s.d);
  const aloc = accum(ls, ls !== s.batch * s.d);
  const al = accum(lls, lls !== s.batch * s.d * s.d);
  const dxV = mem.view(dxI), dlocV = mem.view(dlocI), dlV = mem.view(dlI);
  if (s.nL === 1 && s.batch > 1) {
    mvnTrilLogProbGradSharedJs(
      mem.view(x), mem.view(loc), mem.view(l), mem.view(dy), ax ?? dxV, aloc ?? dlocV, al ?? dlV,
      s.batch, s.d, s.xMap, s.locMap,
    );
  } else {
    mvnTrilLogProbGradJs(
      mem.view(x), mem.view(loc), mem.view(l), mem.view(dy),
      ax ?? dxV, aloc ?? dlocV, al ?? dlV,
      s.batch, s.d, s.xMap, s.locMap, s.lMap, s.nL,
    );
  }
  if (ax) dxV.set(ax);
  if (aloc) dlocV.set(aloc);
  if (al) dlV.set(al);
  return [dxI, dlocI, dlI];
}

function sampleShapes(loc: Info, l: Info, eps: Info) {
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
function suffixRows(outB: readonly number[], inB: readonly number[]): number {
  const lead = inB.length - outB.length;
  for (let k = 0; k < inB.length; k++) {
    const o = k - lead < 0 ? 1 : outB[k - lead]!;
    if (inB[k] !== o && !(inB[k] === 1 && inB.slice(0, k + 1).every((e) => e === 1))) return -1;
  }
  return sizeOf(inB);
}

function mvnSampleKernel(p: Params): Info {
  const loc = input(p, 'loc');
  const l = input(p, 'scaleTril');
  const eps = input(p, 'eps');
  const d = l.shape[l.shape.length - 1]!;
  const outB = bshape(bshape(eps.shape.slice(0, -1), loc.shape.slice(0, -1)), l.shape.slice(0, -2));
  const rows = [suffixRows(outB, loc.shape.slice(0, -1)), suffixRows(outB, l.shape.slice(0, -2)), suffixRows(outB, eps.shape.slice(0, -1))];
  const mem = memFor(p.backend);
  if (rows.every((r) => r > 0)) {
    const out = mem.alloc([...outB, d], false);
    mvnTrilSampleSuffixJs(mem.view(loc), mem.view(l), mem.view(eps), mem.view(out), sizeOf(outB), d, rows[0]!, rows[1]!, rows[2]!);
    return out;
  }
  const s = sampleShapes(loc, l, eps);
  const out = mem.alloc([...s.outB, s.d]);
  mvnTrilSampleJs(mem.view(loc), mem.view(l), mem.view(eps), mem.view(out), s.batch, s.d, s.locMap, s.lMap, s.epsMap);
  return out;
}

function mvnSampleGradKernel(p: Params): Info[] {
  const loc = input(p, 'loc');
  const l = input(p, 'scaleTril');
  const eps = input(p, 'eps');
  const dy = input(p, 'dy');
  const s = sampleShapes(loc, l, eps);
  const mem = memFor(p.backend);
  const dlocI = mem.alloc(loc.shape);
  const dlI = mem.alloc(l.shape);
  const depsI = mem.alloc(eps.shape);
  const ls = sizeOf(loc.shape), lls = sizeOf(l.shape), es = sizeOf(eps.shape);
  const aloc = accum(ls, ls !== s.batch * s.d);
  const al = accum(lls, lls !== s.batch * s.d * s.d);
  const ae = accum(es, es !== s.batch * s.d);
  const dlocV = mem.view(dlocI), dlV = mem.view(dlI), depsV = mem.view(depsI);
  mvnTrilSampleGradJs(
    mem.view(l), mem.view(eps), mem.view(dy), aloc ?? dlocV, al ?? dlV, ae ?? depsV,
    s.batch, s.d, s.locMap, s.lMap, s.epsMap,
  );
  if (aloc) dlocV.set(aloc);
  if (al) dlV.set(al);
  if (ae) depsV.set(ae);
  return [dlocI, dlI, depsI];
}

/** Registers the kernels for cpu and wasm once. */
export function ensureKernels(): void {
  if (registered) return;
  registered = true;
  const kernels: Array<[string, (p: Params) => Info | Info[]]> = [
    [CHOLESKY, choleskyKernel],
    [TRIANGULAR_SOLVE, triangularSolveKernel],
    [MVN_TRIL_LOG_PROB, mvnLogProbKernel],
    [MVN_TRIL_LOG_PROB_GRAD, mvnLogProbGradKernel],
    [MVN_TRIL_SAMPLE, mvnSampleKernel],
    [MVN_TRIL_SAMPLE_GRAD, mvnSampleGradKernel],
  ];
  for (const backendName of BACKENDS) {
    for (const [kernelName, fn] of kernels) {
      if (tf.getKernel(kernelName, backendName)) continue;
      tf.registerKernel({ kernelName, backendName, kernelFunc: fn as unknown as tf.KernelFunc });
    }
  }
}
