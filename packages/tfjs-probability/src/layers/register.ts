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
// ---- issue 12: count/binary/logistic heads
import { IndependentPoisson } from './independent_poisson.js'; tf.serialization.registerClass(IndependentPoisson);
import { IndependentBernoulli } from './independent_bernoulli.js'; tf.serialization.registerClass(IndependentBernoulli);
import { IndependentLogistic } from './independent_logistic.js'; tf.serialization.registerClass(IndependentLogistic);
import { MixtureLogistic } from './mixture_logistic.js'; tf.serialization.registerClass(MixtureLogistic);
