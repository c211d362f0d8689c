/** Markov chain Monte Carlo (TFP's `tfp.mcmc`). */
export { TransitionKernel, type KernelResults, type ChainState, type TargetLogProbFn } from './kernel.js';
export { HamiltonianMonteCarlo, type HamiltonianMonteCarloArgs } from './hmc.js';
export { NoUTurnSampler, type NoUTurnSamplerArgs } from './nuts.js';
export {
  RandomWalkMetropolis,
  MetropolisAdjustedLangevinAlgorithm,
  type RandomWalkMetropolisArgs,
  type MetropolisAdjustedLangevinAlgorithmArgs,
} from './metropolis.js';
export {
  DualAveragingStepSizeAdaptation,
  SimpleStepSizeAdaptation,
  type DualAveragingStepSizeAdaptationArgs,
  type SimpleStepSizeAdaptationArgs,
} from './step_size_adaptation.js';
export { TransformedTransitionKernel, type TransformedTransitionKernelArgs } from './transformed_kernel.js';
export { sampleChain, defaultTrace, type DefaultTraceValues, type Trace, type SampleChainArgs, type SampleChainResult, type ChainProgress } from './sample_chain.js';
export { windowedAdaptiveNuts, type WindowedAdaptiveNutsArgs, type WindowedAdaptiveNutsResult, type PartDeclaration } from './windowed_nuts.js';
export { WindowedAdaptation, type WindowedAdaptationArgs } from './windowed_adaptation.js';
export { effectiveSampleSize, potentialScaleReduction, mcse, summary, type SummaryRow, type McmcSummary } from './diagnostics.js';
export { windowedAdaptiveHmc, type WindowedAdaptiveHmcArgs, type WindowedAdaptiveHmcResult, type WindowedAdaptiveHmcTrace } from './windowed_hmc.js';
