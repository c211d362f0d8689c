// Public tfp.losses. One export line per module; append new ones at the end.
export { negativeLogLikelihood, klStandardNormal, type LossFn } from './nll.js';
export { encodeTargets, decodeTargets, isDistributionHead, type DistributionHead } from './targets.js';
