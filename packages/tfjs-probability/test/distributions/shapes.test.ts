// Shape table (distrax style): named cases of each distribution class owned by the
// discrete/Independent area, plus Normal, crossed with sample shapes [], [1], [2, 3]:
// sample -> [...s, ...batch, ...event], logProb(sample) -> [...s, ...batch],
// mean (mode for Categorical, which has no mean) -> [...batch, ...event].
// Other areas keep their own classes' shape tables in their own test files.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { Distribution } from '../../src/distributions/distribution.js';
import { Normal } from '../../src/distributions/normal.js';
import { Bernoulli } from '../../src/distributions/bernoulli.js';
import { Categorical } from '../../src/distributions/categorical.js';
import { OneHotCategorical } from '../../src/distributions/one_hot_categorical.js';
import { Independent } from '../../src/distributions/independent.js';
import { NotImplementedError } from '../../src/errors.js';

interface Case {
  name: string;
  make(): Distribution;
  batch: number[];
  event: number[];
  /** Categorical has no mean: check that it throws and use the mode's shape instead. */
  noMean?: boolean;
}

const table: Case[] = [
  { name: 'Normal scalar', make: () => new Normal({ loc: 0, scale: 1 }), batch: [], event: [] },
  { name: 'Normal broadcast [2,1] x [3]', make: () => new Normal({ loc: [[0], [1]], scale: [1, 2, 3] }), batch: [2, 3], event: [] },
  { name: 'Bernoulli scalar probs', make: () => new Bernoulli({ probs: 0.3 }), batch: [], event: [] },
  { name: 'Bernoulli logits [2,3]', make: () => new Bernoulli({ logits: [[0, 1, -1], [2, -2, 0.5]] }), batch: [2, 3], event: [] },
  { name: 'Categorical K=3', make: () => new Categorical({ logits: [0, 1, 2] }), batch: [], event: [], noMean: true },
  {
    name: 'Categorical probs batch [2], K=4',
    make: () => new Categorical({ probs: [[0.1, 0.2, 0.3, 0.4], [0.25, 0.25, 0.25, 0.25]] }),
    batch: [2],
    event: [],
    noMean: true,
  },
  { name: 'OneHotCategorical K=3', make: () => new OneHotCategorical({ probs: [0.2, 0.3, 0.5] }), batch: [], event: [3] },
  {
    name: 'OneHotCategorical batch [2,1], K=2',
    make: () => new OneHotCategorical({ logits: [[[0, 1]], [[1, 0]]] }),
    batch: [2, 1],
    event: [2],
  },
  {
    name: 'Independent(Normal [2,3], 1)',
    make: () => new Independent({ distribution: new Normal({ loc: [[0, 1, 2], [3, 4, 5]], scale: 1 }), reinterpretedBatchNdims: 1 }),
    batch: [2],
    event: [3],
  },
  {
    name: 'Independent(Normal [2,3]) default = all batch dims',
    make: () => new Independent({ distribution: new Normal({ loc: [[0, 1, 2], [3, 4, 5]], scale: 1 }) }),
    batch: [],
    event: [2, 3],
  },
  {
    name: 'Independent(OneHotCategorical [4], 1)',
    make: () => new Independent({ distribution: new OneHotCategorical({ logits: [[0, 1], [1, 0], [0, 0], [2, 1]] }), reinterpretedBatchNdims: 1 }),
    batch: [],
    event: [4, 2],
  },
];

describe('shapes: cases x sample shapes', () => {
  for (const c of table) {
    for (const s of [[], [1], [2, 3]] as number[][]) {
      it(`${c.name} x sampleShape [${s}]`, () => {
        const d = c.make();
        const before = tf.memory().numTensors;
        expect(d.batchShape).toEqual(c.batch);
        expect(d.eventShape).toEqual(c.event);
        const x = d.sample(s, { seed: 4 });
        expect(x.shape).toEqual([...s, ...c.batch, ...c.event]);
        const lp = d.logProb(x);
        expect(lp.shape).toEqual([...s, ...c.batch]);
        expect(Array.from(lp.dataSync()).every(Number.isFinite)).toBe(true);
        // a value with an extra leading dim of 1 broadcasts too
        const x1 = tf.expandDims(x, 0);
        const lp1 = d.logProb(x1);
        expect(lp1.shape).toEqual([1, ...s, ...c.batch]);
        let m: tf.Tensor;
        if (c.noMean) {
          expect(() => d.mean()).toThrow(NotImplementedError);
          m = d.mode();
        } else {
          m = d.mean();
        }
        expect(m.shape).toEqual([...c.batch, ...c.event]);
        const h = d.entropy();
        expect(h.shape).toEqual(c.batch);
        tf.dispose([x, lp, x1, lp1, m, h]);
        expect(tf.memory().numTensors).toBe(before);
        d.dispose();
      });
    }
  }
});
