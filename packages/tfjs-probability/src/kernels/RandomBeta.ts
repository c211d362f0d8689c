/** `TfpRandomBeta`: Beta(concentration1, concentration0) draws from two gamma draws, kept inside (0, 1). */
import { RANDOM_BETA } from './kernel_names.js';
import type { KernelSpec } from './kernel_utils.js';
import { fillBeta, samplerKernelFunc } from './sampler_js.js';

export const randomBetaConfig: KernelSpec = { kernelName: RANDOM_BETA, kernelFunc: samplerKernelFunc(fillBeta) };
