/**
 * `TfpMdnActivation`: the mixture-density-network head activation in one launch: columns
 * `[start, end)` of `z [B, P]` (the σ block) become `elu(z) + 1 + ε`, the other columns pass
 * through. Its gradient is one `TfpMdnActivationGrad` launch.
 */
import * as tf from '@tensorflow/tfjs';
import { isWasmBackend, wasmHeapOffset } from './backend_memory.js';
import { MDN_ACTIVATION, MDN_ACTIVATION_GRAD } from './kernel_names.js';
import type { KernelSpec } from './kernel_utils.js';
import { type MdnAttrs, type WasmLike, forward, rowsOf, unary } from './mdn_activation_js.js';
import { simdFor } from './wasm_simd.js';

export const mdnActivationConfig: KernelSpec = {
  kernelName: MDN_ACTIVATION,
  kernelFunc: ({ inputs, backend, attrs }) => {
    const z = (inputs as { z: tf.TensorInfo }).z;
    const P = z.shape[z.shape.length - 1]!;
    const a = attrs as unknown as MdnAttrs;
    const simd = simdFor(backend);
    if (simd) {
      const out = (backend as WasmLike).makeOutput(z.shape, 'float32');
      simd.mdn_act(wasmHeapOffset(backend, z), wasmHeapOffset(backend, out), rowsOf(z.shape), P, a.start, a.end, a.epsilon);
      return out;
    }
    return unary(isWasmBackend(backend), backend, [z], z.shape, ([zv], o) => forward(zv!, o, P, attrs as unknown as MdnAttrs));
  },
};

export const mdnActivationGradConfig: tf.GradConfig = {
  kernelName: MDN_ACTIVATION,
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [out] = saved as [tf.Tensor];
    return { z: () => tf.engine().runKernel(MDN_ACTIVATION_GRAD, { dy: dy as tf.Tensor, out }, attrs as tf.NamedAttrMap) as tf.Tensor };
  },
};
