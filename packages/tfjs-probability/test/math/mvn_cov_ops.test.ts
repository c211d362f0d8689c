import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { MVN_COV_MIN_N, mvnCovLogProb, mvnCovLogProbRuns } from '../../src/math/mvn_cov_ops.js';
import { cholesky } from '../../src/math/linalg.js';
import { mvnTrilLogProb } from '../../src/math/mvn_ops.js';
import { setKernelsEnabled } from '../../src/kernels/register.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { expectClose, expectNoLeak } from '../helpers.js';

afterAll(() => setKernelsEnabled(true));

/** Covariances [B, n, n]: squared-exponential Gram matrices of length scales 0.7, 1.3 plus 0.2·I. */
function covs(n: number, scales: number[]): tf.Tensor {
  return tf.tidy(() => {
    const x = tf.linspace(-4, 4, n).reshape([n, 1]);
    const d2 = tf.square(tf.sub(x, x.transpose()));
    return tf.stack(scales.map((s) => tf.add(tf.exp(tf.mul(-0.5 / (s * s), d2)), tf.mul(0.2, tf.eye(n)))));
  });
}

describe('mvnCovLogProb (dense covariance, gradient ½(ααᵀ − K⁻¹))', () => {
  const n = MVN_COV_MIN_N + 77; // two blocks of the factorization would need n > 128: also run 200 below
  for (const size of [n, 200]) {
    it(`N = ${size}: value and gradients match the Cholesky-scale path, with sample and batch broadcasting`, () => {
      expect(mvnCovLogProbRuns(size)).toBe(true);
      const cov = covs(size, [0.7, 1.3]);
      const r = tf.randomNormal([3, 2, size], 0, 1, 'float32', 5); // [S, B, N] against cov [B, N, N]
      const g = tf.tensor2d([[1, -0.5], [0.3, 2], [0.7, 1.1]]);
      const f = (rr: tf.Tensor, cc: tf.Tensor) => tf.sum(tf.mul(g, mvnCovLogProb(rr, cc, tf.scalar(0), 'Test')));
      const ref = (rr: tf.Tensor, cc: tf.Tensor) => tf.sum(tf.mul(g, mvnTrilLogProb(rr, tf.zeros([size]), cholesky(cc))));
      const v = mvnCovLogProb(r, cov, tf.scalar(0), 'Test');
      expect(v.shape).toEqual([3, 2]);
      const vRef = mvnTrilLogProb(r, tf.zeros([size]), cholesky(cov));
      expectClose(v, vRef, { rtol: 2e-5, atol: 1e-3 });
      const [gr, gc] = tf.grads(f)([r, cov]);
      const [gr0, gc0] = tf.grads(ref)([r, cov]);
      expectClose(gr!, gr0!, { rtol: 1e-3, atol: 1e-4, context: 'd/dr' });
      expectClose(gc!, gc0!, { rtol: 2e-3, atol: 2e-4, context: 'd/dcov' });
      tf.dispose([cov, r, g, v, vRef, gr!, gc!, gr0!, gc0!]);
    });
  }

  it('adds a batch of diagonal shifts to one covariance, with the gradient of the shift = the trace of the covariance gradient', () => {
    const n = 150;
    const cov = tf.squeeze(covs(n, [1]), [0]); // [N, N], shared
    const diag = tf.tensor1d([0.05, 0.5]); // [2]
    const r = tf.randomNormal([2, n], 0, 1, 'float32', 9);
    const f = (rr: tf.Tensor, cc: tf.Tensor, dd: tf.Tensor) => tf.sum(tf.mul(tf.tensor1d([1, 2]), mvnCovLogProb(rr, cc, dd, 'Test')));
    const ref = (rr: tf.Tensor, cc: tf.Tensor, dd: tf.Tensor) => {
      const full = tf.add(cc, tf.mul(tf.reshape(dd, [2, 1, 1]), tf.eye(n)));
      return tf.sum(tf.mul(tf.tensor1d([1, 2]), mvnTrilLogProb(rr, tf.zeros([n]), cholesky(full))));
    };
    expectClose(f(r, cov, diag), ref(r, cov, diag), { rtol: 2e-5, atol: 1e-3 });
    const g = tf.grads(f)([r, cov, diag]);
    const g0 = tf.grads(ref)([r, cov, diag]);
    expect(g[1]!.shape).toEqual([n, n]);
    expect(g[2]!.shape).toEqual([2]);
    for (let i = 0; i < 3; i++) expectClose(g[i]!, g0[i]!, { rtol: 2e-3, atol: 2e-4, context: `gradient ${i}` });
    tf.dispose([cov, diag, r, ...g, ...g0]);
  });

  it('is leak-free, also when the covariance is not positive definite (the error names the caller)', () => {
    const cov = covs(100, [1]);
    const r = tf.ones([100]);
    expectNoLeak(() => tf.grads((rr: tf.Tensor, cc: tf.Tensor) => mvnCovLogProb(rr, cc, tf.scalar(0), 'Test'))([r, cov]), 'value and gradient');
    const bad = tf.sub(cov, tf.mul(5, tf.eye(100)));
    const zero = tf.scalar(0);
    const before = tf.memory().numTensors;
    expect(() => mvnCovLogProb(r, bad, zero, 'GaussianProcess')).toThrow(InvalidArgumentError);
    expect(() => mvnCovLogProb(r, bad, zero, 'GaussianProcess')).toThrow(/GaussianProcess: the covariance \[1, 100, 100\] is not positive definite/);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([cov, r, bad, zero]);
  });

  it('does not run below its size threshold or without the host-memory kernels', () => {
    expect(mvnCovLogProbRuns(MVN_COV_MIN_N - 1)).toBe(false);
    setKernelsEnabled(false);
    expect(mvnCovLogProbRuns(1000)).toBe(false);
    setKernelsEnabled(true);
  });
});
