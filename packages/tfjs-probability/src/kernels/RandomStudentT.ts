/** `TfpRandomStudentT`: Standard StudentT(df) draws: z / √(2G/df). */
import { RANDOM_STUDENT_T } from './kernel_names.js';
import type { KernelSpec } from './kernel_utils.js';
import { fillStudentT, samplerKernelFunc } from './sampler_js.js';

export const randomStudentTConfig: KernelSpec = { kernelName: RANDOM_STUDENT_T, kernelFunc: samplerKernelFunc(fillStudentT) };
