/**
 * Shared test utilities: numeric comparison with informative failures,
 * fixture loading, leak checks and statistical tolerances.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect } from 'vitest';
import type { Distribution } from '../src/distributions/distribution.js';
import { klDivergence } from '../src/distributions/kl.js';
import { ready } from '../src/backend.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Reads `test/fixtures/<name>.json` (written by the committed generator scripts). */
export function loadFixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(join(here, 'fixtures', `${name}.json`), 'utf8')) as T;
}

type Numeric = tf.Tensor | number | ArrayLike<number> | number[][] | number[][][];

function flat(v: Numeric): number[] {
  if (v instanceof tf.Tensor) return Array.from(v.dataSync());
  if (typeof v === 'number') return [v];
  return (Array.from(v as ArrayLike<number>) as unknown[]).flat(Infinity as 1) as number[];
}

/**
 * Asserts |actual - expected| <= atol + rtol * |expected| elementwise
 * (NaN matches NaN, ±Infinity must match exactly). On failure the message
 * shows the context, the worst index, both values, the delta and the tolerance.
 */
export function expectClose(
  actual: Numeric,
  expected: Numeric,
  opts: { rtol?: number; atol?: number; context?: unknown } = {},
): void {
  const rtol = opts.rtol ?? 2e-4;
  const atol = opts.atol ?? 0;
  const a = flat(actual);
  const e = flat(expected);
  if (actual instanceof tf.Tensor && !(expected instanceof tf.Tensor) && typeof expected !== 'number') {
    // shapes are checked by callers with expect(t.shape); here only sizes must agree
  }
  expect(a.length, `length mismatch${opts.context ? ` for ${JSON.stringify(opts.context)}` : ''}`).toBe(e.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = e[i]!;
    if (Number.isNaN(y) && Number.isNaN(x)) continue;
    if (!Number.isFinite(y) || !Number.isFinite(x)) {
      if (x !== y) {
        worst = i;
        worstExcess = Infinity;
        break;
      }
      continue;
    }
    const excess = Math.abs(x - y) - (atol + rtol * Math.abs(y));
    if (excess > worstExcess || (Number.isNaN(excess) && worst < 0)) {
      worst = i;
      worstExcess = Number.isNaN(excess) ? Infinity : excess;
    }
  }
  if (worst >= 0) {
    const x = a[worst]!;
    const y = e[worst]!;
    throw new Error(
      `expectClose failed${opts.context !== undefined ? ` for ${JSON.stringify(opts.context)}` : ''}: ` +
        `at index ${worst} got ${x}, expected ${y}, delta ${Math.abs(x - y)}, tolerance ${atol + rtol * Math.abs(y)} (rtol ${rtol}, atol ${atol})`,
    );
  }
}

/**
 * Runs `fn`, disposes whatever tensors it returns, and asserts that the
 * number of live tensors is unchanged: the public call leaked nothing.
 */
export function expectNoLeak(fn: () => unknown, what = 'call'): void {
  const before = tf.memory().numTensors;
  const out = fn();
  const dispose = (v: unknown): void => {
    if (v instanceof tf.Tensor) v.dispose();
    else if (Array.isArray(v)) v.forEach(dispose);
    else if (v && typeof v === 'object' && 'dispose' in v && typeof (v as { dispose: unknown }).dispose === 'function') {
      (v as { dispose(): void }).dispose();
    }
  };
  dispose(out);
  const after = tf.memory().numTensors;
  expect(after - before, `${what} leaked ${after - before} tensors`).toBe(0);
}

/** Two-sided standard-normal quantile for a false-failure probability `alpha`: z with P(|Z| > z) = alpha. */
export function zFor(alpha: number): number {
  // Acklam-free bisection on erfc; precise enough for test tolerances.
  let lo = 0;
  let hi = 40;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (erfc(mid / Math.SQRT2) > alpha) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

function erfc(x: number): number {
  // Numerical Recipes erfcc, relative error < 1.2e-7.
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** The false-failure rate every statistical test in this suite is designed for. */
export const FALSE_FAILURE_RATE = 1e-4;

/**
 * Tolerance for a sample mean of `n` draws with standard deviation `sd`, such
 * that a correct sampler fails with probability FALSE_FAILURE_RATE / `tests`
 * (Bonferroni over `tests` simultaneous checks).
 */
export function meanTolerance(sd: number, n: number, tests = 1): number {
  return zFor(FALSE_FAILURE_RATE / tests) * sd / Math.sqrt(n);
}

/** DKW: P(sup|F_n - F| > d) <= 2 exp(-2 n d²), so d = sqrt(ln(2/α) / (2n)) fails a correct sampler with probability <= α. */
export function ksCritical(n: number, alpha: number): number {
  return Math.sqrt(Math.log(2 / alpha) / (2 * n));
}

/** Upper α quantile of chi-square with k degrees of freedom: bisection on the upper regularized gamma Q(k/2, x/2). */
export function chiSquareCritical(k: number, alpha: number): number {
  let lo = 0;
  let hi = k + 20 * Math.sqrt(2 * k) + 100;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (upperGammaQ(k / 2, mid / 2) > alpha) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Q(a, x) = Γ(a, x)/Γ(a) in double precision (series below a + 1, Lentz continued fraction above). */
function upperGammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const lnPre = a * Math.log(x) - x - lnGamma(a);
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 1000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-16) break;
    }
    return 1 - sum * Math.exp(lnPre);
  }
  let b = x + 1 - a;
  let c = 1e300;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return Math.exp(lnPre) * h;
}

