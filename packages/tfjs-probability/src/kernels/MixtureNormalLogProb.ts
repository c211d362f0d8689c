/**
 * `TfpMixtureNormalLogProb`: the log density `[B]` (or, with `reduction: 'meanNeg'`, the mean
 * negative log density) of targets `y [B, n]` under the mixture of independent normals whose
 * raw parameters are the rows of `params [B, P]`, in float64 per row:
 * `c_k = logSoftmax(l)_k + Σ_i log N(y_i; μ_ki, σ_ki)`, `logp = logSumExp_k c_k`.
 * Its gradient is one `TfpMixtureNormalLogProbGrad` launch.
 */
import * as tf from '@tensorflow/tfjs';
import { isWasmBackend } from './backend_memory.js';
import { MIXTURE_NORMAL_LOGPROB, MIXTURE_NORMAL_LOGPROB_GRAD } from './kernel_names.js';
import type { KernelSpec } from './kernel_utils.js';
import { type CpuLike, type WasmLike, attrsOf, forward } from './mixture_normal_js.js';

export const mixtureNormalLogProbConfig: KernelSpec = {
  kernelName: MIXTURE_NORMAL_LOGPROB,
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { params, y } = inputs as { params: tf.TensorInfo; y: tf.TensorInfo };
    const [B, P] = params.shape as [number, number];
    const a = attrsOf(attrs);
    const meanNeg = a.reduction === 'meanNeg';
    const shape = meanNeg ? [] : [B];
    if (isWasmBackend(backend)) {
      const w = backend as unknown as WasmLike;
      const out = w.makeOutput(shape, 'float32');
      forward(w.typedArrayFromHeap(params), w.typedArrayFromHeap(y), w.typedArrayFromHeap(out), B, P, a, meanNeg);
      return out;
    }
    const cb = backend as unknown as CpuLike;
    const out = new Float32Array(meanNeg ? 1 : B);
    forward(cb.data.get(params.dataId).values as Float32Array, cb.data.get(y.dataId).values as Float32Array, out, B, P, a, meanNeg);
    return cb.makeTensorInfo(shape, 'float32', out);
  },
};

export const mixtureNormalLogProbGradConfig: tf.GradConfig = {
  kernelName: MIXTURE_NORMAL_LOGPROB,
  inputsToSave: ['params', 'y'],
  gradFunc: (dy, saved, attrs) => {
    const [params, y] = saved as [tf.Tensor, tf.Tensor];
    const [dp, dyy] = tf.engine().runKernel(
      MIXTURE_NORMAL_LOGPROB_GRAD,
      { params, y, dy: dy as tf.Tensor },
      attrs as tf.NamedAttrMap,
    ) as unknown as [tf.Tensor, tf.Tensor];
    return { params: () => dp, y: () => dyy };
  },
};
