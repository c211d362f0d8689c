/**
 * The test models of the joint-distribution tests (eight schools, a linear regression, a
 * hierarchical model), each written in the three flavours, with the data of
 * fixtures/joint.json (written by fixtures/generate_joint.py).
 */
import * as tf from '@tensorflow/tfjs';
import * as tfd from '../../src/distributions/index.js';
import { loadFixture } from '../helpers.js';

export interface Row {
  values: Record<string, number | number[]>;
  parts: Record<string, number>;
  total: number;
}
export interface JointFixture {
  data: { y8: number[]; sigma8: number[]; x: number[][]; yr: number[]; g: number[]; yh: number[] };
  eightSchools: Row[];
  regression: Row[];
  hierarchical: Row[];
}
export const fx = loadFixture<JointFixture>('joint');
const { Root } = tfd.JointDistributionCoroutine;

/** Eight schools, centered: {mu, tau, theta [8], y [8]}. */
export function eightSchoolsNamed(): tfd.JointDistributionNamed {
  return new tfd.JointDistributionNamed({
    mu: new tfd.Normal({ loc: 0, scale: 5 }),
    tau: new tfd.HalfCauchy({ loc: 0, scale: 5 }),
    theta: ({ mu, tau }) =>
      new tfd.Sample({ distribution: new tfd.Normal({ loc: mu!, scale: tau! }), sampleShape: [8] }),
    y: ({ theta }) =>
      new tfd.Independent({ distribution: new tfd.Normal({ loc: theta!, scale: fx.data.sigma8 }), reinterpretedBatchNdims: 1 }),
  });
}

/** Eight schools, non-centered: theta = mu + tau · thetaTilde, thetaTilde ~ N(0, 1) [8]. */
export function eightSchoolsNonCentered(): tfd.JointDistributionNamed {
  return new tfd.JointDistributionNamed({
    mu: new tfd.Normal({ loc: 0, scale: 5 }),
    tau: new tfd.HalfCauchy({ loc: 0, scale: 5 }),
    thetaTilde: new tfd.Sample({ distribution: new tfd.Normal({ loc: 0, scale: 1 }), sampleShape: [8] }),
    y: ({ mu, tau, thetaTilde }) =>
      new tfd.Independent({
        distribution: new tfd.Normal({ loc: tf.add(tf.expandDims(mu!, -1), tf.mul(tf.expandDims(tau!, -1), thetaTilde!)), scale: fx.data.sigma8 }),
        reinterpretedBatchNdims: 1,
      }),
  });
}

/** The same model as a list: [mu, tau, theta, y]; functions get the earlier values most recent first. */
export function eightSchoolsSequential(): tfd.JointDistributionSequential {
  return new tfd.JointDistributionSequential([
    new tfd.Normal({ loc: 0, scale: 5 }),
    new tfd.HalfCauchy({ loc: 0, scale: 5 }),
    (tau, mu) => new tfd.Sample({ distribution: new tfd.Normal({ loc: mu!, scale: tau! }), sampleShape: [8] }),
    (theta) => new tfd.Independent({ distribution: new tfd.Normal({ loc: theta!, scale: fx.data.sigma8 }), reinterpretedBatchNdims: 1 }),
  ]);
}

/** The same model as a generator; parts named by the distributions' names. */
export function eightSchoolsCoroutine(): tfd.JointDistributionCoroutine {
  return new tfd.JointDistributionCoroutine(function* () {
    const mu = yield Root(new tfd.Normal({ loc: 0, scale: 5, name: 'mu' }));
    const tau = yield Root(new tfd.HalfCauchy({ loc: 0, scale: 5, name: 'tau' }));
    const theta = yield new tfd.Sample({ distribution: new tfd.Normal({ loc: mu, scale: tau }), sampleShape: [8], name: 'theta' });
    yield new tfd.Independent({ distribution: new tfd.Normal({ loc: theta, scale: fx.data.sigma8 }), reinterpretedBatchNdims: 1, name: 'y' });
  });
}

/** Linear regression y ~ N(alpha + X beta, sigma) as a list: [alpha, beta [2], sigma, y [5]]. */
export function regressionSequential(): tfd.JointDistributionSequential {
  const x = fx.data.x;
  return new tfd.JointDistributionSequential([
    new tfd.Normal({ loc: 0, scale: 10 }),
    new tfd.Sample({ distribution: new tfd.Normal({ loc: 0, scale: 10 }), sampleShape: [2] }),
    new tfd.HalfNormal({ scale: 1 }),
    (sigma, beta, alpha) =>
      new tfd.Independent({
        distribution: new tfd.Normal({
          // [..., 5] = alpha[..., None] + beta [..., 2] · Xᵀ [2, 5]
          loc: tf.add(tf.expandDims(alpha!, -1), tf.matMul(tf.expandDims(beta!, -2), tf.tensor2d(x), false, true).squeeze([-2])),
          scale: tf.expandDims(sigma!, -1),
        }),
        reinterpretedBatchNdims: 1,
      }),
  ]);
}

/** mu ~ N(0, 1), tau ~ Exp(1), a [3] ~ N(mu, tau), y [6] ~ N(a[g], 1), as a generator. */
export function hierarchicalCoroutine(): tfd.JointDistributionCoroutine {
  const g = fx.data.g;
  return new tfd.JointDistributionCoroutine(function* () {
    const mu = yield Root(new tfd.Normal({ loc: 0, scale: 1, name: 'mu' }));
    const tau = yield Root(new tfd.Exponential({ rate: 1, name: 'tau' }));
    const a = yield new tfd.Sample({
      distribution: new tfd.Normal({ loc: mu, scale: tau }),
      sampleShape: [3],
      name: 'a',
    });
    yield new tfd.Independent({
      distribution: new tfd.Normal({ loc: tf.gather(a, tf.tensor1d(g, 'int32'), -1), scale: 1 }),
      reinterpretedBatchNdims: 1,
      name: 'y',
    });
  });
}
