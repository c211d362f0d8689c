/** `TfpRandomBinomial`: Binomial(totalCount, probs) draws (inputs p0 = totalCount, p1 = probs): inversion below n·min(p, 1-p) = 10, BTRS above. */
import { RANDOM_BINOMIAL } from './kernel_names.js';
import type { KernelSpec } from './kernel_utils.js';
import { fillBinomial, samplerKernelFunc } from './sampler_js.js';

export const randomBinomialConfig: KernelSpec = { kernelName: RANDOM_BINOMIAL, kernelFunc: samplerKernelFunc(fillBinomial) };
