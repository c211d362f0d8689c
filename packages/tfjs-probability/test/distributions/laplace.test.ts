import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Laplace } from '../../src/distributions/laplace.js';
import { klDivergence } from '../../src/distributions/kl.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { expectClose, expectNoLeak, loadFixture, meanTolerance, type FixtureNum as Num, fixtureNum as num, fixtureCaseChecker, expectKLMatchesMonteCarlo } from '../helpers.js';


interface Case {
  name: string;
  loc: Num;
  scale: Num;
  x: Num;
  p?: Num;
  [k: string]: Num | undefined;
}
const { laplace: cases } = loadFixture<{ laplace: Case[] }>('continuous');

describe('Laplace values against scipy (float64 fixture)', () => {
  for (const c of cases) {
    it(c.name, () => {
      const d = new Laplace({ loc: num(c.loc), scale: num(c.scale) });
      const check = fixtureCaseChecker(c);
      const x = num(c.x) as number[];
      check('logProb', () => d.logProb(x), 'log_prob');
      check('cdf', () => d.cdf(x), 'cdf', 1e-7);
      check('logCdf', () => d.logCdf(x), 'log_cdf');
      check('survivalFunction', () => d.survivalFunction(x), 'survival', 1e-7);
      check('logSurvivalFunction', () => d.logSurvivalFunction(x), 'log_survival');
      if (c.p !== undefined) check('quantile', () => d.quantile(num(c.p!) as number[]), 'quantile');
      check('mean', () => d.mean(), 'mean');
      check('mode', () => d.mode(), 'mode');
      check('variance', () => d.variance(), 'variance');
      check('entropy', () => d.entropy(), 'entropy');
      d.dispose();
    });
  }
});

describe('Laplace identities', () => {
  it('cdf(quantile(p)) == p and exp(logProb) == prob, across both tails', () => {
    const d = new Laplace({ loc: [0.5, -2], scale: [0.3, 4] });
    const p = tf.tensor2d([[1e-6, 0.2], [0.5, 0.5], [0.8, 1 - 1e-4]]);
    const q = d.quantile(p);
    const back = d.cdf(q);
    expectClose(back, p, { rtol: 1e-5, atol: 1e-7 });
    const lp = d.logProb(q);
    const pr = d.prob(q);
    expectClose(pr, tf.exp(lp), { rtol: 1e-6 });
    const s = d.survivalFunction(q);
    expectClose(s, tf.sub(1, p), { rtol: 1e-4, atol: 1e-7 });
    tf.dispose([p, q, back, lp, pr, s]);
    d.dispose();
  });

  it('quantile(0) = -Inf, quantile(1) = +Inf, outside [0, 1] is NaN', () => {
    const d = new Laplace({ loc: 1, scale: 2 });
    const q = d.quantile([0, 1, -0.1, 1.1]);
    const v = Array.from(q.dataSync());
    expect(v[0]).toBe(-Infinity);
    expect(v[1]).toBe(Infinity);
    expect(Number.isNaN(v[2]!) && Number.isNaN(v[3]!)).toBe(true);
    q.dispose();
    d.dispose();
  });

  it('KL(Laplace || Laplace) against a Monte Carlo estimate (false-failure rate 1e-4)', () => {
    const p = new Laplace({ loc: [0, 1], scale: [1, 0.5] });
    const q = new Laplace({ loc: [0.5, -1], scale: [2, 1.5] });
    expectKLMatchesMonteCarlo(p, q, { seed: 5 });
    p.dispose();
    q.dispose();
  });

  it('KL of a distribution with itself is 0', () => {
    const p = new Laplace({ loc: [0, 3], scale: [1, 0.2] });
    const kl = klDivergence(p, p);
    expectClose(kl, [0, 0], { atol: 1e-6 });
    kl.dispose();
    p.dispose();
  });
});

