// Ascending, SoftClip and CorrelationCholesky: the bijector conformance suite, and what is specific to each.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as tfb from '../../src/bijectors/index.js';
import { expectClose } from '../helpers.js';
import { batchJacobians, bijectorConformance, logAbsDet } from './conformance.js';

const sorted = (z: tf.Tensor) => {
  const b = new tfb.Ascending();
  const y = b.forward(z);
  b.dispose();
  return y;
};
bijectorConformance('bijectors of Bayesian models', [
  { name: 'Ascending', make: () => new tfb.Ascending(), xShape: [3, 4], badXShape: [] },
  { name: 'Invert(Ascending)', make: () => new tfb.Invert({ bijector: new tfb.Ascending() }), xShape: [3, 4], domain: sorted },
  { name: 'SoftClip(low, high)', make: () => new tfb.SoftClip({ low: -1, high: [2, 3], hingeSoftness: 0.5 }), xShape: [3, 2] },
  { name: 'SoftClip(low)', make: () => new tfb.SoftClip({ low: 1 }), xShape: [3, 2] },
  { name: 'SoftClip(high)', make: () => new tfb.SoftClip({ high: 1, hingeSoftness: 0.3 }), xShape: [3, 2] },
  // maps into unit-norm rows (a manifold): its log-det-Jacobian convention is checked below
  { name: 'CorrelationCholesky', make: () => new tfb.CorrelationCholesky(), xShape: [2, 3], skipForwardJacobian: true, skipInverseJacobian: true },
]);

describe('Ascending', () => {
  it('forward is a cumulative sum of the first entry and the exponentials of the others', () => {
    const b = new tfb.Ascending();
    tf.tidy(() => {
      expectClose(b.forward([1, 0, Math.log(2)]), [1, 2, 4], { rtol: 1e-6 });
      expectClose(b.inverse([1, 2, 4]), [1, 0, Math.log(2)], { rtol: 1e-6, atol: 1e-7 });
      expectClose(b.forwardLogDetJacobian([1, 0, Math.log(2)], 1), [Math.log(2)], { rtol: 1e-6 });
    });
    b.dispose();
  });
});

describe('SoftClip', () => {
  it('stays inside (low, high), is close to the identity inside for a small softness', () => {
    const b = new tfb.SoftClip({ low: 0, high: 1, hingeSoftness: 0.01 });
    tf.tidy(() => {
      const y = Array.from(b.forward([-100, 0.5, 100]).dataSync());
      expect(y[0]! >= 0 && y[2]! <= 1).toBe(true);
      expectClose(y, [0, 0.5, 1], { atol: 1e-3 });
    });
    b.dispose();
  });
});

describe('CorrelationCholesky', () => {
  it('forward gives unit-norm rows; L Lᵀ is a correlation matrix; TSDoc example', () => {
    const b = new tfb.CorrelationCholesky();
    tf.tidy(() => {
      const l = b.forward([0.5]);
      expectClose(l, [1, 0, 0.5 / Math.sqrt(1.25), 1 / Math.sqrt(1.25)], { rtol: 1e-6 });
      const l3 = b.forward(tf.tensor1d([0.3, -1.2, 2]));
      const c = tf.matMul(l3, l3, false, true);
      expectClose(tf.sum(tf.mul(c, tf.eye(3)), -1), [1, 1, 1], { rtol: 1e-6 });
      expect(l3.shape).toEqual([3, 3]);
      expectClose(b.inverse(l3), [0.3, -1.2, 2], { rtol: 1e-5 });
    });
    b.dispose();
  });

  it('log-det-Jacobian: Σᵢ (i + 2) log Lᵢᵢ, the Jacobian of x onto the free entries of each row', () => {
    const b = new tfb.CorrelationCholesky();
    const x = tf.tensor2d([[0.3, -1.2, 2, 0.1, 0.5, -0.7]]); // n = 4
    // The free coordinates of row i are its first i entries (the diagonal follows from the unit norm).
    const free = (v: tf.Tensor): tf.Tensor => {
      const l = b.forward(v) as tf.Tensor; // [1, 4, 4]
      const rows = [1, 2, 3].map((i) => tf.slice(l, [0, i, 0], [1, 1, i]).reshape([1, i]));
      return tf.concat(rows, -1); // [1, 6]
    };
    const jac = batchJacobians(free, x, 1)[0]!;
    const want = logAbsDet(jac);
    const got = b.forwardLogDetJacobian(x, 1);
    expectClose(got, [want], { rtol: 1e-4 });
    tf.dispose([x, got]);
    b.dispose();
  });
});
