// Public tfp.vi: variational inference. One export line per module; append new ones at the end.
export { fitSurrogatePosterior, monteCarloVariationalLoss, klReverse, type FitSurrogatePosteriorArgs, type TargetLogProb, type VariationalLossOptions } from './fit.js';
export {
  SurrogatePosterior,
  buildFactoredSurrogatePosterior,
  buildAffineSurrogatePosterior,
  buildFlowSurrogatePosterior,
  type SurrogateOptions,
  type FlowSurrogateOptions,
} from './surrogate.js';
export type { PartSpec, SurrogateTarget } from './space.js';
