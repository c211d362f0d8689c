// Public tfp.math. One export line per module; append new ones at the end.
export { ndtr, logNdtr, softplusInverse, logAddExp } from './special.js';
export { randomGammaBatched, randomLogGammaBatched } from './gamma_sampler.js';
