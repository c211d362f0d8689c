import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Distribution } from '../../src/distributions/distribution.js';
import { klDivergence, registerKL } from '../../src/distributions/kl.js';
import { Normal } from '../../src/distributions/normal.js';
import { Bernoulli } from '../../src/distributions/bernoulli.js';
import { Categorical } from '../../src/distributions/categorical.js';
import { OneHotCategorical } from '../../src/distributions/one_hot_categorical.js';
import { Independent } from '../../src/distributions/independent.js';
import { InvalidArgumentError, NotImplementedError } from '../../src/errors.js';
import { expectClose, expectNoLeak, FALSE_FAILURE_RATE, zFor } from '../helpers.js';

/** A family: builds a distribution of a given batch shape from a seed (parameters drawn at random). */
interface Family {
  name: string;
  make(batch: number[], seed: number): Distribution;
}
/** Parameters drawn from a seeded normal, as a plain nested array (so the test owns no tensor). */
function params(shape: number[], seed: number, sd = 1): number[] | number {
  const t = tf.randomNormal(shape, 0, sd, 'float32', seed);
  const v = t.arraySync() as number[] | number;
  t.dispose();
  return v;
}
const families: Family[] = [
  {
    name: 'Normal',
    make: (b, s) => new Normal({ loc: params(b, s), scale: tf.tidy(() => tf.exp(tf.randomNormal(b, 0, 0.5, 'float32', s + 1))).arraySync() as number[] }),
  },
  { name: 'Bernoulli', make: (b, s) => new Bernoulli({ logits: params(b, s, 1.5) as number[] }) },
  { name: 'Categorical', make: (b, s) => new Categorical({ logits: params([...b, 4], s) as number[] }) },
  { name: 'OneHotCategorical', make: (b, s) => new OneHotCategorical({ logits: params([...b, 3], s) as number[] }) },
  {
    name: 'Independent(Normal, 1)',
    make: (b, s) =>
      new Independent({
        distribution: new Normal({
          loc: params([...b, 2], s) as number[],
          scale: tf.tidy(() => tf.exp(tf.randomNormal([...b, 2], 0, 0.5, 'float32', s + 1))).arraySync() as number[],
        }),
        reinterpretedBatchNdims: 1,
      }),
  },
  {
    name: 'Independent(Bernoulli, 2)',
    make: (b, s) =>
      new Independent({ distribution: new Bernoulli({ logits: params([...b, 2, 2], s, 1.5) as number[] }), reinterpretedBatchNdims: 2 }),
  },
];

describe('klDivergence dispatch', () => {
  class WideNormal extends Normal {}
  class WiderNormal extends WideNormal {}
  registerKL(WideNormal, Normal, () => tf.scalar(42));

  it('the most specific registered pair wins; a more general pair serves the rest', () => {
    const n = new Normal({ loc: 0, scale: 1 });
    const w = new WideNormal({ loc: 0, scale: 1 });
    const ww = new WiderNormal({ loc: 0, scale: 1 });
    const q = new Normal({ loc: 1, scale: 2 });
    const check = (p: Distribution, qq: Distribution, want: number) => {
      const kl = klDivergence(p, qq);
      expectClose(kl, want, { rtol: 1e-5 });
      kl.dispose();
    };
    const closed = Math.log(2) + (1 + 1) / 8 - 0.5; // KL(N(0,1) || N(1,2))
    check(n, q, closed); // Normal/Normal
    check(w, q, 42); // WideNormal/Normal (distance 0) beats Normal/Normal (distance 1)
    check(ww, q, 42); // WiderNormal inherits WideNormal's (distance 1) over Normal/Normal (distance 2)
    check(q, w, Math.log(0.5) + (4 + 1) / 2 - 0.5); // no (Normal, WideNormal): Normal/Normal
    [n, w, ww, q].forEach((d) => d.dispose());
  });

  it('a missing pair throws NotImplementedError naming both classes and how to add one', () => {
    const p = new Bernoulli({ probs: 0.3 });
    const q = new Normal({ loc: 0, scale: 1 });
    expect(() => klDivergence(p, q)).toThrow(NotImplementedError);
    expect(() => klDivergence(p, q)).toThrow(/no KL\(Bernoulli \|\| Normal\) is registered; add one with tfd.registerKL\(Bernoulli, Normal, fn\)/);
    expect(() => klDivergence(q, p)).toThrow(/KL\(Normal \|\| Bernoulli\)/);
    const c = new Categorical({ logits: [0, 1] });
    expect(() => klDivergence(c, p)).toThrow(/KL\(Categorical \|\| Bernoulli\)/);
    const before = tf.memory().numTensors;
    expect(() => klDivergence(c, p)).toThrow(NotImplementedError);
    expect(tf.memory().numTensors).toBe(before);
    [p, q, c].forEach((d) => d.dispose());
  });
});

