// Public distributions. One export line per module; append new ones at the end.
export { Distribution, type DistributionOptions, type SampleOptions, type TensorLike } from './distribution.js';
export { klDivergence, registerKL, type KLFn } from './kl.js';
export { Normal, type NormalArgs } from './normal.js';
export { Bernoulli, type BernoulliArgs } from './bernoulli.js';
export { Categorical, type CategoricalArgs } from './categorical.js';
export { OneHotCategorical, type OneHotCategoricalArgs } from './one_hot_categorical.js';
export { Independent, type IndependentArgs } from './independent.js';
export { MultivariateNormalLinearOperator, type ScaleKind } from './mvn_linear_operator.js';
export { MultivariateNormalDiag, type MultivariateNormalDiagArgs } from './mvn_diag.js';
export { MultivariateNormalTriL, type MultivariateNormalTriLArgs } from './mvn_tril.js';
export { MultivariateNormalFullCovariance, type MultivariateNormalFullCovarianceArgs } from './mvn_full_covariance.js';
export { Laplace, type LaplaceArgs } from './laplace.js';
export { Mixture, MixtureBase, type MixtureArgs, type MixtureSampleOptions } from './mixture.js';
export { MixtureSameFamily, type MixtureSameFamilyArgs, type FusedMixtureParams } from './mixture_same_family.js';
export { LogNormal, type LogNormalArgs } from './log_normal.js';
export { Gamma, type GammaArgs } from './gamma.js';
export { Beta, type BetaArgs } from './beta.js';
export { Dirichlet, type DirichletArgs } from './dirichlet.js';
