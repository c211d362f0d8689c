// Public tfp.layers (also tfp.tfpl). One export line per module; append new ones at the end.
import './register.js';
export { DistributionLayer, type LayerArgs, type ConvertToTensorFn } from './distribution_layer.js';
export { IndependentNormal, type IndependentNormalArgs } from './independent_normal.js';
export { MultivariateNormalTriL, fillScaleTriL, type MultivariateNormalTriLArgs } from './multivariate_normal_tril.js';
export { DistributionLambda, registerDistributionFn, getDistributionFn, type DistributionLambdaArgs, type MakeDistributionFn } from './distribution_lambda.js';
export { Sampling, type SamplingArgs } from './sampling.js';
export { MixtureNormal, type MixtureNormalArgs } from './mixture_normal.js';
export { MixtureSameFamily, type MixtureSameFamilyArgs } from './mixture_same_family.js';
export { MixtureDensity, MDN_SIGMA_EPSILON, type MixtureDensityArgs } from './mixture_density.js';
export { makeTrainStep, type TrainStepOptions } from '../train/train_step.js';
export { FastAdam } from '../train/fast_adam.js';
export { enableFastWasmMatMul, disableFastWasmMatMul, fastWasmMatMulEnabled } from '../accelerate/wasm_matmul.js';
export { AutoregressiveTransform, type AutoregressiveTransformArgs } from './autoregressive_transform.js';
export { OneHotCategorical, type OneHotCategoricalArgs } from './one_hot_categorical.js';
export { CategoricalMixtureOfOneHotCategorical, type CategoricalMixtureOfOneHotCategoricalArgs } from './categorical_mixture_of_one_hot_categorical.js';
export { DenseVariational, type DenseVariationalArgs } from './dense_variational.js';
export {
  posteriorMeanField, priorStandardNormal, priorTrainable, klExact, klMonteCarlo, registerVariationalFn, registerDivergenceFn,
  type MakeVariationalFn, type DivergenceFn, type VariableFactory,
} from './variational_fns.js';
export { DenseReparameterization, type DenseReparameterizationArgs } from './dense_reparameterization.js';
export { DenseFlipout, type DenseFlipoutArgs } from './dense_flipout.js';
export type { BayesianKernelLayer, BayesianKernelLayerArgs } from './bayesian_kernel_layer.js';
export { Convolution2DReparameterization, type Convolution2DReparameterizationArgs } from './conv2d_reparameterization.js';
export { Convolution2DFlipout, type Convolution2DFlipoutArgs } from './conv2d_flipout.js';
export { VariableLayer, type VariableLayerArgs, type VariableInitializerName } from './variable_layer.js';
export { KLDivergenceRegularizer, registerPriorDistributionFn, type KLDivergenceRegularizerOptions, type MakePriorDistributionFn } from './kl_divergence_regularizer.js';
export { KLDivergenceAddLoss, type KLDivergenceAddLossArgs } from './kl_divergence_add_loss.js';
// ---- count/binary/logistic heads
export { IndependentPoisson, type IndependentPoissonArgs } from './independent_poisson.js';
export { IndependentBernoulli, type IndependentBernoulliArgs } from './independent_bernoulli.js';
export { IndependentLogistic, type IndependentLogisticArgs } from './independent_logistic.js';
export { MixtureLogistic, type MixtureLogisticArgs } from './mixture_logistic.js';
export { VariationalGaussianProcess, type VariationalGaussianProcessLayerArgs, type TrainableKernelName } from './variational_gaussian_process.js';
