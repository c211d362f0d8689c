/**
 * `TfpIndependentNormalNll`: the mean NLL of an IndependentNormal head's raw rows and its gradients in
 * one pass (see independent_normal_nll.ts for the formulas).
 */
import { HALF_LOG_2PI, sigmoid, softplus } from './scalar_fns.js';
import { type NllLoop, fusedNllConfig } from './fused_nll.js';
import { INDEPENDENT_NORMAL_NLL } from './kernel_names.js';
import type { KernelSpec } from './kernel_utils.js';

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

export const independentNormalNllConfig: KernelSpec = fusedNllConfig(INDEPENDENT_NORMAL_NLL, nllWithGrad);
