import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Independent } from '../../src/distributions/independent.js';
import { Normal } from '../../src/distributions/normal.js';
import { Bernoulli } from '../../src/distributions/bernoulli.js';
import { OneHotCategorical } from '../../src/distributions/one_hot_categorical.js';
import { klDivergence } from '../../src/distributions/kl.js';
import { InvalidArgumentError, NotImplementedError } from '../../src/errors.js';
import { expectClose, loadFixture, type FixtureNum as N, fixtureFlat as num, fixtureShape as shapeOf } from '../helpers.js';

interface Case {
  name: string;
  inner: 'Normal' | 'Bernoulli';
  loc?: N;
  scale?: N;
  logits?: N;
  k: number;
  x: N;
  log_prob: N;
  entropy: N;
  mean: N;
  variance?: N;
}
interface KLCase {
  name: string;
  p_loc: N;
  p_scale: N;
  q_loc: N;
  q_scale: N;
  k: number;
  kl: N;
}
const tensorOf = (v: N): tf.Tensor => tf.tensor(num(v), shapeOf(v));
const fx = loadFixture<{ independent: Case[]; independent_kl: KLCase[] }>('discrete');

function make(c: Case): Independent {
  const inner =
    c.inner === 'Normal'
      ? new Normal({ loc: num(c.loc!).length > 1 ? (c.loc as number[][]) : 0, scale: c.scale as number[][] })
      : new Bernoulli({ logits: c.logits as number[][][] });
  return new Independent({ distribution: inner, reinterpretedBatchNdims: c.k });
}

describe('Independent values against scipy (sums of float64 log densities)', () => {
  for (const c of fx.independent) {
    it(c.name, () => {
      const d = make(c);
      const innerBatch = d.distribution.batchShape;
      const nb = innerBatch.length;
      expect(d.batchShape).toEqual(innerBatch.slice(0, nb - c.k));
      expect(d.eventShape).toEqual(innerBatch.slice(nb - c.k));
      const check = (got: tf.Tensor, want: N, what: string, shape = shapeOf(want)) => {
        expect(got.shape, what).toEqual(shape);
        expectClose(got, num(want), { rtol: 2e-4, atol: 1e-6, context: { case: c.name, what } });
        got.dispose();
      };
      const x = tensorOf(c.x);
      check(d.logProb(x), c.log_prob, 'logProb');
      check(d.entropy(), c.entropy, 'entropy', d.batchShape);
      check(d.mean(), c.mean, 'mean');
      if (c.variance) check(d.variance(), c.variance, 'variance');
      x.dispose();
      d.dispose();
    });
  }
});

describe('Independent TSDoc example', () => {
  it('runs as documented', () => {
    const d = new Independent({
      distribution: new Normal({ loc: [[0, 1, 2]], scale: 1 }),
      reinterpretedBatchNdims: 1,
    });
    expect(d.batchShape).toEqual([1]);
    expect(d.eventShape).toEqual([3]);
    const lp = d.logProb([0, 1, 2]);
    expect(lp.shape).toEqual([1]);
    expectClose(lp, -1.5 * Math.log(2 * Math.PI), { rtol: 1e-5 });
    lp.dispose();
    d.dispose();
  });
});

