import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Normal } from '../../src/distributions/normal.js';
import { klDivergence } from '../../src/distributions/kl.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { expectClose, expectNoLeak, loadFixture, meanTolerance } from '../helpers.js';

interface Case {
  name: string;
  loc: number | number[];
  scale: number | number[];
  x: number[];
  p?: number[];
  log_prob?: number[];
  cdf?: number[];
  log_cdf?: number[];
  survival?: number[];
  log_survival?: number[];
  quantile?: number[];
  mean?: number[];
  variance?: number[];
  entropy?: number[];
}
const { cases } = loadFixture<{ cases: Case[] }>('normal');

describe('Normal values against scipy (float64 fixture)', () => {
  for (const c of cases) {
    it(c.name, () => {
      const d = new Normal({ loc: c.loc, scale: c.scale });
      const check = (got: tf.Tensor, want: number[] | undefined, what: string, atol = 0) => {
        if (want === undefined) return;
        expectClose(got, want as number[], { rtol: 2e-4, atol, context: { case: c.name, what } });
        got.dispose();
      };
      check(d.logProb(c.x), c.log_prob, 'logProb');
      check(d.cdf(c.x), c.cdf, 'cdf', 1e-7);
      check(d.survivalFunction(c.x), c.survival, 'survivalFunction', 1e-7);
      // log cdf / log survival are relative everywhere; atol 1e-37 only covers references such as
      // logCdf(20) = -2.8e-89 that are below the float32 range (the float32 answer is -0).
      check(d.logCdf(c.x), c.log_cdf, 'logCdf', 1e-37);
      check(d.logSurvivalFunction(c.x), c.log_survival, 'logSurvivalFunction', 1e-37);
      if (c.p !== undefined) check(d.quantile(c.p), c.quantile, 'quantile', 1e-6);
      check(d.mean(), c.mean, 'mean');
      check(d.variance(), c.variance, 'variance');
      check(d.entropy(), c.entropy, 'entropy');
      d.dispose();
    });
  }
});

describe('Normal shapes', () => {
  const table: Array<{ name: string; loc: number | number[] | number[][]; scale: number | number[] | number[][]; batch: number[] }> = [
    { name: 'scalar', loc: 0, scale: 1, batch: [] },
    { name: 'vector', loc: [0, 1, 2], scale: [1, 1, 1], batch: [3] },
    { name: 'broadcast loc', loc: 0, scale: [1, 2], batch: [2] },
    { name: 'rank 2 broadcast', loc: [[0], [1]], scale: [1, 2, 3], batch: [2, 3] },
  ];
  for (const t of table) {
    for (const s of [[], [1], [2, 3]] as number[][]) {
      it(`${t.name} x sampleShape [${s}]`, () => {
        const d = new Normal({ loc: t.loc, scale: t.scale });
        expect(d.batchShape).toEqual(t.batch);
        const x = d.sample(s, { seed: 3 });
        expect(x.shape).toEqual([...s, ...t.batch]);
        const lp = d.logProb(x);
        expect(lp.shape).toEqual([...s, ...t.batch]);
        const m = d.mean();
        expect(m.shape).toEqual(t.batch);
        const kl = klDivergence(d, new Normal({ loc: 1, scale: 2 }));
        expect(kl.shape).toEqual(t.batch);
        tf.dispose([x, lp, m, kl]);
        d.dispose();
      });
    }
  }

  it('rejects incompatible parameter shapes naming both', () => {
    expect(() => new Normal({ loc: [0, 1, 2], scale: [1, 2] })).toThrow(/Normal: .*scale.*\[2\]/);
  });

  it('validateArgs names class, parameter, shape and the bad value', () => {
    expect(() => new Normal({ loc: 0, scale: [1, -2], validateArgs: true })).toThrow(InvalidArgumentError);
    expect(() => new Normal({ loc: 0, scale: [1, -2], validateArgs: true })).toThrow(
      /Normal: parameter scale \(shape \[2\]\) must be positive \(> 0\) and finite; found invalid value at batch index \[1\]: -2/,
    );
  });
});

describe('Normal sampling', () => {
  it('is reproducible under a seed and differs across seeds', () => {
    const d = new Normal({ loc: 0, scale: 1 });
    const a = d.sample([10], { seed: 7 });
    const b = d.sample([10], { seed: 7 });
    const c = d.sample([10], { seed: 8 });
    expectClose(a, b, { rtol: 0 });
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(c.dataSync()));
    tf.dispose([a, b, c]);
    d.dispose();
  });

  it('moments of 40,000 draws (false-failure rate 1e-4)', () => {
    const d = new Normal({ loc: [1, -3], scale: [0.5, 4] });
    const n = 40000;
    const x = d.sample([n], { seed: 11 });
    const m = tf.mean(x, 0);
    const md = m.dataSync();
    expect(Math.abs(md[0]! - 1)).toBeLessThan(meanTolerance(0.5, n, 2));
    expect(Math.abs(md[1]! + 3)).toBeLessThan(meanTolerance(4, n, 2));
    tf.dispose([x, m]);
    d.dispose();
  });
});

