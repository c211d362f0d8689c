import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Gamma } from '../../src/distributions/gamma.js';
import { klDivergence } from '../../src/distributions/kl.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { FALSE_FAILURE_RATE, expectClose, loadFixture, meanTolerance, type FixtureNum as Num, fixtureNum as num, fixtureCaseChecker, expectKLMatchesMonteCarlo } from '../helpers.js';


interface Case {
  name: string;
  concentration: Num;
  rate: Num;
  x: Num;
  [k: string]: Num | undefined;
}
interface Fixture {
  gamma: Case[];
  gamma_kl: Record<string, number[]>;
  gamma_grad: Record<string, number[]>;
  gamma_ks: Array<{ concentration: number; rate: number; x: number[]; cdf: number[] }>;
}
const F = loadFixture<Fixture>('continuous');

describe('Gamma values against scipy (float64 fixture)', () => {
  for (const c of F.gamma) {
    it(c.name, () => {
      const d = new Gamma({ concentration: num(c.concentration), rate: num(c.rate) });
      const check = fixtureCaseChecker(c);
      const x = num(c.x) as number[];
      check('logProb', () => d.logProb(x), 'log_prob');
      check('cdf', () => d.cdf(x), 'cdf', 1e-7);
      check('survivalFunction', () => d.survivalFunction(x), 'survival', 1e-7);
      check('mean', () => d.mean(), 'mean');
      check('mode', () => d.mode(), 'mode');
      check('variance', () => d.variance(), 'variance');
      check('entropy', () => d.entropy(), 'entropy', 1e-6);
      d.dispose();
    });
  }

  it('KL(Gamma || Gamma) against the float64 closed form', () => {
    const k = F.gamma_kl;
    const p = new Gamma({ concentration: k['p_concentration']!, rate: k['p_rate']! });
    const q = new Gamma({ concentration: k['q_concentration']!, rate: k['q_rate']! });
    const kl = klDivergence(p, q);
    expectClose(kl, k['kl']!, { rtol: 2e-4, atol: 1e-6 });
    const self = klDivergence(p, p);
    expectClose(self, [0, 0, 0, 0], { atol: 1e-5 });
    tf.dispose([kl, self]);
    p.dispose();
    q.dispose();
  });
});

describe('Gamma KL identity', () => {
  it('closed-form KL equals a Monte Carlo estimate E_p[log p - log q] (false-failure rate 1e-4)', () => {
    const p = new Gamma({ concentration: [0.5, 3], rate: [1, 2] });
    const q = new Gamma({ concentration: [1, 2], rate: [0.5, 3] });
    expectKLMatchesMonteCarlo(p, q, { seed: 13 });
    p.dispose();
    q.dispose();
  });
});

describe('Gamma support and edge values', () => {
  it('x < 0: logProb -Infinity, cdf 0, survival 1; x = 0 with concentration 1 has density rate', () => {
    const d = new Gamma({ concentration: [1, 2], rate: [3, 1] });
    const lp = d.logProb([[-1, -1], [0, 0]]);
    expectClose(lp, [-Infinity, -Infinity, Math.log(3), -Infinity]);
    const cdf = d.cdf([-1, -1]);
    const sf = d.survivalFunction([-1, -1]);
    expectClose(cdf, [0, 0]);
    expectClose(sf, [1, 1]);
    tf.dispose([lp, cdf, sf]);
    d.dispose();
  });

  it('quantile (igammainv; the scipy grid is in test/math/edges.test.ts): Exponential(1) median is log 2', () => {
    const d = new Gamma({ concentration: 1, rate: 1 });
    const q = d.quantile(0.5);
    expectClose(q, [Math.LN2], { rtol: 1e-6 });
    q.dispose();
    d.dispose();
  });
});

describe('Gamma shapes', () => {
  type P = number | number[] | number[][];
  it('validateArgs names class, parameter, shape and the bad value', () => {
    expect(() => new Gamma({ concentration: [1, 0], rate: 1, validateArgs: true })).toThrow(InvalidArgumentError);
    expect(() => new Gamma({ concentration: [1, 0], rate: 1, validateArgs: true })).toThrow(
      /Gamma: parameter concentration \(shape \[2\]\) must be positive \(> 0\) and finite; found invalid value at batch index \[1\]: 0/,
    );
    expect(() => new Gamma({ concentration: [1, 2, 3], rate: [1, 2] })).toThrow(/Gamma: .*rate.*\[2\]/);
  });
});

