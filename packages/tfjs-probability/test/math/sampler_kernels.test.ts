/**
 * The samplers against reference distributions (fixtures/samplers.json, from
 * generate_samplers.py: scipy and mpmath): a chi-square test of the draws binned
 * at ~30 reference quantiles from 1e-4 to 1 - 1e-4, at small and large rates, huge
 * counts (1e7, 1e9), tiny probabilities and concentrations (1e-3 ... 1e9), and
 * windows far in a tail. The bins take float32 rounding of the draws into account
 * (at 1e9 draws are multiples of 64). Each test fails a correct sampler with
 * probability FALSE_FAILURE_RATE (1e-4), split by Bonferroni over its cases; the
 * seeds are fixed, so a run is reproducible.
 *
 * Both paths are tested: the cpu/wasm kernels (float64 draws, each element looping
 * until it accepts) at 100,000 draws a case, and the tensor-op samplers that other
 * backends run (kernels switched off) at 10,000 draws on cases within their
 * float32 range.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { randomBinomial, randomPoisson } from '../../src/math/count_samplers.js';
import { randomLogGammaBatched } from '../../src/math/gamma_sampler.js';
import { useSamplerKernels } from '../../src/math/sampler_kernels.js';
import { setKernelsEnabled } from '../../src/kernels/register.js';
import { Beta } from '../../src/distributions/beta.js';
import { NegativeBinomial } from '../../src/distributions/negative_binomial.js';
import { StudentT } from '../../src/distributions/student_t.js';
import { TruncatedNormal } from '../../src/distributions/truncated_normal.js';
import { Weibull } from '../../src/distributions/weibull.js';
import type { Distribution } from '../../src/distributions/distribution.js';
import { chiSquareCritical, expectNoLeak, FALSE_FAILURE_RATE, loadFixture } from '../helpers.js';

interface Case {
  name: string;
  family: 'Poisson' | 'Binomial' | 'Gamma' | 'TruncatedNormal' | 'Beta' | 'Weibull' | 'StudentT' | 'NegativeBinomial';
  params: Record<string, number | null>;
  cuts: number[];
  cdf: number[];
}
const { cases } = loadFixture<{ cases: Case[] }>('samplers');

/** An infinite bound is null in the fixture (JSON has no infinity). */
const num = (v: number | null | undefined): number => (v === null || v === undefined ? Infinity : v);

function withDistribution(d: Distribution, n: number, seed: number): Float32Array {
  const x = d.sample([n], { seed });
  const v = x.dataSync() as Float32Array;
  x.dispose();
  d.dispose();
  return v;
}

/** n draws of a case (Gamma: log G). */
function draw(c: Case, n: number, seed: number): Float32Array {
  const p = c.params;
  const fromOps = (f: () => tf.Tensor): Float32Array => {
    const t = tf.tidy(f);
    const v = t.dataSync() as Float32Array;
    t.dispose();
    return v;
  };
  switch (c.family) {
    case 'Poisson':
      return fromOps(() => randomPoisson([n], tf.scalar(num(p['rate'])), seed));
    case 'Binomial':
      return fromOps(() => randomBinomial([n], tf.scalar(num(p['totalCount'])), tf.scalar(num(p['probs'])), seed));
    case 'Gamma':
      return fromOps(() => randomLogGammaBatched([n], num(p['concentration']), seed));
    case 'TruncatedNormal':
      return withDistribution(new TruncatedNormal({ loc: num(p['loc']), scale: num(p['scale']), low: p['low'] ?? -Infinity, high: num(p['high']) }), n, seed);
    case 'StudentT':
      return withDistribution(new StudentT({ df: num(p['df']), loc: 0, scale: 1 }), n, seed);
    case 'NegativeBinomial':
      return withDistribution(new NegativeBinomial({ totalCount: num(p['totalCount']), logits: num(p['logits']) }), n, seed);
    case 'Beta':
      return withDistribution(new Beta({ concentration1: num(p['concentration1']), concentration0: num(p['concentration0']) }), n, seed);
    default:
      return withDistribution(new Weibull({ concentration: num(p['concentration']), scale: num(p['scale']) }), n, seed);
  }
}

/**
 * Chi-square statistic of `x` binned at `cuts` (bins (-∞, c1], (c1, c2], ..., (cm, ∞)) against the
 * reference cdf at the cuts; neighbouring bins are merged until each expects at least 20 draws.
 */
