/**
 * Regression tests for the known numerical edge cases (values from
 * test/fixtures/generate_edges.py, scipy / mpmath in float64).
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Beta } from '../../src/distributions/beta.js';
import { Dirichlet } from '../../src/distributions/dirichlet.js';
import { Gamma } from '../../src/distributions/gamma.js';
import { StudentT } from '../../src/distributions/student_t.js';
import { betaincc, logBetainc, logBetaincc, logIgamma, logIgammac, setSpecialTensorPath } from '../../src/math/special.js';
import { expectClose, expectNoLeak, fixtureFlat, loadFixture, type FixtureNum } from '../helpers.js';

type Arr = number[];
type FArr = FixtureNum[];
const N = (v: FArr): number[] => fixtureFlat(v);
interface Fixture {
  gamma_grad: Array<{ concentration: number; rate: number; x: number; grad_concentration: number }>;
  beta_grad: Array<{ a: number; b: number; x: number; grad_a: number; grad_b: number }>;
  dirichlet_grad: Array<{ concentration: Arr; x: Arr; grad_concentration: Arr }>;
  student_t_large_df: { df: FArr; x: FArr; log_prob: FArr; cdf: FArr; log_cdf: FArr; survival: FArr; log_survival: FArr };
  student_t_entropy: { df: FArr; entropy: FArr; log_normalizer: FArr };
  student_t_loc_scale: { df: number; loc: number; scale: number; x: FArr; log_prob: FArr; cdf: FArr };
  student_t_tails: { df: FArr; x: FArr; log_cdf: FArr; log_survival: FArr };
  gamma_tails: { concentration: FArr; x: FArr; log_cdf: FArr; log_survival: FArr; cdf: FArr; survival: FArr };
  log_igamma: { a: FArr; x: FArr; log_p: FArr; log_q: FArr; grad_log_p: FArr; grad_log_q: FArr };
  log_betainc: { a: FArr; b: FArr; x: FArr; value: FArr; complement: FArr; log_value: FArr; log_complement: FArr };
  beta_tails: { a: FArr; b: FArr; x: FArr; cdf: FArr; survival: FArr; log_cdf: FArr; log_survival: FArr };
  gamma_quantile: { concentration: FArr; p: FArr; x: FArr };
  beta_quantile: { a: FArr; b: FArr; p: FArr; x: FArr };
  student_t_quantile: { df: FArr; p: FArr; x: FArr };
}
const fx = loadFixture<Fixture>('edges');

describe('gradient of logProb with respect to the concentration, including exactly 1 ((a-1)·log x kept)', () => {
  it.each(fx.gamma_grad)('Gamma($concentration, $rate) at $x', (c) => {
    const a = tf.scalar(c.concentration);
    const g = tf.grad((u: tf.Tensor) => {
      const d = new Gamma({ concentration: u, rate: c.rate });
      return d.logProb(c.x);
    })(a);
    expectClose(g, [c.grad_concentration], { rtol: 2e-5, atol: 2e-6, context: c });
    tf.dispose([a, g]);
  });
  it.each(fx.beta_grad)('Beta($a, $b) at $x', (c) => {
    const a = tf.scalar(c.a);
    const b = tf.scalar(c.b);
    const [ga, gb] = tf.grads((u: tf.Tensor, v: tf.Tensor) => {
      const d = new Beta({ concentration1: u, concentration0: v });
      return d.logProb(c.x);
    })([a, b]);
    expectClose(ga!, [c.grad_a], { rtol: 2e-5, atol: 2e-6, context: c });
    expectClose(gb!, [c.grad_b], { rtol: 2e-5, atol: 2e-6, context: c });
    tf.dispose([a, b, ga!, gb!]);
  });
  it.each(fx.dirichlet_grad)('Dirichlet($concentration) at $x', (c) => {
    const a = tf.tensor1d(c.concentration);
    const g = tf.grad((u: tf.Tensor) => {
      const d = new Dirichlet({ concentration: u });
      return d.logProb(c.x);
    })(a);
    expectClose(g, c.grad_concentration, { rtol: 2e-5, atol: 2e-6, context: c });
    tf.dispose([a, g]);
  });
});

/**
 * Log-space comparison: |got - want| <= atol + rtol |want| with a relative part,
 * so -158.8 must be right to ~3e-5 and -1e-69 (log of a probability next to 1)
 * is compared relatively too.
 */
function checkLog(got: tf.Tensor, want: FArr, what: string, rtol = 2e-6, atol = 1e-6): void {
  expectClose(got, N(want), { rtol, atol, context: what });
  got.dispose();
}

