import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { LogNormal } from '../../src/distributions/log_normal.js';
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
const { log_normal: cases } = loadFixture<{ log_normal: Case[] }>('continuous');

describe('LogNormal values against scipy (float64 fixture)', () => {
  for (const c of cases) {
    it(c.name, () => {
      const d = new LogNormal({ loc: num(c.loc), scale: num(c.scale) });
      const check = fixtureCaseChecker(c);
      const x = num(c.x) as number[];
      check('logProb', () => d.logProb(x), 'log_prob');
      check('cdf', () => d.cdf(x), 'cdf', 1e-7);
      // log values below float32's smallest normal (e.g. logCdf = -4.9e-198) are 0 in float32
      const TINY = 1.1754943508222875e-38;
      check('logCdf', () => d.logCdf(x), 'log_cdf', TINY);
      check('survivalFunction', () => d.survivalFunction(x), 'survival', 1e-7);
      check('logSurvivalFunction', () => d.logSurvivalFunction(x), 'log_survival', TINY);
      if (c.p !== undefined) check('quantile', () => d.quantile(num(c.p!) as number[]), 'quantile');
      check('mean', () => d.mean(), 'mean');
      check('mode', () => d.mode(), 'mode');
      check('variance', () => d.variance(), 'variance');
      check('entropy', () => d.entropy(), 'entropy');
      d.dispose();
    });
  }
});

describe('LogNormal identities and support', () => {
  it('cdf(quantile(p)) == p, exp(logProb) == prob, survival = 1 - cdf', () => {
    const d = new LogNormal({ loc: [0.5, -2], scale: [0.3, 1.5] });
    const p = tf.tensor2d([[1e-5, 0.2], [0.5, 0.5], [0.8, 0.999]]);
    const q = d.quantile(p);
    const back = d.cdf(q);
    expectClose(back, p, { rtol: 2e-4, atol: 1e-7 });
    const s = d.survivalFunction(q);
    expectClose(s, tf.sub(1, p), { rtol: 2e-4, atol: 1e-6 });
    const lp = d.logProb(q);
    const pr = d.prob(q);
    expectClose(pr, tf.exp(lp), { rtol: 1e-6 });
    tf.dispose([p, q, back, s, lp, pr]);
    d.dispose();
  });

  it('x <= 0: logProb -Infinity, cdf 0, survival 1; quantile(0) = 0, quantile(1) = Infinity', () => {
    const d = new LogNormal({ loc: 0, scale: 1 });
    const lp = d.logProb([0, -1]);
    const cdf = d.cdf([0, -1]);
    const sf = d.survivalFunction([0, -1]);
    const q = d.quantile([0, 1]);
    expect(Array.from(lp.dataSync())).toEqual([-Infinity, -Infinity]);
    expect(Array.from(cdf.dataSync())).toEqual([0, 0]);
    expect(Array.from(sf.dataSync())).toEqual([1, 1]);
    expect(Array.from(q.dataSync())).toEqual([0, Infinity]);
    tf.dispose([lp, cdf, sf, q]);
    d.dispose();
  });

  it('KL(LogNormal || LogNormal) equals a Monte Carlo estimate (false-failure rate 1e-4)', () => {
    const p = new LogNormal({ loc: [0, 1], scale: [1, 0.5] });
    const q = new LogNormal({ loc: [0.5, -1], scale: [2, 1.5] });
    expectKLMatchesMonteCarlo(p, q, { seed: 5 });
    p.dispose();
    q.dispose();
  });
});

describe('LogNormal shapes', () => {
  const table: Array<{ name: string; loc: number | number[] | number[][]; scale: number | number[] | number[][]; batch: number[] }> = [
    { name: 'scalar', loc: 0, scale: 1, batch: [] },
    { name: 'vector', loc: [0, 1, 2], scale: [1, 1, 1], batch: [3] },
    { name: 'broadcast loc', loc: 0, scale: [1, 2], batch: [2] },
    { name: 'rank 2 broadcast', loc: [[0], [1]], scale: [1, 2, 3], batch: [2, 3] },
  ];
  for (const t of table) {
    for (const s of [[], [1], [2, 3]] as number[][]) {
      it(`${t.name} x sampleShape [${s}]`, () => {
        const d = new LogNormal({ loc: t.loc, scale: t.scale });
        expect(d.batchShape).toEqual(t.batch);
        const x = d.sample(s, { seed: 3 });
        expect(x.shape).toEqual([...s, ...t.batch]);
        const lp = d.logProb(x);
        expect(lp.shape).toEqual([...s, ...t.batch]);
        const m = d.mean();
        expect(m.shape).toEqual(t.batch);
        const q = new LogNormal({ loc: 1, scale: 2 });
        const kl = klDivergence(d, q);
        expect(kl.shape).toEqual(t.batch);
        tf.dispose([x, lp, m, kl]);
        d.dispose();
        q.dispose();
      });
    }
  }

  it('validateArgs names class, parameter, shape and the bad value', () => {
    expect(() => new LogNormal({ loc: 0, scale: [1, -2], validateArgs: true })).toThrow(InvalidArgumentError);
    expect(() => new LogNormal({ loc: 0, scale: [1, -2], validateArgs: true })).toThrow(
      /LogNormal: parameter scale \(shape \[2\]\) must be positive \(> 0\) and finite; found invalid value at batch index \[1\]: -2/,
    );
    expect(() => new LogNormal({ loc: [0, 1, 2], scale: [1, 2] })).toThrow(/LogNormal: .*scale.*\[2\]/);
  });
});