function chiSquare(x: Float32Array, cuts: number[], cdf: number[]): { stat: number; df: number; worst: string } {
  const m = cuts.length;
  const counts = new Float64Array(m + 1);
  for (const v of x) {
    let lo = 0;
    let hi = m; // first cut >= v
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cuts[mid]! >= v) hi = mid;
      else lo = mid + 1;
    }
    counts[lo]!++;
  }
  const probs = [cdf[0]!, ...cdf.slice(1).map((c, i) => c - cdf[i]!), 1 - cdf[m - 1]!];
  const n = x.length;
  const merged: Array<[number, number]> = [];
  let acc: [number, number] = [0, 0];
  probs.forEach((p, i) => {
    acc = [acc[0] + counts[i]!, acc[1] + p * n];
    if (acc[1] >= 20) {
      merged.push(acc);
      acc = [0, 0];
    }
  });
  if (acc[1] > 0 || acc[0] > 0) {
    if (merged.length > 0) {
      const last = merged.pop()!;
      merged.push([last[0] + acc[0], last[1] + acc[1]]);
    } else merged.push(acc);
  }
  let stat = 0;
  let worst = '';
  let worstTerm = -1;
  for (const [o, e] of merged) {
    const term = (o - e) ** 2 / e;
    stat += term;
    if (term > worstTerm) {
      worstTerm = term;
      worst = `observed ${o} vs expected ${e.toFixed(1)}`;
    }
  }
  return { stat, df: merged.length - 1, worst };
}

function expectMatches(c: Case, x: Float32Array, tests: number): void {
  expect(x.every((v) => Number.isFinite(v)), `${c.name}: non-finite draws`).toBe(true);
  const { stat, df, worst } = chiSquare(x, c.cuts, c.cdf);
  if (df === 0) return;
  const crit = chiSquareCritical(df, FALSE_FAILURE_RATE / tests);
  expect(stat, `${c.name}: chi-square ${stat.toFixed(1)} on ${df} df (critical ${crit.toFixed(1)}); worst bin ${worst}`).toBeLessThan(crit);
}

describe('samplers against reference distributions (kernels on cpu/wasm, tensor ops elsewhere)', () => {
  const N = 100_000;
  it(`all ${cases.length} cases, ${N} draws each`, () => {
    cases.forEach((c, i) => expectMatches(c, draw(c, N, 1000 + i), cases.length));
  });
});

describe('tensor-op samplers (what webgl runs), kernels switched off', () => {
  afterAll(() => setKernelsEnabled(true));
  // 10,000 draws: the tensor-op samplers are slow on the cpu backend (~80 µs a Binomial draw). Enough to
  // catch the float32 cancellation the Gamma acceptance test had (chi-square 114 on 27 df at 3e7).
  const N = 10_000;
  // float32 arithmetic: counts up to ~1e5, concentrations up to 3e7.
  const names = [
    'Poisson(rate=30)', 'Poisson(rate=100000)', 'Binomial(totalCount=1000, probs=0.4)', 'Binomial(totalCount=1e+06, probs=1e-06)',
    'Gamma(concentration=0.5)', 'Gamma(concentration=3)', 'Gamma(concentration=1e+06)', 'Gamma(concentration=3e+07)',
    'Beta(concentration1=0.01, concentration0=0.01)', 'TruncatedNormal(loc=0, scale=1, low=-1, high=1)',
    'TruncatedNormal(loc=0, scale=1, low=20, high=21)', 'StudentT(df=5)', 'NegativeBinomial(totalCount=2, logits=1)',
  ];
  // The cpu backend runs these tensor ops several times slower than wasm: there, the cases the
  // float32 arithmetic makes hardest (the same code as on wasm; the backend changes only the speed).
  const cpuNames = ['Poisson(rate=100000)', 'Binomial(totalCount=1000, probs=0.4)', 'Gamma(concentration=3e+07)', 'TruncatedNormal(loc=0, scale=1, low=20, high=21)'];
  it(`${names.length} cases (${cpuNames.length} on the cpu backend), ${N} draws each`, () => {
    setKernelsEnabled(false);
    try {
      expect(useSamplerKernels()).toBe(false);
      const run = tf.getBackend() === 'cpu' ? cpuNames : names;
      for (const name of run) {
        const c = cases.find((k) => k.name === name);
        expect(c, name).toBeDefined();
        expectMatches(c!, draw(c!, N, 7), run.length);
      }
    } finally {
      setKernelsEnabled(true);
    }
  });

  it('an element that no round accepts is NaN, never a biased draw (one round: ~10% NaN; 16 rounds: none)', () => {
    setKernelsEnabled(false);
    try {
      const n = 5000;
      for (const [what, make] of [
        ['Poisson(1000)', (r: number) => randomPoisson([n], tf.scalar(1000), 3, r)],
        ['Binomial(1000, 0.4)', (r: number) => randomBinomial([n], tf.scalar(1000), tf.scalar(0.4), 3, r)],
      ] as const) {
        const one = make(1);
        const v = one.dataSync();
        const nan = v.filter(Number.isNaN).length;
        expect(nan / n, `${what}, one round: NaN fraction`).toBeGreaterThan(0.03);
        expect(nan / n, `${what}, one round: NaN fraction`).toBeLessThan(0.2);
        expect(Array.from(v).filter((x) => !Number.isNaN(x)).every((x) => Number.isInteger(x) && x >= 0)).toBe(true);
        const full = make(16);
        expect(full.dataSync().some(Number.isNaN), `${what}, 16 rounds`).toBe(false);
        tf.dispose([one, full]);
      }
    } finally {
      setKernelsEnabled(true);
    }
  });
});

