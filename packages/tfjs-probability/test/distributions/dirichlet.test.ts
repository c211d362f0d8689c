import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Dirichlet } from '../../src/distributions/dirichlet.js';
import { klDivergence } from '../../src/distributions/kl.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { expectClose, expectNoLeak, loadFixture, meanTolerance, type FixtureNum as Num, fixtureNum as num, expectKLMatchesMonteCarlo } from '../helpers.js';


interface Case {
  name: string;
  concentration: Num;
  x: Num;
  [k: string]: Num;
}
interface Fixture {
  dirichlet: Case[];
  dirichlet_kl: { p_concentration: number[][]; q_concentration: number[][]; kl: number[] };
  dirichlet_grad: { concentration: number[]; x: number[]; d_concentration: number[] };
}
const F = loadFixture<Fixture>('continuous');

describe('Dirichlet values against scipy (float64 fixture)', () => {
  for (const c of F.dirichlet) {
    it(c.name, () => {
      const d = new Dirichlet({ concentration: num(c.concentration) });
      const check = (what: string, got: () => tf.Tensor, key: string, atol = 0) => {
        const g = got();
        expectClose(g, num(c[key]!), { rtol: 2e-4, atol, context: { case: c.name, what } });
        g.dispose();
      };
      check('logProb', () => d.logProb(num(c.x)), 'log_prob', 1e-6);
      check('mean', () => d.mean(), 'mean');
      check('mode', () => d.mode(), 'mode');
      check('variance', () => d.variance(), 'variance');
      check('covariance', () => d.covariance(), 'covariance', 1e-9);
      check('entropy', () => d.entropy(), 'entropy', 1e-6);
      d.dispose();
    });
  }

  it('covariance has shape [...B, k, k], is symmetric with the variance on its diagonal', () => {
    const d = new Dirichlet({ concentration: [[1, 2, 3], [0.5, 0.5, 4]] });
    const cov = d.covariance();
    expect(cov.shape).toEqual([2, 3, 3]);
    const v = d.variance();
    const diag = tf.tidy(() => tf.sum(tf.mul(cov, tf.eye(3)), -1));
    expectClose(diag, v, { rtol: 1e-6 });
    expectClose(cov, tf.tidy(() => tf.transpose(cov, [0, 2, 1])), { rtol: 0 });
    // rows sum to 0: Σ xᵢ = 1 is constant
    const rows = tf.tidy(() => tf.sum(cov, -1));
    expectClose(rows, [0, 0, 0, 0, 0, 0], { atol: 1e-7 });
    tf.dispose([cov, v, diag, rows]);
    d.dispose();
  });

  it('KL(Dirichlet || Dirichlet) against the float64 closed form; KL(p || p) = 0; broadcast q', () => {
    const k = F.dirichlet_kl;
    const p = new Dirichlet({ concentration: k.p_concentration });
    const q = new Dirichlet({ concentration: k.q_concentration });
    const kl = klDivergence(p, q);
    expectClose(kl, k.kl, { rtol: 2e-4, atol: 1e-6 });
    const self = klDivergence(p, p);
    expectClose(self, [0, 0, 0], { atol: 1e-5 });
    const q1 = new Dirichlet({ concentration: k.q_concentration[0]! });
    const kb = klDivergence(p, q1);
    expect(kb.shape).toEqual([3]);
    tf.dispose([kl, self, kb]);
    [p, q, q1].forEach((t) => t.dispose());
  });

  it('KL between different k is refused naming both event shapes', () => {
    const p = new Dirichlet({ concentration: [1, 2, 3] });
    const q = new Dirichlet({ concentration: [1, 2] });
    expect(() => klDivergence(p, q)).toThrow(/event shapes differ/);
    p.dispose();
    q.dispose();
  });
});

