import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { MixtureSameFamily } from '../../src/distributions/mixture_same_family.js';
import { Categorical } from '../../src/distributions/categorical.js';
import { Normal } from '../../src/distributions/normal.js';
import { Independent } from '../../src/distributions/independent.js';
import { MultivariateNormalDiag } from '../../src/distributions/mvn_diag.js';
import { Laplace } from '../../src/distributions/laplace.js';
import { StudentT } from '../../src/distributions/student_t.js';
import { MultivariateNormalTriL } from '../../src/distributions/mvn_tril.js';
import { MultivariateNormalFullCovariance } from '../../src/distributions/mvn_full_covariance.js';
import type { Distribution } from '../../src/distributions/distribution.js';
import { InvalidArgumentError, NotImplementedError } from '../../src/errors.js';
import { expectClose, expectNoLeak, loadFixture, meanTolerance, zFor, FALSE_FAILURE_RATE } from '../helpers.js';

interface Case {
  name: string;
  kind: 'normal' | 'mvn_diag' | 'hetero';
  logits: number[] | number[][];
  loc: number[] | number[][] | number[][][];
  scale: number[] | number[][] | number[][][];
  x: number[] | number[][] | number[][][];
  log_prob: number[] | number[][];
  cdf?: number[] | number[][];
  mean: number | number[] | number[][];
  variance: number | number[] | number[][];
  covariance?: number[][] | number[][][];
}
const { cases } = loadFixture<{ cases: Case[] }>('mixture');

function build(c: Case, family: 'normal' | 'independent' | 'mvnDiag'): MixtureSameFamily {
  const cat = new Categorical({ logits: c.logits as number[][] });
  let comp;
  if (family === 'normal') comp = new Normal({ loc: c.loc as number[][], scale: c.scale as number[][] });
  else if (family === 'independent') {
    comp = new Independent({ distribution: new Normal({ loc: c.loc as number[][], scale: c.scale as number[][] }), reinterpretedBatchNdims: 1 });
  } else comp = new MultivariateNormalDiag({ loc: c.loc as number[][], scaleDiag: c.scale as number[][] });
  return new MixtureSameFamily({ mixtureDistribution: cat, componentsDistribution: comp });
}

describe('MixtureSameFamily values against scipy (float64 fixture, incl. points 50 sd out)', () => {
  for (const c of cases.filter((k) => k.kind !== 'hetero')) {
    const families = c.kind === 'normal' ? (['normal'] as const) : (['independent', 'mvnDiag'] as const);
    for (const fam of families) {
      it(`${c.name} (${fam} components)`, () => {
        const d = build(c, fam);
        const ctx = { case: c.name, fam };
        const lp = d.logProb(c.x as number[][]);
        expect(Array.from(lp.dataSync()).every(Number.isFinite)).toBe(true);
        expectClose(lp, c.log_prob as number[][], { rtol: 2e-4, context: { ...ctx, what: 'logProb' } });
        const m = d.mean();
        expectClose(m, c.mean as number[], { rtol: 2e-4, atol: 1e-5, context: { ...ctx, what: 'mean' } });
        const v = d.variance();
        expectClose(v, c.variance as number[], { rtol: 2e-4, context: { ...ctx, what: 'variance' } });
        const out = [lp, m, v];
        if (c.cdf) {
          const n = (c.cdf as number[]).length;
          const xs = (c.x as number[]).slice(0, n);
          const cdf = d.cdf(xs);
          expectClose(cdf, c.cdf as number[], { rtol: 2e-4, atol: 1e-6, context: { ...ctx, what: 'cdf' } });
          out.push(cdf);
        }
        if (c.covariance && fam === 'mvnDiag') {
          const cov = d.covariance();
          expectClose(cov, c.covariance as number[][], { rtol: 2e-4, atol: 1e-5, context: { ...ctx, what: 'covariance' } });
          out.push(cov);
        }
        tf.dispose(out);
        d.dispose();
      });
    }
  }
});