describe('sampling kernels', () => {
  it('run on cpu and wasm; parameters broadcast ([B] to [n, B], and [n, 1] x [B]); invalid parameters give NaN; no leak', () => {
    expect(useSamplerKernels()).toBe(['cpu', 'wasm'].includes(tf.getBackend()));
    const rate = tf.tensor1d([0.5, 50, -1, NaN, 0]);
    expectNoLeak(() => randomPoisson([10, 5], rate, 1), 'randomPoisson');
    const x = randomPoisson([4, 5], rate, 1);
    const v = x.dataSync();
    for (let i = 0; i < 4; i++) {
      expect(Number.isNaN(v[5 * i + 2]!) && Number.isNaN(v[5 * i + 3]!)).toBe(true);
      expect(v[5 * i + 4]).toBe(0);
    }
    const n = tf.tensor2d([[10], [1000]]);
    const p = tf.tensor1d([0.1, 0.9, 1.5]);
    const b = randomBinomial([2, 3], n, p, 2);
    const bv = b.dataSync();
    expect(bv[0]).toBeLessThanOrEqual(10);
    expect(bv[4]).toBeGreaterThan(800);
    expect(Number.isNaN(bv[2]!) && Number.isNaN(bv[5]!)).toBe(true);
    const noDraws = randomPoisson([0, 5], rate, 1);
    expect(noDraws.shape).toEqual([0, 5]);
    tf.dispose([rate, x, n, p, b, noDraws]);
  });

  it('are reproducible under a seed and give the same draws on cpu and wasm', async () => {
    const make = () => tf.tidy(() => randomPoisson([200], tf.scalar(40), 11).concat(randomLogGammaBatched([200], 0.3, 11)));
    const a = make();
    const b = make();
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    const here = tf.getBackend();
    const other = here === 'cpu' ? 'wasm' : 'cpu';
    if (['cpu', 'wasm'].includes(here) && (await tf.setBackend(other).catch(() => false))) {
      const c = make();
      const cv = Array.from(c.dataSync());
      c.dispose();
      await tf.setBackend(here);
      expect(cv).toEqual(Array.from(a.dataSync()));
    }
    tf.dispose([a, b]);
  });

  it('Beta(0.01, 0.01) draws stay inside (0, 1) with finite logProb; Weibull(0.05) draws are never 0', () => {
    const d = new Beta({ concentration1: 0.01, concentration0: 0.01 });
    const x = d.sample([20_000], { seed: 4 });
    const v = x.dataSync();
    expect(v.every((u) => u > 0 && u < 1)).toBe(true);
    // About 42% of exact draws lie within float32 rounding of 1: they are the largest float32 below 1.
    expect(v.filter((u) => u === 1 - 2 ** -24).length / v.length).toBeGreaterThan(0.3);
    const lp = d.logProb(x);
    expect(lp.dataSync().every(Number.isFinite)).toBe(true);
    const w = new Weibull({ concentration: 0.05, scale: 1 });
    const y = w.sample([20_000], { seed: 5 });
    expect(y.dataSync().every((u) => u > 0)).toBe(true);
    const wl = w.logProb(y);
    expect(wl.dataSync().every(Number.isFinite)).toBe(true);
    tf.dispose([x, lp, y, wl]);
    d.dispose();
    w.dispose();
  });
});
