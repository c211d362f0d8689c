/** `TfpRandomPoisson`: Poisson(rate) draws: inversion below rate 10, PTRS above. */
import { RANDOM_POISSON } from './kernel_names.js';
import type { KernelSpec } from './kernel_utils.js';
import { fillPoisson, samplerKernelFunc } from './sampler_js.js';

export const randomPoissonConfig: KernelSpec = { kernelName: RANDOM_POISSON, kernelFunc: samplerKernelFunc(fillPoisson) };