describe('MixtureSameFamily shapes', () => {
  it('vector events: sample [S, B, d], logProb [S, B], covariance [B, d, d]', () => {
    const d = new MixtureSameFamily({
      mixtureDistribution: new Categorical({ logits: [[0, 1, 2], [2, 1, 0]] }),
      componentsDistribution: new MultivariateNormalDiag({ loc: tf.zeros([2, 3, 4]), scaleDiag: tf.ones([2, 3, 4]) }),
    });
    expect(d.batchShape).toEqual([2]);
    expect(d.eventShape).toEqual([4]);
    const x = d.sample([5], { seed: 1 });
    expect(x.shape).toEqual([5, 2, 4]);
    const lp = d.logProb(x);
    expect(lp.shape).toEqual([5, 2]);
    const cov = d.covariance();
    expect(cov.shape).toEqual([2, 4, 4]);
    tf.dispose([x, lp, cov]);
    d.dispose();
  });

  it('rejects a Categorical over the wrong number of components, naming both', () => {
    expect(
      () =>
        new MixtureSameFamily({
          mixtureDistribution: new Categorical({ logits: [0, 1, 2] }),
          componentsDistribution: new Normal({ loc: [0, 1], scale: 1 }),
        }),
    ).toThrow(/MixtureSameFamily: mixtureDistribution must be a Categorical over K = 2 components.*got logits \[3\]/);
    expect(
      () =>
        new MixtureSameFamily({
          mixtureDistribution: new Categorical({ logits: [0, 1] }),
          componentsDistribution: new Normal({ loc: 0, scale: 1 }),
        }),
    ).toThrow(InvalidArgumentError);
  });
});

describe('MixtureSameFamily identities', () => {
  it('a one-component mixture equals its component', () => {
    const d = new MixtureSameFamily({
      mixtureDistribution: new Categorical({ logits: [[0], [0]] }),
      componentsDistribution: new Normal({ loc: [[1], [-2]], scale: [[0.5], [3]] }),
    });
    const c = new Normal({ loc: [1, -2], scale: [0.5, 3] });
    const x = [[0.3, 4], [-1, 60]];
    const [a, b] = [d.logProb(x), c.logProb(x)];
    expectClose(a, b, { rtol: 1e-5 });
    const [va, vb] = [d.variance(), c.variance()];
    expectClose(va, vb, { rtol: 1e-5 });
    tf.dispose([a, b, va, vb]);
    d.dispose();
    c.dispose();
  });

  it('entropy has no closed form: NotImplementedError naming class and method', () => {
    const d = new MixtureSameFamily({
      mixtureDistribution: new Categorical({ logits: [0, 0] }),
      componentsDistribution: new Normal({ loc: [0, 1], scale: 1 }),
    });
    expect(() => d.entropy()).toThrow(NotImplementedError);
    expect(() => d.entropy()).toThrow(/MixtureSameFamily does not implement entropy/);
    d.dispose();
  });

  it('gradient of logProb: d/dlogits = responsibilities - weights, finite 50 sd out', () => {
    const loc = tf.tensor1d([-1, 2]);
    const scale = tf.tensor1d([0.5, 1.5]);
    const logits = tf.tensor1d([0.3, -0.2]);
    for (const xv of [0.4, 2 + 50 * 1.5, -1 - 50 * 1.5]) {
      const g = tf.grads((l: tf.Tensor, m: tf.Tensor, s: tf.Tensor) => {
        const d = new MixtureSameFamily({
          mixtureDistribution: new Categorical({ logits: l }),
          componentsDistribution: new Normal({ loc: m, scale: s }),
        });
        const lp = d.logProb(xv);
        d.dispose();
        return lp;
      });
      const [gl, gm, gs] = g([logits, loc, scale]);
      // analytic, float64
      const w = [Math.exp(0.3), Math.exp(-0.2)];
      const sw = w[0]! + w[1]!;
      const pi = w.map((v) => v / sw);
      const mu = [-1, 2];
      const sd = [0.5, 1.5];
      const c = mu.map((m, k) => Math.log(pi[k]!) - 0.5 * ((xv - m) / sd[k]!) ** 2 - Math.log(sd[k]!) - 0.5 * Math.log(2 * Math.PI));
      const mx = Math.max(...c);
      const lse = mx + Math.log(c.reduce((a, v) => a + Math.exp(v - mx), 0));
      const r = c.map((v) => Math.exp(v - lse));
      expectClose(gl!, r.map((rk, k) => rk - pi[k]!), { rtol: 1e-3, atol: 1e-5, context: { xv, what: 'dlogits' } });
      expectClose(gm!, r.map((rk, k) => (rk * (xv - mu[k]!)) / sd[k]! ** 2), { rtol: 1e-3, atol: 1e-5, context: { xv, what: 'dloc' } });
      expectClose(
        gs!,
        r.map((rk, k) => rk * (((xv - mu[k]!) ** 2) / sd[k]! ** 3 - 1 / sd[k]!)),
        { rtol: 1e-3, atol: 1e-5, context: { xv, what: 'dscale' } },
      );
      tf.dispose([gl!, gm!, gs!]);
    }
    tf.dispose([loc, scale, logits]);
  });
});

