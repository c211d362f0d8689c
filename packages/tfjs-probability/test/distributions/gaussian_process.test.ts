// GaussianProcess and GaussianProcessRegressionModel: identities with the multivariate normal, batches
// and shapes, sampler moments, gradients reaching kernel variables, noise-free interpolation, errors and
// leaks. (Values against scikit-learn: gaussian_process_sklearn.test.ts.)
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { GaussianProcess } from '../../src/distributions/gaussian_process.js';
import { GaussianProcessRegressionModel } from '../../src/distributions/gaussian_process_regression_model.js';
import { MultivariateNormalFullCovariance } from '../../src/distributions/mvn_full_covariance.js';
import * as psd from '../../src/math/psd_kernels/index.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { expectClose, expectNoLeak, meanTolerance } from '../helpers.js';

const X = [[-1.0], [-0.3], [0.2], [0.9], [1.5]];
const Y = [0.3, -0.2, 0.1, 0.8, 0.5];

describe('GaussianProcess', () => {
  it('at N ≥ 64 (the dense blocked path on cpu/wasm) matches the multivariate normal in value and gradients, batched', () => {
    const n = 140;
    const x = tf.reshape(tf.linspace(-3, 3, n), [n, 1]);
    const y = tf.sin(tf.mul(2, tf.reshape(x, [n])));
    const amp = tf.variable(tf.tensor1d([0.8, 1.2])); // batch [2]
    const ls = tf.variable(tf.scalar(0.7));
    const noise = tf.variable(tf.tensor1d([0.05, 0.2]));
    const kernel = new psd.ExponentiatedQuadratic({ amplitude: amp, lengthScale: ls });
    const f = () => {
      const gp = new GaussianProcess({ kernel, indexPoints: x, observationNoiseVariance: noise });
      const v = tf.sum(tf.mul(tf.tensor1d([1, 0.5]), gp.logProb(y)));
      gp.dispose();
      return v as tf.Scalar;
    };
    const ref = () => {
      const cov = tf.add(kernel.matrix(x, x), tf.mul(tf.reshape(tf.add(noise, 1e-6), [2, 1, 1]), tf.eye(n)));
      const mvn = new MultivariateNormalFullCovariance({ loc: tf.zeros([n]), covarianceMatrix: cov });
      const v = tf.sum(tf.mul(tf.tensor1d([1, 0.5]), mvn.logProb(y)));
      mvn.dispose();
      return v as tf.Scalar;
    };
    const a = tf.variableGrads(f, [amp, ls, noise]);
    const b = tf.variableGrads(ref, [amp, ls, noise]);
    expectClose(a.value, b.value, { rtol: 1e-5 });
    for (const v of [amp, ls, noise]) expectClose(a.grads[v.name]!, b.grads[v.name]!, { rtol: 2e-3, atol: 1e-3, context: v.name });
    expectNoLeak(() => {
      const r = tf.variableGrads(f, [amp, ls, noise]);
      return [r.value, ...Object.values(r.grads)];
    }, 'GaussianProcess.logProb gradient at N = 140');
    tf.dispose([x, y, amp, ls, noise, a.value, b.value, ...Object.values(a.grads), ...Object.values(b.grads)]);
    kernel.dispose();
  });

  it('is the multivariate normal N(m(X), K + (σ² + jitter) I)', () => {
    const kernel = new psd.MaternFiveHalves({ amplitude: 1.3, lengthScale: 0.6 });
    const meanFn = (x: tf.Tensor) => tf.mul(0.5, tf.squeeze(x, [-1]));
    const gp = new GaussianProcess({ kernel, indexPoints: X, observationNoiseVariance: 0.05, meanFn, jitter: 1e-5 });
    const cov = tf.add(kernel.matrix(X, X), tf.mul(0.05 + 1e-5, tf.eye(5)));
    const mvn = new MultivariateNormalFullCovariance({ loc: meanFn(tf.tensor(X)), covarianceMatrix: cov });
    expect(gp.batchShape).toEqual([]);
    expect(gp.eventShape).toEqual([5]);
    expectClose(gp.logProb(Y), mvn.logProb(Y), { rtol: 1e-5 });
    expectClose(gp.mean(), X.map(([x]) => 0.5 * x!), { rtol: 1e-6 });
    expectClose(gp.variance(), Array(5).fill(1.3 ** 2 + 0.05), { rtol: 1e-5 });
    expectClose(gp.covariance(), tf.sub(cov, tf.mul(1e-5, tf.eye(5))), { rtol: 1e-5, atol: 1e-6 });
    expectClose(gp.entropy(), mvn.entropy(), { rtol: 1e-5 });
    for (const [name, f] of Object.entries({
      logProb: () => gp.logProb(Y), sample: () => gp.sample(3, { seed: 1 }), mean: () => gp.mean(), stddev: () => gp.stddev(),
      covariance: () => gp.covariance(), entropy: () => gp.entropy(),
    })) expectNoLeak(f, `GaussianProcess.${name}`);
    gp.dispose();
    mvn.dispose();
  });

  it('batches over kernel hyperparameters, index points and noise; sample shapes', () => {
    const kernel = new psd.ExponentiatedQuadratic({ amplitude: [0.5, 1, 2], lengthScale: 0.7 });
    const gp = new GaussianProcess({ kernel, indexPoints: X, observationNoiseVariance: 0.1 });
    expect(gp.batchShape).toEqual([3]);
    expect(gp.logProb(Y).shape).toEqual([3]);
    expect(gp.logProb([[Y], [Y]]).shape).toEqual([2, 3]);
    expect(gp.sample([4, 2], { seed: 3 }).shape).toEqual([4, 2, 3, 5]);
    expect(gp.stddev().shape).toEqual([3, 5]);
    const one = new GaussianProcess({ kernel: new psd.ExponentiatedQuadratic({ amplitude: 2, lengthScale: 0.7 }), indexPoints: X, observationNoiseVariance: 0.1 });
    expectClose(tf.slice(gp.logProb(Y), [2], [1]), one.logProb(Y), { rtol: 1e-5 });
    const ip = tf.stack([tf.tensor(X), tf.mul(tf.tensor(X), 2)]); // [2, 5, 1]
    const gp2 = new GaussianProcess({ kernel: new psd.ExponentiatedQuadratic(), indexPoints: ip, observationNoiseVariance: [0.1, 0.2] });
    expect(gp2.batchShape).toEqual([2]);
    expect(gp2.covariance().shape).toEqual([2, 5, 5]);
  });

  it('draws have the covariance K + σ²I (moments at a fixed seed)', () => {
    const kernel = new psd.ExponentiatedQuadratic({ amplitude: 1, lengthScale: 0.8 });
    const gp = new GaussianProcess({ kernel, indexPoints: X.slice(0, 3), observationNoiseVariance: 0.2 });
    const n = 20000;
    const s = gp.sample(n, { seed: 7 });
    const m = tf.mean(s, 0);
    const c = tf.div(tf.matMul(tf.sub(s, m), tf.sub(s, m), true, false), n - 1);
    // Variances 1.2 and covariances ≤ 1: the sample covariance's sd is ≤ 1.2·√(2/n) per entry.
    expectClose(m, [0, 0, 0], { atol: meanTolerance(Math.sqrt(1.2), n, 3) });
    expectClose(c, gp.covariance(), { atol: 6 * 1.2 * Math.sqrt(2 / n) });
  });

  it('gradients of the log marginal likelihood reach kernel variables (tf.variableGrads)', () => {
    const amp = tf.variable(tf.scalar(1.1));
    const ls = tf.variable(tf.scalar(0.5));
    const kernel = new psd.ExponentiatedQuadratic({ amplitude: amp, lengthScale: ls });
    const gp = new GaussianProcess({ kernel, indexPoints: X, observationNoiseVariance: 0.1 });
    const { value, grads } = tf.variableGrads(() => tf.neg(gp.logProb(Y)) as tf.Scalar, [amp, ls]);
    const h = 1e-3;
    const at = (a: number, l: number) => {
      const k = new psd.ExponentiatedQuadratic({ amplitude: a, lengthScale: l });
      const g = new GaussianProcess({ kernel: k, indexPoints: X, observationNoiseVariance: 0.1 });
      const v = -g.logProb(Y).dataSync()[0]!;
      g.dispose();
      return v;
    };
    expectClose(grads[amp.name]!, (at(1.1 + h, 0.5) - at(1.1 - h, 0.5)) / (2 * h), { rtol: 2e-2, atol: 1e-3 });
    expectClose(grads[ls.name]!, (at(1.1, 0.5 + h) - at(1.1, 0.5 - h)) / (2 * h), { rtol: 2e-2, atol: 1e-3 });
    tf.dispose([value, ...Object.values(grads), amp, ls]);
    gp.dispose();
  });

  it('errors name the class, the argument, the shape given and what was expected; no leaks', () => {
    const kernel = new psd.ExponentiatedQuadratic();
    const before = tf.memory().numTensors;
    expect(() => new GaussianProcess({ kernel: {} as psd.PositiveSemidefiniteKernel, indexPoints: X })).toThrow(/GaussianProcess: kernel must be a psd kernel/);
    expect(() => new GaussianProcess({ kernel, indexPoints: [1, 2, 3] })).toThrow(/GaussianProcess: indexPoints must be \[\.\.\., N, F\].*got shape \[3\]/);
    expect(() => new GaussianProcess({ kernel, indexPoints: X, jitter: -1 })).toThrow(/jitter must be a finite number/);
    expect(() => new GaussianProcess({ kernel, indexPoints: X, observationNoiseVariance: -0.1 })).toThrow(InvalidArgumentError);
    const k2 = new psd.ExponentiatedQuadratic({ amplitude: [1, 2] });
    expect(() => new GaussianProcess({ kernel: k2, indexPoints: X, observationNoiseVariance: [1, 2, 3] })).toThrow(/GaussianProcess/);
    k2.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const gp = new GaussianProcess({ kernel, indexPoints: X });
    expect(() => gp.logProb([1, 2])).toThrow(/GaussianProcess\.logProb: x must have shape \[\.\.\., 5\]/);
    gp.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('GaussianProcessRegressionModel', () => {
  it('interpolates noise-free observations; predictive noise defaults to the observation noise', () => {
    const kernel = new psd.ExponentiatedQuadratic({ amplitude: 1, lengthScale: 0.5 });
    const exact = new GaussianProcessRegressionModel({ kernel, indexPoints: X, observationIndexPoints: X, observations: Y, jitter: 1e-6 });
    expectClose(exact.mean(), Y, { atol: 5e-3 });
    expect(Math.max(...exact.stddev().dataSync())).toBeLessThan(0.03);
    const noisy = new GaussianProcessRegressionModel({ kernel, indexPoints: [[5]], observationIndexPoints: X, observations: Y, observationNoiseVariance: 0.3 });
    // Far from the data: the prior variance plus the predictive noise.
    expectClose(noisy.variance(), [1.3], { rtol: 1e-4 });
    const latent = new GaussianProcessRegressionModel({ kernel, indexPoints: [[5]], observationIndexPoints: X, observations: Y, observationNoiseVariance: 0.3, predictiveNoiseVariance: 0 });
    expectClose(latent.variance(), [1], { rtol: 1e-4 });
    expect(noisy.sample(2, { seed: 1 }).shape).toEqual([2, 1]);
    expect(noisy.logProb([0.1]).shape).toEqual([]);
    for (const d of [exact, noisy, latent]) {
      expectNoLeak(() => [d.mean(), d.stddev(), d.logProb(Array(d.numIndexPoints).fill(0)), d.sample(2, { seed: 2 })], 'GPRM');
      d.dispose();
    }
  });

  it('precomputeRegressionModel gives the same predictions and frees its factors', () => {
    const kernel = new psd.MaternThreeHalves({ amplitude: 0.8, lengthScale: 0.9 });
    const args = { kernel, indexPoints: [[0.1], [0.6], [2]], observationIndexPoints: X, observations: Y, observationNoiseVariance: 0.05 };
    const before = tf.memory().numTensors;
    const a = new GaussianProcessRegressionModel(args);
    const b = GaussianProcessRegressionModel.precomputeRegressionModel(args);
    tf.tidy(() => {
      expectClose(b.mean(), a.mean(), { rtol: 1e-6 });
      expectClose(b.covariance(), a.covariance(), { rtol: 1e-5, atol: 1e-7 });
    });
    a.dispose();
    b.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => new GaussianProcessRegressionModel({ ...args, observations: [1, 2] })).toThrow(/observations must be \[\.\.\., 5\]/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
