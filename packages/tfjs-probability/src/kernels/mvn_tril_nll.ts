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
import { fillTriangularCells } from '../math/fill_triangular.js';
import { type NllLoop, registerFusedNll, runFusedNll } from './fused_nll.js';
import { HALF_LOG_2PI, sigmoid, softplus } from './scalar_fns.js';

export const MVN_TRIL_NLL = 'TfpMvnTrilNll';

/** Fills dp and dy with the gradients of the mean NLL; returns the mean NLL. */
const nllWithGrad: NllLoop = (p, y, dp, dy, B, attrs) => {
  const n = attrs['eventSize'] as number;
  const shift = attrs['diagShift'] as number;
  const P = n + (n * (n + 1)) / 2;
  const cells = fillTriangularCells(n);
  const L = new Float64Array(n * n);
  const z = new Float64Array(n);
  const u = new Float64Array(n);
  const g = -1 / B;
  let total = 0;
  for (let b = 0; b < B; b++) {
    const pb = b * P;
    const yb = b * n;
    L.fill(0);
    for (let k = 0; k < cells.length; k++) {
      const cell = cells[k]!;
      const v = p[pb + n + k]!;
      L[cell] = cell % (n + 1) === 0 ? softplus(v) + shift : v; // a diagonal cell is i·n + i
    }
    let logDet = 0;
    let q = 0;
    for (let i = 0; i < n; i++) {
      let s = y[yb + i]! - p[pb + i]!;
      for (let j = 0; j < i; j++) s -= L[i * n + j]! * z[j]!;
      const zi = s / L[i * n + i]!;
      z[i] = zi;
      q += zi * zi;
      logDet += Math.log(L[i * n + i]!);
    }
    total += -0.5 * q - logDet - n * HALF_LOG_2PI;
    for (let i = n - 1; i >= 0; i--) {
      let s = z[i]!;
      for (let j = i + 1; j < n; j++) s -= L[j * n + i]! * u[j]!;
      u[i] = s / L[i * n + i]!;
    }
    for (let i = 0; i < n; i++) {
      dp[pb + i] = g * u[i]!;
      dy[yb + i] = -g * u[i]!;
    }
    for (let k = 0; k < cells.length; k++) {
      const cell = cells[k]!;
      const i = (cell / n) | 0;
      const j = cell - i * n;
      let gl = u[i]! * z[j]!;
      if (i === j) gl = (gl - 1 / L[cell]!) * sigmoid(p[pb + n + k]!);
      dp[pb + n + k] = g * gl;
    }
  }
  return -total / B;
};

/**
 * The mean NLL of targets `y [B, n]` under the MultivariateNormalTriL rows `params [B, n +
 * n(n+1)/2]` (diagonal `softplus + diagShift`) as one fused op with its gradient (cpu, wasm), or `null` where it does not apply
 * (another backend, other shapes, non-float32): the caller then uses the distribution.
 */
export function mvnTrilNllOrNull(params: tf.Tensor, y: tf.Tensor, n: number, diagShift: number): tf.Scalar | null {
  registerFusedNll(MVN_TRIL_NLL, nllWithGrad);
  if (tf.getKernel(MVN_TRIL_NLL, tf.getBackend()) === undefined) return null;
  const P = n + (n * (n + 1)) / 2;
  if (params.rank !== 2 || params.shape[1] !== P || params.dtype !== 'float32') return null;
  const B = params.shape[0]!;
  if (B === 0 || y.rank !== 2 || y.shape[0] !== B || y.shape[1] !== n || y.dtype !== 'float32') return null;
  return runFusedNll(MVN_TRIL_NLL, params, y, { eventSize: n, diagShift });
}
