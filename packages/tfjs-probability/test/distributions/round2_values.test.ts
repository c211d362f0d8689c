/**
 * The second-round distributions against float64 scipy references
 * (test/fixtures/generate_round2.py -> round2.json), in TFP's parameterizations,
 * and their KL closed forms against KL computed independently (sums over the
 * support / numerical integration).
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { Distribution } from '../../src/distributions/distribution.js';
import * as tfd from '../../src/distributions/index.js';
import { klDivergence } from '../../src/distributions/kl.js';
import { expectClose, expectKLMatchesMonteCarlo, expectNoLeak, fixtureNum, loadFixture, type FixtureNum } from '../helpers.js';

interface Case {
  name: string;
  params: Record<string, FixtureNum>;
  x: FixtureNum;
  p?: FixtureNum;
  [k: string]: unknown;
}
type Fixture = Record<string, Case[]> & { kl: Record<string, { p: FixtureNum[]; q: FixtureNum[]; kl: FixtureNum }> };
const F = loadFixture<Fixture>('round2');

/* eslint-disable @typescript-eslint/no-explicit-any */
const make: Record<string, (a: Record<string, unknown>) => Distribution> = {
  Poisson: (a) => new tfd.Poisson(a as any),
  NegativeBinomial: (a) => new tfd.NegativeBinomial(a as any),
  Binomial: (a) => new tfd.Binomial(a as any),
  Multinomial: (a) => new tfd.Multinomial(a as any),
  Geometric: (a) => new tfd.Geometric(a as any),
  ZeroInflatedNegativeBinomial: (a) => new tfd.ZeroInflatedNegativeBinomial(a as any),
  Exponential: (a) => new tfd.Exponential(a as any),
  Uniform: (a) => new tfd.Uniform(a as any),
  HalfNormal: (a) => new tfd.HalfNormal(a as any),
  Cauchy: (a) => new tfd.Cauchy(a as any),
  Logistic: (a) => new tfd.Logistic(a as any),
  Gumbel: (a) => new tfd.Gumbel(a as any),
  Weibull: (a) => new tfd.Weibull(a as any),
  InverseGamma: (a) => new tfd.InverseGamma(a as any),
  Chi2: (a) => new tfd.Chi2(a as any),
  TruncatedNormal: (a) => new tfd.TruncatedNormal(a as any),
  VonMises: (a) => new tfd.VonMises(a as any),
};

// Per-quantity tolerances: rtol 2e-4 (float32 with special functions) plus an absolute floor for
// probabilities near 0 (the float32 answer of 1 - P is exact only to ~1e-7).
const TOL: Record<string, { rtol: number; atol: number }> = {
  log_prob: { rtol: 2e-4, atol: 2e-5 },
  cdf: { rtol: 2e-4, atol: 2e-6 },
  survival: { rtol: 2e-4, atol: 2e-6 },
  log_cdf: { rtol: 2e-4, atol: 2e-5 },
  log_survival: { rtol: 2e-4, atol: 2e-5 },
  mean: { rtol: 2e-4, atol: 1e-6 },
  variance: { rtol: 5e-4, atol: 1e-6 },
  entropy: { rtol: 2e-4, atol: 2e-5 },
  mode: { rtol: 1e-6, atol: 1e-6 },
  quantile: { rtol: 5e-4, atol: 1e-5 },
  covariance: { rtol: 2e-4, atol: 1e-5 },
};

const METHODS: Array<[string, (d: Distribution, c: Case) => tf.Tensor]> = [
  ['log_prob', (d, c) => d.logProb(fixtureNum(c.x) as number[])],
  ['cdf', (d, c) => d.cdf(fixtureNum(c.x) as number[])],
  ['survival', (d, c) => d.survivalFunction(fixtureNum(c.x) as number[])],
  ['log_cdf', (d, c) => d.logCdf(fixtureNum(c.x) as number[])],
  ['log_survival', (d, c) => d.logSurvivalFunction(fixtureNum(c.x) as number[])],
  ['mean', (d) => d.mean()],
  ['variance', (d) => d.variance()],
  ['entropy', (d) => d.entropy()],
  ['mode', (d) => d.mode()],
  ['quantile', (d, c) => d.quantile(fixtureNum(c.p as FixtureNum) as number[])],
  ['covariance', (d) => d.covariance()],
];