describe('MixtureSameFamily over other families', () => {
  const K = 3;
  const logits = [0.2, -0.4, 0.9];
  const families: Array<{ name: string; make: () => Distribution; x: number[] | number[][]; event: number[] }> = [
    { name: 'StudentT', make: () => new StudentT({ df: [3, 5, 10], loc: [-1, 0, 2], scale: [0.5, 1, 2] }), x: [0.3, -40], event: [] },
    { name: 'Laplace', make: () => new Laplace({ loc: [-1, 0, 2], scale: [0.5, 1, 2] }), x: [0.3, 80], event: [] },
    {
      name: 'MultivariateNormalTriL',
      make: () => new MultivariateNormalTriL({ loc: [[0, 0], [1, 1], [-2, 3]], scaleTril: [[[1, 0], [0.5, 1]], [[2, 0], [-0.3, 0.4]], [[0.7, 0], [0, 0.7]]] }),
      x: [[0.5, 0.2], [60, -60]],
      event: [2],
    },
    {
      name: 'MultivariateNormalFullCovariance',
      make: () => new MultivariateNormalFullCovariance({ loc: [[0, 0], [1, 1], [-2, 3]], covarianceMatrix: [[[1, 0.3], [0.3, 2]], [[0.5, 0], [0, 0.5]], [[2, -1], [-1, 2]]] }),
      x: [[0.5, 0.2], [60, -60]],
      event: [2],
    },
  ];
  for (const f of families) {
    it(`${f.name}: logProb = logSumExp(logSoftmax(logits) + component logProb), finite far out; scaleTemperature sample`, () => {
      const d = new MixtureSameFamily({ mixtureDistribution: new Categorical({ logits }), componentsDistribution: f.make() });
      expect(d.eventShape).toEqual(f.event);
      const comp = f.make();
      const x = tf.tensor(f.x as number[][]);
      const xk = tf.expandDims(x, x.rank - f.event.length);
      const want = tf.tidy(() => tf.logSumExp(tf.add(tf.logSoftmax(tf.tensor1d(logits)), comp.logProb(xk)), -1));
      const got = d.logProb(x);
      expect(Array.from(got.dataSync()).every(Number.isFinite)).toBe(true);
      expectClose(got, want, { rtol: 1e-5 });
      const s = d.sample([4], { seed: 1, scaleTemperature: 2, temperature: 0.5 });
      expect(s.shape).toEqual([4, ...f.event]);
      expect(Array.from(s.dataSync()).every(Number.isFinite)).toBe(true);
      tf.dispose([x, xk, want, got, s]);
      comp.dispose();
      d.dispose();
    });
  }
});

