/**
 * Samplers that tfjs lacks (math/count_samplers.ts, TruncatedNormal's log-space
 * inversion, VonMises' Best–Fisher rounds): moments of 100,000 draws with
 * per-element parameters, each assertion designed to fail a correct sampler with
 * probability FALSE_FAILURE_RATE (1e-4) split by Bonferroni over the assertions of
 * its test. Moments are computed in float64 on the host (a float32 sum of 1e5
 * draws of size 1e6 is not accurate enough).
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { randomBinomial, randomPoisson } from '../../src/math/count_samplers.js';
import { NegativeBinomial } from '../../src/distributions/negative_binomial.js';
import { Poisson } from '../../src/distributions/poisson.js';
import { TruncatedNormal } from '../../src/distributions/truncated_normal.js';
import { VonMises } from '../../src/distributions/von_mises.js';
import type { Distribution } from '../../src/distributions/distribution.js';
import { expectNoLeak, meanTolerance, zFor, FALSE_FAILURE_RATE } from '../helpers.js';

const N = 100_000;

/** Columns of a [N, B] draw tensor as float64 arrays. */
function columns(x: tf.Tensor): Float64Array[] {
  const b = x.size / x.shape[0]!;
  const d = x.dataSync();
  const cols = Array.from({ length: b }, () => new Float64Array(x.shape[0]!));
  for (let i = 0; i < x.shape[0]!; i++) for (let j = 0; j < b; j++) cols[j]![i] = d[i * b + j]!;
  return cols;
}

function moments(c: Float64Array): { mean: number; variance: number; m4: number } {
  let m = 0;
  for (const v of c) m += v;
  m /= c.length;
  let v2 = 0;
  let v4 = 0;
  for (const v of c) {
    const d2 = (v - m) ** 2;
    v2 += d2;
    v4 += d2 * d2;
  }
  return { mean: m, variance: v2 / c.length, m4: v4 / c.length };
}

/**
 * Sample mean within the CLT bound of the true mean, and sample variance within the CLT
 * bound of the true variance (sd of s² ≈ √((μ4 - σ⁴)/n), μ4 from the draws), Bonferroni over `tests`.
 */
function expectMoments(c: Float64Array, mean: number, variance: number, tests: number, what: string): void {
  const m = moments(c);
  expect(Math.abs(m.mean - mean), `${what}: sample mean ${m.mean} vs ${mean}`).toBeLessThan(meanTolerance(Math.sqrt(variance), c.length, tests));
  const sdVar = Math.sqrt(Math.max(m.m4 - m.variance ** 2, 0) / c.length);
  expect(Math.abs(m.variance - variance), `${what}: sample variance ${m.variance} vs ${variance}`).toBeLessThan(zFor(FALSE_FAILURE_RATE / tests) * sdVar + 1e-12);
}

function checkDistribution(d: Distribution, seed: number, what: string): Float64Array[] {
  const x = d.sample([N], { seed });
  const cols = columns(x);
  const mean = d.mean().dataSync();
  const variance = d.variance().dataSync();
  cols.forEach((c, j) => expectMoments(c, mean[j]!, variance[j]!, 2 * cols.length, `${what}[${j}]`));
  x.dispose();
  return cols;
}

describe('Poisson sampler (inversion below rate 10, PTRS above)', () => {
  it('moments of 100,000 draws for rates 0.05, 1, 9.9, 10, 37, 900 and 1e5, per element', () => {
    const rates = [0.05, 1, 9.9, 10, 37, 900, 1e5];
    const d = new Poisson({ rate: rates });
    const cols = checkDistribution(d, 101, 'Poisson');
    // Every draw is a non-negative integer.
    for (const c of cols) expect(c.every((v) => v >= 0 && Number.isInteger(v))).toBe(true);
    d.dispose();
  });

  it('rate 0 gives 0; logRate parameterization samples the same; draws are reproducible and seeds differ', () => {
    const a = new Poisson({ rate: [0, 2.5, 400] });
    const b = new Poisson({ logRate: [-Infinity, Math.log(2.5), Math.log(400)] });
    const xa = a.sample([50], { seed: 5 });
    const xb = b.sample([50], { seed: 5 });
    const xc = a.sample([50], { seed: 6 });
    expect(Array.from(xa.dataSync()).filter((_, i) => i % 3 === 0).every((v) => v === 0)).toBe(true);
    expect(Array.from(xa.dataSync())).toEqual(Array.from(xb.dataSync()));
    expect(Array.from(xa.dataSync())).not.toEqual(Array.from(xc.dataSync()));
    tf.dispose([xa, xb, xc]);
    a.dispose();
    b.dispose();
  });

  it('randomPoisson broadcasts a [B] rate to [n, B] and leaks nothing', () => {
    const rate = tf.tensor1d([0.5, 50]);
    expectNoLeak(() => randomPoisson([10, 2], rate, 1), 'randomPoisson');
    const x = randomPoisson([3, 2], rate, 1);
    expect(x.shape).toEqual([3, 2]);
    tf.dispose([x, rate]);
  });
});