describe('StudentT at large df (1e3 to 1e7) against scipy, within 2e-5', () => {
  const c = fx.student_t_large_df;
  const make = () => new StudentT({ df: N(c.df), loc: 0, scale: 1 });
  it.each([
    ['logProb', 'log_prob'],
    ['cdf', 'cdf'],
    ['survivalFunction', 'survival'],
    ['logCdf', 'log_cdf'],
    ['logSurvivalFunction', 'log_survival'],
  ] as const)('%s', (method, key) => {
    const d = make();
    const got = d[method](N(c.x));
    expectClose(got, N(c[key]), { rtol: 0, atol: 2e-5, context: method });
    // and relatively where the reference is small (log of a probability next to 1, a far tail)
    expectClose(got, N(c[key]), { rtol: 2e-4, atol: 1e-7, context: `${method} (relative)` });
    tf.dispose([got]);
    d.dispose();
  });
  it('entropy from df 0.5 to 1e7 (scipy: 1.41894 at 1e7, the normal entropy)', () => {
    const e = fx.student_t_entropy;
    const d = new StudentT({ df: N(e.df), loc: 0, scale: 1 });
    const got = d.entropy();
    expectClose(got, N(e.entropy), { rtol: 2e-6, atol: 2e-6, context: 'entropy' });
    got.dispose();
    // the log-normalizer alone, at x = loc: logProb(loc) = log-normalizer
    const lp = d.logProb(0);
    expectClose(lp, N(e.log_normalizer), { rtol: 2e-6, atol: 2e-6, context: 'log normalizer' });
    lp.dispose();
    d.dispose();
  });
  it('with loc and scale at df = 1e6', () => {
    const e = fx.student_t_loc_scale;
    const d = new StudentT({ df: e.df, loc: e.loc, scale: e.scale });
    const lp = d.logProb(N(e.x));
    expectClose(lp, N(e.log_prob), { rtol: 2e-6, atol: 2e-5, context: 'logProb' });
    const cdf = d.cdf(N(e.x));
    expectClose(cdf, N(e.cdf), { rtol: 2e-4, atol: 2e-5, context: 'cdf' });
    tf.dispose([lp, cdf]);
    d.dispose();
  });
  it('gradient of logProb with respect to df stays finite and right at df = 1e5 (finite difference in float64)', () => {
    // d/dν log p(x=1; ν) at ν = 1e5 is ~ (x⁴ - 2x² - 1)/(4ν²) ... tiny; check the sign-correct order of magnitude
    // against the float64 finite difference of scipy.stats.t.logpdf: -5.0e-11 (negligible) -> |grad| < 1e-6.
    const nu = tf.scalar(1e5);
    const g = tf.grad((v: tf.Tensor) => {
      const d = new StudentT({ df: v, loc: 0, scale: 1 });
      const out = d.logProb(1);
      d.dispose();
      return out;
    })(nu);
    expect(Math.abs(g.dataSync()[0]!)).toBeLessThan(1e-6);
    tf.dispose([nu, g]);
  });
});

