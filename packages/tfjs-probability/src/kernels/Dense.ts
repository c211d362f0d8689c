/**
 * `TfpDense`: a Dense layer's `act(x W + b)` (act relu or linear) for `x [m, k]`, `w [k, n]`,
 * `bias [n]` in one launch: on wasm the SIMD gemm of wasm_gemm.ts where it applies, otherwise
 * the backend's own `_FusedMatMul` kernel. Its gradient launches only what is needed: one
 * `TfpReluMask` (relu), then the products and the bias sum, each only when its input needs a
 * gradient (the first layer's data input does not).
 */
import * as tf from '@tensorflow/tfjs';
import { isWasmBackend } from './backend_memory.js';
import { DENSE, RELU_MASK } from './kernel_names.js';
import type { KernelSpec } from './kernel_utils.js';
import { wasmGemm } from './wasm_gemm.js';

export interface DenseAttrs {
  relu: boolean;
}

/** A TensorInfo of the same data with another shape (no copy, no reference taken: only for a kernel call). */
const asShape = (t: tf.TensorInfo, shape: number[]): tf.TensorInfo => ({ dataId: t.dataId, shape, dtype: t.dtype });

export const denseConfig: KernelSpec = {
  kernelName: DENSE,
  kernelFunc: ({ inputs, backend, attrs }) => {
    const isWasm = isWasmBackend(backend);
    const backendName = isWasm ? 'wasm' : 'cpu';
    const { x, w, bias } = inputs as { x: tf.TensorInfo; w: tf.TensorInfo; bias?: tf.TensorInfo };
    const { relu } = attrs as unknown as DenseAttrs;
    if (isWasm) {
      const viaSimd = wasmGemm(backend, x, w, false, false, bias ?? null, relu);
      if (viaSimd) return viaSimd;
    }
    const fused = tf.getKernel('_FusedMatMul', backendName)!;
    const [m, k] = x.shape as [number, number];
    const n = w.shape[1]!;
    const fattrs = { transposeA: false, transposeB: false, activation: relu ? 'relu' : 'linear', leakyreluAlpha: 0 };
    // wasm's kernel reads rank-3 shapes; cpu's takes rank 2 as tf.fused.matMul passes it.
    const a = isWasm ? asShape(x, [1, m, k]) : x;
    const b = isWasm ? asShape(w, [1, k, n]) : w;
    const out = fused.kernelFunc({ inputs: { a, b, ...(bias ? { bias } : {}) }, backend, attrs: fattrs }) as tf.TensorInfo;
    return isWasm ? asShape(out, [m, n]) : out;
  },
};

export const denseGradConfig: tf.GradConfig = {
  kernelName: DENSE,
  inputsToSave: ['x', 'w'],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [x, w, y] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const dz = (attrs as unknown as DenseAttrs).relu
      ? (tf.engine().runKernel(RELU_MASK, { dy: dy as tf.Tensor, y }) as tf.Tensor2D)
      : (dy as tf.Tensor2D);
    return {
      x: () => tf.matMul(dz, w, false, true),
      w: () => tf.matMul(x, dz, true, false),
      bias: () => tf.sum(dz, 0),
    };
  },
};