describe('Dirichlet KL identity', () => {
  it('closed-form KL equals a Monte Carlo estimate E_p[log p - log q] (false-failure rate 1e-4)', () => {
    const p = new Dirichlet({ concentration: [[0.5, 2, 1], [3, 3, 3]] });
    const q = new Dirichlet({ concentration: [[1, 1, 1], [0.7, 5, 2]] });
    expectKLMatchesMonteCarlo(p, q, { seed: 13 });
    p.dispose();
    q.dispose();
  });
});

describe('Dirichlet shapes', () => {
  type P = number[] | number[][] | number[][][];
  const table: Array<{ name: string; conc: P; batch: number[]; k: number }> = [
    { name: 'single, k=3', conc: [1, 2, 3], batch: [], k: 3 },
    { name: 'k=1', conc: [2], batch: [], k: 1 },
    { name: 'batch [2]', conc: [[1, 2, 3], [0.1, 0.2, 0.3]], batch: [2], k: 3 },
    { name: 'batch [2, 1], k=4', conc: [[[1, 2, 3, 4]], [[0.5, 0.5, 0.5, 0.5]]], batch: [2, 1], k: 4 },
  ];
  for (const t of table) {
    for (const s of [[], [1], [2, 3]] as number[][]) {
      it(`${t.name} x sampleShape [${s}]`, () => {
        const d = new Dirichlet({ concentration: t.conc });
        expect(d.batchShape).toEqual(t.batch);
        expect(d.eventShape).toEqual([t.k]);
        const x = d.sample(s, { seed: 3 });
        expect(x.shape).toEqual([...s, ...t.batch, t.k]);
        const lp = d.logProb(x);
        expect(lp.shape).toEqual([...s, ...t.batch]);
        const m = d.mean();
        expect(m.shape).toEqual([...t.batch, t.k]);
        const cov = d.covariance();
        expect(cov.shape).toEqual([...t.batch, t.k, t.k]);
        const e = d.entropy();
        expect(e.shape).toEqual(t.batch);
        const q = new Dirichlet({ concentration: new Array<number>(t.k).fill(1.5) });
        const kl = klDivergence(d, q);
        expect(kl.shape).toEqual(t.batch);
        tf.dispose([x, lp, m, cov, e, kl]);
        d.dispose();
        q.dispose();
      });
    }
  }

  it('logProb: x of shape [k] broadcasts against the batch; wrong k is refused', () => {
    const d = new Dirichlet({ concentration: [[1, 2, 3], [2, 2, 2]] });
    const lp = d.logProb([0.2, 0.3, 0.5]);
    expect(lp.shape).toEqual([2]);
    lp.dispose();
    expect(() => d.logProb([0.5, 0.5])).toThrow(/Dirichlet.logProb: x must have shape/);
    d.dispose();
  });

  it('rejects a scalar concentration and validates positivity naming the batch index', () => {
    expect(() => new Dirichlet({ concentration: 2 })).toThrow(/Dirichlet: concentration must be \[\.\.\., k\] with k >= 1; got \[\]/);
    expect(() => new Dirichlet({ concentration: [[1, 2], [3, -1]], validateArgs: true })).toThrow(InvalidArgumentError);
    expect(() => new Dirichlet({ concentration: [[1, 2], [3, -1]], validateArgs: true })).toThrow(
      /Dirichlet: parameter concentration \(shape \[2, 2\]\) must be positive \(> 0\) and finite in every entry of the last axis; found invalid values at batch index \[1\]: 3, -1/,
    );
  });
});