describe('Independent structure', () => {
  it('defaults reinterpretedBatchNdims to all inner batch dims (TFP)', () => {
    const d = new Independent({ distribution: new Normal({ loc: [[0, 1, 2]], scale: 1 }) });
    expect(d.reinterpretedBatchNdims).toBe(2);
    expect(d.batchShape).toEqual([]);
    expect(d.eventShape).toEqual([1, 3]);
    d.dispose();
  });

  it('keeps the inner event dims after the reinterpreted ones', () => {
    const logits = tf.zeros([2, 5, 4]);
    const d = new Independent({ distribution: new OneHotCategorical({ logits }), reinterpretedBatchNdims: 1 });
    logits.dispose();
    expect(d.batchShape).toEqual([2]);
    expect(d.eventShape).toEqual([5, 4]);
    const x = d.sample([3], { seed: 1 });
    expect(x.shape).toEqual([3, 2, 5, 4]);
    const lp = d.logProb(x);
    expect(lp.shape).toEqual([3, 2]);
    expectClose(lp, new Array(6).fill(5 * Math.log(1 / 4)), { rtol: 1e-5 });
    expect(() => d.covariance()).toThrow(NotImplementedError);
    expect(() => d.covariance()).toThrow(/Independent does not implement covariance/);
    tf.dispose([x, lp]);
    d.dispose();
  });

  it('is reparameterized exactly when the inner one is', () => {
    const a = new Independent({ distribution: new Normal({ loc: [0, 0], scale: 1 }) });
    const b = new Independent({ distribution: new Bernoulli({ probs: [0.5, 0.5] }) });
    expect(a.reparameterized).toBe(true);
    expect(b.reparameterized).toBe(false);
    a.dispose();
    b.dispose();
  });

  it('rejects reinterpretedBatchNdims outside [0, inner batch rank], naming the inner shape', () => {
    const inner = new Normal({ loc: [0, 1], scale: 1 });
    expect(() => new Independent({ distribution: inner, reinterpretedBatchNdims: 2 })).toThrow(InvalidArgumentError);
    expect(() => new Independent({ distribution: inner, reinterpretedBatchNdims: -1 })).toThrow(
      /Independent: reinterpretedBatchNdims must be an integer in \[0, 1\].*\[2\] of Normal.*got -1/,
    );
    inner.dispose();
  });

  it('covariance of Independent(scalar-event, 1) is diag(variance)', () => {
    const d = new Independent({ distribution: new Normal({ loc: [[0, 0], [1, 1]], scale: [[1, 2], [3, 0.5]] }), reinterpretedBatchNdims: 1 });
    const c = d.covariance();
    expect(c.shape).toEqual([2, 2, 2]);
    expectClose(c, [1, 0, 0, 4, 9, 0, 0, 0.25]);
    const s = d.stddev();
    expectClose(s, [1, 2, 3, 0.5]);
    tf.dispose([c, s]);
    d.dispose();
  });

  it('sample is the inner sample (same seed, same draws) and logProb broadcasts over the event', () => {
    const loc = [[0, 1, 2]];
    const inner = new Normal({ loc, scale: 1 });
    const d = new Independent({ distribution: new Normal({ loc, scale: 1 }), reinterpretedBatchNdims: 1 });
    const a = d.sample([4], { seed: 3 });
    const b = inner.sample([4], { seed: 3 });
    expectClose(a, b, { rtol: 0 });
    // x with a broadcast event dim [..., 1] against event [3]
    const lp = d.logProb([[0.5]]);
    const lpi = inner.logProb([0.5, 0.5, 0.5]);
    const want = tf.sum(lpi, -1);
    expectClose(lp, want);
    tf.dispose([a, b, lp, lpi, want]);
    inner.dispose();
    d.dispose();
  });

  it('gradient of logProb w.r.t. loc passes through the sum', () => {
    const loc = tf.tensor1d([0.1, -0.4]);
    const x = tf.tensor1d([1, 1]);
    const g = tf.grad((l: tf.Tensor) => {
      const d = new Independent({ distribution: new Normal({ loc: l, scale: 2 }), reinterpretedBatchNdims: 1 });
      const lp = d.logProb(x);
      d.dispose();
      return lp;
    })(loc);
    expectClose(g, [(1 - 0.1) / 4, (1 + 0.4) / 4], { rtol: 1e-5 });
    tf.dispose([loc, x, g]);
  });
});

describe('Independent KL', () => {
  for (const c of fx.independent_kl) {
    it(`${c.name} against the closed form summed (float64)`, () => {
      const p = new Independent({
        distribution: new Normal({ loc: c.p_loc as number[][], scale: c.p_scale as number[][] }),
        reinterpretedBatchNdims: c.k,
      });
      const q = new Independent({
        distribution: new Normal({ loc: c.q_loc as number[], scale: c.q_scale as number[] }),
        reinterpretedBatchNdims: c.k,
      });
      const kl = klDivergence(p, q);
      expect(kl.shape).toEqual(shapeOf(c.kl));
      expectClose(kl, num(c.kl), { rtol: 2e-4, atol: 1e-6 });
      kl.dispose();
      p.dispose();
      q.dispose();
    });
  }

  it('different reinterpretedBatchNdims with equal event shapes is a NotImplementedError naming both', () => {
    // Independent(Normal [2,3], 2) vs Independent(Independent(Normal [2,3], 1), 1): both have event shape [2, 3].
    const loc = [[0, 0, 0], [0, 0, 0]];
    const p = new Independent({ distribution: new Normal({ loc, scale: 1 }), reinterpretedBatchNdims: 2 });
    const q = new Independent({
      distribution: new Independent({ distribution: new Normal({ loc, scale: 1 }), reinterpretedBatchNdims: 1 }),
      reinterpretedBatchNdims: 1,
    });
    expect(p.eventShape).toEqual(q.eventShape);
    expect(() => klDivergence(p, q)).toThrow(NotImplementedError);
    expect(() => klDivergence(p, q)).toThrow(/reinterpretedBatchNdims.*2 \(Independent of Normal\).*1 \(Independent of Independent\)/);
    p.dispose();
    q.dispose();
  });
});

describe('Independent hygiene and ownership', () => {
  it('owns the inner distribution: dispose() disposes it', () => {
    const before = tf.memory().numTensors;
    const inner = new Normal({ loc: [0, 1], scale: [1, 1] });
    const d = new Independent({ distribution: inner });
    d.dispose();
    expect(inner.isDisposed).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });
});
