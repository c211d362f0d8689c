import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Beta } from '../../src/distributions/beta.js';
import { klDivergence } from '../../src/distributions/kl.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { expectClose, expectNoLeak, loadFixture, meanTolerance, type FixtureNum as Num, fixtureNum as num, fixtureCaseChecker, expectKLMatchesMonteCarlo } from '../helpers.js';


interface Case {
  name: string;
  concentration1: Num;
  concentration0: Num;
  x: Num;
  [k: string]: Num | undefined;
}
interface Fixture {
  beta: Case[];
  beta_kl: Record<string, number[]>;
  beta_grad: Record<string, number[]>;
}
const F = loadFixture<Fixture>('continuous');

describe('Beta values against scipy (float64 fixture)', () => {
  for (const c of F.beta) {
    it(c.name, () => {
      const d = new Beta({ concentration1: num(c.concentration1), concentration0: num(c.concentration0) });
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

  it('KL(Beta || Beta) against the float64 closed form; KL(p || p) = 0', () => {
    const k = F.beta_kl;
    const p = new Beta({ concentration1: k['p_concentration1']!, concentration0: k['p_concentration0']! });
    const q = new Beta({ concentration1: k['q_concentration1']!, concentration0: k['q_concentration0']! });
    const kl = klDivergence(p, q);
    expectClose(kl, k['kl']!, { rtol: 2e-4, atol: 1e-6 });
    const self = klDivergence(p, p);
    expectClose(self, [0, 0, 0, 0], { atol: 1e-5 });
    tf.dispose([kl, self]);
    p.dispose();
    q.dispose();
  });
});

describe('Beta KL identity', () => {
  it('closed-form KL equals a Monte Carlo estimate E_p[log p - log q] (false-failure rate 1e-4)', () => {
    const p = new Beta({ concentration1: [0.5, 3], concentration0: [1, 2] });
    const q = new Beta({ concentration1: [1, 2], concentration0: [0.5, 3] });
    expectKLMatchesMonteCarlo(p, q, { seed: 13 });
    p.dispose();
    q.dispose();
  });
});

describe('Beta support and edge values', () => {
  it('outside [0, 1]: logProb -Infinity, cdf clamps to 0 / 1; endpoints with concentration 1', () => {
    const d = new Beta({ concentration1: [1, 2], concentration0: [3, 1] });
    const lp = d.logProb([[-0.1, 1.1], [0, 1]]);
    // Beta(1, 3) at 0: 3; Beta(2, 1) at 1: 2
    expectClose(lp, [-Infinity, -Infinity, Math.log(3), Math.log(2)], { rtol: 1e-6 });
    const cdf = d.cdf([-1, 2]);
    expectClose(cdf, [0, 1]);
    tf.dispose([lp, cdf]);
    d.dispose();
  });
});

describe('Beta shapes', () => {
  type P = number | number[] | number[][];
  const table: Array<{ name: string; c1: P; c0: P; batch: number[] }> = [
    { name: 'scalar', c1: 2, c0: 1, batch: [] },
    { name: 'vector', c1: [0.5, 1, 2], c0: [1, 1, 1], batch: [3] },
    { name: 'broadcast', c1: 0.3, c0: [1, 2], batch: [2] },
    { name: 'rank 2 broadcast', c1: [[0.1], [4]], c0: [1, 2, 3], batch: [2, 3] },
  ];
  for (const t of table) {
    for (const s of [[], [1], [2, 3]] as number[][]) {
      it(`${t.name} x sampleShape [${s}]`, () => {
        const d = new Beta({ concentration1: t.c1, concentration0: t.c0 });
        expect(d.batchShape).toEqual(t.batch);
        const x = d.sample(s, { seed: 3 });
        expect(x.shape).toEqual([...s, ...t.batch]);
        const v = Array.from(x.dataSync());
        expect(v.every((e) => e >= 0 && e <= 1)).toBe(true);
        const lp = d.logProb(x);
        expect(lp.shape).toEqual([...s, ...t.batch]);
        const m = d.mean();
        expect(m.shape).toEqual(t.batch);
        const q = new Beta({ concentration1: 1, concentration0: 2 });
        const kl = klDivergence(d, q);
        expect(kl.shape).toEqual(t.batch);
        tf.dispose([x, lp, m, kl]);
        d.dispose();
        q.dispose();
      });
    }
  }

  it('validateArgs names class, parameter, shape and the bad value', () => {
    expect(() => new Beta({ concentration1: 1, concentration0: [1, -3], validateArgs: true })).toThrow(InvalidArgumentError);
    expect(() => new Beta({ concentration1: 1, concentration0: [1, -3], validateArgs: true })).toThrow(
      /Beta: parameter concentration0 \(shape \[2\]\) must be positive \(> 0\) and finite; found invalid value at batch index \[1\]: -3/,
    );
    expect(() => new Beta({ concentration1: [1, 2, 3], concentration0: [1, 2] })).toThrow(/Beta: .*concentration0.*\[2\]/);
  });
});

describe('Beta sampling (false-failure rate 1e-4 per test, Bonferroni inside)', () => {
  it('is reproducible under a seed and is not reparameterized', () => {
    const d = new Beta({ concentration1: [0.5, 3], concentration0: 2 });
    expect(d.reparameterized).toBe(false);
    const a = d.sample([10], { seed: 7 });
    const b = d.sample([10], { seed: 7 });
    expectClose(a, b, { rtol: 0 });
    tf.dispose([a, b]);
    d.dispose();
  });

  it('mean of X and of log X over 40,000 draws, incl. concentrations 0.1 and 0.5', () => {
    const c1 = [0.1, 0.5, 2, 5];
    const c0 = [0.5, 0.1, 3, 1];
    const d = new Beta({ concentration1: c1, concentration0: c0 });
    const n = 40000;
    const [m, v] = tf.tidy(() => {
      const x = d.sample([n], { seed: 31 });
      return [tf.mean(x, 0).dataSync(), tf.mean(tf.square(x), 0).dataSync()];
    });
    c1.forEach((a, i) => {
      const b = c0[i]!;
      const mean = a / (a + b);
      const varX = (a * b) / ((a + b) ** 2 * (a + b + 1));
      // E[X²] = a(a+1)/((a+b)(a+b+1)); X² in [0, 1] has variance <= E[X²] - E[X²]², bounded by E[X⁴] - E[X²]²
      const m2 = (a * (a + 1)) / ((a + b) * (a + b + 1));
      const m4 = (m2 * (a + 2) * (a + 3)) / ((a + b + 2) * (a + b + 3));
      expect(Math.abs(m[i]! - mean), `E[X] a=${a} b=${b}`).toBeLessThan(meanTolerance(Math.sqrt(varX), n, 2 * c1.length));
      expect(Math.abs(v[i]! - m2), `E[X²] a=${a} b=${b}`).toBeLessThan(meanTolerance(Math.sqrt(m4 - m2 * m2), n, 2 * c1.length));
    });
    d.dispose();
  });
});

describe('Beta gradients', () => {
  it('d logProb / d α = log x - ψ(α) + ψ(α+β); d / d β = log(1-x) - ψ(β) + ψ(α+β)', () => {
    const G = F.beta_grad;
    const x = tf.tensor1d(G['x']!);
    const a = tf.tensor1d(G['concentration1']!);
    const b = tf.tensor1d(G['concentration0']!);
    const [ga, gb] = tf.grads((c1: tf.Tensor, c0: tf.Tensor) =>
      tf.sum(new Beta({ concentration1: c1, concentration0: c0 }).logProb(x)),
    )([a, b]);
    expectClose(ga!, G['d_concentration1']!, { rtol: 2e-4, atol: 1e-5 });
    expectClose(gb!, G['d_concentration0']!, { rtol: 2e-4, atol: 1e-5 });
    tf.dispose([x, a, b, ga!, gb!]);
  });
});

describe('Beta hygiene', () => {
  it('a failed construction leaks nothing', () => {
    const before = tf.memory().numTensors;
    expect(() => new Beta({ concentration1: [1, 2, 3], concentration0: [1, 2] })).toThrow(InvalidArgumentError);
    expect(() => new Beta({ concentration1: -1, concentration0: 1, validateArgs: true })).toThrow(InvalidArgumentError);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('no public method leaks tensors', () => {
    const d = new Beta({ concentration1: [0.5, 2], concentration0: [1, 2] });
    expectNoLeak(() => d.sample([3], { seed: 1 }), 'sample');
    expectNoLeak(() => d.logProb([0.1, 0.2]), 'logProb');
    expectNoLeak(() => d.prob([0.1, 0.2]), 'prob');
    expectNoLeak(() => d.cdf(0.5), 'cdf');
    expectNoLeak(() => d.logCdf(0.5), 'logCdf');
    expectNoLeak(() => d.survivalFunction(0.5), 'survivalFunction');
    expectNoLeak(() => d.logSurvivalFunction(0.5), 'logSurvivalFunction');
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

describe('Beta TSDoc example', () => {
  it('runs as documented', () => {
    const d = new Beta({ concentration1: [0.5, 2], concentration0: [0.5, 5] });
    const s = d.sample([5], { seed: 1 });
    expect(s.shape).toEqual([5, 2]);
    const m = d.mean();
    expectClose(m, [0.5, 2 / 7], { rtol: 1e-6 });
    tf.dispose([s, m]);
    d.dispose();
  });
});
