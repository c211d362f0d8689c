/** `TfpRandomNegativeBinomial`: NegativeBinomial(totalCount, logits) draws as Poisson(G e^logits), G ~ Gamma(totalCount). */
import { RANDOM_NEGATIVE_BINOMIAL } from './kernel_names.js';
import type { KernelSpec } from './kernel_utils.js';
import { fillNegativeBinomial, samplerKernelFunc } from './sampler_js.js';

export const randomNegativeBinomialConfig: KernelSpec = { kernelName: RANDOM_NEGATIVE_BINOMIAL, kernelFunc: samplerKernelFunc(fillNegativeBinomial) };
