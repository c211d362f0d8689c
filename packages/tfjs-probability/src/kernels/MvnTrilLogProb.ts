/**
 * `TfpMvnTrilLogProb`: the log density of `x [..., d]` under MVN(loc, scaleTril L), by forward substitution in float64 (a SIMD path on wasm).
 */
import { memFor, sizeOf, wasmHeapOffset } from './backend_memory.js';
import { MVN_TRIL_LOG_PROB } from './kernel_names.js';
import { type Info, type KernelSpec, type Params, asKernelFunc, input, mvnShapes } from './kernel_utils.js';
import { mvnTrilLogProbJs, mvnTrilLogProbSharedJs } from './linalg_js.js';
import { HALF_LOG_2PI } from './scalar_fns.js';
import { simdFor } from './wasm_simd.js';


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

export const mvnTrilLogProbConfig: KernelSpec = { kernelName: MVN_TRIL_LOG_PROB, kernelFunc: asKernelFunc(mvnLogProbKernel) };