describe('far log-tails stay finite and right (log-space incomplete gamma / beta)', () => {
  it('StudentT logCdf / logSurvivalFunction: logCdf(-1000) = -158.8 at df 30, t² overflowing float32', () => {
    const c = fx.student_t_tails;
    const d = new StudentT({ df: N(c.df), loc: 0, scale: 1 });
    checkLog(d.logCdf(N(c.x)), c.log_cdf, 'StudentT logCdf');
    checkLog(d.logSurvivalFunction(N(c.x)), c.log_survival, 'StudentT logSurvivalFunction');
    d.dispose();
  });
  it('Gamma logCdf(1e-30) = -220.4 at 3.162, logSurvivalFunction(200) = -165.1 at 10, and cdf/survival', () => {
    const c = fx.gamma_tails;
    const d = new Gamma({ concentration: N(c.concentration), rate: 1 });
    checkLog(d.logCdf(N(c.x)), c.log_cdf, 'Gamma logCdf');
    checkLog(d.logSurvivalFunction(N(c.x)), c.log_survival, 'Gamma logSurvivalFunction');
    expectClose(d.cdf(N(c.x)), N(c.cdf).map(Math.fround), { rtol: 2e-5, atol: 1e-45, context: 'Gamma cdf' });
    d.dispose();
  });
  it('tfp.math.logIgamma / logIgammac and their x-gradients over a in [1e-3, 1e4], x in [1e-30 a, 20 a]', () => {
    const c = fx.log_igamma;
    checkLog(logIgamma(N(c.a), N(c.x)), c.log_p, 'logIgamma');
    checkLog(logIgammac(N(c.a), N(c.x)), c.log_q, 'logIgammac');
    const a = tf.tensor1d(N(c.a));
    const x = tf.tensor1d(N(c.x));
    const gp = tf.grad((u: tf.Tensor) => tf.sum(logIgamma(a, u)))(x);
    const gq = tf.grad((u: tf.Tensor) => tf.sum(logIgammac(a, u)))(x);
    const ref = (v: FArr) => N(v).map((y) => (Number.isFinite(Math.fround(y)) ? y : Math.fround(y)));
    expectClose(gp, ref(c.grad_log_p), { rtol: 1e-4, atol: 1e-38, context: "logIgamma'" });
    expectClose(gq, ref(c.grad_log_q), { rtol: 1e-4, atol: 1e-38, context: "logIgammac'" });
    tf.dispose([a, x, gp, gq]);
  });
  it('tfp.math.logBetainc / logBetaincc / betaincc', () => {
    const c = fx.log_betainc;
    checkLog(logBetainc(N(c.a), N(c.b), N(c.x)), c.log_value, 'logBetainc');
    checkLog(logBetaincc(N(c.a), N(c.b), N(c.x)), c.log_complement, 'logBetaincc');
    const cc = betaincc(N(c.a), N(c.b), N(c.x));
    expectClose(cc, N(c.complement).map(Math.fround), { rtol: 2e-5, atol: 1e-45, context: 'betaincc' });
    cc.dispose();
  });
  it('Beta: survivalFunction(1e-7) = 0.4732 at (0.1, 1e4) (the complement, not 1 - cdf), log tails', () => {
    const c = fx.beta_tails;
    const d = new Beta({ concentration1: N(c.a), concentration0: N(c.b) });
    const sf = d.survivalFunction(N(c.x));
    expectClose(sf, N(c.survival), { rtol: 2e-5, atol: 1e-45, context: 'Beta survivalFunction' });
    const cdf = d.cdf(N(c.x));
    expectClose(cdf, N(c.cdf).map(Math.fround), { rtol: 2e-5, atol: 1e-45, context: 'Beta cdf' });
    tf.dispose([sf, cdf]);
    checkLog(d.logCdf(N(c.x)), c.log_cdf, 'Beta logCdf');
    checkLog(d.logSurvivalFunction(N(c.x)), c.log_survival, 'Beta logSurvivalFunction');
    d.dispose();
  });
  it('leak no tensors', () => {
    const t = new StudentT({ df: [30, 1e6], loc: 0, scale: 1 });
    const g = new Gamma({ concentration: 3, rate: 1 });
    const b = new Beta({ concentration1: 0.1, concentration0: 1e4 });
    for (const m of ['logCdf', 'logSurvivalFunction', 'cdf', 'survivalFunction'] as const) {
      expectNoLeak(() => t[m]([-1000, 0.1]), `StudentT.${m}`);
      expectNoLeak(() => g[m]([1e-30, 200]), `Gamma.${m}`);
      expectNoLeak(() => b[m]([1e-7, 0.5]), `Beta.${m}`);
    }
    expectNoLeak(() => t.entropy(), 'StudentT.entropy');
    expectNoLeak(() => t.logProb([0, 3]), 'StudentT.logProb');
    t.dispose();
    g.dispose();
    b.dispose();
  });
});

