/**
 * On the wasm backend a matMul with a transpose flag is ~10x slower than an explicit transpose
 * followed by a plain matMul, and autograd's matMul gradient (hence every Dense layer's
 * backward pass in `model.fit`) uses the flags. `enableFastWasmMatMul()` re-registers wasm's
 * BatchMatMul kernel to transpose explicitly first (and to run the SIMD gemm where it
 * applies). Same results up to float32 summation order, wasm only, idempotent;
 * `disableFastWasmMatMul()` restores the original kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { wasmGemm } from '../kernels/wasm_gemm.js';

let originalMatMul: tf.KernelConfig | null = null;

/**
 * Opt-in: on the wasm backend, run matMul with transpose flags as explicit transposes
 * followed by a plain matMul (~10x faster for the 128x128 shapes of a Dense backward pass).
 * Affects every matMul on wasm in this process; returns true when installed.
 */
export function enableFastWasmMatMul(): boolean {
  if (originalMatMul) return true;
  const orig = tf.getKernel('BatchMatMul', 'wasm');
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (!orig || !transpose) return false;
  originalMatMul = orig;
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({
    kernelName: 'BatchMatMul',
    backendName: 'wasm',
    ...(orig.setupFunc ? { setupFunc: orig.setupFunc } : {}),
    ...(orig.disposeFunc ? { disposeFunc: orig.disposeFunc } : {}),
    kernelFunc: (args) => {
      const { inputs, backend, attrs } = args;
      const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
      // The SIMD product where it applies (small enough B, batch 1, unthreaded build; see wasm_gemm.ts).
      const viaSimd = wasmGemm(backend, (inputs as { a: tf.TensorInfo }).a, (inputs as { b: tf.TensorInfo }).b, transposeA, transposeB);
      if (viaSimd) return viaSimd;
      if (!transposeA && !transposeB) return orig.kernelFunc(args);
      const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const swap = (t: tf.TensorInfo): tf.TensorInfo => {
        const r = t.shape.length;
        const perm = [...Array(r).keys()];
        [perm[r - 2], perm[r - 1]] = [perm[r - 1]!, perm[r - 2]!];
        return transpose.kernelFunc({ inputs: { x: t }, backend, attrs: { perm } }) as tf.TensorInfo;
      };
      const at = transposeA ? swap(a) : a;
      const bt = transposeB ? swap(b) : b;
      try {
        return orig.kernelFunc({ inputs: { a: at, b: bt }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
      } finally {
        const be = backend as unknown as { disposeData(id: object): void };
        if (at !== a) be.disposeData(at.dataId);
        if (bt !== b) be.disposeData(bt.dataId);
      }
    },
  });
  return true;
}

/** True while `enableFastWasmMatMul()` is in effect. */
export function fastWasmMatMulEnabled(): boolean {
  return originalMatMul !== null;
}

/** Restores tfjs' own wasm BatchMatMul kernel. */
export function disableFastWasmMatMul(): void {
  if (!originalMatMul) return;
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel(originalMatMul);
  originalMatMul = null;
}