describe('Monte Carlo KL agrees with each closed form (40,000 draws, false-failure rate 1e-4)', () => {
  const n = 40000;
  // One check per batch element per family; Bonferroni over all of them.
  const batch = [3];
  const tests = families.length * 3;
  const z = zFor(FALSE_FAILURE_RATE / tests);
  families.forEach((f, i) => {
    it(f.name, () => {
      const p = f.make(batch, 100 + 10 * i);
      const q = f.make(batch, 200 + 10 * i);
      const closed = klDivergence(p, q);
      const x = p.sample([n], { seed: 300 + i });
      const [mc, sd] = tf.tidy(() => {
        const r = tf.sub(p.logProb(x), q.logProb(x)); // [n, 3]
        const m = tf.mean(r, 0);
        const v = tf.mean(tf.square(tf.sub(r, m)), 0);
        return [m, tf.sqrt(v)];
      });
      const cd = closed.dataSync();
      const md = mc!.dataSync();
      const sdd = sd!.dataSync();
      for (let b = 0; b < batch[0]!; b++) {
        // The standard error uses the sample standard deviation of log p - log q (n = 40,000 makes
        // its own error negligible); 1e-5 absorbs float32 rounding when p and q nearly coincide.
        const tol = (z * sdd[b]!) / Math.sqrt(n) + 1e-5;
        expect(Math.abs(md[b]! - cd[b]!), `${f.name} batch ${b}: MC ${md[b]} vs closed ${cd[b]} (tol ${tol})`).toBeLessThan(tol);
        expect(cd[b]!).toBeGreaterThanOrEqual(0);
      }
      tf.dispose([closed, x, mc!, sd!]);
      p.dispose();
      q.dispose();
    });
  });
});

describe('KL shapes: batch shapes broadcast', () => {
  const cases: Array<{ p: number[]; q: number[]; out: number[] }> = [
    { p: [], q: [], out: [] },
    { p: [3], q: [], out: [3] },
    { p: [], q: [2, 3], out: [2, 3] },
    { p: [2, 1], q: [3], out: [2, 3] },
  ];
  for (const f of families) {
    for (const c of cases) {
      it(`${f.name}: [${c.p}] vs [${c.q}] -> [${c.out}]`, () => {
        const p = f.make(c.p, 1);
        const q = f.make(c.q, 2);
        const before = tf.memory().numTensors;
        const kl = klDivergence(p, q);
        expect(kl.shape).toEqual(c.out);
        expect(Array.from(kl.dataSync()).every((v) => Number.isFinite(v) && v >= -1e-6)).toBe(true);
        kl.dispose();
        expect(tf.memory().numTensors).toBe(before);
        const self = klDivergence(p, p);
        expectClose(self, new Array(c.p.reduce((a, d) => a * d, 1)).fill(0), { atol: 1e-6 });
        self.dispose();
        p.dispose();
        q.dispose();
      });
    }
    it(`${f.name}: [2] vs [3] do not broadcast (error names both)`, () => {
      const p = f.make([2], 1);
      const q = f.make([3], 2);
      expect(() => klDivergence(p, q)).toThrow(InvalidArgumentError);
      expect(() => klDivergence(p, q)).toThrow(/batch shapes \[2\] \(.*\) and \[3\] \(.*\) do not broadcast/);
      p.dispose();
      q.dispose();
    });
  }
});

describe('KL hygiene', () => {
  it('no klDivergence call leaks tensors', () => {
    for (const f of families) {
      const p = f.make([2], 5);
      const q = f.make([2], 6);
      expectNoLeak(() => klDivergence(p, q), `klDivergence(${f.name})`);
      p.dispose();
      q.dispose();
    }
  });
});
