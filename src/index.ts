/**
 * tfjs-probability: probability distributions and probabilistic layers for
 * TensorFlow.js. Public re-exports only.
 */
import * as distributions from './distributions/index.js';
import * as math from './math/index.js';

export { distributions, math };
export { distributions as tfd };
export { ready, type ReadyOptions } from './backend.js';
export { NotImplementedError, InvalidArgumentError } from './errors.js';
