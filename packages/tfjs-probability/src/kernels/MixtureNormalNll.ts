/**
 * `TfpMixtureNormalNll`: `[-(1/B) Σ log p, ∂/∂params, ∂/∂y]` of a mixture of independent
 * normals in one pass (see fused_nll.ts); the wasm SIMD path for scalar targets first.
 */
import { fusedNllConfig } from './fused_nll.js';
import { MIXTURE_NORMAL_NLL } from './kernel_names.js';
import type { KernelSpec } from './kernel_utils.js';
import { attrsOf, backward, mixtureNormalParamsSize, simdNll } from './mixture_normal_js.js';

/** The upstream gradient 1 that the NLL kernel's single pass differentiates with (see fused_nll.ts). */
const ONE = new Float32Array([1]);

export const mixtureNormalNllConfig: KernelSpec = fusedNllConfig(
  MIXTURE_NORMAL_NLL,
  (p, y, dp, dy, B, attrs) => {
    const a = attrsOf(attrs);
    return -backward(p, y, ONE, dp, dy, B, mixtureNormalParamsSize(a.numComponents, a.eventSize), a, true) / B;
  },
  (backend, params, y, outs, attrs) => {
    const [B] = params.shape as [number];
    const a = attrsOf(attrs);
    return y.shape[1] === 1 && B > 0 && simdNll(backend, params, y, outs, B, a.numComponents, a.layout);
  },
);
