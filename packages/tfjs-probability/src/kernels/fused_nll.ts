/**
 * The shared shape of the heads' fused NLL kernels (mixtures, IndependentNormal,
 * MultivariateNormalTriL): one kernel returns `[mean NLL (scalar), ∂/∂params, ∂/∂y]` in one pass
 * (the gradient of a mean NLL costs little more than its value), and a custom gradient scales
 * the saved derivatives by the upstream gradient, so `fit` pays one launch forward and two
 * multiplies backward.
 */
import * as tf from '@tensorflow/tfjs';
import { memFor } from './backend_memory.js';
import type { KernelSpec } from './kernel_utils.js';
import { registerAll } from './register_all.js';

/**
 * A kernel body: reads `params [B, P]` and `y [B, n]`, writes `dp [B, P]` and `dy [B, n]`
 * (the gradients of the mean NLL) and returns the mean NLL.
 */
export type NllLoop = (
  p: Float32Array, y: Float32Array, dp: Float32Array, dy: Float32Array, B: number, attrs: tf.NamedAttrMap,
) => number;

/**
 * An optional faster path tried first: given the inputs and the allocated outputs `[nll, dp,
 * dy]`, fills them and returns true, or returns false (having written nothing) to leave them
 * to the loop.
 */
export type NllFastPath = (
  backend: unknown, params: tf.TensorInfo, y: tf.TensorInfo, outs: readonly tf.TensorInfo[], attrs: tf.NamedAttrMap,
) => boolean;

/** The kernel config of a fused NLL kernel around `loop`, trying `fast` first (cpu and wasm). */
export function fusedNllConfig(kernelName: string, loop: NllLoop, fast?: NllFastPath): KernelSpec {
  return {
    kernelName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { params, y } = inputs as { params: tf.TensorInfo; y: tf.TensorInfo };
      const a = attrs ?? {};
      const B = params.shape[0]!;
      const mem = memFor(backend);
      const outs = [mem.alloc([], false), mem.alloc(params.shape, false), mem.alloc(y.shape, false)];
      if (fast?.(backend, params, y, outs, a)) return outs;
      // Views only after the last allocation (a wasm heap growth detaches earlier views).
      const nll = loop(mem.view(params), mem.view(y), mem.view(outs[1]!), mem.view(outs[2]!), B, a);
      mem.view(outs[0]!)[0] = nll;
      return outs;
    },
  };
}

/** Runs a fused NLL kernel as a differentiable scalar of `params` and `y`. */
export function runFusedNll(kernelName: string, params: tf.Tensor, y: tf.Tensor, attrs: tf.NamedAttrMap): tf.Scalar {
  registerAll();
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [p, t, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const [nll, dp, dy] = tf.engine().runKernel(kernelName, { params: p, y: t }, attrs) as unknown as [tf.Scalar, tf.Tensor, tf.Tensor];
    save([dp, dy]);
    return { value: nll, gradFunc: (g: tf.Tensor, saved: tf.Tensor[]) => [tf.mul(saved[0]!, g), tf.mul(saved[1]!, g)] };
  });
  return f(params, y) as tf.Scalar;
}
