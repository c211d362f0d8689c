import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { StudentT } from '../../src/distributions/student_t.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { expectClose, loadFixture, meanTolerance, type FixtureNum as Num, fixtureNum as num, fixtureCaseChecker } from '../helpers.js';


interface Case {
  name: string;
  df: Num;
  loc: Num;
  scale: Num;
  x: Num;
  [k: string]: Num | undefined;
}
const { student_t: cases } = loadFixture<{ student_t: Case[] }>('continuous');

describe('StudentT values against scipy (float64 fixture)', () => {
  for (const c of cases) {
    it(c.name, () => {
      const d = new StudentT({ df: num(c.df), loc: num(c.loc), scale: num(c.scale) });
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

  it('df = 1 is the Cauchy distribution: cdf = ½ + atan(t)/π', () => {
    const d = new StudentT({ df: 1, loc: 0.5, scale: 2 });
    const xs = [-30, -1, 0.5, 3, 100];
    const cdf = d.cdf(xs);
    expectClose(cdf, xs.map((x) => 0.5 + Math.atan((x - 0.5) / 2) / Math.PI), { rtol: 2e-4 });
    cdf.dispose();
    d.dispose();
  });

  it('quantile (inverse incomplete beta; the scipy grid is in test/math/edges.test.ts): Cauchy quartiles are ±1', () => {
    const d = new StudentT({ df: 1, loc: 0, scale: 1 });
    const q = d.quantile([0.25, 0.5, 0.75]);
    expectClose(q, [-1, 0, 1], { rtol: 1e-5, atol: 1e-6 });
    q.dispose();
    d.dispose();
  });
});

describe('StudentT shapes', () => {
  type P = number | number[] | number[][];
  it('validateArgs names class, parameter, shape and the bad value', () => {
    expect(() => new StudentT({ df: [1, -1], loc: 0, scale: 1, validateArgs: true })).toThrow(InvalidArgumentError);
    expect(() => new StudentT({ df: [1, -1], loc: 0, scale: 1, validateArgs: true })).toThrow(
      /StudentT: parameter df \(shape \[2\]\) must be positive \(> 0\) and finite; found invalid value at batch index \[1\]: -1/,
    );
    expect(() => new StudentT({ df: [1, 2, 3], loc: 0, scale: [1, 2] })).toThrow(/StudentT: .*scale.*\[2\]/);
  });
});

describe('StudentT sampling (false-failure rate 1e-4 per test, Bonferroni inside)', () => {
  it('P(X <= loc ± scale) of 40,000 draws matches the cdf (binomial proportions, incl. df 0.5 and 1)', () => {
    // Proportions are bounded, so this works for heavy tails where means do not exist.
    const df = [0.5, 1, 4, 30];
    const d = new StudentT({ df, loc: [1, -2, 0, 3], scale: [2, 0.5, 1, 3] });
    const n = 40000;
    const pts = tf.tidy(() => tf.stack([tf.sub(d.loc, d.scale), tf.add(d.loc, d.scale)]));
    const ref = d.cdf(pts).dataSync();
    const emp = tf.tidy(() => {
      const x = d.sample([n], { seed: 17 });
      return tf.mean(tf.cast(tf.lessEqual(tf.expandDims(x, 1), pts), 'float32'), 0).dataSync();
    });
    for (let i = 0; i < 2 * df.length; i++) {
      const p = ref[i]!;
      expect(Math.abs(emp[i]! - p), `df=${df[i % df.length]}, point ${i}`).toBeLessThan(meanTolerance(Math.sqrt(p * (1 - p)), n, 2 * df.length));
    }
    pts.dispose();
    d.dispose();
  });

  it('sample variance for df = 30 (finite fourth moment) within a CLT tolerance', () => {
    const nu = 30;
    const d = new StudentT({ df: nu, loc: 0, scale: 1.5 });
    const n = 40000;
    const m2 = tf.tidy(() => tf.mean(tf.square(d.sample([n], { seed: 23 }))).dataSync()[0]!);
    const v = (1.5 ** 2 * nu) / (nu - 2);
    const m4 = (3 * 1.5 ** 4 * nu * nu) / ((nu - 2) * (nu - 4));
    expect(Math.abs(m2 - v)).toBeLessThan(meanTolerance(Math.sqrt(m4 - v * v), n));
    d.dispose();
  });

  it('is reparameterized in loc and scale: d sample/d loc = 1, d sample/d scale = (x - loc)/scale', () => {
    const loc = tf.tensor1d([0.5, -1]);
    const scale = tf.tensor1d([2, 0.5]);
    const f = (l: tf.Tensor, s: tf.Tensor) => tf.sum(new StudentT({ df: 3, loc: l, scale: s }).sample([4], { seed: 2 }));
    const [gl, gs] = tf.grads(f)([loc, scale]);
    const d = new StudentT({ df: 3, loc, scale });
    const x = d.sample([4], { seed: 2 });
    const want = tf.tidy(() => tf.sum(tf.div(tf.sub(x, loc), scale), 0));
    expectClose(gl!, [4, 4], { rtol: 1e-6 });
    expectClose(gs!, want, { rtol: 1e-4, atol: 1e-6 });
    tf.dispose([loc, scale, gl!, gs!, x, want]);
    d.dispose();
  });
});

describe('StudentT gradients', () => {
  it('d logProb / d loc = (ν+1) t / (σ (ν + t²)); d / d scale = ((ν+1) t² / (ν + t²) - 1)/σ', () => {
    const xv = [0.3, -4.0];
    const nu = [3, 0.8];
    const lv = [0.1, 0.5];
    const sv = [0.7, 2.0];
    const x = tf.tensor1d(xv);
    const loc = tf.tensor1d(lv);
    const scale = tf.tensor1d(sv);
    const [gl, gs] = tf.grads((l: tf.Tensor, s: tf.Tensor) => tf.sum(new StudentT({ df: nu, loc: l, scale: s }).logProb(x)))([loc, scale]);
    const t = xv.map((v, i) => (v - lv[i]!) / sv[i]!);
    expectClose(gl!, t.map((ti, i) => ((nu[i]! + 1) * ti) / (sv[i]! * (nu[i]! + ti * ti))), { rtol: 1e-5 });
    expectClose(gs!, t.map((ti, i) => (((nu[i]! + 1) * ti * ti) / (nu[i]! + ti * ti) - 1) / sv[i]!), { rtol: 1e-5 });
    tf.dispose([x, loc, scale, gl!, gs!]);
  });
});


describe('StudentT TSDoc example', () => {
  it('runs as documented', () => {
    const d = new StudentT({ df: [1, 5], loc: 0, scale: [1, 2] });
    const s = d.sample([5], { seed: 1 });
    expect(s.shape).toEqual([5, 2]);
    const m = d.mean();
    expectClose(m, [NaN, 0]);
    tf.dispose([s, m]);
    d.dispose();
  });
});