describe('quantile of Gamma, Beta and StudentT against scipy ppf (p from 1e-30 to 1 - 1e-6)', () => {
  /** float32 rendering of the reference (beyond float32: ±Infinity / 0), relative 2e-5. */
  const want = (v: FArr) => N(v).map((y) => Math.fround(y));
  const rel = { rtol: 2e-5, atol: 1e-37 };
  it('Gamma(a, 1) for a in [0.05, 1000]', () => {
    const c = fx.gamma_quantile;
    const d = new Gamma({ concentration: N(c.concentration), rate: 1 });
    const q = d.quantile(N(c.p));
    expectClose(q, want(c.x), { ...rel, context: 'Gamma quantile' });
    q.dispose();
    d.dispose();
  });
  it('Beta(a, b) for a, b in [0.1, 1e4]', () => {
    const c = fx.beta_quantile;
    const d = new Beta({ concentration1: N(c.a), concentration0: N(c.b) });
    const q = d.quantile(N(c.p));
    expectClose(q, want(c.x), { ...rel, context: 'Beta quantile' });
    q.dispose();
    d.dispose();
  });
  it('StudentT(df) for df in [0.5, 1e6], and loc/scale', () => {
    const c = fx.student_t_quantile;
    const d = new StudentT({ df: N(c.df), loc: 0, scale: 1 });
    const q = d.quantile(N(c.p));
    expectClose(q, want(c.x), { ...rel, context: 'StudentT quantile' });
    q.dispose();
    d.dispose();
    const e = new StudentT({ df: 3, loc: 2, scale: 0.5 });
    const r = e.quantile([0.01, 0.5, 0.99]);
    // scipy.stats.t.ppf([0.01, 0.5, 0.99], 3, 2, 0.5)
    expectClose(r, [2 - 0.5 * 4.540702858698419, 2, 2 + 0.5 * 4.540702858698419], { rtol: 2e-5 });
    r.dispose();
    e.dispose();
  });
  it('the host inversion that webgl uses (selected here by the tensor-path switch) gives the same quantiles', () => {
    setSpecialTensorPath(true);
    try {
      const g = fx.gamma_quantile;
      const dg = new Gamma({ concentration: N(g.concentration), rate: 1 });
      const qg = dg.quantile(N(g.p));
      expectClose(qg, want(g.x), { ...rel, context: 'Gamma quantile (host inversion)' });
      const b = fx.beta_quantile;
      const db = new Beta({ concentration1: N(b.a), concentration0: N(b.b) });
      const qb = db.quantile(N(b.p));
      expectClose(qb, want(b.x), { ...rel, context: 'Beta quantile (host inversion)' });
      const t = fx.student_t_quantile;
      const dt = new StudentT({ df: N(t.df), loc: 0, scale: 1 });
      const qt = dt.quantile(N(t.p));
      expectClose(qt, want(t.x), { ...rel, context: 'StudentT quantile (host inversion)' });
      const g2 = new Gamma({ concentration: 2, rate: 1 });
      const e = g2.quantile([[0, 1], [-0.1, 1.5]]);
      expect(Array.from(e.dataSync()).map(String)).toEqual(['0', 'Infinity', 'NaN', 'NaN']);
      expectNoLeak(() => g2.quantile(0.3), 'Gamma.quantile (host inversion)');
      tf.dispose([qg, qb, qt, e]);
      for (const d of [dg, db, dt, g2]) d.dispose();
    } finally {
      setSpecialTensorPath(false);
    }
  });
  it('cdf(quantile(p)) = p, edges p = 0, 1 and outside, and the gradient dx/dp = 1/density', () => {
    const g = new Gamma({ concentration: [0.5, 7], rate: [2, 1] });
    const q = g.quantile([0.25, 0.999]);
    const back = g.cdf(q);
    expectClose(back, [0.25, 0.999], { rtol: 1e-5 });
    const e = g.quantile([[0, 1], [-0.1, 1.5]]);
    expectClose(e, [0, Infinity, NaN, NaN], { rtol: 0 });
    const p = tf.tensor1d([0.25, 0.999]);
    const dq = tf.grad((u: tf.Tensor) => tf.sum(g.quantile(u)))(p);
    const dens = g.prob(q);
    expectClose(dq, Array.from(dens.dataSync()).map((v) => 1 / v), { rtol: 1e-4 });
    tf.dispose([q, back, e, p, dq, dens]);
    g.dispose();
    const b = new Beta({ concentration1: 2, concentration0: 3 });
    expectNoLeak(() => b.quantile(0.3), 'Beta.quantile');
    b.dispose();
  });
});

describe('cdf gradients with respect to the shape parameters, and NaN inputs', () => {
  it('d/d(df) StudentT(3).cdf(-2), d/da Gamma(2, 1).cdf(1.5), d/da Beta(2, 3).cdf(0.3) match float64 differences of scipy', () => {
    // (scipy.stats.X.cdf(x, θ + 1e-6) - cdf(x, θ - 1e-6)) / 2e-6
    const cases: Array<[() => tf.Tensor, number]> = [];
    const df = tf.scalar(3);
    const a = tf.scalar(2);
    cases.push([() => tf.grad((v: tf.Tensor) => new StudentT({ df: v, loc: 0, scale: 1 }).cdf(-2))(df), -0.015255481537745919]);
    cases.push([() => tf.grad((v: tf.Tensor) => new Gamma({ concentration: v, rate: 1 }).cdf(1.5))(a), -0.3134886378541868]);
    cases.push([() => tf.grad((v: tf.Tensor) => new Beta({ concentration1: v, concentration0: 3 }).cdf(0.3))(a), -0.24609372784034633]);
    for (const [f, want] of cases) {
      const g = f();
      expectClose(g, [want], { rtol: 1e-4 });
      g.dispose();
    }
    tf.dispose([df, a]);
  });
  it('Beta cdf / survival / log versions keep NaN (clipByValue alone maps it to a bound)', () => {
    const d = new Beta({ concentration1: 2, concentration0: 3 });
    for (const m of ['cdf', 'survivalFunction', 'logCdf', 'logSurvivalFunction'] as const) {
      const v = d[m]([NaN, 0.5]);
      expect(Number.isNaN(v.dataSync()[0]!), m).toBe(true);
      expect(Number.isFinite(v.dataSync()[1]!), m).toBe(true);
      v.dispose();
    }
    d.dispose();
  });
});
