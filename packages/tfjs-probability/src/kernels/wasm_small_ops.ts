/**
 * Plain-loop replacements for three wasm kernels whose fixed per-call cost dominates on the
 * small tensors of a training batch (part of the fast defaults, see defaults.ts):
 *
 * - `GatherV2` along axis 0 (what `model.fit` runs twice per batch to take the batch's rows of
 *   x and y): tfjs' wasm kernel copies the indices out of the heap, builds a closure per index
 *   for its bounds check and marshals shape arrays into wasm; here one loop copies the rows.
 * - `Sum` over axis 0 of a matrix (every Dense layer's bias gradient): tfjs' wasm kernel
 *   transposes the matrix first; here one pass adds the rows (in float64, rounded once).
 * - `Transpose` of a matrix (the explicit transposes of the wasm matMul default, every Dense
 *   backward pass): one copy loop, about twice as fast as tfjs' kernel at 128x128.
 *
 * Other cases (other axes, dtypes, batch dims) run tfjs' own kernels. Same values (the sum up
 * to float32 summation order); the same out-of-range error for a bad index.
 */
import * as tf from '@tensorflow/tfjs';

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
  const xv = w.typedArrayFromHeap(x);
  const ov = w.typedArrayFromHeap(out);
  for (let r = 0; r < m; r++) {
    const base = r * n;
    for (let c = 0; c < n; c++) ov[c * m + r] = xv[base + c]!;
  }
  return out;
}

/** Installs the three wasm replacements (idempotent). */
export function enableWasmSmallOps(): void {
  if (originals) return;
  const gather = tf.getKernel('GatherV2', 'wasm');
  const sum = tf.getKernel('Sum', 'wasm');
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (!gather || !sum || !transpose) return;
  originals = [gather, sum, transpose];
  for (const [orig, f] of [[gather, gatherRows], [sum, sumRows], [transpose, transpose2d]] as const) {
    tf.unregisterKernel(orig.kernelName, 'wasm');
    tf.registerKernel({ ...orig, kernelFunc: (args) => f(args, orig) });
  }
}

/** Restores tfjs' own wasm GatherV2, Sum and Transpose. */
export function disableWasmSmallOps(): void {
  if (!originals) return;
  for (const k of originals) {
    tf.unregisterKernel(k.kernelName, 'wasm');
    tf.registerKernel(k);
  }
  originals = null;
}