describe('Gamma sampling (false-failure rate 1e-4 per test, Bonferroni inside)', () => {
  it('is reproducible under a seed and is not reparameterized', () => {
    const d = new Gamma({ concentration: [0.5, 3], rate: 2 });
    expect(d.reparameterized).toBe(false);
    const a = d.sample([10], { seed: 7 });
    const b = d.sample([10], { seed: 7 });
    expectClose(a, b, { rtol: 0 });
    tf.dispose([a, b]);
    d.dispose();
  });

  it('sample mean of 40,000 draws for concentrations 0.1, 0.5, 1, 4, 30', () => {
    const conc = [0.1, 0.5, 1, 4, 30];
    const rate = [1, 2, 1, 0.5, 3];
    const d = new Gamma({ concentration: conc, rate });
    const n = 40000;
    const m = tf.tidy(() => tf.mean(d.sample([n], { seed: 21 }), 0).dataSync());
    conc.forEach((a, i) => {
      const sd = Math.sqrt(a) / rate[i]!;
      expect(Math.abs(m[i]! - a / rate[i]!), `a=${a}`).toBeLessThan(meanTolerance(sd, n, conc.length));
    });
    d.dispose();
  });

  it('Kolmogorov-Smirnov (DKW bound) against scipy cdf values on a 199-point quantile grid', () => {
    // DKW: P(sup |F_n - F| > eps) <= 2 exp(-2 n eps²); over 5 distributions, eps for total rate 1e-4.
    const n = 20000;
    const cases = F.gamma_ks;
    const eps = Math.sqrt(Math.log((2 * cases.length) / FALSE_FAILURE_RATE) / (2 * n));
    const d = new Gamma({ concentration: cases.map((c) => c.concentration), rate: cases.map((c) => c.rate) });
    const draws = d.sample([n], { seed: 99 });
    const all = draws.dataSync();
    cases.forEach((c, j) => {
      const xs = Float64Array.from({ length: n }, (_, i) => all[i * cases.length + j]!).sort();
      let worst = 0;
      let at = 0;
      let k = 0;
      c.x.forEach((xg, g) => {
        while (k < n && xs[k]! <= xg) k++;
        const dev = Math.abs(k / n - c.cdf[g]!);
        if (dev > worst) [worst, at] = [dev, xg];
      });
      expect(worst, `Gamma(${c.concentration}, ${c.rate}): sup |F_n - F| = ${worst} at x=${at}, eps ${eps}`).toBeLessThan(eps);
    });
    draws.dispose();
    d.dispose();
  });
});

describe('Gamma gradients', () => {
  it('d logProb / d concentration = log(rate) + log(x) - digamma(a); d / d rate = a/rate - x', () => {
    const G = F.gamma_grad;
    const x = tf.tensor1d(G['x']!);
    const a = tf.tensor1d(G['concentration']!);
    const r = tf.tensor1d(G['rate']!);
    const [ga, gr] = tf.grads((c: tf.Tensor, b: tf.Tensor) => tf.sum(new Gamma({ concentration: c, rate: b }).logProb(x)))([a, r]);
    expectClose(ga!, G['d_concentration']!, { rtol: 2e-4, atol: 1e-5 });
    expectClose(gr!, G['d_rate']!, { rtol: 1e-5, atol: 1e-6 });
    tf.dispose([x, a, r, ga!, gr!]);
  });
});


describe('Gamma TSDoc example', () => {
  it('runs as documented', () => {
    const d = new Gamma({ concentration: [0.5, 2], rate: [1, 3] });
    const s = d.sample([5], { seed: 1 });
    expect(s.shape).toEqual([5, 2]);
    const m = d.mean();
    expectClose(m, [0.5, 2 / 3], { rtol: 1e-6 });
    tf.dispose([s, m]);
    d.dispose();
  });
});