describe('Normal tails and quantile', () => {
  it('logCdf and logSurvivalFunction are finite at x = -38 and x = 38', () => {
    const d = new Normal({ loc: 0, scale: 1 });
    const lc = d.logCdf([-38, 38]);
    const ls = d.logSurvivalFunction([38, -38]);
    expect(Array.from(lc.dataSync()).every(Number.isFinite)).toBe(true);
    expectClose(lc, ls, { rtol: 0 });
    tf.dispose([lc, ls]);
    d.dispose();
  });

  it('quantile inverts cdf, including p = 1e-30 and 1 - 1e-7', () => {
    const d = new Normal({ loc: 2, scale: 3 });
    const p = [1e-30, 1e-7, 0.2, 0.5, 0.9, 1 - 1e-7];
    const q = d.quantile(p);
    const back = d.cdf(q);
    expectClose(back, p, { rtol: 2e-5 });
    tf.dispose([q, back]);
    expectNoLeak(() => d.quantile(0.3), 'quantile');
    expectNoLeak(() => d.logCdf(-40), 'logCdf');
    expectNoLeak(() => d.logSurvivalFunction(40), 'logSurvivalFunction');
    d.dispose();
  });

  it('d quantile / d p = σ √(2π) exp(z²/2)', () => {
    const p = tf.tensor1d([0.01, 0.5, 0.95]);
    const g = tf.grad((u: tf.Tensor) => {
      const d = new Normal({ loc: 1, scale: 2 });
      const out = tf.sum(d.quantile(u));
      d.dispose();
      return out;
    })(p);
    const z = [-2.3263478740408408, 0, 1.6448536269514729];
    expectClose(g, z.map((v) => 2 * Math.sqrt(2 * Math.PI) * Math.exp((v * v) / 2)), { rtol: 1e-5 });
    tf.dispose([p, g]);
  });
});

describe('Normal gradients', () => {
  it('d logProb / d loc = (x - μ)/σ², d / d scale = ((x-μ)² - σ²)/σ³', () => {
    const x = tf.tensor1d([0.3, -1.2]);
    const loc = tf.tensor1d([0.1, 0.5]);
    const scale = tf.tensor1d([0.7, 2.0]);
    const g = tf.grads((l: tf.Tensor, s: tf.Tensor) => {
      const d = new Normal({ loc: l, scale: s });
      return tf.sum(d.logProb(x));
    });
    const [gl, gs] = g([loc, scale]);
    expectClose(gl!, [(0.3 - 0.1) / 0.49, (-1.2 - 0.5) / 4], { rtol: 1e-5 });
    expectClose(gs!, [(0.2 ** 2 - 0.49) / 0.343, (1.7 ** 2 - 4) / 8], { rtol: 1e-5 });
    tf.dispose([x, loc, scale, gl!, gs!]);
  });
});

describe('Normal hygiene', () => {
  it('no public method leaks tensors', () => {
    const d = new Normal({ loc: [0, 1], scale: [1, 2] });
    expectNoLeak(() => d.sample([3], { seed: 1 }), 'sample');
    expectNoLeak(() => d.logProb([0.1, 0.2]), 'logProb');
    expectNoLeak(() => d.prob([0.1, 0.2]), 'prob');
    expectNoLeak(() => d.cdf(0.5), 'cdf');
    expectNoLeak(() => d.mean(), 'mean');
    expectNoLeak(() => d.stddev(), 'stddev');
    expectNoLeak(() => d.entropy(), 'entropy');
    expectNoLeak(() => klDivergence(d, d), 'klDivergence');
    const before = tf.memory().numTensors;
    d.dispose();
    expect(tf.memory().numTensors).toBe(before - 2);
  });

  it('a failed construction releases the converted parameters', () => {
    const before = tf.memory().numTensors;
    expect(() => new Normal({ loc: [0, 1, 2], scale: [1, 2] })).toThrow();
    expect(() => new Normal({ loc: 0, scale: -1, validateArgs: true })).toThrow();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('does not take ownership of a tensor passed in', () => {
    const loc = tf.tensor1d([1, 2]);
    const d = new Normal({ loc, scale: 1 });
    d.dispose();
    expect(loc.isDisposed).toBe(false);
    loc.dispose();
  });
});

describe('Normal broadcasting at high rank', () => {
  it('entropy is differentiable when the base class broadcasts it to a rank-5 batch', () => {
    // entropy = log σ + const has σ's shape [3]; the batch is [1,1,1,2,3] through loc, so the
    // base class broadcasts the result: it must not use tf.broadcastTo (no tile gradient past rank 4).
    const loc = tf.zeros([1, 1, 1, 2, 1]);
    const g = tf.grad((s: tf.Tensor) => tf.sum(new Normal({ loc, scale: s }).entropy()));
    const scale = tf.tensor1d([1, 2, 4]);
    const gs = g(scale);
    // d/dσ Σ entropy = (number of broadcast rows = 2) / σ.
    expectClose(gs, [2, 1, 0.5], { rtol: 1e-6 });
    tf.dispose([loc, scale, gs]);
  });
});