describe('MixtureSameFamily sampling (false-failure rate 1e-4 per test)', () => {
  it('sample mean and variance match the mixture moments', () => {
    const d = new MixtureSameFamily({
      mixtureDistribution: new Categorical({ probs: [0.3, 0.7] }),
      componentsDistribution: new Normal({ loc: [-2, 3], scale: [0.5, 1] }),
    });
    const n = 20000;
    const mean = 0.3 * -2 + 0.7 * 3;
    const variance = 0.3 * (0.25 + (-2 - mean) ** 2) + 0.7 * (1 + (3 - mean) ** 2);
    const x = d.sample([n], { seed: 5 });
    const m = tf.mean(x).dataSync()[0]!;
    expect(Math.abs(m - mean)).toBeLessThan(meanTolerance(Math.sqrt(variance), n, 2));
    // Variance of the squared deviation, from the 4th central moment of the mixture (bounded by 4 * var² here).
    const v = tf.moments(x).variance.dataSync()[0]!;
    expect(Math.abs(v - variance)).toBeLessThan(meanTolerance(2 * variance, n, 2));
    x.dispose();
    d.dispose();
  });

  it('temperature 0.25 on weights (0.2, 0.8) picks the heavy component with probability 0.9961', () => {
    const d = new MixtureSameFamily({
      mixtureDistribution: new Categorical({ probs: [0.2, 0.8] }),
      componentsDistribution: new Normal({ loc: [-10, 10], scale: [0.1, 0.1] }),
    });
    const n = 20000;
    const p = 0.8 ** 4 / (0.8 ** 4 + 0.2 ** 4); // 0.99610
    const x = d.sample([n], { seed: 9, temperature: 0.25 });
    const freq = tf.mean(tf.cast(tf.greater(x, 0), 'float32')).dataSync()[0]!;
    expect(Math.abs(freq - p)).toBeLessThan(meanTolerance(Math.sqrt(p * (1 - p)), n, 2));
    const y = d.sample([n], { seed: 10 });
    const freq1 = tf.mean(tf.cast(tf.greater(y, 0), 'float32')).dataSync()[0]!;
    expect(Math.abs(freq1 - 0.8)).toBeLessThan(meanTolerance(0.4, n, 2));
    tf.dispose([x, y]);
    d.dispose();
  });

  const stdCheck = (name: string, make: () => MixtureSameFamily, sd: number) =>
    it(`scaleTemperature 4 doubles the component standard deviation (${name})`, () => {
      const d = make();
      const n = 20000;
      const x = d.sample([n], { seed: 4, scaleTemperature: 4 });
      const s = Math.sqrt(tf.moments(x).variance.dataSync()[0]!);
      // sd of a sample standard deviation ≈ σ·sqrt((κ - 1) / (4n)); κ (kurtosis) ≤ 6 here.
      const tol = zFor(FALSE_FAILURE_RATE) * 2 * sd * Math.sqrt(5 / (4 * n));
      expect(Math.abs(s - 2 * sd)).toBeLessThan(tol);
      const m = tf.mean(x).dataSync()[0]!;
      expect(Math.abs(m - 1)).toBeLessThan(meanTolerance(2 * sd, n));
      x.dispose();
      d.dispose();
    });
  stdCheck(
    'Normal: select loc/scale then draw',
    () =>
      new MixtureSameFamily({
        mixtureDistribution: new Categorical({ logits: [0, 0] }),
        componentsDistribution: new Normal({ loc: [1, 1], scale: [0.7, 0.7] }),
      }),
    0.7,
  );
  stdCheck(
    'Laplace: draw all components then select',
    () =>
      new MixtureSameFamily({
        mixtureDistribution: new Categorical({ logits: [0, 0] }),
        componentsDistribution: new Laplace({ loc: [1, 1], scale: [0.5, 0.5] }),
      }),
    0.5 * Math.SQRT2,
  );

  it('is reproducible under a seed and rejects a non-positive temperature', () => {
    const d = new MixtureSameFamily({
      mixtureDistribution: new Categorical({ logits: [0, 1] }),
      componentsDistribution: new Normal({ loc: [0, 5], scale: 1 }),
    });
    const a = d.sample([20], { seed: 7 });
    const b = d.sample([20], { seed: 7 });
    expectClose(a, b, { rtol: 0 });
    expect(() => d.sample([2], { temperature: 0 })).toThrow(/MixtureSameFamily.sample: temperature must be a finite number > 0; got 0/);
    tf.dispose([a, b]);
    d.dispose();
  });
});

describe('MixtureSameFamily hygiene', () => {
  it('no public method leaks tensors; dispose releases the components', () => {
    const before = tf.memory().numTensors;
    const d = new MixtureSameFamily({
      mixtureDistribution: new Categorical({ logits: [0, 1] }),
      componentsDistribution: new Normal({ loc: [0, 5], scale: [1, 2] }),
    });
    expectNoLeak(() => d.sample([3], { seed: 1 }), 'sample');
    expectNoLeak(() => d.sample([3], { seed: 1, temperature: 0.5, scaleTemperature: 2 }), 'sample with temperatures');
    expectNoLeak(() => d.logProb([0.1, 0.2]), 'logProb');
    expectNoLeak(() => d.prob(0.1), 'prob');
    expectNoLeak(() => d.cdf(0.1), 'cdf');
    expectNoLeak(() => d.mean(), 'mean');
    expectNoLeak(() => d.variance(), 'variance');
    expectNoLeak(() => d.stddev(), 'stddev');
    expectNoLeak(() => d.weights(), 'weights');
    d.dispose();
    expect(d.componentsDistribution.isDisposed).toBe(true);
    expect(d.mixtureDistribution.isDisposed).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });
});