describe('LogNormal sampling', () => {
  it('is reproducible under a seed', () => {
    const d = new LogNormal({ loc: 0, scale: 1 });
    const a = d.sample([10], { seed: 7 });
    const b = d.sample([10], { seed: 7 });
    expectClose(a, b, { rtol: 0 });
    tf.dispose([a, b]);
    d.dispose();
  });

  it('mean of log X and of X over 40,000 draws (false-failure rate 1e-4)', () => {
    const loc = [1, -0.5];
    const scale = [0.5, 1];
    const d = new LogNormal({ loc, scale });
    const n = 40000;
    const [m, lm] = tf.tidy(() => {
      const x = d.sample([n], { seed: 11 });
      return [tf.mean(x, 0).dataSync(), tf.mean(tf.log(x), 0).dataSync()];
    });
    for (let i = 0; i < 2; i++) {
      const s2 = scale[i]! ** 2;
      const mean = Math.exp(loc[i]! + s2 / 2);
      const sd = Math.sqrt(Math.expm1(s2)) * mean;
      expect(Math.abs(m![i]! - mean)).toBeLessThan(meanTolerance(sd, n, 4));
      expect(Math.abs(lm![i]! - loc[i]!)).toBeLessThan(meanTolerance(scale[i]!, n, 4));
    }
    d.dispose();
  });
});

describe('LogNormal gradients', () => {
  it('d logProb / d loc = (log x - μ)/σ², d / d scale = ((log x - μ)² - σ²)/σ³', () => {
    const xv = [0.3, 4.0];
    const lv = [0.1, 0.5];
    const sv = [0.7, 2.0];
    const x = tf.tensor1d(xv);
    const loc = tf.tensor1d(lv);
    const scale = tf.tensor1d(sv);
    const [gl, gs] = tf.grads((l: tf.Tensor, s: tf.Tensor) => tf.sum(new LogNormal({ loc: l, scale: s }).logProb(x)))([loc, scale]);
    const r = xv.map((v, i) => Math.log(v) - lv[i]!);
    expectClose(gl!, r.map((v, i) => v / sv[i]! ** 2), { rtol: 1e-5 });
    expectClose(gs!, r.map((v, i) => (v * v - sv[i]! ** 2) / sv[i]! ** 3), { rtol: 1e-5 });
    tf.dispose([x, loc, scale, gl!, gs!]);
  });

  it('is reparameterized: d sample / d loc = x', () => {
    const loc = tf.tensor1d([0.5, -1]);
    const g = tf.grad((l: tf.Tensor) => tf.sum(new LogNormal({ loc: l, scale: 0.5 }).sample([3], { seed: 2 })))(loc);
    const x = new LogNormal({ loc, scale: 0.5 }).sample([3], { seed: 2 });
    const want = tf.sum(x, 0);
    expectClose(g, want, { rtol: 1e-5 });
    tf.dispose([loc, g, x, want]);
  });
});

describe('LogNormal hygiene', () => {
  it('a failed construction leaks nothing', () => {
    const before = tf.memory().numTensors;
    expect(() => new LogNormal({ loc: [0, 1, 2], scale: [1, 2] })).toThrow(InvalidArgumentError);
    expect(() => new LogNormal({ loc: 0, scale: -1, validateArgs: true })).toThrow(InvalidArgumentError);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('no public method leaks tensors', () => {
    const d = new LogNormal({ loc: [0, 1], scale: [1, 2] });
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
});

describe('LogNormal TSDoc example', () => {
  it('runs as documented', () => {
    const d = new LogNormal({ loc: [0, 1], scale: [0.5, 1] });
    const s = d.sample([5], { seed: 1 });
    expect(s.shape).toEqual([5, 2]);
    const c = d.cdf([1, 1]);
    expectClose(c, [0.5, 0.15865525393145707], { rtol: 1e-4 });
    tf.dispose([s, c]);
    d.dispose();
  });
});
