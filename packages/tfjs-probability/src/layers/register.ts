// Registers every layer with tfjs serialization so saved models load (package.json "sideEffects").
// A flat list: one import and one registerClass line per layer; append new layers at the end.
import * as tf from '@tensorflow/tfjs';
import { IndependentNormal } from './independent_normal.js';
import { MultivariateNormalTriL } from './multivariate_normal_tril.js';
import { DistributionLambda } from './distribution_lambda.js';
import { Sampling } from './sampling.js';
tf.serialization.registerClass(IndependentNormal);
tf.serialization.registerClass(MultivariateNormalTriL);
tf.serialization.registerClass(DistributionLambda);
tf.serialization.registerClass(Sampling);
import { MixtureNormal } from './mixture_normal.js'; tf.serialization.registerClass(MixtureNormal);
import { MixtureSameFamily } from './mixture_same_family.js'; tf.serialization.registerClass(MixtureSameFamily);
import { MixtureDensity } from './mixture_density.js'; tf.serialization.registerClass(MixtureDensity);
import { AutoregressiveNetwork } from '../bijectors/autoregressive_network.js'; tf.serialization.registerClass(AutoregressiveNetwork);
import { AutoregressiveTransform } from './autoregressive_transform.js'; tf.serialization.registerClass(AutoregressiveTransform);
import { OneHotCategorical } from './one_hot_categorical.js'; tf.serialization.registerClass(OneHotCategorical);
import { CategoricalMixtureOfOneHotCategorical } from './categorical_mixture_of_one_hot_categorical.js'; tf.serialization.registerClass(CategoricalMixtureOfOneHotCategorical);
import { DenseVariational } from './dense_variational.js'; tf.serialization.registerClass(DenseVariational);
import { DenseReparameterization } from './dense_reparameterization.js'; tf.serialization.registerClass(DenseReparameterization);
import { DenseFlipout } from './dense_flipout.js'; tf.serialization.registerClass(DenseFlipout);
import { Convolution2DReparameterization } from './conv2d_reparameterization.js'; tf.serialization.registerClass(Convolution2DReparameterization);
import { Convolution2DFlipout } from './conv2d_flipout.js'; tf.serialization.registerClass(Convolution2DFlipout);
import { VariableLayer } from './variable_layer.js'; tf.serialization.registerClass(VariableLayer);
import { KLDivergenceAddLoss } from './kl_divergence_add_loss.js'; tf.serialization.registerClass(KLDivergenceAddLoss);
// ---- count/binary/logistic heads
import { IndependentPoisson } from './independent_poisson.js'; tf.serialization.registerClass(IndependentPoisson);
import { IndependentBernoulli } from './independent_bernoulli.js'; tf.serialization.registerClass(IndependentBernoulli);
import { IndependentLogistic } from './independent_logistic.js'; tf.serialization.registerClass(IndependentLogistic);
import { MixtureLogistic } from './mixture_logistic.js'; tf.serialization.registerClass(MixtureLogistic);
import { VariationalGaussianProcess as VariationalGaussianProcessLayer } from './variational_gaussian_process.js'; tf.serialization.registerClass(VariationalGaussianProcessLayer);
