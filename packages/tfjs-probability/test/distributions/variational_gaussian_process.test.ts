// VariationalGaussianProcess: with the inducing points at the data and q the exact posterior, the
// variational loss is the negative log marginal likelihood and the predictive equals the regression
// model's; shapes, gradients, errors and leaks.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { VariationalGaussianProcess } from '../../src/distributions/variational_gaussian_process.js';
import { GaussianProcess } from '../../src/distributions/gaussian_process.js';
import { GaussianProcessRegressionModel } from '../../src/distributions/gaussian_process_regression_model.js';
import * as psd from '../../src/math/psd_kernels/index.js';
import { cholesky, triangularSolve } from '../../src/math/linalg.js';
import { expectClose, expectNoLeak } from '../helpers.js';

const X = [[-1.0], [-0.3], [0.2], [0.9], [1.5]];
const Y = [0.3, -0.2, 0.1, 0.8, 0.5];
const NOISE = 0.1, JITTER = 1e-6;

/** The optimal whitened q(v) for inducing points Z = X: v = L⁻¹u with u | y the exact posterior. */
function optimalQ(kernel: psd.PositiveSemidefiniteKernel): { loc: tf.Tensor; scale: tf.Tensor } {
  return tf.tidy(() => {
    const K = kernel.matrix(X, X);
    const L = cholesky(tf.add(K, tf.mul(JITTER, tf.eye(5))));
    const Ly = cholesky(tf.add(K, tf.mul(NOISE + JITTER, tf.eye(5))));
    const B = triangularSolve(Ly, K); // Ly⁻¹K
    const muU = tf.matMul(B, triangularSolve(Ly, tf.tensor2d(Y, [5, 1])), true, false); // K (K+σ²)⁻¹ y
    const covU = tf.sub(K, tf.matMul(B, B, true, false));
    const loc = tf.squeeze(triangularSolve(L, muU), [-1]);
    const W = triangularSolve(L, tf.transpose(triangularSolve(L, covU))); // L⁻¹ Σ L⁻ᵀ
    const scale = cholesky(tf.add(tf.mul(0.5, tf.add(W, tf.transpose(W))), tf.mul(1e-7, tf.eye(5))));
    return { loc, scale };
  });
}

describe('VariationalGaussianProcess', () => {
  it('at the optimal q with Z = X: loss = −LML and the predictive is the regression model', () => {
    const kernel = new psd.ExponentiatedQuadratic({ amplitude: 1.1, lengthScale: 0.8 });
    const { loc, scale } = optimalQ(kernel);
    const Xt = [[-0.5], [0.4], [2.0]];
    const vgp = new VariationalGaussianProcess({
      kernel, indexPoints: Xt, inducingIndexPoints: X, variationalInducingObservationsLoc: loc,
      variationalInducingObservationsScale: scale, observationNoiseVariance: NOISE, jitter: JITTER,
    });
    const gp = new GaussianProcess({ kernel, indexPoints: X, observationNoiseVariance: NOISE, jitter: JITTER });
    expectClose(vgp.variationalLoss(Y, { observationIndexPoints: X }), tf.neg(gp.logProb(Y)), { rtol: 2e-3 });
    const gprm = new GaussianProcessRegressionModel({ kernel, indexPoints: Xt, observationIndexPoints: X, observations: Y, observationNoiseVariance: NOISE, jitter: JITTER });
    expectClose(vgp.mean(), gprm.mean(), { atol: 2e-3 });
    expectClose(vgp.stddev(), gprm.stddev(), { rtol: 2e-3 });
    expect(vgp.sample(4, { seed: 1 }).shape).toEqual([4, 3]);
    expectNoLeak(() => [vgp.mean(), vgp.stddev(), vgp.covariance(), vgp.logProb([0, 0, 0]), vgp.variationalLoss(Y, { observationIndexPoints: X, klWeight: 0.5 }), vgp.surrogatePosteriorKlDivergencePrior()], 'VGP');
    // A worse q has a larger loss.
    const worse = new VariationalGaussianProcess({
      kernel, indexPoints: Xt, inducingIndexPoints: X, variationalInducingObservationsLoc: tf.zeros([5]),
      variationalInducingObservationsScale: tf.eye(5), observationNoiseVariance: NOISE, jitter: JITTER,
    });
    expect(worse.variationalLoss(Y, { observationIndexPoints: X }).dataSync()[0]).toBeGreaterThan(vgp.variationalLoss(Y, { observationIndexPoints: X }).dataSync()[0]! + 0.5);
    tf.dispose([loc, scale]);
  });

  it('the loss is differentiable in the variational parameters and the inducing points; errors', () => {
    const kernel = new psd.MaternFiveHalves({ amplitude: 1, lengthScale: 0.7 });
    const z = tf.variable(tf.tensor2d([[-1], [0], [1]]));
    const m = tf.variable(tf.zeros([3]));
    const s = tf.variable(tf.eye(3));
    const { grads, value } = tf.variableGrads(() => {
      const v = new VariationalGaussianProcess({ kernel, indexPoints: X, inducingIndexPoints: z, variationalInducingObservationsLoc: m, variationalInducingObservationsScale: s, observationNoiseVariance: NOISE });
      const l = v.variationalLoss(Y) as tf.Scalar;
      v.dispose();
      return l;
    }, [z, m, s]);
    for (const g of Object.values(grads)) expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
    expect(Math.abs(grads[m.name]!.dataSync()[0]!)).toBeGreaterThan(0);
    tf.dispose([value, ...Object.values(grads), z, m, s]);
    expect(() => new VariationalGaussianProcess({ kernel, indexPoints: X, inducingIndexPoints: [[0], [1]], variationalInducingObservationsLoc: [0, 0, 0], variationalInducingObservationsScale: tf.eye(2) })).toThrow(/VariationalGaussianProcess: with 2 inducing points/);
    const noNoise = new VariationalGaussianProcess({ kernel, indexPoints: X, inducingIndexPoints: [[0]], variationalInducingObservationsLoc: [0], variationalInducingObservationsScale: [[1]] });
    expect(() => noNoise.variationalLoss(Y)).toThrow(/needs an observationNoiseVariance/);
  });
});
