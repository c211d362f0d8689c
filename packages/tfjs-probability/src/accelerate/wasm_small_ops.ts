/**
 * Plain-loop replacements for four wasm kernels whose fixed per-call cost dominates on the
 * small tensors of a training batch (part of the fast defaults, see defaults.ts):
 *
 * - `GatherV2` along axis 0 (what `model.fit` runs twice per batch to take the batch's rows of
 *   x and y): tfjs' wasm kernel copies the indices out of the heap, builds a closure per index
 *   for its bounds check and marshals shape arrays into wasm; here one loop copies the rows.
 * - `Sum` over axis 0 of a matrix (every Dense layer's bias gradient): tfjs' wasm kernel
 *   transposes the matrix first; here one pass adds the rows (in float64, rounded once).
 * - `Transpose` of a matrix (the explicit transposes of the wasm matMul default, every Dense
 *   backward pass): one copy loop, about twice as fast as tfjs' kernel at 128x128.
 * - `Slice` of rank 1 and 2 (fit's batch indices, the targets' columns): views of the heap
 *   instead of tfjs' copy of the whole input.
 *
 * Other cases (other axes, dtypes, batch dims) run tfjs' own kernels. Same values (the sum up
 * to float32 summation order); the same out-of-range error for a bad index.
 */
import * as tf from '@tensorflow/tfjs';
import { wasmHeapOffset } from '../kernels/backend_memory.js';
import { simdFor } from '../kernels/wasm_simd.js';

interface WasmLike {
  makeOutput(shape: number[], dtype: string): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

let originals: tf.KernelConfig[] | null = null;

function gatherRows(args: Parameters<tf.KernelFunc>[0], orig: tf.KernelConfig): tf.TensorInfo | tf.TensorInfo[] {
  const { x, indices } = args.inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
  const { axis, batchDims } = args.attrs as { axis: number; batchDims: number };
  const ax = axis < 0 ? axis + x.shape.length : axis;
  if (ax !== 0 || (batchDims ?? 0) !== 0 || x.shape.length < 1 || indices.dtype !== 'int32' || (x.dtype !== 'float32' && x.dtype !== 'int32')) {
    return orig.kernelFunc(args);
  }
  const w = args.backend as unknown as WasmLike;
  const rows = x.shape[0]!;
  const rowSize = x.shape.slice(1).reduce((a, b) => a * b, 1);
  const out = w.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype);
  // Views after the last allocation (a heap growth detaches earlier views).
  const xv = w.typedArrayFromHeap(x);
  const iv = w.typedArrayFromHeap(indices) as Int32Array;
  const ov = w.typedArrayFromHeap(out);
  for (let r = 0; r < iv.length; r++) {
    const i = iv[r]!;
    if (!(i >= 0 && i < rows)) {
      (args.backend as unknown as { disposeData(id: object, force?: boolean): void }).disposeData(out.dataId, true);
      throw new Error(`GatherV2: the index value ${i} is not in [0, ${rows - 1}]`);
    }
    if (rowSize <= 256) {
      // A plain copy: a subarray view per row costs more than the copy at these sizes.
      const src = i * rowSize;
      const dst = r * rowSize;
      for (let j = 0; j < rowSize; j++) ov[dst + j] = xv[src + j]!;
    } else {
      ov.set(xv.subarray(i * rowSize, (i + 1) * rowSize), r * rowSize);
    }
  }
  return out;
}

function sumRows(args: Parameters<tf.KernelFunc>[0], orig: tf.KernelConfig): tf.TensorInfo | tf.TensorInfo[] {
  const { x } = args.inputs as { x: tf.TensorInfo };
  const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
  const axes = Array.isArray(axis) ? axis : [axis];
  if (x.dtype !== 'float32' || x.shape.length !== 2 || keepDims || axes.length !== 1 || (axes[0] !== 0 && axes[0] !== -2)) {
    return orig.kernelFunc(args);
  }
  const w = args.backend as unknown as WasmLike;
  const [m, n] = x.shape as [number, number];
  const out = w.makeOutput([n], 'float32');
  const simd = simdFor(args.backend);
  if (simd) {
    simd.sum_rows_f32(wasmHeapOffset(args.backend, x), wasmHeapOffset(args.backend, out), m, n);
    return out;
  }
  const xv = w.typedArrayFromHeap(x) as Float32Array;
  const ov = w.typedArrayFromHeap(out) as Float32Array;
  // Four columns at a time down the rows, each in a float64 accumulator (rounded once).
  let c = 0;
  for (; c + 4 <= n; c += 4) {
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    for (let r = 0, i = c; r < m; r++, i += n) {
      a0 += xv[i]!;
      a1 += xv[i + 1]!;
      a2 += xv[i + 2]!;
      a3 += xv[i + 3]!;
    }
    ov[c] = a0;
    ov[c + 1] = a1;
    ov[c + 2] = a2;
    ov[c + 3] = a3;
  }
  for (; c < n; c++) {
    let a = 0;
    for (let r = 0, i = c; r < m; r++, i += n) a += xv[i]!;
    ov[c] = a;
  }
  return out;
}

