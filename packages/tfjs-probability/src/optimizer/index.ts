// Public tfp.optimizer: quasi-Newton and simplex minimizers (TFP's names).
export { lbfgsMinimize, type LbfgsOptions } from './lbfgs.js';
export { bfgsMinimize } from './bfgs.js';
export { nelderMeadMinimize, type NelderMeadOptions, type NelderMeadResults } from './nelder_mead.js';
export type { OptimizerResults, QuasiNewtonOptions, ValueAndGradientsFn } from './driver.js';
