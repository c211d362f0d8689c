/**
 * Direct access to tensor memory on the two JS-side backends, so a kernel can
 * be a plain loop over Float32Arrays:
 * - wasm (BackendWasm): tensors live in the wasm heap; `typedArrayFromHeap`
 *   gives a view without copying, `makeOutput` allocates an output there.
 *   Views are invalidated when the heap grows, so a kernel allocates all of
 *   its outputs first and only then takes views (see `Mem.views`).
 * - cpu (MathBackendCPU): `backend.data.get(dataId).values` is the array
 *   itself; `makeTensorInfo(shape, dtype, values)` adopts a new array.
 */
import type * as tf from '@tensorflow/tfjs';

type TensorInfo = tf.TensorInfo;

interface WasmLike {
  typedArrayFromHeap(t: TensorInfo): Float32Array;
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
}
interface CpuLike {
  data: { get(dataId: object): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: 'float32', values?: Float32Array): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
}

/** Kernel-side memory access for one backend instance. */
export interface Mem {
  /** Allocates a float32 output, zero-filled unless `zero` is false (then every element must be written). */
  alloc(shape: number[], zero?: boolean): TensorInfo;
  /** Float32 views of the given tensors (take them after the last `alloc`). */
  view(t: TensorInfo): Float32Array;
  /** Releases an output allocated here (on an error path). */
  free(t: TensorInfo): void;
}

/** Number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  let s = 1;
  for (const d of shape) s *= d;
  return s;
}

/** True for the wasm backend (its tensors live in the wasm heap). */
export function isWasmBackend(backend: unknown): boolean {
  return typeof (backend as Partial<WasmLike>).typedArrayFromHeap === 'function';
}

export function memFor(backend: unknown): Mem {
  const b = backend as Partial<WasmLike & CpuLike>;
  if (typeof b.typedArrayFromHeap === 'function' && typeof b.makeOutput === 'function') {
    const w = b as WasmLike;
    return {
      alloc(shape, zero = true) {
        const info = w.makeOutput(shape, 'float32');
        // wasm malloc does not zero memory.
        if (zero) w.typedArrayFromHeap(info).fill(0);
        return info;
      },
      view: (t) => {
        if (t.dtype !== 'float32') throw new Error(`tfp kernel: expected a float32 tensor, got ${t.dtype}`);
        return w.typedArrayFromHeap(t);
      },
      free: (t) => void w.disposeData(t.dataId, true),
    };
  }
  if (b.data && typeof b.makeTensorInfo === 'function') {
    const c = b as CpuLike;
    return {
      alloc: (shape) => c.makeTensorInfo(shape, 'float32', new Float32Array(sizeOf(shape))),
      view: (t) => {
        const v = c.data.get(t.dataId).values;
        if (!(v instanceof Float32Array)) throw new Error(`tfp kernel: expected float32 values on the cpu backend`);
        return v.length === sizeOf(t.shape) ? v : v.subarray(0, sizeOf(t.shape));
      },
      free: (t) => void c.disposeData(t.dataId, true),
    };
  }
  throw new Error('tfp kernel: unsupported backend (expected cpu or wasm)');
}

interface WasmInternals {
  wasm?: { asm?: { memory?: unknown }; wasmMemory?: unknown; tfjs?: { getThreadsCount?: () => number } };
  dataIdMap?: { get(dataId: object): { memoryOffset: number } | undefined };
}

/** The wasm backend's `WebAssembly.Memory` (its heap), or null for any other backend. tfjs-internal. */
export function wasmHeapMemory(backend: unknown): WebAssembly.Memory | null {
  const w = (backend as WasmInternals).wasm;
  const m = w?.asm?.memory ?? w?.wasmMemory;
  return typeof WebAssembly !== 'undefined' && m instanceof WebAssembly.Memory ? m : null;
}

/** Byte offset of a tensor's data in the wasm heap (wasm backend only). tfjs-internal. */
export function wasmHeapOffset(backend: unknown, t: TensorInfo): number {
  const entry = (backend as WasmInternals).dataIdMap?.get(t.dataId as object);
  if (!entry) throw new Error('tfp kernel: tensor data not found in the wasm heap');
  return entry.memoryOffset;
}

/** Threads of the wasm backend's XNNPACK pool (1 for the plain build, or when its pool has no workers). tfjs-internal. */
export function wasmThreadsCount(backend: unknown): number {
  const n = (backend as WasmInternals).wasm?.tfjs?.getThreadsCount?.();
  return typeof n === 'number' && n > 0 ? n : 1;
}
