/**
 * Matrix products on the wasm backend through simd.wat's `gemm` (4×8 register tiles, B read in
 * place) instead of XNNPACK, whose fully-connected operator packs B on every call whose B is
 * new, which in training is every call (the weights change each step): 128×128×128 in ~83 µs
 * against ~140 µs, ~50 GFLOP/s on one thread. Each output is the same in-order float32 sum as
 * XNNPACK's (identical bits in the tests). Used for float32 products without batch (or batch
 * 1) whose B fits in cache (K·N ≤ 2¹⁸ floats); larger ones, and a wasm backend whose XNNPACK
 * pool has several threads (tfjs' threaded build in a cross-origin-isolated page; measured here,
 * on 2 cores, its pool stayed at 1 thread), keep tfjs' kernel. Transpose flags are applied by the SIMD
 * transpose first (reading a transposed A in place measured no faster).
 */
import * as tf from '@tensorflow/tfjs';
import { sizeOf, wasmHeapOffset, wasmThreadsCount } from './backend_memory.js';
import { simdFor } from './wasm_simd.js';

interface WasmBackend {
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
}

/** Largest K·N (floats of B) sent to the SIMD kernel: 1 MB, so B stays in L2 while the tiles stream over it. */
export const GEMM_MAX_B = 1 << 18;

/**
 * `op(a)·op(b)` (+ bias [n], then relu) for float32 a, b of rank ≥ 2 with batch size 1, on the
 * wasm heap; null where it does not apply (then the caller runs tfjs' kernel).
 */
export function wasmGemm(
  backend: unknown, a: tf.TensorInfo, b: tf.TensorInfo, transposeA: boolean, transposeB: boolean,
  bias: tf.TensorInfo | null = null, relu = false,
): tf.TensorInfo | null {
  const simd = simdFor(backend);
  if (simd === null || wasmThreadsCount(backend) > 1 || a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  const ar = a.shape.length;
  const br = b.shape.length;
  if (ar < 2 || br < 2 || sizeOf(a.shape.slice(0, -2)) !== 1 || sizeOf(b.shape.slice(0, -2)) !== 1) return null;
  const m = transposeA ? a.shape[ar - 1]! : a.shape[ar - 2]!;
  const k = transposeA ? a.shape[ar - 2]! : a.shape[ar - 1]!;
  const kb = transposeB ? b.shape[br - 1]! : b.shape[br - 2]!;
  const n = transposeB ? b.shape[br - 2]! : b.shape[br - 1]!;
  if (k !== kb || m === 0 || n === 0 || k === 0 || k * n > GEMM_MAX_B) return null;
  if (bias !== null && (bias.dtype !== 'float32' || bias.shape.length !== 1 || bias.shape[0] !== n)) return null;
  const w = backend as WasmBackend;
  const batch = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const temps: tf.TensorInfo[] = [];
  const plain = (t: tf.TensorInfo, flip: boolean, rows: number, cols: number): number => {
    if (!flip) return wasmHeapOffset(backend, t);
    // t holds [cols, rows]; its transpose [rows, cols] in a temporary.
    const tmp = w.makeOutput([rows, cols], 'float32');
    temps.push(tmp);
    simd.transpose_f32(wasmHeapOffset(backend, t), wasmHeapOffset(backend, tmp), cols, rows);
    return wasmHeapOffset(backend, tmp);
  };
  try {
    const pa = plain(a, transposeA, m, k);
    const pb = plain(b, transposeB, k, n);
    const out = w.makeOutput([...batch, m, n], 'float32');
    simd.gemm(pa, pb, wasmHeapOffset(backend, out), m, k, n, bias === null ? 0 : wasmHeapOffset(backend, bias), relu ? 1 : 0);
    return out;
  } finally {
    for (const t of temps) w.disposeData(t.dataId, true);
  }
}
