// Public tfp.math.psdKernels: positive semi-definite kernels for Gaussian processes.
export { PositiveSemidefiniteKernel, SumKernel, ProductKernel, type KernelOptions } from './psd_kernel.js';
export { ExponentiatedQuadratic, type AmplitudeLengthScaleArgs } from './exponentiated_quadratic.js';
export { MaternOneHalf, MaternThreeHalves, MaternFiveHalves } from './matern.js';
export { RationalQuadratic, type RationalQuadraticArgs } from './rational_quadratic.js';
export { ExpSinSquared, type ExpSinSquaredArgs } from './exp_sin_squared.js';
export { Linear, Polynomial, type LinearArgs, type PolynomialArgs } from './polynomial.js';
export { FeatureScaled, type FeatureScaledArgs } from './feature_scaled.js';
export { ChangePoint, type ChangePointArgs } from './change_point.js';
