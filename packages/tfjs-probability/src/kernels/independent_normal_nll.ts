/**
 * The NLL loss of an `IndependentNormal` head in one kernel launch forward and one backward,
 * computed from the head's raw parameters (the loss otherwise builds the Normal's split,
 * reshape and softplus and differentiates ~60 small ops per batch).
 *
 * For rows `p = [a (n), b (n)]` of `params [B, 2n]` and targets `y [B, n]`, with
 * `σ = softplus(b)` and `z = (y − a)/σ`, the kernel `TfpIndependentNormalNll` returns
 * `−(1/B) Σ_b Σ_i (−½z² − ln σ − ½ln 2π)` and, in the same pass, its gradients:
 * `∂/∂a = −(1/B)·z/σ`, `∂/∂b = −(1/B)·(z² − 1)/σ · sigmoid(b)`, `∂/∂y = (1/B)·z/σ`
 * (float64 arithmetic, one rounding per output). Registered for cpu and wasm; other backends
 * (webgl, webgpu) get `null` from `independentNormalNllOrNull` and take the distribution path.
 */
import * as tf from '@tensorflow/tfjs';
import { runFusedNll } from './fused_nll.js';
import { INDEPENDENT_NORMAL_NLL } from './kernel_names.js';
import { kernelRuns } from './register.js';

export { INDEPENDENT_NORMAL_NLL } from './kernel_names.js';

/**
 * The mean NLL of targets `y` (`[B, n]`, or `[B]` for `n = 1`) under the IndependentNormal
 * rows `params [B, 2n]` as one fused op with its gradient (cpu, wasm), or `null` where it does not
 * apply (another backend, other shapes, non-float32): the caller then uses the distribution.
 */
export function independentNormalNllOrNull(params: tf.Tensor, y: tf.Tensor, n: number): tf.Scalar | null {
  if (!kernelRuns(INDEPENDENT_NORMAL_NLL)) return null;
  if (params.rank !== 2 || params.shape[1] !== 2 * n || params.dtype !== 'float32') return null;
  const B = params.shape[0]!;
  if (B === 0 || y.size !== B * n || y.shape[0] !== B || y.dtype !== 'float32') return null;
  return tf.tidy(() => {
    const yy = y.rank === 2 && y.shape[1] === n ? y : tf.reshape(y, [B, n]);
    return runFusedNll(INDEPENDENT_NORMAL_NLL, params, yy, { eventSize: n });
  });
}