describe('second-round distributions against scipy (float64 fixture round2.json)', () => {
  for (const family of Object.keys(make)) {
    for (const c of F[family] ?? []) {
      it(`${family}: ${c.name}`, () => {
        const args = Object.fromEntries(Object.entries(c.params).map(([k, v]) => [k, fixtureNum(v)]));
        const d = make[family]!(args);
        let checked = 0;
        for (const [key, fn] of METHODS) {
          if (c[key] === undefined) continue;
          const got = fn(d, c);
          const want = fixtureNum(c[key] as FixtureNum);
          expectClose(got, (Array.isArray(want) ? want.flat(Infinity as 1) : [want]) as number[], { ...TOL[key]!, context: { family, case: c.name, what: key } });
          got.dispose();
          checked++;
        }
        expect(checked).toBeGreaterThan(2);
        d.dispose();
      });
    }
  }
});

describe('KL closed forms against independent float64 KL (sums / quadrature)', () => {
  const klMake: Record<string, (...p: number[][]) => Distribution> = {
    Poisson: (r) => new tfd.Poisson({ rate: r! }),
    Geometric: (p) => new tfd.Geometric({ probs: p! }),
    Exponential: (r) => new tfd.Exponential({ rate: r! }),
    Uniform: (l, h) => new tfd.Uniform({ low: l!, high: h! }),
    HalfNormal: (s) => new tfd.HalfNormal({ scale: s! }),
    Gumbel: (l, s) => new tfd.Gumbel({ loc: l!, scale: s! }),
    Weibull: (k, l) => new tfd.Weibull({ concentration: k!, scale: l! }),
    InverseGamma: (a, b) => new tfd.InverseGamma({ concentration: a!, scale: b! }),
    Chi2: (d) => new tfd.Chi2({ df: d! }),
    VonMises: (l, k) => new tfd.VonMises({ loc: l!, concentration: k! }),
  };
  for (const [family, k] of Object.entries(F.kl)) {
    it(`KL(${family} || ${family})`, () => {
      const p = klMake[family]!(...(k.p.map((v) => fixtureNum(v)) as number[][]));
      const q = klMake[family]!(...(k.q.map((v) => fixtureNum(v)) as number[][]));
      const kl = klDivergence(p, q);
      expectClose(kl, fixtureNum(k.kl) as number[], { rtol: 5e-4, atol: 2e-6, context: family });
      const self = klDivergence(p, p);
      expectClose(self, new Array<number>(self.size).fill(0), { atol: 2e-5 });
      expectNoLeak(() => klDivergence(p, q), `KL ${family}`);
      tf.dispose([kl, self]);
      p.dispose();
      q.dispose();
    });
  }

  it('Uniform: KL is +Infinity when the support of p is not inside that of q', () => {
    const p = new tfd.Uniform({ low: [0, 0], high: [1, 1] });
    const q = new tfd.Uniform({ low: [0.5, -1], high: [2, 2] });
    const kl = klDivergence(p, q);
    expectClose(kl, [Infinity, Math.log(3)], { rtol: 1e-6 });
    tf.dispose(kl);
    p.dispose();
    q.dispose();
  });

  it('closed forms agree with Monte Carlo E_p[log p - log q] (false-failure rate 1e-4)', () => {
    const pairs: Array<[Distribution, Distribution]> = [
      [new tfd.Poisson({ rate: [0.3, 20] }), new tfd.Poisson({ rate: [1, 15] })],
      [new tfd.Gumbel({ loc: [0, 1], scale: [1, 0.5] }), new tfd.Gumbel({ loc: [1, 0], scale: [2, 1] })],
      [new tfd.VonMises({ loc: [0, 2], concentration: [2, 0.3] }), new tfd.VonMises({ loc: [1, -1], concentration: [0.5, 4] })],
      [new tfd.Geometric({ probs: [0.2, 0.7] }), new tfd.Geometric({ probs: [0.5, 0.4] })],
    ];
    pairs.forEach(([p, q], i) => {
      expectKLMatchesMonteCarlo(p, q, { seed: 40 + i });
      p.dispose();
      q.dispose();
    });
  });
});