describe('Binomial sampler (inversion below n·min(p, 1-p) = 10, BTRS above)', () => {
  it('moments of 100,000 draws for (n, p) = (10, 0.3), (1000, 0.4), (50, 0.97), (1e5, 0.5), (200, 0.001), (30, 1)', () => {
    const n = [10, 1000, 50, 1e5, 200, 30];
    const p = [0.3, 0.4, 0.97, 0.5, 0.001, 1];
    const shape = [N, n.length];
    const x = randomBinomial(shape, tf.tensor1d(n), tf.tensor1d(p), 202);
    const cols = columns(x);
    cols.forEach((c, j) => {
      if (p[j] === 1) {
        expect(c.every((v) => v === n[j])).toBe(true);
        return;
      }
      expectMoments(c, n[j]! * p[j]!, n[j]! * p[j]! * (1 - p[j]!), 2 * (cols.length - 1), `Binomial(${n[j]}, ${p[j]})`);
      expect(c.every((v) => v >= 0 && v <= n[j]! && Number.isInteger(v))).toBe(true);
    });
    x.dispose();
  });
});

describe('NegativeBinomial sampler (gamma–Poisson)', () => {
  it('moments of 100,000 draws for overdispersed and near-Poisson cases', () => {
    const d = new NegativeBinomial({ totalCount: [0.5, 2, 50, 3], logits: [1, -2, 0, 4] });
    checkDistribution(d, 303, 'NegativeBinomial');
    d.dispose();
  });
});

describe('TruncatedNormal sampler (exact log-space inversion)', () => {
  it('windows 3-4, 8-9 and 20-21 sd out (either side) never reject: every draw inside; moments of 100,000 draws', () => {
    const low = [3, 8, 20, -21, -1, 0];
    const high = [4, 9, 21, -20, 1, Infinity];
    const d = new TruncatedNormal({ loc: 0, scale: 1, low, high });
    const x = d.sample([N], { seed: 404 });
    const cols = columns(x);
    const mean = d.mean().dataSync();
    cols.forEach((c, j) => {
      expect(c.every((v) => v >= low[j]! && v <= high[j]!), `window [${low[j]}, ${high[j]}]`).toBe(true);
      // The closed-form variance loses accuracy far out (cancellation); the sample sd stands in.
      const m = moments(c);
      expect(Math.abs(m.mean - mean[j]!), `mean in [${low[j]}, ${high[j]}]: ${m.mean} vs ${mean[j]}`).toBeLessThan(
        meanTolerance(Math.sqrt(m.variance), N, cols.length),
      );
    });
    // Near the mean the variance formula is accurate: check it too (windows [-1, 1] and [0, ∞)).
    const variance = d.variance().dataSync();
    for (const j of [0, 4, 5]) expectMoments(cols[j]!, mean[j]!, variance[j]!, 3 * 2, `TruncatedNormal[${j}]`);
    x.dispose();
    d.dispose();
  });
});

describe('VonMises sampler (Best–Fisher, 32 vectorized rounds)', () => {
  it('E[cos(x - μ)] = I1(κ)/I0(κ) and E[sin(x - μ)] = 0 over 100,000 draws; values in [-π, π)', () => {
    const kappa = [0, 0.05, 1, 4, 200, 1e4];
    const d = new VonMises({ loc: [3, -1, 0.5, 2, -3, 0], concentration: kappa });
    const x = d.sample([N], { seed: 505 });
    const cols = columns(x);
    const loc = d.loc.dataSync();
    const a = tf.tidy(() => tf.sub(1, d.variance()).dataSync());
    cols.forEach((c, j) => {
      expect(c.every((v) => v >= -Math.PI && v < Math.PI)).toBe(true);
      const cs = c.map((v) => Math.cos(v - loc[j]!));
      const sn = c.map((v) => Math.sin(v - loc[j]!));
      const mc = moments(cs);
      const ms = moments(sn);
      const tests = 2 * cols.length;
      expect(Math.abs(mc.mean - a[j]!), `κ=${kappa[j]}: E cos ${mc.mean} vs ${a[j]}`).toBeLessThan(meanTolerance(Math.sqrt(mc.variance) + 1e-9, N, tests));
      expect(Math.abs(ms.mean), `κ=${kappa[j]}: E sin ${ms.mean}`).toBeLessThan(meanTolerance(Math.sqrt(ms.variance) + 1e-9, N, tests));
    });
    x.dispose();
    d.dispose();
  });
});
