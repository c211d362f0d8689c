import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { INDEPENDENT_NORMAL_NLL, independentNormalNllOrNull } from '../../src/kernels/independent_normal_nll.js';
import { IndependentNormal } from '../../src/layers/independent_normal.js';
import { negativeLogLikelihood } from '../../src/losses/nll.js';
import { expectClose, expectNoLeak } from '../helpers.js';

/** −mean log p through the distribution (the path the fused kernel replaces). */
function viaDistribution(params: tf.Tensor, y: tf.Tensor, event: number[]): tf.Scalar {
  return tf.tidy(() => {
    const d = IndependentNormal.toDistribution(params, event);
    const lp = d.logProb(y);
    d.dispose();
    return tf.neg(tf.mean(lp)) as tf.Scalar;
  });
}

describe('fused IndependentNormal NLL', () => {
  it('is registered for the backend under test', () => {
    independentNormalNllOrNull(tf.zeros([1, 2]), tf.zeros([1]), 1)?.dispose();
    expect(tf.getKernel(INDEPENDENT_NORMAL_NLL, tf.getBackend())).toBeDefined();
  });

  for (const event of [[], [3], [2, 2]] as number[][]) {
    it(`event shape ${JSON.stringify(event)}: value and gradients (params, y) equal the distribution's, incl. extreme raw scales`, () => {
      const n = event.reduce((a, b) => a * b, 1);
      const B = 7;
      const params = tf.tidy(() => {
        const p = tf.randomNormal([B, 2 * n], 0, 2, 'float32', n);
        // raw scales -25 and 25 in the last row: softplus's two asymptotic branches
        const last = tf.concat([tf.zeros([1, n]), tf.tensor2d([Array.from({ length: n }, (_, i) => (i % 2 ? 25 : -25))])], 1);
        return tf.concat([tf.slice(p, [0, 0], [B - 1, 2 * n]), last]);
      });
      const y = tf.tidy(() => tf.randomNormal([B, ...event], 0, 1.5, 'float32', n + 1));
      const fused = independentNormalNllOrNull(params, y, n)!;
      const ref = viaDistribution(params, y, event);
      expect(Number.isFinite(fused.dataSync()[0]!)).toBe(true);
      expectClose(fused, ref, { rtol: 1e-5, atol: 1e-5, context: 'value' });
      const g = (f: (p: tf.Tensor, t: tf.Tensor) => tf.Scalar) => tf.grads((p: tf.Tensor, t: tf.Tensor) => tf.mul(1.3, f(p, t)))([params, y]);
      const [dpF, dyF] = g((p, t) => independentNormalNllOrNull(p, t, n)!);
      const [dpR, dyR] = g((p, t) => viaDistribution(p, t, event));
      expectClose(dpF!, dpR!, { rtol: 1e-4, atol: 1e-6, context: 'd params' });
      expectClose(dyF!, dyR!, { rtol: 1e-4, atol: 1e-6, context: 'd y' });
      expectNoLeak(() => independentNormalNllOrNull(params, y, n)!, 'forward');
      expectNoLeak(() => tf.grad((p: tf.Tensor) => independentNormalNllOrNull(p, y, n)!)(params), 'gradient');
      tf.dispose([params, y, fused, ref, dpF!, dyF!, dpR!, dyR!]);
    });
  }

  it('declines shapes it does not cover (the loss then uses the distribution), and the loss agrees either way', () => {
    const p3 = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 1);
    const y3 = tf.randomNormal([2, 3, 2], 0, 1, 'float32', 2);
    expect(independentNormalNllOrNull(p3, y3, 2)).toBeNull();
    const head = new IndependentNormal({ eventShape: [2] });
    const loss = negativeLogLikelihood(head);
    const p = tf.randomNormal([5, 4], 0, 1, 'float32', 3);
    const y = tf.randomNormal([5, 2], 0, 1, 'float32', 4);
    const a = loss(y, p);
    const b = viaDistribution(p, y, [2]);
    expectClose(a, b, { rtol: 1e-5, atol: 1e-6 });
    tf.dispose([p3, y3, p, y, a, b]);
  });
});
