import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { MDN_ACTIVATION, mdnActivation, mdnActivationComposite, mdnActivationGrad, mdnActivationGradComposite } from '../../src/kernels/mixture_mdn_activation.js';
import { expectClose, expectNoLeak } from '../helpers.js';
import { registerAll } from '../../src/kernels/register_all.js';

describe('MDN head activation kernel', () => {
  it('equals elu(z)+1+eps on the sigma block, identity elsewhere; gradient analytic', () => {
    registerAll();
    expect(tf.getKernel(MDN_ACTIVATION, tf.getBackend())).toBeDefined();
    const zv = [[-30, -2, -0.5, 0, 0.7, 3, 1.5, -1], [2, -3, 0.2, -0.2, 5, -8, 0.1, 9]];
    const z = tf.tensor2d(zv);
    const eps = 1e-7;
    const inBlock = (j: number) => j >= 2 && j < 6;
    const want = zv.map((r) => r.map((v, j) => (inBlock(j) ? (v > 0 ? v + 1 : Math.exp(v)) + eps : v)));
    const out = mdnActivation(z, 2, 6, eps);
    expectClose(out, want, { rtol: 1e-6, atol: 1e-9 });
    const w = tf.tensor2d(zv.map((r) => r.map((_, j) => 1 + j)));
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(w, mdnActivation(t, 2, 6, eps))))(z);
    const gWant = zv.map((r) => r.map((v, j) => (1 + j) * (inBlock(j) ? (v > 0 ? 1 : Math.exp(v)) : 1)));
    expectClose(g, gWant, { rtol: 1e-5, atol: 1e-9 });
    expectNoLeak(() => mdnActivation(z, 2, 6, eps), 'forward');
    tf.dispose([z, out, w, g]);
  });

  it('composed form (backends without the kernel) and its gradient give the same values, also with empty outer blocks', () => {
    const z = tf.tensor2d([[-30, -2, -0.5, 0, 0.7, 3, 1.5, -1], [2, -3, 0.2, -0.2, 5, -8, 0.1, 9]]);
    const dy = tf.randomNormal([2, 8], 0, 1, 'float32', 3);
    for (const [start, end] of [[2, 6], [0, 8], [0, 3], [5, 8]] as const) {
      const k = mdnActivation(z, start, end, 1e-7);
      const c = mdnActivationComposite(z, start, end, 1e-7);
      expectClose(c, k, { rtol: 1e-6, atol: 1e-7, context: { start, end } });
      const gk = mdnActivationGrad(dy, k, start, end, 1e-7);
      const gc = mdnActivationGradComposite(dy, k, start, end, 1e-7);
      const ga = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(dy, mdnActivationComposite(t, start, end, 1e-7))))(z);
      expectClose(gc, gk, { rtol: 1e-6, atol: 1e-7, context: { start, end, what: 'grad' } });
      expectClose(ga, gk, { rtol: 1e-5, atol: 1e-7, context: { start, end, what: 'autodiff' } });
      tf.dispose([k, c, gk, gc, ga]);
    }
    expectNoLeak(() => mdnActivationComposite(z, 2, 6, 1e-7), 'composite');
    tf.dispose([z, dy]);
  });
});
