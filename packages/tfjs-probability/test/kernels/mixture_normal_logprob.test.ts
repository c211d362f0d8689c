import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  MIXTURE_NORMAL_LOGPROB,
  MIXTURE_NORMAL_LOGPROB_GRAD,
  mixtureNormalLogProbComposite,
  mixtureNormalLogProbFromParams,
  type MixtureNormalLayout,
} from '../../src/kernels/mixture_normal_logprob.js';
import { expectClose, expectNoLeak } from '../helpers.js';
import { registerAll } from '../../src/kernels/register_all.js';

// The fused kernel (cpu / wasm) against the composed tfjs ops with autograd, on the active backend.
describe('fused mixture-of-normals log density kernel', () => {
  it('is registered (forward and gradient) for the backend under test', () => {
    registerAll();
    expect(tf.getKernel(MIXTURE_NORMAL_LOGPROB, tf.getBackend())).toBeDefined();
    expect(tf.getKernel(MIXTURE_NORMAL_LOGPROB_GRAD, tf.getBackend())).toBeDefined();
  });
  const cases: Array<{ layout: MixtureNormalLayout; K: number; n: number }> = [
    { layout: 'mdn', K: 4, n: 1 },
    { layout: 'mdn', K: 3, n: 2 },
    { layout: 'mixtureNormal', K: 4, n: 1 },
    { layout: 'mixtureNormal', K: 2, n: 3 },
  ];
  for (const c of cases) {
    it(`${c.layout} K=${c.K} n=${c.n}: value and gradients equal the composed ops, incl. targets 50 sd out`, () => {
      const B = 6;
      const P = c.K * (2 * c.n + 1);
      const params = tf.tidy(() => {
        const raw = tf.randomNormal([B, P], 0, 1, 'float32', 11);
        if (c.layout !== 'mdn') return raw;
        // σ columns positive, as the MDN layer's activation guarantees.
        const mask = tf.concat([tf.zeros([c.K * c.n]), tf.ones([c.K * c.n]), tf.zeros([c.K])]);
        return tf.add(raw, tf.mul(mask, tf.sub(tf.add(tf.abs(raw), 0.2), raw)));
      });
      const y = tf.tidy(() => {
        const base = tf.randomNormal([B, c.n], 0, 1.5, 'float32', 12);
        const far = tf.fill([2, c.n], 80);
        return tf.concat([tf.slice(base, [0, 0], [B - 2, c.n]), tf.mul(far, tf.tensor2d([[1], [-1]]))]);
      });
      const attrs = { numComponents: c.K, eventSize: c.n, layout: c.layout };
      const fused = mixtureNormalLogProbFromParams(params, y, attrs);
      const comp = mixtureNormalLogProbComposite(params, y, attrs);
      expect(fused.shape).toEqual([B]);
      expect(Array.from(fused.dataSync()).every(Number.isFinite)).toBe(true);
      expectClose(fused, comp, { rtol: 1e-4, atol: 1e-4, context: 'value' });
      const w = tf.randomUniform([B], 0.5, 1.5, 'float32', 13);
      const gF = tf.grads((p: tf.Tensor, yy: tf.Tensor) => tf.sum(tf.mul(w, mixtureNormalLogProbFromParams(p, yy, attrs))));
      const gC = tf.grads((p: tf.Tensor, yy: tf.Tensor) => tf.sum(tf.mul(w, mixtureNormalLogProbComposite(p, yy, attrs))));
      const [dpF, dyF] = gF([params, y]);
      const [dpC, dyC] = gC([params, y]);
      expect(Array.from(dpF!.dataSync()).every(Number.isFinite)).toBe(true);
      expectClose(dpF!, dpC!, { rtol: 1e-3, atol: 1e-4, context: 'd params' });
      expectClose(dyF!, dyC!, { rtol: 1e-3, atol: 1e-4, context: 'd y' });
      // reduction 'meanNeg': the scalar -mean(log p) and its gradient (upstream gradient 1.7) in one launch each.
      const red = { ...attrs, reduction: 'meanNeg' as const };
      const nll = mixtureNormalLogProbFromParams(params, y, red);
      expect(nll.shape).toEqual([]);
      const nllC = tf.neg(tf.mean(comp));
      expectClose(nll, nllC, { rtol: 1e-5, atol: 1e-5, context: 'meanNeg value' });
      const [dpR, dyR] = tf.grads((p: tf.Tensor, yy: tf.Tensor) => tf.mul(1.7, mixtureNormalLogProbFromParams(p, yy, red)))([params, y]);
      const [dpRC, dyRC] = tf.grads((p: tf.Tensor, yy: tf.Tensor) => tf.mul(1.7, tf.neg(tf.mean(mixtureNormalLogProbComposite(p, yy, attrs)))))([params, y]);
      expectClose(dpR!, dpRC!, { rtol: 1e-3, atol: 1e-5, context: 'meanNeg d params' });
      expectClose(dyR!, dyRC!, { rtol: 1e-3, atol: 1e-5, context: 'meanNeg d y' });
      tf.dispose([params, y, fused, comp, w, dpF!, dyF!, dpC!, dyC!, nll, nllC, dpR!, dyR!, dpRC!, dyRC!]);
    });
  }

  it('rejects shapes that do not match the layout, naming both', () => {
    const p = tf.zeros([2, 7]);
    const y = tf.zeros([2, 1]);
    expect(() => mixtureNormalLogProbFromParams(p, y, { numComponents: 3, eventSize: 1, layout: 'mdn' })).toThrow(
      /params must be \[batch, 9\] for 3 components of size 1; got \[2, 7\]/,
    );
    tf.dispose([p, y]);
  });

  it('leaks nothing forward or backward', () => {
    const p = tf.randomUniform([3, 9], 0.1, 1, 'float32', 1);
    const y = tf.zeros([3, 1]);
    const attrs = { numComponents: 3, eventSize: 1, layout: 'mdn' as const };
    expectNoLeak(() => mixtureNormalLogProbFromParams(p, y, attrs), 'forward');
    expectNoLeak(() => tf.grad((q: tf.Tensor) => tf.sum(mixtureNormalLogProbFromParams(q, y, attrs)))(p), 'gradient');
    const red = { ...attrs, reduction: 'meanNeg' as const };
    expectNoLeak(() => mixtureNormalLogProbFromParams(p, y, red), 'meanNeg forward');
    expectNoLeak(() => tf.grad((q: tf.Tensor) => mixtureNormalLogProbFromParams(q, y, red))(p), 'meanNeg gradient');
    tf.dispose([p, y]);
  });
});