/** log Γ(a) for a > 0 (Lanczos, g = 7, relative error ~1e-15). */
function lnGamma(a: number): number {
  const g = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (a < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * a)) - lnGamma(1 - a);
  const x = a - 1;
  let s = g[0]!;
  for (let i = 1; i < 9; i++) s += g[i]! / (x + i);
  const t = x + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(s);
}

/** Reads a tensor into a nested array (for shape-agnostic comparisons). */
export function arr(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}

/** A value in a fixture JSON: JSON has no NaN or ±Infinity, so the generators write those as strings. */
export type FixtureNum = number | string | FixtureNum[];

/** Converts a fixture value to numbers, keeping its nesting. */
export function fixtureNum(v: FixtureNum): number | number[] {
  return (Array.isArray(v) ? v.map((e) => fixtureNum(e)) : Number(v)) as number | number[];
}

/** Converts a fixture value to a flat list of numbers (a scalar gives one element). */
export function fixtureFlat(v: FixtureNum): number[] {
  return Array.isArray(v) ? (v.flat(Infinity as 1) as FixtureNum[]).map((e) => Number(e)) : [Number(v)];
}

/** Shape of a nested fixture array (`[]` for a scalar). */
export function fixtureShape(v: FixtureNum): number[] {
  const s: number[] = [];
  let cur: FixtureNum = v;
  while (Array.isArray(cur)) {
    s.push(cur.length);
    cur = cur[0]!;
  }
  return s;
}

/**
 * For a fixture case `c` (a `name` and reference values by key), returns
 * `check(what, got, key, atol = 0)`: when `c[key]` exists, the tensor `got()`
 * must match it at rtol 2e-4 (+ atol); the tensor is disposed afterwards.
 */
export function fixtureCaseChecker(c: { name: string; [key: string]: FixtureNum | undefined }) {
  return (what: string, got: () => tf.Tensor, key: string, atol = 0): void => {
    const want = c[key];
    if (want === undefined) return;
    const g = got();
    expectClose(g, fixtureNum(want) as number[], { rtol: 2e-4, atol, context: { case: c.name, what } });
    g.dispose();
  };
}

/**
 * Asserts that the closed-form `KL(p || q)` agrees, for every batch member,
 * with the Monte Carlo estimate mean(log p(X) - log q(X)) over `n` draws
 * X ~ p at `seed`, within the CLT tolerance at FALSE_FAILURE_RATE
 * (Bonferroni over the batch). The draws' own standard deviation stands in
 * for the true one (negligible difference at n = 40,000).
 */
export function expectKLMatchesMonteCarlo(p: Distribution, q: Distribution, opts: { seed: number; n?: number }): void {
  const n = opts.n ?? 40000;
  const [est, sd, closed] = tf.tidy(() => {
    const x = p.sample([n], { seed: opts.seed });
    const r = tf.sub(p.logProb(x), q.logProb(x));
    const { mean, variance } = tf.moments(r, 0);
    return [mean.dataSync(), tf.sqrt(variance).dataSync(), klDivergence(p, q).dataSync()];
  });
  const batch = closed!.length;
  for (let i = 0; i < batch; i++) {
    expect(Math.abs(est![i]! - closed![i]!), `batch member ${i}`).toBeLessThan(meanTolerance(sd![i]!, n, batch));
  }
}

/**
 * Inside a describe block: its tests run on `backend` ('cpu' or 'wasm'), started as test/setup.ts
 * starts the suite's own (so wasm loads even when the suite runs on cpu); the previous one is
 * restored after.
 */
export function useBackend(backend: string): void {
  let previous = '';
  const accelerate = process.env['TFP_ACCELERATE'] === '1';
  beforeAll(async () => {
    previous = tf.getBackend();
    await ready({ backend, accelerate });
  });
  afterAll(async () => {
    await ready({ backend: previous, accelerate });
  });
}