/** `Transpose` of a float32/int32 matrix (perm [1, 0]): a plain loop, ~2x tfjs' wasm kernel at 128x128. */
function transpose2d(args: Parameters<tf.KernelFunc>[0], orig: tf.KernelConfig): tf.TensorInfo | tf.TensorInfo[] {
  const { x } = args.inputs as { x: tf.TensorInfo };
  const { perm } = args.attrs as { perm: number[] };
  if (x.shape.length !== 2 || perm[0] !== 1 || perm[1] !== 0 || (x.dtype !== 'float32' && x.dtype !== 'int32')) {
    return orig.kernelFunc(args);
  }
  const w = args.backend as unknown as WasmLike;
  const [m, n] = x.shape as [number, number];
  const out = w.makeOutput([n, m], x.dtype);
  const simd = simdFor(args.backend);
  if (simd) {
    // 4x4 blocks in SIMD registers (the same bits for float32 and int32).
    simd.transpose_f32(wasmHeapOffset(args.backend, x), wasmHeapOffset(args.backend, out), m, n);
    return out;
  }
  const xv = w.typedArrayFromHeap(x);
  const ov = w.typedArrayFromHeap(out);
  for (let r = 0; r < m; r++) {
    const base = r * n;
    for (let c = 0; c < n; c++) ov[c * m + r] = xv[base + c]!;
  }
  return out;
}

/**
 * `Slice` of a float32/int32 tensor of rank 1 or 2 from views of the heap: tfjs' wasm kernel first
 * copies the whole input out of the heap (`readSync`), ~20 µs for the [10000] index array or
 * a [128, 60] batch that `model.fit` slices every batch.
 */
function slice12(args: Parameters<tf.KernelFunc>[0], orig: tf.KernelConfig): tf.TensorInfo | tf.TensorInfo[] {
  const { x } = args.inputs as { x: tf.TensorInfo };
  const { begin, size } = args.attrs as { begin: number | number[]; size?: number | number[] };
  const rank = x.shape.length;
  if ((rank !== 1 && rank !== 2) || (x.dtype !== 'float32' && x.dtype !== 'int32')) return orig.kernelFunc(args);
  // tfjs' own reading of begin/size (-1, missing sizes, scalars), so the cases agree exactly.
  const [start, len] = tf.slice_util.parseSliceParams(x as unknown as tf.Tensor, begin, size) as [number[], number[]];
  const w = args.backend as unknown as WasmLike;
  const out = w.makeOutput(len, x.dtype);
  const xv = w.typedArrayFromHeap(x);
  const ov = w.typedArrayFromHeap(out);
  if (rank === 1) {
    ov.set(xv.subarray(start[0]!, start[0]! + len[0]!));
    return out;
  }
  const n = x.shape[1]!;
  const [r0, c0] = start as [number, number];
  const [rows, cols] = len as [number, number];
  if (cols === n) {
    ov.set(xv.subarray(r0 * n, (r0 + rows) * n));
    return out;
  }
  for (let r = 0; r < rows; r++) {
    const src = (r0 + r) * n + c0;
    const dst = r * cols;
    for (let c = 0; c < cols; c++) ov[dst + c] = xv[src + c]!;
  }
  return out;
}

/** Installs the wasm replacements (idempotent). */
export function enableWasmSmallOps(): void {
  if (originals) return;
  const gather = tf.getKernel('GatherV2', 'wasm');
  const sum = tf.getKernel('Sum', 'wasm');
  const transpose = tf.getKernel('Transpose', 'wasm');
  const slice = tf.getKernel('Slice', 'wasm');
  if (!gather || !sum || !transpose || !slice) return;
  originals = [gather, sum, transpose, slice];
  for (const [orig, f] of [[gather, gatherRows], [sum, sumRows], [transpose, transpose2d], [slice, slice12]] as const) {
    tf.unregisterKernel(orig.kernelName, 'wasm');
    tf.registerKernel({ ...orig, kernelFunc: (args) => f(args, orig) });
  }
}

/** Restores tfjs' own wasm GatherV2, Sum, Transpose and Slice. */
export function disableWasmSmallOps(): void {
  if (!originals) return;
  for (const k of originals) {
    tf.unregisterKernel(k.kernelName, 'wasm');
    tf.registerKernel(k);
  }
  originals = null;
}
