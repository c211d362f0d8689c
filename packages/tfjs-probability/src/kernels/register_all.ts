/**
 * The registration list of tfjs-probability's own kernels, as tfjs-backend-wasm's
 * `register_all_kernels.ts`: one config per kernel file, registered for the cpu and wasm
 * backends (where they read and write tensor memory directly through backend_memory.ts), with
 * the gradients of the kernels that have one. Every name is the library's own (`Tfp...`),
 * except three convolution gradients that tfjs-backend-wasm 4.22 lacks (wasm only, each
 * registered only where tfjs has none). Registration is lazy and idempotent: the ops call
 * `registerAll()` before their first launch.
 */
import * as tf from '@tensorflow/tfjs';
import { adamUpdateConfig } from './AdamUpdate.js';
import { adamUpdateTfConfig } from './AdamUpdateTf.js';
import { choleskyConfig } from './Cholesky.js';
import { conv2DBackpropFilterConfig } from './Conv2DBackpropFilter.js';
import { denseConfig, denseGradConfig } from './Dense.js';
import { depthwiseConv2dNativeBackpropFilterConfig } from './DepthwiseConv2dNativeBackpropFilter.js';
import { depthwiseConv2dNativeBackpropInputConfig } from './DepthwiseConv2dNativeBackpropInput.js';
import { independentNormalNllConfig } from './IndependentNormalNll.js';
import { mdnActivationConfig, mdnActivationGradConfig } from './MdnActivation.js';
import { mdnActivationGradKernelConfig } from './MdnActivationGrad.js';
import { mixtureNormalLogProbConfig, mixtureNormalLogProbGradConfig } from './MixtureNormalLogProb.js';
import { mixtureNormalLogProbGradKernelConfig } from './MixtureNormalLogProbGrad.js';
import { mixtureNormalNllConfig } from './MixtureNormalNll.js';
import { mvnTrilLogProbConfig } from './MvnTrilLogProb.js';
import { mvnTrilLogProbGradConfig } from './MvnTrilLogProbGrad.js';
import { mvnTrilNllConfig } from './MvnTrilNll.js';
import { mvnTrilSampleConfig } from './MvnTrilSample.js';
import { mvnTrilSampleGradConfig } from './MvnTrilSampleGrad.js';
import { reluMaskConfig } from './ReluMask.js';
import { specialHostConfig } from './SpecialHost.js';
import { triangularSolveConfig } from './TriangularSolve.js';
import { randomPoissonConfig } from './RandomPoisson.js';
import { randomBinomialConfig } from './RandomBinomial.js';
import { randomGammaConfig } from './RandomGamma.js';
import { randomBetaConfig } from './RandomBeta.js';
import { randomNegativeBinomialConfig } from './RandomNegativeBinomial.js';
import { randomTruncatedNormalConfig } from './RandomTruncatedNormal.js';
import { randomStudentTConfig } from './RandomStudentT.js';
import type { KernelSpec } from './kernel_utils.js';

const DEFAULT_BACKENDS = ['cpu', 'wasm'] as const;

/** The library's own kernels (names `Tfp...`), registered for cpu and wasm. */
export const kernelConfigs: readonly KernelSpec[] = [
  choleskyConfig,
  triangularSolveConfig,
  mvnTrilLogProbConfig,
  mvnTrilLogProbGradConfig,
  mvnTrilSampleConfig,
  mvnTrilSampleGradConfig,
  adamUpdateConfig,
  adamUpdateTfConfig,
  denseConfig,
  reluMaskConfig,
  mdnActivationConfig,
  mdnActivationGradKernelConfig,
  mixtureNormalLogProbConfig,
  mixtureNormalLogProbGradKernelConfig,
  mixtureNormalNllConfig,
  independentNormalNllConfig,
  mvnTrilNllConfig,
  specialHostConfig,
  randomPoissonConfig,
  randomBinomialConfig,
  randomGammaConfig,
  randomBetaConfig,
  randomNegativeBinomialConfig,
  randomTruncatedNormalConfig,
  randomStudentTConfig,
];

/** Gradients of the library's own kernels. */
export const gradConfigs: readonly tf.GradConfig[] = [denseGradConfig, mdnActivationGradConfig, mixtureNormalLogProbGradConfig];

/** Kernels under tfjs' own names that tfjs-backend-wasm 4.22 lacks (added where missing, never replacing one). */
export const missingWasmKernelConfigs: readonly KernelSpec[] = [
  conv2DBackpropFilterConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
];

let registered = false;

/** Registers the library's own kernels and their gradients (idempotent). */
export function registerAll(): void {
  if (registered) return;
  registered = true;
  for (const k of kernelConfigs) {
    for (const backendName of k.backends ?? DEFAULT_BACKENDS) {
      if (tf.getKernel(k.kernelName, backendName) === undefined) {
        tf.registerKernel({ kernelName: k.kernelName, backendName, kernelFunc: k.kernelFunc });
      }
    }
  }
  for (const g of gradConfigs) if (tf.getGradient(g.kernelName) === undefined) tf.registerGradient(g);
}

/** Names of the missing wasm kernels that `registerMissingWasmKernels` added (so they can be removed again). */
const addedWasm: string[] = [];

/**
 * Adds the convolution gradients that tfjs-backend-wasm lacks, once its kernels exist, each only where
 * tfjs has none; returns the names added by this call.
 */
export function registerMissingWasmKernels(): string[] {
  if (tf.getKernel('Conv2D', 'wasm') === undefined) return [];
  const added: string[] = [];
  for (const k of missingWasmKernelConfigs) {
    if (tf.getKernel(k.kernelName, 'wasm') !== undefined) continue;
    tf.registerKernel({ kernelName: k.kernelName, backendName: 'wasm', kernelFunc: k.kernelFunc });
    added.push(k.kernelName);
  }
  addedWasm.push(...added);
  return added;
}

/** Removes the kernels `registerMissingWasmKernels` added. */
export function unregisterMissingWasmKernels(): void {
  for (const name of addedWasm.splice(0)) tf.unregisterKernel(name, 'wasm');
}