describe('gradients of logProb in the parameters (analytic)', () => {
  it('Poisson: d/dlogRate = x - λ, d/drate = x/λ - 1', () => {
    const x = tf.tensor1d([0, 3, 905]);
    const lr = tf.tensor1d([Math.log(0.05), 1, Math.log(900)]);
    const g = tf.grad((l: tf.Tensor) => tf.sum(new tfd.Poisson({ logRate: l }).logProb(x)))(lr);
    expectClose(g, [0 - 0.05, 3 - Math.E, 5], { rtol: 1e-4, atol: 1e-4 });
    const r = tf.tensor1d([0.05, 2, 900]);
    const gr = tf.grad((t: tf.Tensor) => tf.sum(new tfd.Poisson({ rate: t }).logProb(x)))(r);
    expectClose(gr, [-1, 0.5, 905 / 900 - 1], { rtol: 1e-4, atol: 1e-5 });
    tf.dispose([x, lr, g, r, gr]);
  });

  it('NegativeBinomial: d/dlogits = x - (x + r) p, d/dr = ψ(x + r) - ψ(r) + log(1 - p)', () => {
    const x = [0, 4, 30];
    const r = [2, 0.7, 5];
    const l = [0.5, -1, 1.5];
    const [gr, gl] = tf.grads((rt: tf.Tensor, lt: tf.Tensor) => tf.sum(new tfd.NegativeBinomial({ totalCount: rt, logits: lt }).logProb(x)))([
      tf.tensor1d(r),
      tf.tensor1d(l),
    ]);
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    expectClose(gl!, x.map((xi, i) => xi - (xi + r[i]!) * sig(l[i]!)), { rtol: 1e-4, atol: 1e-5 });
    // ψ differences from scipy: digamma(x + r) - digamma(r)
    const psiDiff = [0, 1 / 0.7 + 1 / 1.7 + 1 / 2.7 + 1 / 3.7, Array.from({ length: 30 }, (_, k) => 1 / (5 + k)).reduce((a, b) => a + b, 0)];
    expectClose(gr!, psiDiff.map((v, i) => v - Math.log1p(Math.exp(l[i]!))), { rtol: 2e-4, atol: 2e-5 });
    tf.dispose([gr!, gl!]);
  });

  it('Binomial / Geometric: d/dlogits = x - n p and 1 - (x + 1) p', () => {
    const x = tf.tensor1d([3, 0, 40]);
    const l = tf.tensor1d([0.2, -1, 2]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(new tfd.Binomial({ totalCount: [10, 5, 50], logits: t }).logProb(x)))(l);
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    expectClose(g, [3 - 10 * sig(0.2), 0 - 5 * sig(-1), 40 - 50 * sig(2)], { rtol: 1e-4, atol: 1e-5 });
    const gg = tf.grad((t: tf.Tensor) => tf.sum(new tfd.Geometric({ logits: t }).logProb(x)))(l);
    expectClose(gg, [1 - 4 * sig(0.2), 1 - sig(-1), 1 - 41 * sig(2)], { rtol: 1e-4, atol: 1e-5 });
    tf.dispose([x, l, g, gg]);
  });

  it('VonMises: d/dκ = cos(x - μ) - I1(κ)/I0(κ), d/dμ = κ sin(x - μ)', () => {
    const x = tf.tensor1d([0.3, 2]);
    const [gl, gk] = tf.grads((lt: tf.Tensor, kt: tf.Tensor) => tf.sum(new tfd.VonMises({ loc: lt, concentration: kt }).logProb(x)))([
      tf.tensor1d([0, 1]),
      tf.tensor1d([0.5, 40]),
    ]);
    // I1/I0 from scipy.special: i1e(0.5)/i0e(0.5) = 0.24249404, i1e(40)/i0e(40) = 0.98742088
    expectClose(gk!, [Math.cos(0.3) - 0.2424940448, Math.cos(1) - 0.987420882906575], { rtol: 2e-5, atol: 2e-6 });
    expectClose(gl!, [0.5 * Math.sin(0.3), 40 * Math.sin(1)], { rtol: 1e-5 });
    tf.dispose([x, gl!, gk!]);
  });

  it('ZeroInflatedNegativeBinomial: d/dinflatedLocLogits at 0 and away from 0', () => {
    const x = tf.tensor1d([0, 5]);
    const g = tf.grad((t: tf.Tensor) =>
      tf.sum(new tfd.ZeroInflatedNegativeBinomial({ inflatedLocLogits: t, totalCount: 2, logits: 0.5 }).logProb(x)),
    )(tf.tensor1d([-0.5, -0.5]));
    const pi = 1 / (1 + Math.exp(0.5));
    const p0 = Math.pow(1 - 1 / (1 + Math.exp(-0.5)), 2); // NB(0) = (1 - p)^r
    const m0 = pi + (1 - pi) * p0;
    // d/dl log(π + (1-π) p0) = π(1-π)(1 - p0)/m0;  d/dl log(1-π) = -π
    expectClose(g, [(pi * (1 - pi) * (1 - p0)) / m0, -pi], { rtol: 1e-4 });
    tf.dispose([x, g]);
  });
});