describe('Laplace shapes', () => {
  const table: Array<{ name: string; loc: number | number[] | number[][]; scale: number | number[] | number[][]; batch: number[] }> = [
    { name: 'scalar', loc: 0, scale: 1, batch: [] },
    { name: 'vector', loc: [0, 1, 2], scale: [1, 1, 1], batch: [3] },
    { name: 'broadcast loc', loc: 0, scale: [1, 2], batch: [2] },
    { name: 'rank 2 broadcast', loc: [[0], [1]], scale: [1, 2, 3], batch: [2, 3] },
  ];
  for (const t of table) {
    for (const s of [[], [1], [2, 3]] as number[][]) {
      it(`${t.name} x sampleShape [${s}]`, () => {
        const d = new Laplace({ loc: t.loc, scale: t.scale });
        expect(d.batchShape).toEqual(t.batch);
        const x = d.sample(s, { seed: 3 });
        expect(x.shape).toEqual([...s, ...t.batch]);
        const lp = d.logProb(x);
        expect(lp.shape).toEqual([...s, ...t.batch]);
        const m = d.mean();
        expect(m.shape).toEqual(t.batch);
        const q = new Laplace({ loc: 1, scale: 2 });
        const kl = klDivergence(d, q);
        expect(kl.shape).toEqual(t.batch);
        tf.dispose([x, lp, m, kl]);
        d.dispose();
        q.dispose();
      });
    }
  }

  it('rejects incompatible parameter shapes naming both', () => {
    expect(() => new Laplace({ loc: [0, 1, 2], scale: [1, 2] })).toThrow(/Laplace: .*scale.*\[2\]/);
  });

  it('validateArgs names class, parameter, shape and the bad value', () => {
    expect(() => new Laplace({ loc: 0, scale: [1, -2], validateArgs: true })).toThrow(InvalidArgumentError);
    expect(() => new Laplace({ loc: 0, scale: [1, -2], validateArgs: true })).toThrow(
      /Laplace: parameter scale \(shape \[2\]\) must be positive \(> 0\) and finite; found invalid value at batch index \[1\]: -2/,
    );
  });
});

describe('Laplace sampling', () => {
  it('is reproducible under a seed and differs across seeds', () => {
    const d = new Laplace({ loc: 0, scale: 1 });
    const a = d.sample([10], { seed: 7 });
    const b = d.sample([10], { seed: 7 });
    const c = d.sample([10], { seed: 8 });
    expectClose(a, b, { rtol: 0 });
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(c.dataSync()));
    tf.dispose([a, b, c]);
    d.dispose();
  });

  it('mean and mean absolute deviation of 40,000 draws (false-failure rate 1e-4)', () => {
    const d = new Laplace({ loc: [1, -3], scale: [0.5, 4] });
    const n = 40000;
    const x = d.sample([n], { seed: 11 });
    const md = tf.mean(x, 0).dataSync();
    const mad = tf.mean(tf.abs(tf.sub(x, tf.tensor1d([1, -3]))), 0).dataSync();
    const b = [0.5, 4];
    const locs = [1, -3];
    for (let i = 0; i < 2; i++) {
      // mean: sd b√2; |X - μ| ~ Exponential(1/b): mean b, sd b
      expect(Math.abs(md[i]! - locs[i]!)).toBeLessThan(meanTolerance(b[i]! * Math.SQRT2, n, 4));
      expect(Math.abs(mad[i]! - b[i]!)).toBeLessThan(meanTolerance(b[i]!, n, 4));
    }
    x.dispose();
    d.dispose();
  });

  it('is reparameterized: d sample / d loc = 1, d sample / d scale = (x - μ)/b', () => {
    const loc = tf.tensor1d([0.5, -1]);
    const scale = tf.tensor1d([2, 0.5]);
    const f = (l: tf.Tensor, s: tf.Tensor) => tf.sum(new Laplace({ loc: l, scale: s }).sample([4], { seed: 2 }));
    const [gl, gs] = tf.grads(f)([loc, scale]);
    const x = new Laplace({ loc, scale }).sample([4], { seed: 2 });
    const want = tf.sum(tf.div(tf.sub(x, loc), scale), 0);
    expectClose(gl!, [4, 4], { rtol: 1e-6 });
    expectClose(gs!, want, { rtol: 1e-4, atol: 1e-6 });
    tf.dispose([loc, scale, gl!, gs!, x, want]);
  });
});

