// Public tfp.math. One export line per module; append new ones at the end.
export { ndtr, logNdtr, softplusInverse, logAddExp } from './special.js';
export { randomGammaBatched, randomLogGammaBatched } from './gamma_sampler.js';
export { fillTriangular, fillTriangularInverse } from './fill_triangular.js';
export { cholesky, triangularSolve } from './linalg.js';
export type { TriangularSolveOptions } from './linalg.js';
export { mvnTrilLogProb, mvnTrilSample } from './mvn_ops.js';
export { lgamma, digamma, trigamma, erfinv, ndtri, log1mexp, igamma, igammac, betainc } from './special.js';
export { log1p } from './special.js';
export { xlogy, xlog1py } from './xlogy.js';
export { logIgamma, logIgammac, betaincc, logBetainc, logBetaincc } from './special.js';
export { igammainv, betaincinv } from './special.js';
export * as psdKernels from './psd_kernels/index.js';
export { valueAndGradient } from '../optimizer/value_and_gradient.js';
