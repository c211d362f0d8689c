// Public tfp.layers (also tfp.tfpl). One export line per module; append new ones at the end.
import './register.js';
export { DistributionLayer, type LayerArgs } from './distribution_layer.js';
export { IndependentNormal, type IndependentNormalArgs } from './independent_normal.js';
export { MultivariateNormalTriL, fillScaleTriL, type MultivariateNormalTriLArgs } from './multivariate_normal_tril.js';
export { DistributionLambda, registerDistributionFn, getDistributionFn, type DistributionLambdaArgs, type MakeDistributionFn } from './distribution_lambda.js';
export { Sampling, type SamplingArgs } from './sampling.js';
export { MixtureNormal, type MixtureNormalArgs } from './mixture_normal.js';
export { MixtureSameFamily, type MixtureSameFamilyArgs } from './mixture_same_family.js';
export { MixtureDensity, MDN_SIGMA_EPSILON, type MixtureDensityArgs } from './mixture_density.js';
export { makeTrainStep, type TrainStepOptions } from './mixture_density.js';
export { FastAdam, enableFastWasmMatMul, disableFastWasmMatMul, fastWasmMatMulEnabled } from '../kernels/mixture_train.js';
// ---- issue 12: count/binary/logistic heads (append-only block)
export { IndependentPoisson, type IndependentPoissonArgs } from './independent_poisson.js';
export { IndependentBernoulli, type IndependentBernoulliArgs } from './independent_bernoulli.js';
export { IndependentLogistic, type IndependentLogisticArgs } from './independent_logistic.js';
export { MixtureLogistic, type MixtureLogisticArgs } from './mixture_logistic.js';