describe('Laplace gradients', () => {
  it('d logProb / d loc = sign(x - μ)/b, d / d scale = (|x - μ| - b)/b²', () => {
    const x = tf.tensor1d([0.3, -1.2]);
    const loc = tf.tensor1d([0.1, 0.5]);
    const scale = tf.tensor1d([0.7, 2.0]);
    const g = tf.grads((l: tf.Tensor, s: tf.Tensor) => {
      const d = new Laplace({ loc: l, scale: s });
      return tf.sum(d.logProb(x));
    });
    const [gl, gs] = g([loc, scale]);
    expectClose(gl!, [1 / 0.7, -1 / 2], { rtol: 1e-5 });
    expectClose(gs!, [(0.2 - 0.7) / 0.49, (1.7 - 2) / 4], { rtol: 1e-4 });
    tf.dispose([x, loc, scale, gl!, gs!]);
  });

  it('logCdf has finite gradients in both tails (no NaN from the branch not taken)', () => {
    const x = tf.tensor1d([-200, -3, 3, 200]);
    const g = tf.grad((l: tf.Tensor) => tf.sum(new Laplace({ loc: l, scale: 1 }).logCdf(x)))(tf.scalar(0));
    expect(Number.isFinite(g.dataSync()[0]!)).toBe(true);
    tf.dispose([x, g]);
  });
});

describe('Laplace hygiene', () => {
  it('a failed construction leaks nothing', () => {
    const before = tf.memory().numTensors;
    expect(() => new Laplace({ loc: [0, 1, 2], scale: [1, 2] })).toThrow(InvalidArgumentError);
    expect(() => new Laplace({ loc: 0, scale: -1, validateArgs: true })).toThrow(InvalidArgumentError);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('no public method leaks tensors', () => {
    const d = new Laplace({ loc: [0, 1], scale: [1, 2] });
    expectNoLeak(() => d.sample([3], { seed: 1 }), 'sample');
    expectNoLeak(() => d.logProb([0.1, 0.2]), 'logProb');
    expectNoLeak(() => d.prob([0.1, 0.2]), 'prob');
    expectNoLeak(() => d.cdf(0.5), 'cdf');
    expectNoLeak(() => d.logCdf(0.5), 'logCdf');
    expectNoLeak(() => d.survivalFunction(0.5), 'survivalFunction');
    expectNoLeak(() => d.logSurvivalFunction(0.5), 'logSurvivalFunction');
    expectNoLeak(() => d.quantile(0.3), 'quantile');
    expectNoLeak(() => d.mean(), 'mean');
    expectNoLeak(() => d.mode(), 'mode');
    expectNoLeak(() => d.variance(), 'variance');
    expectNoLeak(() => d.stddev(), 'stddev');
    expectNoLeak(() => d.entropy(), 'entropy');
    expectNoLeak(() => klDivergence(d, d), 'klDivergence');
    const before = tf.memory().numTensors;
    d.dispose();
    expect(tf.memory().numTensors).toBe(before - 2);
  });

  it('does not take ownership of a tensor passed in', () => {
    const loc = tf.tensor1d([1, 2]);
    const d = new Laplace({ loc, scale: 1 });
    d.dispose();
    expect(loc.isDisposed).toBe(false);
    loc.dispose();
  });
});

describe('Laplace TSDoc example', () => {
  it('runs as documented', () => {
    const d = new Laplace({ loc: [0, 1], scale: [1, 2] });
    const s = d.sample([5], { seed: 1 });
    expect(s.shape).toEqual([5, 2]);
    const lp = d.logProb([0.5, 0.5]);
    expect(lp.shape).toEqual([2]);
    tf.dispose([s, lp]);
    d.dispose();
  });
});