describe('Dirichlet sampling (false-failure rate 1e-4 per test, Bonferroni inside)', () => {
  it('draws lie on the simplex (entries >= 0, sums within 1e-5 of 1), also for concentration 0.01', () => {
    const d = new Dirichlet({ concentration: [[0.01, 0.01, 0.01], [0.1, 0.5, 1], [30, 40, 50]] });
    const x = d.sample([2000], { seed: 5 });
    const v = x.dataSync();
    expect(Array.from(v).every((e) => e >= 0 && Number.isFinite(e))).toBe(true);
    const sums = tf.tidy(() => tf.sum(x, -1).dataSync());
    let worst = 0;
    for (const s of sums) worst = Math.max(worst, Math.abs(s - 1));
    expect(worst).toBeLessThan(1e-5);
    x.dispose();
    d.dispose();
  });

  it('is reproducible under a seed and is not reparameterized', () => {
    const d = new Dirichlet({ concentration: [0.5, 3, 1] });
    expect(d.reparameterized).toBe(false);
    const a = d.sample([10], { seed: 7 });
    const b = d.sample([10], { seed: 7 });
    expectClose(a, b, { rtol: 0 });
    tf.dispose([a, b]);
    d.dispose();
  });

  it('componentwise means of 40,000 draws, incl. concentrations 0.1 and 0.5', () => {
    const conc = [
      [0.1, 0.5, 1],
      [2, 5, 0.5],
    ];
    const d = new Dirichlet({ concentration: conc });
    const n = 40000;
    const m = tf.tidy(() => tf.mean(d.sample([n], { seed: 41 }), 0).dataSync());
    conc.forEach((row, b) => {
      const a0 = row.reduce((s, v) => s + v, 0);
      row.forEach((a, k) => {
        const mean = a / a0;
        const sd = Math.sqrt((mean * (1 - mean)) / (a0 + 1));
        expect(Math.abs(m[b * 3 + k]! - mean), `batch ${b} k ${k}`).toBeLessThan(meanTolerance(sd, n, 6));
      });
    });
    d.dispose();
  });
});

describe('Dirichlet gradients', () => {
  it('d logProb / d αᵢ = log xᵢ - ψ(αᵢ) + ψ(α₀)', () => {
    const G = F.dirichlet_grad;
    const x = tf.tensor1d(G.x);
    const a = tf.tensor1d(G.concentration);
    const g = tf.grad((c: tf.Tensor) => new Dirichlet({ concentration: c }).logProb(x))(a);
    expectClose(g, G.d_concentration, { rtol: 2e-4, atol: 1e-5 });
    tf.dispose([x, a, g]);
  });
});

describe('Dirichlet hygiene', () => {
  it('a failed construction leaks nothing', () => {
    const before = tf.memory().numTensors;
    expect(() => new Dirichlet({ concentration: 3 })).toThrow(InvalidArgumentError);
    expect(() => new Dirichlet({ concentration: [1, -1], validateArgs: true })).toThrow(InvalidArgumentError);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('no public method leaks tensors', () => {
    const d = new Dirichlet({ concentration: [[0.5, 2, 1], [1, 1, 1]] });
    expectNoLeak(() => d.sample([3], { seed: 1 }), 'sample');
    expectNoLeak(() => d.logProb([0.1, 0.2, 0.7]), 'logProb');
    expectNoLeak(() => d.prob([0.1, 0.2, 0.7]), 'prob');
    expectNoLeak(() => d.mean(), 'mean');
    expectNoLeak(() => d.mode(), 'mode');
    expectNoLeak(() => d.variance(), 'variance');
    expectNoLeak(() => d.stddev(), 'stddev');
    expectNoLeak(() => d.covariance(), 'covariance');
    expectNoLeak(() => d.entropy(), 'entropy');
    expectNoLeak(() => klDivergence(d, d), 'klDivergence');
    expect(() => d.cdf([0.1, 0.2, 0.7])).toThrow(/Dirichlet does not implement cdf/);
    const before = tf.memory().numTensors;
    d.dispose();
    expect(tf.memory().numTensors).toBe(before - 1);
  });
});

describe('Dirichlet TSDoc example', () => {
  it('runs as documented', () => {
    const d = new Dirichlet({ concentration: [[1, 2, 3], [0.1, 0.1, 0.1]] });
    const s = d.sample([5], { seed: 1 });
    expect(s.shape).toEqual([5, 2, 3]);
    const c = d.covariance();
    expect(c.shape).toEqual([2, 3, 3]);
    tf.dispose([s, c]);
    d.dispose();
  });
});
