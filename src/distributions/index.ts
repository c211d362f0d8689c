// Public distributions. One export line per module; append new ones at the end.
export { Distribution, type DistributionOptions, type SampleOptions, type TensorLike } from './distribution.js';
export { klDivergence, registerKL, type KLFn } from './kl.js';
export { Normal, type NormalArgs } from './normal.js';
