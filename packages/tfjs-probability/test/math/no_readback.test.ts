// The samplers of the second round make no synchronous read-back (backend.readSync, what dataSync and
// arraySync call), so they never stall a GPU backend: every draw is tensor ops on the parameters.
// (NegativeBinomial, InverseGamma and Chi2 draw through math/gamma_sampler.ts, which is being
// converted separately, and are not listed.)
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { Distribution } from '../../src/distributions/distribution.js';
import * as tfd from '../../src/distributions/index.js';

function readsDuring(f: () => void): number {
  const backend = tf.engine().backend as unknown as { readSync: (id: unknown) => unknown };
  const original = backend.readSync;
  let reads = 0;
  backend.readSync = function (this: unknown, id: unknown) {
    reads++;
    return original.call(this, id);
  };
  try {
    f();
  } finally {
    backend.readSync = original;
  }
  return reads;
}

describe('samplers make no synchronous read-back', () => {
  const cases: Array<[string, () => Distribution]> = [
    ['Poisson (inversion and PTRS)', () => new tfd.Poisson({ rate: [0.05, 3, 900] })],
    ['Binomial (inversion and BTRS)', () => new tfd.Binomial({ totalCount: [10, 1000], probs: [0.3, 0.6] })],
    ['Multinomial', () => new tfd.Multinomial({ totalCount: 20, probs: [0.2, 0.3, 0.5] })],
    ['Geometric', () => new tfd.Geometric({ probs: [0.2, 0.9] })],
    ['Inflated(Poisson)', () => new tfd.Inflated({ distribution: new tfd.Poisson({ rate: 4 }), inflatedLocProbs: 0.3 })],
    ['TruncatedNormal (20 sd out)', () => new tfd.TruncatedNormal({ loc: 0, scale: 1, low: [-1, 20], high: [1, 21] })],
    ['VonMises', () => new tfd.VonMises({ loc: 0, concentration: [0.5, 50] })],
    ['Exponential', () => new tfd.Exponential({ rate: 2 })],
    ['Uniform', () => new tfd.Uniform({ low: 0, high: 2 })],
    ['HalfNormal', () => new tfd.HalfNormal({ scale: 2 })],
    ['Cauchy', () => new tfd.Cauchy({ loc: 0, scale: 1 })],
    ['Logistic', () => new tfd.Logistic({ loc: 0, scale: 1 })],
    ['Gumbel', () => new tfd.Gumbel({ loc: 0, scale: 1 })],
    ['Weibull', () => new tfd.Weibull({ concentration: 2, scale: 1 })],
  ];
  for (const [name, make] of cases) {
    it(name, () => {
      const d = make();
      let x: tf.Tensor | undefined;
      const reads = readsDuring(() => {
        x = d.sample([50], { seed: 3 });
      });
      expect(reads, `${name}.sample read back ${reads} times`).toBe(0);
      // The check itself can fail: reading the draws is counted.
      expect(readsDuring(() => x!.dataSync())).toBeGreaterThan(0);
      x!.dispose();
      d.dispose();
    });
  }
});
