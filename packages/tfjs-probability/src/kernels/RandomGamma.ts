/** `TfpRandomGamma`: Gamma(concentration, 1) draws, or their logs (attr flag 1); Marsaglia–Tsang in float64. */
import { RANDOM_GAMMA } from './kernel_names.js';
import type { KernelSpec } from './kernel_utils.js';
import { fillGamma, samplerKernelFunc } from './sampler_js.js';

export const randomGammaConfig: KernelSpec = { kernelName: RANDOM_GAMMA, kernelFunc: samplerKernelFunc(fillGamma) };
