/**
 * `TfpMvnTrilNll`: the mean NLL of a MultivariateNormalTriL head's raw rows and its gradients in one
 * pass (see mvn_tril_nll.ts for the formulas).
 */
import { fillTriangularCells } from '../math/fill_triangular.js';
import { type NllLoop, fusedNllConfig } from './fused_nll.js';
import { HALF_LOG_2PI, sigmoid, softplus } from './scalar_fns.js';
import { MVN_TRIL_NLL } from './kernel_names.js';
import type { KernelSpec } from './kernel_utils.js';

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

export const mvnTrilNllConfig: KernelSpec = fusedNllConfig(MVN_TRIL_NLL, nllWithGrad);
