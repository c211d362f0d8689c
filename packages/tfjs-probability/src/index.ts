/**
 * tfjs-probability: probability distributions and probabilistic layers for
 * TensorFlow.js. Public re-exports only.
 */
import * as distributions from './distributions/index.js';
import * as math from './math/index.js';
import * as layers from './layers/index.js';
import * as losses from './losses/index.js';
import * as io from './io/index.js';

export { distributions, math };
export { distributions as tfd };
export { layers, losses, io };
export { layers as tfpl };
export { predictDistribution, sampleFromModel, type PredictDistributionOptions, type SampleFromModelOptions } from './model.js';
export { predictiveMixture, type PredictiveMixture, type PredictiveMixtureOptions } from './model.js';
export { modelLosses } from './model.js';
export { ready, type ReadyOptions } from './backend.js';
// Acceleration of tfjs' own components, installed by ready() only; restore() takes it back.
export { setFastDefaults, fastDefaultsEnabled, restore } from './accelerate/install.js';
export { NotImplementedError, InvalidArgumentError } from './errors.js';
// Bijectors and normalizing flows (tfp.bijectors, also tfp.tfb).
import * as bijectors from './bijectors/index.js';
export { bijectors, bijectors as tfb };
// Markov chain Monte Carlo (tfp.mcmc).
import * as mcmc from './mcmc/index.js';
export { mcmc };
// Minimizers: L-BFGS, BFGS (Hager–Zhang line search) and Nelder–Mead (tfp.optimizer).
import * as optimizer from './optimizer/index.js';
export { optimizer };
// Variational inference (tfp.vi).
import * as vi from './vi/index.js';
export { vi };
// Training callbacks (tfp.callbacks.TerminateOnNaN).
import * as callbacks from './callbacks/index.js';
export { callbacks };
