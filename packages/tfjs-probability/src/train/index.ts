/** Training helpers that run on the library's own kernels: `FastAdam`, `makeTrainStep`. */
export { FastAdam } from './fast_adam.js';
export { makeTrainStep, type TrainStepOptions } from './train_step.js';
