/** `TfpRandomTruncatedNormal`: TruncatedNormal(loc, scale, low, high) draws by rejection matched to each window. */
import { RANDOM_TRUNCATED_NORMAL } from './kernel_names.js';
import type { KernelSpec } from './kernel_utils.js';
import { fillTruncatedNormal, samplerKernelFunc } from './sampler_js.js';

export const randomTruncatedNormalConfig: KernelSpec = { kernelName: RANDOM_TRUNCATED_NORMAL, kernelFunc: samplerKernelFunc(fillTruncatedNormal) };
