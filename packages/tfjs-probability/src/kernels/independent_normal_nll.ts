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
import { HALF_LOG_2PI, sigmoid, softplus } from './scalar_fns.js';
import { type NllLoop, registerFusedNll, runFusedNll } from './fused_nll.js';

export const INDEPENDENT_NORMAL_NLL = 'TfpIndependentNormalNll';

/** Fills dp [B, 2n] and dy [B, n] (the gradients of the mean NLL); returns the mean NLL. */
const nllWithGrad: NllLoop = (p, y, dp, dy, B, attrs) => {
  const n = attrs['eventSize'] as number;
  const g = -1 / B;
  let total = 0;
  for (let r = 0; r < B; r++) {
    const pb = r * 2 * n;
    const yb = r * n;
    for (let i = 0; i < n; i++) {
      const raw = p[pb + n + i]!;
      const s = softplus(raw);
      const inv = 1 / s;
      const z = (y[yb + i]! - p[pb + i]!) * inv;
      total += -0.5 * z * z - Math.log(s) - HALF_LOG_2PI;
      const dmu = g * z * inv;
      dp[pb + i] = dmu;
      dp[pb + n + i] = g * (z * z - 1) * inv * sigmoid(raw);
      dy[yb + i] = -dmu;
    }
  }
  return -total / B;
};

/**
 * The mean NLL of targets `y` (`[B, n]`, or `[B]` for `n = 1`) under the IndependentNormal
 * rows `params [B, 2n]` as one fused op with its gradient (cpu, wasm), or `null` where it does not
 * apply (another backend, other shapes, non-float32): the caller then uses the distribution.
 */
export function independentNormalNllOrNull(params: tf.Tensor, y: tf.Tensor, n: number): tf.Scalar | null {
  registerFusedNll(INDEPENDENT_NORMAL_NLL, nllWithGrad);
  if (tf.getKernel(INDEPENDENT_NORMAL_NLL, tf.getBackend()) === undefined) return null;
  if (params.rank !== 2 || params.shape[1] !== 2 * n || params.dtype !== 'float32') return null;
  const B = params.shape[0]!;
  if (B === 0 || y.size !== B * n || y.shape[0] !== B || y.dtype !== 'float32') return null;
  return tf.tidy(() => {
    const yy = y.rank === 2 && y.shape[1] === n ? y : tf.reshape(y, [B, n]);
    return runFusedNll(INDEPENDENT_NORMAL_NLL, params, yy, { eventSize: n });
  });
}
