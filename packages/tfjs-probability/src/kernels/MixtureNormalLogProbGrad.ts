/**
 * `TfpMixtureNormalLogProbGrad`: the gradients of `TfpMixtureNormalLogProb` times the upstream
 * `dy`. With responsibilities `r_k = exp(c_k - logp)` and `π = softmax(l)`: `∂/∂l_k = r_k - π_k`,
 * `∂/∂μ_ki = r_k z/σ`, `∂/∂σ_ki = r_k (z² - 1)/σ`, `∂/∂y_i = -Σ_k r_k z/σ` with
 * `z = (y_i - μ_ki)/σ_ki` (times `sigmoid(raw)` for a softplus scale).
 */
import type * as tf from '@tensorflow/tfjs';
import { isWasmBackend } from './backend_memory.js';
import { MIXTURE_NORMAL_LOGPROB_GRAD } from './kernel_names.js';
import type { KernelSpec } from './kernel_utils.js';
import { type CpuLike, type WasmLike, attrsOf, backward } from './mixture_normal_js.js';

export const mixtureNormalLogProbGradKernelConfig: KernelSpec = {
  kernelName: MIXTURE_NORMAL_LOGPROB_GRAD,
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { params, y, dy } = inputs as { params: tf.TensorInfo; y: tf.TensorInfo; dy: tf.TensorInfo };
    const [B, P] = params.shape as [number, number];
    const n = y.shape[1]!;
    const a = attrsOf(attrs);
    const meanNeg = a.reduction === 'meanNeg';
    if (isWasmBackend(backend)) {
      const w = backend as unknown as WasmLike;
      const dpOut = w.makeOutput([B, P], 'float32');
      const dyOut = w.makeOutput([B, n], 'float32');
      // Views are taken after every allocation: growing the heap detaches older views.
      backward(
        w.typedArrayFromHeap(params),
        w.typedArrayFromHeap(y),
        w.typedArrayFromHeap(dy),
        w.typedArrayFromHeap(dpOut),
        w.typedArrayFromHeap(dyOut),
        B,
        P,
        a,
        meanNeg,
      );
      return [dpOut, dyOut];
    }
    const cb = backend as unknown as CpuLike;
    const dp = new Float32Array(B * P);
    const dyv = new Float32Array(B * n);
    backward(
      cb.data.get(params.dataId).values as Float32Array,
      cb.data.get(y.dataId).values as Float32Array,
      cb.data.get(dy.dataId).values as Float32Array,
      dp,
      dyv,
      B,
      P,
      a,
      meanNeg,
    );
    return [cb.makeTensorInfo([B, P], 'float32', dp), cb.makeTensorInfo([B, n], 'float32', dyv)];
  },
};
