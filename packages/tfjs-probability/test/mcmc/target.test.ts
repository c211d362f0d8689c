import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { FlatTarget } from '../../src/mcmc/target.js';
import { cholesky } from '../../src/math/linalg.js';
import { InvalidArgumentError } from '../../src/errors.js';

/**
 * log p(r) = -r²/2 + log det(chol([[1, r], [r, 1]])) = -r²/2 + log(1 - r²)/2 for |r| < 1; the
 * Cholesky factorization throws an InvalidArgumentError for |r| >= 1.
 */
function correlationTarget(numChains: number, calls: { n: number }): FlatTarget {
  return new FlatTarget(([r]) => tf.tidy(() => {
    calls.n++;
    const off = tf.reshape(r!, [-1, 1, 1]);
    const m = tf.add(tf.eye(2), tf.mul(off, tf.tensor2d([[0, 1], [1, 0]])));
    const l = cholesky(m);
    return tf.add(tf.mul(-0.5, tf.square(r!)), tf.sum(tf.log(tf.sum(tf.mul(l, tf.eye(2)), 2)), 1));
  }), [{ name: 'r', shape: [] }], numChains);
}

describe('FlatTarget.evaluate', () => {
  it('finds the rows that throw by halving the batch, gives them -Infinity and the others their values and gradients, and leaks nothing', async () => {
    const calls = { n: 0 };
    const t = correlationTarget(64, calls);
    const x = Float64Array.from({ length: 64 }, (_, i) => (i === 5 ? 2 : 0.5 - i / 200));
    const before = tf.memory().numTensors;
    const ev = await t.evaluate(x);
    expect(tf.memory().numTensors).toBe(before);
    expect(ev.logp[5]).toBe(-Infinity);
    for (let i = 0; i < 64; i++) {
      if (i === 5) continue;
      const r = x[i]!;
      expect(ev.logp[i]).toBeCloseTo(-0.5 * r * r + 0.5 * Math.log(1 - r * r), 4);
      expect(ev.grad[i]).toBeCloseTo(-r - r / (1 - r * r), 3);
    }
    // One batched call, then one bad row among 64 is isolated in at most 2 log2(64) more.
    expect(calls.n).toBeLessThanOrEqual(1 + 2 * 6);
    expect(t.numEvaluations).toBe(1);
  });

  it('rethrows when every row throws, and rethrows other errors at once, without leaking', async () => {
    const calls = { n: 0 };
    const t = correlationTarget(8, calls);
    const before = tf.memory().numTensors;
    await expect(t.evaluate(new Float64Array(8).fill(3))).rejects.toThrow(InvalidArgumentError);
    expect(tf.memory().numTensors).toBe(before);
    const broken = new FlatTarget(([r]) => tf.tidy(() => {
      tf.square(r!); // a recorded op before the error
      throw new Error('model bug');
    }), [{ name: 'r', shape: [] }], 8);
    await expect(broken.evaluate(new Float64Array(8))).rejects.toThrow('model bug');
    expect(tf.memory().numTensors).toBe(before);
  });
});
