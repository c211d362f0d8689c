/**
 * The NLL loss of a `MultivariateNormalTriL` head (recipes 001 and 004) in one kernel launch
 * forward and one backward, from the head's raw parameters: the loss otherwise builds
 * `fillTriangular`, the softplus diagonal and the distribution, ~110 launches per `fit` batch.
 *
 * Rows `p = [μ (n), t (n(n+1)/2)]` of `params [B, n + n(n+1)/2]` give `L = fillTriangular(t)` with
 * diagonal `softplus(t_ii) + diagShift` (the head's `fillScaleTriL`, shift 1e-5). With `z = L⁻¹(y − μ)` (forward
 * substitution) and `u = L⁻ᵀz` (back substitution), the kernel `TfpMvnTrilNll` returns
 * `−(1/B) Σ_b (−½‖z‖² − Σ_i ln L_ii − (n/2) ln 2π)` and, in the same pass, its gradients:
 * `∂/∂μ = −(1/B)·u`, `∂/∂y = (1/B)·u`, and for the raw entries the lower triangle of
 * `−(1/B)·(u zᵀ − diag(1/L_ii))`, the diagonal ones times `sigmoid(t_ii)`. Float64 arithmetic,
 * one rounding per output; registered for cpu and wasm (other backends take the distribution).
 */
import * as tf from '@tensorflow/tfjs';
import { runFusedNll } from './fused_nll.js';
import { MVN_TRIL_NLL } from './kernel_names.js';
import { kernelRuns } from './register.js';

export { MVN_TRIL_NLL } from './kernel_names.js';

/**
 * The mean NLL of targets `y [B, n]` under the MultivariateNormalTriL rows `params [B, n +
 * n(n+1)/2]` (diagonal `softplus + diagShift`) as one fused op with its gradient (cpu, wasm), or `null` where it does not apply
 * (another backend, other shapes, non-float32): the caller then uses the distribution.
 */
export function mvnTrilNllOrNull(params: tf.Tensor, y: tf.Tensor, n: number, diagShift: number): tf.Scalar | null {
  if (!kernelRuns(MVN_TRIL_NLL)) return null;
  const P = n + (n * (n + 1)) / 2;
  if (params.rank !== 2 || params.shape[1] !== P || params.dtype !== 'float32') return null;
  const B = params.shape[0]!;
  if (B === 0 || y.rank !== 2 || y.shape[0] !== B || y.shape[1] !== n || y.dtype !== 'float32') return null;
  return runFusedNll(MVN_TRIL_NLL, params, y, { eventSize: n, diagShift });
}
