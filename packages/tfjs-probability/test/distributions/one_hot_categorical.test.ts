import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { OneHotCategorical } from '../../src/distributions/one_hot_categorical.js';
import { klDivergence } from '../../src/distributions/kl.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { expectClose, loadFixture, meanTolerance, type FixtureNum as N, fixtureFlat as num, fixtureShape as shapeOf } from '../helpers.js';

interface Case {
  name: string;
  param: 'logits' | 'probs';
  value: N;
  log_prob: N;
  entropy: N;
  probs: N;
  mode: N;
  onehot_x: N;
  onehot_variance: N;
  onehot_covariance: N;
}
interface KLCase {
  name: string;
  p_logits: N;
  q_logits: N;
  kl: N;
}
const tensorOf = (v: N): tf.Tensor => tf.tensor(num(v), shapeOf(v));
const fx = loadFixture<{ categorical: Case[]; categorical_kl: KLCase[] }>('discrete');

function make(c: Case): OneHotCategorical {
  const v = tensorOf(c.value);
  const d = c.param === 'logits' ? new OneHotCategorical({ logits: v }) : new OneHotCategorical({ probs: v });
  v.dispose();
  return d;
}

describe('OneHotCategorical values against scipy.stats.multinomial(1, p) (float64 fixture)', () => {
  for (const c of fx.categorical) {
    it(c.name, () => {
      const d = make(c);
      const k = shapeOf(c.probs).at(-1)!;
      const batch = shapeOf(c.probs).slice(0, -1);
      expect(d.batchShape).toEqual(batch);
      expect(d.eventShape).toEqual([k]);
      const check = (got: tf.Tensor, want: N, shape: number[], what: string, atol = 0) => {
        expect(got.shape, what).toEqual(shape);
        expectClose(got, num(want), { rtol: 2e-4, atol, context: { case: c.name, what } });
        got.dispose();
      };
      const x = tensorOf(c.onehot_x);
      // atol 1e-6: a log-probability near 0 (a peaked class) carries float32 absolute error.
      check(d.logProb(x), c.log_prob, shapeOf(c.log_prob), 'logProb', 1e-6);
      check(d.mean(), c.probs, [...batch, k], 'mean', 1e-7);
      check(d.variance(), c.onehot_variance, [...batch, k], 'variance', 1e-7);
      check(d.covariance(), c.onehot_covariance, [...batch, k, k], 'covariance', 1e-7);
      check(d.entropy(), c.entropy, batch, 'entropy', 1e-6);
      const mode = d.mode();
      const am = tf.argMax(mode, -1);
      expect(mode.shape).toEqual([...batch, k]);
      expect(Array.from(am.dataSync())).toEqual(num(c.mode));
      tf.dispose([x, mode, am]);
      d.dispose();
    });
  }
});

describe('OneHotCategorical TSDoc example', () => {
  it('runs as documented', () => {
    const d = new OneHotCategorical({ probs: [0.2, 0.3, 0.5] });
    const s = d.sample([4], { seed: 1 });
    expect(s.shape).toEqual([4, 3]);
    const lp = d.logProb([0, 0, 1]);
    expectClose(lp, Math.log(0.5), { rtol: 1e-5 });
    tf.dispose([s, lp]);
    d.dispose();
  });
});

describe('OneHotCategorical arguments', () => {
  it('needs exactly one of logits and probs, naming both', () => {
    expect(() => new OneHotCategorical({ logits: [0, 1], probs: [0.5, 0.5] })).toThrow(
      /OneHotCategorical: .*logits.*probs.*got both/,
    );
    expect(() => new OneHotCategorical({})).toThrow(InvalidArgumentError);
  });
  it('a value whose last axis is not K is rejected with the expected shape', () => {
    const d = new OneHotCategorical({ logits: [0, 1, 2] });
    expect(() => d.logProb([0, 1])).toThrow(/OneHotCategorical.logProb: x must have shape \[\.\.\., 3\].*got \[2\]/);
    d.dispose();
  });
});

describe('OneHotCategorical sampling', () => {
  it('one-hot float32 of shape [...sampleShape, ...batch, K], reproducible, frequencies match (rate 1e-4)', () => {
    const probs = [0.15, 0.6, 0.25];
    const d = new OneHotCategorical({ probs: [probs] });
    const n = 40000;
    const x = d.sample([n], { seed: 31 });
    expect(x.shape).toEqual([n, 1, 3]);
    expect(x.dtype).toBe('float32');
    const rowSums = tf.sum(x, -1);
    const minmax = [tf.min(rowSums), tf.max(rowSums)];
    expect(minmax.map((t) => t.dataSync()[0])).toEqual([1, 1]);
    const f = tf.mean(x, 0);
    const fd = f.dataSync();
    probs.forEach((p, k) => {
      expect(Math.abs(fd[k]! - p), `class ${k}`).toBeLessThan(meanTolerance(Math.sqrt(p * (1 - p)), n, probs.length));
    });
    const y = d.sample([7], { seed: 2 });
    const y2 = d.sample([7], { seed: 2 });
    expectClose(y, y2, { rtol: 0 });
    tf.dispose([x, rowSums, ...minmax, f, y, y2]);
    d.dispose();
  });
});

describe('OneHotCategorical gradients', () => {
  it('d logProb / d logits = x - softmax(logits)', () => {
    const raw = [0.5, -0.2, 1.1];
    const logits = tf.tensor1d(raw);
    const x = tf.tensor2d([[0, 0, 1], [1, 0, 0]]);
    const g = tf.grad((l: tf.Tensor) => {
      const d = new OneHotCategorical({ logits: l });
      const lp = tf.sum(d.logProb(x));
      d.dispose();
      return lp;
    })(logits);
    const e = raw.map(Math.exp);
    const z = e.reduce((s, v) => s + v, 0);
    expectClose(g, [1, 0, 1].map((c, k) => c - (2 * e[k]!) / z), { rtol: 1e-5, atol: 1e-7 });
    tf.dispose([logits, x, g]);
  });
});

describe('OneHotCategorical KL against scipy', () => {
  for (const c of fx.categorical_kl) {
    it(c.name, () => {
      const pl = tensorOf(c.p_logits);
      const ql = tensorOf(c.q_logits);
      const p = new OneHotCategorical({ logits: pl });
      const q = new OneHotCategorical({ logits: ql });
      const kl = klDivergence(p, q);
      expect(kl.shape).toEqual(shapeOf(c.kl));
      expectClose(kl, num(c.kl), { rtol: 2e-4, atol: 1e-6, context: c.name });
      tf.dispose([pl, ql, kl]);
      p.dispose();
      q.dispose();
    });
  }
  it('different K is an event-shape error naming both', () => {
    const p = new OneHotCategorical({ logits: [0, 1] });
    const q = new OneHotCategorical({ logits: [0, 1, 2] });
    expect(() => klDivergence(p, q)).toThrow(/event shapes differ: OneHotCategorical has \[2\], OneHotCategorical has \[3\]/);
    p.dispose();
    q.dispose();
  });
});

