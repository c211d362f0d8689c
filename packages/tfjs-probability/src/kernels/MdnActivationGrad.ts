/**
 * `TfpMdnActivationGrad(dy, out) -> dz`, the backward pass of `TfpMdnActivation`:
 * `d out/d z = 1` for `z > 0` and `exp(z) = out - ε` otherwise, inside the σ block; `dy` passes
 * through elsewhere.
 */
import type * as tf from '@tensorflow/tfjs';
import { isWasmBackend, wasmHeapOffset } from './backend_memory.js';
import { MDN_ACTIVATION_GRAD } from './kernel_names.js';
import type { KernelSpec } from './kernel_utils.js';
import { type MdnAttrs, type WasmLike, backward, rowsOf, unary } from './mdn_activation_js.js';
import { simdFor } from './wasm_simd.js';

export const mdnActivationGradKernelConfig: KernelSpec = {
  kernelName: MDN_ACTIVATION_GRAD,
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy, out } = inputs as { dy: tf.TensorInfo; out: tf.TensorInfo };
    const P = dy.shape[dy.shape.length - 1]!;
    const a = attrs as unknown as MdnAttrs;
    const simd = simdFor(backend);
    if (simd) {
      const dz = (backend as WasmLike).makeOutput(dy.shape, 'float32');
      const at = (t: tf.TensorInfo) => wasmHeapOffset(backend, t);
      simd.mdn_act_grad(at(dy), at(out), at(dz), rowsOf(dy.shape), P, a.start, a.end, a.epsilon);
      return dz;
    }
    return unary(isWasmBackend(backend), backend, [dy, out], dy.shape, ([d, o], r) => backward(d!, o!, r, P, attrs as unknown as MdnAttrs));
  },
};
