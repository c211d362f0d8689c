/** Training callbacks for `model.fit` (`tfp.callbacks`). */
export { TerminateOnNaN, type TerminateOnNaNOptions, type NonFiniteLoss } from './terminate_on_nan.js';
