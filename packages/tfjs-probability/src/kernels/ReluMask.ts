/**
 * `TfpReluMask`: `dy · [y > 0]` from a relu layer's saved output `y` (the Dense gradient's
 * first step): one SIMD pass on wasm with SIMD, wasm's own Step and Multiply otherwise, a
 * plain loop on cpu.
 */
import * as tf from '@tensorflow/tfjs';
import { isWasmBackend, memFor, sizeOf, wasmHeapOffset } from './backend_memory.js';
import { RELU_MASK } from './kernel_names.js';
import type { KernelSpec } from './kernel_utils.js';
import { simdFor } from './wasm_simd.js';

/**
 * `o = d · step(y)`: `ceil(min(max(y, 0), 1))` is the 0/1 step without a branch (a
 * data-dependent branch mispredicts on half the elements); NaN stays NaN as in tfjs' Step.
 */
function reluMask(d: Float32Array, y: Float32Array, o: Float32Array): void {
  const n = o.length;
  for (let i = 0; i < n; i++) o[i] = d[i]! * Math.ceil(Math.min(Math.max(y[i]!, 0), 1));
}

export const reluMaskConfig: KernelSpec = {
  kernelName: RELU_MASK,
  kernelFunc: ({ inputs, backend }) => {
    const isWasm = isWasmBackend(backend);
    const { dy, y } = inputs as { dy: tf.TensorInfo; y: tf.TensorInfo };
    const simd = simdFor(backend);
    if (simd) {
      // One SIMD pass (simd.wat relu_mask_f32).
      const out = (backend as unknown as { makeOutput(s: number[], d: string): tf.TensorInfo }).makeOutput(dy.shape, 'float32');
      simd.relu_mask_f32(wasmHeapOffset(backend, dy), wasmHeapOffset(backend, y), wasmHeapOffset(backend, out), sizeOf(dy.shape));
      return out;
    }
    if (isWasm) {
      // wasm's own SIMD Step and Multiply, called directly (a JS loop over the heap is ~3x slower).
      const s = tf.getKernel('Step', 'wasm')!.kernelFunc({ inputs: { x: y }, backend, attrs: { alpha: 0 } }) as tf.TensorInfo;
      try {
        return tf.getKernel('Multiply', 'wasm')!.kernelFunc({ inputs: { a: dy, b: s }, backend, attrs: {} }) as tf.TensorInfo;
      } finally {
        (backend as unknown as { disposeData(id: object): void }).disposeData(s.dataId);
      }
    }
    const mem = memFor(backend);
    const out = mem.alloc(dy.shape, false);
    reluMask(mem.view(dy), mem.view(y), mem.view(out));
    return out;
  },
};
