import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { MVN_TRIL_NLL, mvnTrilNllOrNull } from '../../src/kernels/mvn_tril_nll.js';
import { MultivariateNormalTriL, SCALE_TRIL_DIAG_SHIFT } from '../../src/layers/multivariate_normal_tril.js';
import { negativeLogLikelihood } from '../../src/losses/nll.js';
import { expectClose, expectNoLeak } from '../helpers.js';

/** −mean log p through the distribution (the path the fused kernel replaces). */
function viaDistribution(params: tf.Tensor, y: tf.Tensor, n: number): tf.Scalar {
  return tf.tidy(() => {
    const d = MultivariateNormalTriL.toDistribution(params, n);
    const lp = d.logProb(y);
    d.dispose();
    return tf.neg(tf.mean(lp)) as tf.Scalar;
  });
}
const fused = (p: tf.Tensor, y: tf.Tensor, n: number) => mvnTrilNllOrNull(p, y, n, SCALE_TRIL_DIAG_SHIFT)!;

describe('fused MultivariateNormalTriL NLL', () => {
  it('is registered for the backend under test', () => {
    fused(tf.zeros([1, 2]), tf.zeros([1, 1]), 1).dispose();
    expect(tf.getKernel(MVN_TRIL_NLL, tf.getBackend())).toBeDefined();
  });

  for (const n of [1, 2, 5]) {
    it(`n=${n}: value and gradients (params, y) equal the distribution's, incl. raw entries of -5 and 21 (softplus's linear branch)`, () => {
      const P = n + (n * (n + 1)) / 2;
      const B = 9;
      const params = tf.tidy(() => {
        const p = tf.randomNormal([B, P], 0, 1, 'float32', n);
        // the last row's raw triangle all -12 or 25 alternately: softplus's linear branch and a small diagonal (float32's distribution path overflows to NaN much further out; the float64 kernel does not)
        const last = tf.concat([tf.zeros([1, n]), tf.tensor2d([Array.from({ length: P - n }, (_, i) => (i % 2 ? 21 : -5))])], 1);
        return tf.concat([tf.slice(p, [0, 0], [B - 1, P]), last]);
      });
      const y = tf.randomNormal([B, n], 0, 1.5, 'float32', n + 1);
      const a = fused(params, y, n);
      const b = viaDistribution(params, y, n);
      expect(Number.isFinite(a.dataSync()[0]!)).toBe(true);
      expectClose(a, b, { rtol: 1e-5, atol: 1e-5, context: 'value' });
      const g = (f: (p: tf.Tensor, t: tf.Tensor) => tf.Scalar) => tf.grads((p: tf.Tensor, t: tf.Tensor) => tf.mul(0.7, f(p, t)))([params, y]);
      const [dpF, dyF] = g((p, t) => fused(p, t, n));
      const [dpR, dyR] = g((p, t) => viaDistribution(p, t, n));
      expectClose(dpF!, dpR!, { rtol: 1e-3, atol: 1e-5, context: 'd params' });
      expectClose(dyF!, dyR!, { rtol: 1e-3, atol: 1e-5, context: 'd y' });
      expectNoLeak(() => fused(params, y, n), 'forward');
      expectNoLeak(() => tf.grad((p: tf.Tensor) => fused(p, y, n))(params), 'gradient');
      tf.dispose([params, y, a, b, dpF!, dyF!, dpR!, dyR!]);
    });
  }

  it('declines shapes it does not cover, and the loss agrees with the distribution either way', () => {
    expect(mvnTrilNllOrNull(tf.zeros([2, 3, 5]), tf.zeros([2, 3, 2]), 2, SCALE_TRIL_DIAG_SHIFT)).toBeNull();
    const head = new MultivariateNormalTriL({ eventSize: 3 });
    const loss = negativeLogLikelihood(head);
    const p = tf.randomNormal([6, 9], 0, 1, 'float32', 3);
    const y = tf.randomNormal([6, 3], 0, 1, 'float32', 4);
    const a = loss(y, p);
    const b = viaDistribution(p, y, 3);
    expectClose(a, b, { rtol: 1e-5, atol: 1e-6 });
    tf.dispose([p, y, a, b]);
  });
});
