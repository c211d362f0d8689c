import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { isZero, log1p, xlog1py, xlogy } from '../../src/distributions/continuous_util.js';
import { expectClose, expectNoLeak } from '../helpers.js';

describe('continuous_util', () => {
  it('log1p is accurate for tiny arguments on every backend (tf.log1p on wasm is not)', () => {
    const xs = [-2.27e-5, 1e-7, -1e-12, 1e-3, -0.3, 5, 1e30, -1];
    const got = log1p(tf.tensor1d(xs));
    expectClose(got, xs.map(Math.log1p), { rtol: 2e-7 });
    got.dispose();
  });

  it('log1p has gradient 1/(1+x)', () => {
    const x = tf.tensor1d([-0.5, 1e-6, 3]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(log1p(v)))(x);
    expectClose(g, [2, 1 / (1 + 1e-6), 0.25], { rtol: 1e-6 });
    tf.dispose([x, g]);
  });

  it('xlogy / xlog1py are 0 where x = 0 and differentiate without NaN', () => {
    const a = tf.tensor1d([0, 2, 0]);
    const y = tf.tensor1d([0, 0.5, 0.25]);
    const v = xlogy(a, y);
    expectClose(v, [0, 2 * Math.log(0.5), 0], { rtol: 1e-6 });
    const w = xlog1py(a, tf.neg(tf.tensor1d([1, 0.5, 0.25])));
    expectClose(w, [0, 2 * Math.log(0.5), 0], { rtol: 1e-6 });
    // d/dx x·log(y) = log(y) also at x = 0 (the (a-1)·log x term of Gamma/Beta/Dirichlet at a = 1):
    // -Infinity at y = 0 (the true one-sided derivative), never NaN.
    const g = tf.grad((t: tf.Tensor) => tf.sum(xlogy(t, y)))(a);
    expectClose(g, [-Infinity, Math.log(0.5), Math.log(0.25)], { rtol: 1e-6 });
    const z = isZero(a);
    expect(Array.from(z.dataSync())).toEqual([1, 0, 1]);
    tf.dispose([a, y, v, w, g, z]);
  });

  it('leaks no tensors', () => {
    const x = tf.tensor1d([0.1, 2]);
    expectNoLeak(() => log1p(x), 'log1p');
    expectNoLeak(() => xlogy(x, x), 'xlogy');
    x.dispose();
  });
});
