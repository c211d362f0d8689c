/**
 * One conformance suite for every distribution (after distrax's
 * `EquivalenceTest` and torch's `test_distributions.py`). Each distribution is
 * described once by a `ConformanceSpec`; `runConformance(spec)` turns it into
 * vitest tests that check, generically:
 *
 * - shapes: each `shapes` case × sample shapes [], [1], [2, 3]: batch/event
 *   shapes, sample, logProb, prob, cdf, the moments, entropy and KL(d, d) where
 *   implemented; no tensor leaked (the distribution included);
 * - identities: exp(logProb) = prob, cdf(quantile(p)) = p, survival = 1 - cdf,
 *   logCdf = log cdf, KL(d, d) = 0; for discrete distributions the masses of
 *   the enumerated support sum to 1;
 * - sampler statistics at a fixed seed, each designed to fail a correct
 *   sampler with probability FALSE_FAILURE_RATE (1e-4, test/helpers.ts):
 *   sample mean and variance against `mean()`/`variance()` (CLT, Bonferroni
 *   over entries), a Kolmogorov-Smirnov test against `cdf` (or the cdf of a
 *   stated marginal) with the DKW bound, and a chi-square test on the
 *   enumerated support for discrete distributions;
 * - support checks: with `validateArgs`, logProb/prob/cdf/... reject a value
 *   outside the support naming class, method, index and value; without it
 *   they do not throw (TFP's behaviour, documented per class); nothing leaks;
 * - argument checks: no argument object, each parameter missing, a string, an
 *   array of strings, NaN / ±Infinity (host values), a disposed tensor, a NaN
 *   tensor under validateArgs; bad values, sample shapes and seeds for the
 *   methods; each an `InvalidArgumentError` naming the class and the
 *   parameter, nothing leaked; a seed gives reproducible draws;
 * - gradients of Σ logProb against float64 central finite differences of the
 *   scipy density (fixture `conformance.json`, written by
 *   `test/fixtures/generate_conformance.py`);
 * - the default event-space bijector: unconstrained reals land in the support (finite
 *   logProb, accepted under validateArgs), inverse∘forward = identity, nothing leaks;
 *   discrete distributions throw NotImplementedError naming the class;
 * - (conformance.properties.test.ts) fast-check properties over random valid
 *   parameters: logProb finite in the support, cdf monotone and in [0, 1],
 *   quantile∘cdf = identity, KL ≥ 0 and KL(d, d) = 0.
 *
 * ## Plugging in a new distribution
 *
 * Add a spec to the list in `conformance_specs.ts` (or pass one to
 * `runConformance` from any test file):
 *
 * ```ts
 * {
 *   name: 'Normal',                                   // className, as in error messages
 *   make: (a) => new Normal(a as NormalArgs),         // the constructor
 *   args: () => ({ loc: [0, 1], scale: [1, 2] }),     // a valid argument object (fresh each call)
 *   shapes: [{ name: 'scalar', args: () => ({ loc: 0, scale: 1 }), batch: [], event: [] }],
 *   inside: [0.5, -1],                                // values in the support, broadcasting with args()'s batch
 *   outside: { value: [0.5, NaN], index: [1] },       // a value with an entry outside the support, and its index
 *   stats: { args: () => ({ loc: [1, -3], scale: [0.5, 4] }) },
 *   gradient: { key: 'Normal', make: (p) => new Normal({ loc: p.loc!, scale: p.scale! }) },
 *   property: { args: (fc) => fc.record({ loc: real(fc), scale: positive(fc) }), x: (fc) => real(fc) },
 * }
 * ```
 *
 * The class itself passes the suite's argument and support checks when its
 * constructor converts its parameters with `convertParams` and declares its
 * `support` (both in src/distributions/distribution.ts, constraints.ts):
 *
 * ```ts
 * constructor(args: NormalArgs) {
 *   const params = convertParams('Normal', args, { loc: { constraint: real }, scale: { constraint: positive } });
 *   super({ ...args, className: 'Normal', params, eventShape: [], reparameterized: true, support: realLine });
 *   this.loc = params.loc.value;
 *   this.scale = params.scale.value;
 * }
 * ```
 *
 * Only `name`, `make`, `args`, `shapes`, `inside` and `outside` are required;
 * `stats` enables the sampler tests, `discrete` the chi-square test, `marginal`
 * the KS test for vector events, `gradient` the finite-difference test (add
 * the density to generate_conformance.py and rerun it), `property` the
 * fast-check properties. `nonFinite` lists host values other than finite
 * numbers that a parameter accepts (e.g. -Infinity logits); `optional`
 * parameters that may be left out; `nonTensor` plain-number arguments;
 * `ignoreArgs` options that the argument checks leave alone.
 */
import * as tf from '@tensorflow/tfjs';
import type * as fcType from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Distribution } from '../../src/distributions/distribution.js';
import { klDivergence } from '../../src/distributions/kl.js';
import { InvalidArgumentError, NotImplementedError } from '../../src/errors.js';
import type { TensorLike } from '../../src/util.js';
import {
  FALSE_FAILURE_RATE,
  chiSquareCritical,
  expectClose,
  fixtureFlat,
  ksCritical,
  loadFixture,
  meanTolerance,
  type FixtureNum,
} from '../helpers.js';

/** An argument object as a user writes it: numbers, arrays, tensors, distributions, options. */
export type Args = Record<string, unknown>;

export interface ShapeCase {
  name: string;
  args: () => Args;
  batch: number[];
  event: number[];
}

export interface ConformanceSpec {
  /** The class name, as it appears in error messages. */
  name: string;
  /** The constructor. */
  make: (args: Args) => Distribution;
  /** A valid argument object; a fresh one (fresh inner distributions) on each call. */
  args: () => Args;
  /** Named shape cases (distrax's table), each crossed with sample shapes [], [1], [2, 3]. */
  shapes: ShapeCase[];
  /** Values in the support of `make(args())` (broadcasting with its batch shape). */
  inside: TensorLike;
  /** A value of `make(args())` with an entry outside the support, and the index reported for it. */
  outside: { value: TensorLike; index: number[] };
  /** Parameters that may be left out (e.g. an MVN's loc). */
  optional?: string[];
  /** Arguments the generic argument checks leave alone (options that are not parameters, e.g. a string mode). */
  ignoreArgs?: string[];
  /** Arguments that are plain numbers, never tensors (e.g. Independent's reinterpretedBatchNdims). */
  nonTensor?: string[];
  /** Non-finite host values a parameter accepts (e.g. logits: [-Infinity]). */
  nonFinite?: Record<string, number[]>;
  /** Sampler statistics: a case whose moments are finite (default n = 20,000 draws). */
  stats?: { args: () => Args; n?: number };
  /** Discrete: every support point `[m, ...event]`; enables Σ prob = 1 and a chi-square test. */
  discrete?: { support: TensorLike };
  /** Vector events: the KS test runs on entry `index` of the flattened event (stats case with batch []) against `reference`'s cdf. */
  marginal?: { index: number; reference: () => Distribution };
  /** Gradient of Σ logProb(x) against finite differences; `key` names the fixture entry. */
  gradient?: { key: string; make: (p: Record<string, tf.Tensor>) => Distribution };
  /** fast-check arbitraries of valid scalar arguments and of points in the support. */
  property?: {
    args: (fc: typeof fcType) => fcType.Arbitrary<Args>;
    /** A point of the support: a number for scalar events, an array for vector events. */
    x: (fc: typeof fcType) => fcType.Arbitrary<number | number[]>;
    /** Points where quantile∘cdf is checked have cdf in [pMin, 1 - pMin] (default 1e-4). */
    pMin?: number;
  };
}

const SAMPLE_SHAPES: number[][] = [[], [1], [2, 3]];
/** The methods that take a value in the support. */
const VALUE_METHODS = ['logProb', 'prob', 'cdf', 'logCdf', 'survivalFunction', 'logSurvivalFunction'] as const;
type ValueMethod = (typeof VALUE_METHODS)[number];

/** Runs `f`; undefined when the distribution does not implement it. */
export function optionalMethod<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    if (e instanceof NotImplementedError) return undefined;
    throw e;
  }
}

/** Disposes the tensors and distributions in an argument object (what a failed constructor left to the caller). */
export function disposeArgs(a: unknown): void {
  if (a instanceof tf.Tensor || a instanceof Distribution) a.dispose();
  else if (Array.isArray(a)) a.forEach(disposeArgs);
  else if (a && typeof a === 'object') Object.values(a).forEach(disposeArgs);
}

/** The same nested array (or number) with its first entry replaced by `v`. */
function poison(value: unknown, v: unknown): unknown {
  if (typeof value === 'number') return v;
  if (Array.isArray(value)) return value.map((e, i) => (i === 0 ? poison(e, v) : e));
  if (value instanceof Float32Array) return Array.from(value).map((e, i) => (i === 0 ? v : e));
  return v;
}

/** A number, a Float32Array or a nested array of numbers. */
const isHost = (v: unknown): boolean =>
  typeof v === 'number' || v instanceof Float32Array || (Array.isArray(v) && v.every((e) => typeof e === 'number' || (Array.isArray(e) && isHost(e))));

/** Asserts that `f` throws an InvalidArgumentError whose message matches every pattern, and leaks no tensor. */
export function expectArgError(f: () => unknown, patterns: Array<string | RegExp>, what: string): void {
  const before = tf.memory().numTensors;
  let err: unknown;
  try {
    const out = f();
    disposeArgs(out);
  } catch (e) {
    err = e;
  }
  expect(err, `${what}: expected an InvalidArgumentError, nothing was thrown`).toBeInstanceOf(InvalidArgumentError);
  const msg = (err as Error).message;
  for (const p of patterns) {
    if (typeof p === 'string') expect(msg, what).toContain(p);
    else expect(msg, what).toMatch(p);
  }
  expect(tf.memory().numTensors - before, `${what}: leaked tensors on the error path (${msg})`).toBe(0);
}

/** Runs `f(d)` on a fresh `make(args())`, disposes all, and asserts that nothing leaked. */
function withDistribution(spec: ConformanceSpec, args: () => Args, f: (d: Distribution) => void): void {
  const before = tf.memory().numTensors;
  const d = spec.make(args());
  try {
    f(d);
  } finally {
    d.dispose();
  }
  expect(tf.memory().numTensors - before, `${spec.name}: leaked tensors`).toBe(0);
}

/** Reads a tensor and disposes it. */
function take(t: tf.Tensor): Float32Array {
  const v = t.dataSync() as Float32Array;
  t.dispose();
  return v;
}

interface GradFixture {
  params: Record<string, FixtureNum>;
  x: FixtureNum;
  grads: Record<string, FixtureNum>;
  /** Parameters that are symmetric matrices: compare G + Gᵀ off the diagonal (convention-free). */
  symmetric?: string[];
}
let gradFixtures: Record<string, GradFixture> | undefined;

/** Registers the conformance tests of one distribution. */
export function runConformance(spec: ConformanceSpec): void {
  describe(`${spec.name} conformance`, () => {
    shapeTests(spec);
    identityTests(spec);
    if (spec.stats) statisticsTests(spec);
    supportTests(spec);
    argumentTests(spec);
    methodArgumentTests(spec);
    if (spec.gradient) gradientTest(spec);
    eventSpaceTest(spec);
  });
}

function shapeTests(spec: ConformanceSpec): void {
  for (const c of spec.shapes) {
    for (const s of SAMPLE_SHAPES) {
      it(`shapes: ${c.name} x sampleShape [${s}]`, () => {
        withDistribution(spec, c.args, (d) => {
          expect(d.batchShape).toEqual(c.batch);
          expect(d.eventShape).toEqual(c.event);
          const full = [...c.batch, ...c.event];
          const x = d.sample(s, { seed: 4 });
          expect(x.shape).toEqual([...s, ...full]);
          const lp = d.logProb(x);
          expect(lp.shape).toEqual([...s, ...c.batch]);
          expect(Array.from(lp.dataSync()).every((v) => v < Infinity && !Number.isNaN(v)), 'logProb(sample) is not NaN/+Inf').toBe(true);
          // a value with an extra leading dim of 1 broadcasts too
          const x1 = tf.expandDims(x, 0);
          const lp1 = d.logProb(x1);
          expect(lp1.shape).toEqual([1, ...s, ...c.batch]);
          const pr = d.prob(x);
          expect(pr.shape).toEqual([...s, ...c.batch]);
          const cdf = c.event.length === 0 ? optionalMethod(() => d.cdf(x)) : undefined;
          if (cdf) expect(cdf.shape).toEqual([...s, ...c.batch]);
          tf.dispose([x, lp, x1, lp1, pr, cdf ?? []]);
          for (const m of ['mean', 'mode', 'variance', 'stddev'] as const) {
            const v = optionalMethod(() => d[m]());
            if (v) expect(v.shape, m).toEqual(full);
            v?.dispose();
          }
          const cov = optionalMethod(() => d.covariance());
          if (cov) expect(cov.shape).toEqual(c.event.length === 0 ? c.batch : c.event.length === 1 ? [...full, ...c.event] : cov.shape);
          cov?.dispose();
          const h = optionalMethod(() => d.entropy());
          if (h) expect(h.shape).toEqual(c.batch);
          h?.dispose();
          const kl = optionalMethod(() => klDivergence(d, d));
          if (kl) {
            expect(kl.shape).toEqual(c.batch);
            expectClose(kl, new Array<number>(kl.size).fill(0), { atol: 1e-5, context: 'KL(d, d)' });
            kl.dispose();
          }
        });
      });
    }
  }
}

function identityTests(spec: ConformanceSpec): void {
  it('exp(logProb) = prob; survival = 1 - cdf; logCdf = log cdf; cdf(quantile(p)) = p', () => {
    withDistribution(spec, spec.args, (d) => {
      const lp = d.logProb(spec.inside);
      const lpv = Array.from(lp.dataSync());
      expect(lpv.every(Number.isFinite), `logProb(inside) finite: ${lpv}`).toBe(true);
      expectClose(take(d.prob(spec.inside)), lpv.map(Math.exp), { rtol: 1e-5, context: 'prob' });
      lp.dispose();
      const cdf = optionalMethod(() => d.cdf(spec.inside));
      if (cdf) {
        const cv = take(cdf);
        expect(Array.from(cv).every((v) => v >= 0 && v <= 1), `cdf in [0, 1]: ${cv}`).toBe(true);
        const sf = optionalMethod(() => d.survivalFunction(spec.inside));
        if (sf) expectClose(take(sf), Array.from(cv, (v) => 1 - v), { atol: 2e-6, rtol: 0, context: 'survival' });
        const lc = optionalMethod(() => d.logCdf(spec.inside));
        if (lc) expectClose(Array.from(take(lc), Math.exp), cv, { rtol: 1e-4, atol: 1e-7, context: 'logCdf' });
        const ls = optionalMethod(() => d.logSurvivalFunction(spec.inside));
        if (ls) expectClose(Array.from(take(ls), Math.exp), Array.from(cv, (v) => 1 - v), { rtol: 1e-4, atol: 2e-6, context: 'logSurvivalFunction' });
      }
      // cdf(quantile(p)) = p, where both exist (scalar events; p broadcast against the batch).
      const p = tf.tidy(() => tf.reshape(tf.tensor1d([0.01, 0.3, 0.5, 0.9, 0.999]), [5, ...d.batchShape.map(() => 1)]));
      const q = d.eventShape.length === 0 ? optionalMethod(() => d.quantile(p)) : undefined;
      if (q) {
        const back = optionalMethod(() => d.cdf(q));
        if (back) {
          const want = tf.broadcastTo(p, back.shape);
          expectClose(back, want, { rtol: 1e-4, atol: 1e-6, context: 'cdf(quantile(p))' });
          tf.dispose([back, want]);
        }
        q.dispose();
      }
      p.dispose();
      if (spec.discrete) {
        // Σ over the enumerated support of P(X = x) = 1, per batch member.
        const s = tf.tensor(spec.discrete.support as number[]);
        const m = s.shape[0]!;
        const sv = tf.reshape(s, [m, ...d.batchShape.map(() => 1), ...d.eventShape]);
        const total = tf.tidy(() => tf.sum(d.prob(sv), 0));
        expectClose(total, new Array<number>(total.size).fill(1), { rtol: 1e-5, context: 'Σ prob over the support' });
        tf.dispose([s, sv, total]);
      }
    });
  });
}

/** KS statistic of sorted draws against cdf values at them. */
function ksStatistic(sortedCdf: ArrayLike<number>): number {
  const n = sortedCdf.length;
  let dmax = 0;
  for (let i = 0; i < n; i++) {
    const f = sortedCdf[i]!;
    dmax = Math.max(dmax, (i + 1) / n - f, f - i / n);
  }
  return dmax;
}

function statisticsTests(spec: ConformanceSpec): void {
  const st = spec.stats!;
  const n = st.n ?? 20000;
  it(`sampler: seeded draws are reproducible; moments of ${n} draws (false-failure rate ${FALSE_FAILURE_RATE})`, () => {
    withDistribution(spec, st.args, (d) => {
      const a = d.sample([5], { seed: 7 });
      const b = d.sample([5], { seed: 7 });
      const c = d.sample([5], { seed: 8 });
      expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
      expect(Array.from(a.dataSync())).not.toEqual(Array.from(c.dataSync()));
      tf.dispose([a, b, c]);
      const mean = optionalMethod(() => d.mean());
      const variance = optionalMethod(() => d.variance());
      if (!mean || !variance) {
        tf.dispose([mean ?? [], variance ?? []]);
        return;
      }
      const x = d.sample([n], { seed: 11 });
      const [sm, sv, m4] = tf.tidy(() => {
        const m = tf.mean(x, 0);
        const dev = tf.sub(x, m);
        const v = tf.mean(tf.square(dev), 0);
        return [m.dataSync(), v.dataSync(), tf.mean(tf.pow(dev, 4), 0).dataSync()];
      });
      x.dispose();
      const mv = take(mean);
      const vv = take(variance);
      const tests = 2 * mv.length;
      for (let i = 0; i < mv.length; i++) {
        if (!Number.isFinite(vv[i]!) || vv[i]! === 0) continue;
        const tolM = meanTolerance(Math.sqrt(vv[i]!), n, tests);
        expect(Math.abs(sm![i]! - mv[i]!), `${spec.name} sample mean of entry ${i}: ${sm![i]} vs ${mv[i]} (tolerance ${tolM})`).toBeLessThan(tolM);
        // Var of the sample variance ≈ (μ4 - σ⁴)/n, μ4 estimated from the draws.
        const tolV = meanTolerance(Math.sqrt(Math.max(m4![i]! - sv![i]! ** 2, 1e-30)), n, tests) + 1e-6 * vv[i]!;
        expect(Math.abs(sv![i]! - vv[i]!), `${spec.name} sample variance of entry ${i}: ${sv![i]} vs ${vv[i]} (tolerance ${tolV})`).toBeLessThan(tolV);
      }
    });
  });
  if (spec.discrete) {
    it(`sampler: chi-square test on the enumerated support (${n} draws, false-failure rate ${FALSE_FAILURE_RATE})`, () => {
      withDistribution(spec, st.args, (d) => {
        const s = tf.tensor(spec.discrete!.support as number[]);
        const m = s.shape[0]!;
        const e = d.eventShape.length;
        const B = d.batchShape;
        const [counts, probs] = tf.tidy(() => {
          const x = tf.expandDims(d.sample([n], { seed: 13 }), 1); // [n, 1, ...B, ...E]
          const sv = tf.reshape(s, [1, m, ...B.map(() => 1), ...d.eventShape]);
          let eq = tf.equal(x, sv);
          if (e > 0) eq = tf.all(eq, Array.from({ length: e }, (_, i) => eq.rank - e + i));
          const cnt = tf.sum(tf.cast(eq, 'float32'), 0); // [m, ...B]
          const pr = d.prob(tf.reshape(s, [m, ...B.map(() => 1), ...d.eventShape])); // [m, ...B]
          return [tf.reshape(cnt, [m, -1]).arraySync() as number[][], tf.reshape(tf.broadcastTo(pr, cnt.shape), [m, -1]).arraySync() as number[][]];
        });
        s.dispose();
        const members = counts![0]!.length;
        for (let b = 0; b < members; b++) {
          let total = 0;
          let chi = 0;
          let cells = 0;
          for (let j = 0; j < m; j++) {
            const c = counts![j]![b]!;
            total += c;
            const expected = n * probs![j]![b]!;
            if (expected === 0) {
              expect(c, `${spec.name}: draws of a zero-probability point`).toBe(0);
              continue;
            }
            chi += (c - expected) ** 2 / expected;
            cells++;
          }
          expect(total, 'every draw is a support point').toBe(n);
          if (cells > 1) expect(chi, `${spec.name} batch member ${b}: chi-square ${chi} on ${cells - 1} dof`).toBeLessThan(chiSquareCritical(cells - 1, FALSE_FAILURE_RATE / members));
        }
      });
    });
  } else {
    it(`sampler: Kolmogorov-Smirnov test (${n} draws, DKW bound, false-failure rate ${FALSE_FAILURE_RATE})`, () => {
      withDistribution(spec, st.args, (d) => {
        const x = d.sample([n], { seed: 17 });
        let members: number[][];
        if (d.eventShape.length === 0) {
          const c = optionalMethod(() => d.cdf(x));
          if (!c && !spec.marginal) throw new Error(`${spec.name}: no cdf; give the spec a marginal for the KS test`);
          if (c) {
            const cols = tf.tidy(() => tf.transpose(tf.reshape(c, [n, -1])).arraySync() as number[][]);
            c.dispose();
            members = cols;
          } else members = [];
        } else {
          members = [];
        }
        if (members.length === 0) {
          const mg = spec.marginal;
          if (!mg) throw new Error(`${spec.name}: vector events need a marginal for the KS test`);
          expect(d.batchShape, 'marginal KS needs a stats case with batch []').toEqual([]);
          const ref = mg.reference();
          const col = tf.tidy(() => tf.reshape(tf.reshape(x, [n, -1]).slice([0, mg.index], [n, 1]), [n]));
          const cv = ref.cdf(col);
          members = [Array.from(cv.dataSync())];
          tf.dispose([col, cv]);
          ref.dispose();
        }
        // The cdf at the draws, sorted (sorting the cdf values is sorting the draws: cdf is monotone).
        // With a sort of the draws themselves ties in cdf (flat regions) cannot change the statistic.
        for (let b = 0; b < members.length; b++) {
          const f = Float64Array.from(members[b]!).sort();
          const ks = ksStatistic(f);
          expect(ks, `${spec.name} batch member ${b}: KS statistic`).toBeLessThan(ksCritical(n, FALSE_FAILURE_RATE / members.length));
        }
        x.dispose();
      });
    });
  }
}

function supportTests(spec: ConformanceSpec): void {
  it('support: with validateArgs values outside the support are errors naming class, method, index and value', () => {
    const { value, index } = spec.outside;
    withDistribution(spec, () => ({ ...spec.args(), validateArgs: true }), (d) => {
      expect(d.support, `${spec.name} declares its support`).toBeDefined();
      for (const m of VALUE_METHODS) {
        const implemented = optionalMethod(() => tf.dispose(d[m](spec.inside)) ?? true);
        if (!implemented) continue;
        expectArgError(
          () => d[m as ValueMethod](value),
          [`${spec.name}.${m}`, `index [${index.join(', ')}]`, 'support'],
          `${spec.name}.${m}(outside)`,
        );
      }
    });
  });
  it('support: without validateArgs values outside the support do not throw (TFP behaviour)', () => {
    withDistribution(spec, spec.args, (d) => {
      const lp = d.logProb(spec.outside.value);
      lp.dispose();
    });
  });
}

function argumentTests(spec: ConformanceSpec): void {
  const name = spec.name;
  const classPattern = new RegExp(`^${name}\\b`);
  /**
   * `spec.make(a)` must throw an InvalidArgumentError naming the class and parameter `k` and
   * leak nothing (`expectArgError`); `a` is released afterwards: a failed constructor does not
   * take ownership, so the caller still holds its arguments.
   */
  const expectRejected = (a: Args, k: string, what: string): void => {
    try {
      expectArgError(() => spec.make(a), [classPattern, k], what);
    } finally {
      disposeArgs(a);
    }
  };
  it('arguments: no argument object, or not an object; validateArgs / name of the wrong type', () => {
    for (const a of [undefined, null, 3, 'x']) {
      expectArgError(() => spec.make(a as unknown as Args), [classPattern], `new ${name}(${String(a)})`);
    }
    for (const [k, v] of [['validateArgs', 'yes'], ['name', 3]] as const) {
      expectRejected({ ...spec.args(), [k]: v }, k, `new ${name}({${k}: ${v}})`);
    }
  });
  // The parameter names are read inside the tests (args() may build tensors: not at collection time).
  const keys = (): string[] => {
    const a = spec.args();
    disposeArgs(a);
    return Object.keys(a).filter((k) => k !== 'validateArgs' && k !== 'name' && !spec.ignoreArgs?.includes(k));
  };
  it('arguments: each parameter missing, a string, strings in an array, disposed, not finite', () => {
    for (const k of keys()) {
      const probe = spec.args();
      const original = probe[k];
      const host = isHost(original) ? original : original instanceof tf.Tensor ? original.arraySync() : undefined;
      disposeArgs(probe);
      const bad: Array<[string, unknown]> = [];
      if (!spec.optional?.includes(k)) bad.push(['missing', undefined], ['null', null]);
      bad.push(['a string', 'x'], ['an object', { a: 1 }]);
      if (original instanceof Distribution) {
        bad.push(['a disposed distribution', 'DISPOSED_DISTRIBUTION']);
      } else if (host !== undefined) {
        bad.push(['strings in an array', ['1', '2']], ['a disposed tensor', 'DISPOSED_TENSOR']);
        for (const v of [NaN, Infinity, -Infinity]) {
          if (!spec.nonFinite?.[k]?.includes(v)) bad.push([`with ${v}`, poison(host, v)]);
        }
      }
      for (const [what, v] of bad) {
        const a = spec.args();
        disposeArgs(a[k]);
        let value = v;
        if (v === 'DISPOSED_TENSOR') {
          value = tf.tensor(1);
          (value as tf.Tensor).dispose();
        } else if (v === 'DISPOSED_DISTRIBUTION') {
          const other = spec.args();
          value = other[k];
          disposeArgs(other);
        }
        a[k] = value;
        expectRejected(a, k, `new ${name}({${k}: ${what}})`);
      }
    }
  });
  it('arguments: tensors given as parameters stay the caller’s (dispose() leaves them alive)', () => {
    const before = tf.memory().numTensors;
    const b = spec.args();
    const kept: tf.Tensor[] = [];
    for (const k of Object.keys(b)) {
      if (spec.nonTensor?.includes(k) || spec.ignoreArgs?.includes(k) || !isHost(b[k])) continue;
      b[k] = tf.tensor(b[k] as number[]);
      kept.push(b[k] as tf.Tensor);
    }
    const e = spec.make(b);
    e.dispose();
    expect(kept.every((t) => !t.isDisposed), `${spec.name}.dispose() disposed a tensor the caller gave`).toBe(true);
    disposeArgs(b);
    expect(tf.memory().numTensors).toBe(before);
  });
  it('arguments: a NaN tensor parameter under validateArgs is an error naming the parameter', () => {
    for (const k of keys()) {
      const probe = spec.args();
      const original = probe[k];
      const host = isHost(original) ? original : original instanceof tf.Tensor ? original.arraySync() : undefined;
      disposeArgs(probe);
      if (host === undefined) continue;
      const a: Args = { ...spec.args(), validateArgs: true };
      disposeArgs(a[k]);
      a[k] = tf.tensor(poison(host, NaN) as number[]);
      expectRejected(a, k, `new ${name}({${k}: NaN tensor, validateArgs: true})`);
    }
  });
}

function methodArgumentTests(spec: ConformanceSpec): void {
  it('methods: bad values, sample shapes, options and seeds are errors naming class and method; disposed distribution', () => {
    withDistribution(spec, spec.args, (d) => {
      for (const v of [undefined, null, 'x', ['1', '2'], { a: 1 }]) {
        expectArgError(() => d.logProb(v as unknown as TensorLike), [`${spec.name}.logProb`], `logProb(${JSON.stringify(v)})`);
      }
      const bad = tf.tensor(1);
      bad.dispose();
      expectArgError(() => d.logProb(bad), [`${spec.name}.logProb`, 'disposed'], 'logProb(disposed tensor)');
      for (const s of [null, -1, 1.5, [2, -1], ['2'], 'x']) {
        expectArgError(() => d.sample(s as unknown as number[]), [`${spec.name}.sample`, 'sampleShape'], `sample(${JSON.stringify(s)})`);
      }
      for (const seed of [NaN, 'x', 1.5, Infinity, null]) {
        expectArgError(() => d.sample([2], { seed: seed as unknown as number }), [`${spec.name}.sample`, 'seed'], `sample([2], {seed: ${String(seed)}})`);
      }
      expectArgError(() => d.sample([2], null as unknown as { seed: number }), [`${spec.name}.sample`], 'sample([2], null)');
      if (d.eventShape.length > 0) {
        const wrong = tf.zeros([...d.batchShape, d.eventShape[0]! + 1]);
        expectArgError(() => d.logProb(wrong), [`${spec.name}.logProb`, 'shape'], 'logProb(wrong event size)');
        wrong.dispose();
      }
    });
    const d = spec.make(spec.args());
    expectArgError(() => klDivergence(d, 'x' as unknown as Distribution), ['klDivergence: q must be a distribution'], 'klDivergence(d, "x")');
    d.dispose();
    expectArgError(() => d.logProb(spec.inside), [`${spec.name}.logProb`, 'disposed'], 'logProb after dispose');
    expectArgError(() => klDivergence(d, d), ['klDivergence: p is a disposed'], 'klDivergence of a disposed distribution');
    expectArgError(() => d.sample([1]), [`${spec.name}.sample`, 'disposed'], 'sample after dispose');
  });
}

function gradientTest(spec: ConformanceSpec): void {
  const g = spec.gradient!;
  it(`gradients of Σ logProb match float64 finite differences (fixture ${g.key})`, () => {
    gradFixtures ??= loadFixture<{ cases: Record<string, GradFixture> }>('conformance').cases;
    const fx = gradFixtures[g.key];
    expect(fx, `fixture conformance.json has no case ${g.key}: run generate_conformance.py`).toBeDefined();
    const names = Object.keys(fx!.params);
    const before = tf.memory().numTensors;
    const params = names.map((k) => tf.tensor(fx!.params[k] as number[]));
    const x = tf.tensor(fx!.x as number[]);
    const grads = tf.grads((...ps: tf.Tensor[]) => {
      const d = g.make(Object.fromEntries(names.map((k, i) => [k, ps[i]!])));
      const out = tf.sum(d.logProb(x));
      d.dispose();
      return out;
    })(params);
    names.forEach((k, i) => {
      let got = grads[i]!;
      if (fx!.symmetric?.includes(k)) {
        // G + Gᵀ off the diagonal, G on it: the derivative along symmetric perturbations, whatever the convention.
        const sym = tf.tidy(() => {
          const n = got.shape[got.rank - 1]!;
          const t = tf.add(got, tf.transpose(got, [...got.shape.keys()].map((j, _, a) => (j === a.length - 1 ? j - 1 : j === a.length - 2 ? j + 1 : j))));
          return tf.sub(t, tf.mul(got, tf.eye(n)));
        });
        got.dispose();
        got = sym;
      }
      expectClose(got, fixtureFlat(fx!.grads[k]!), { rtol: 2e-3, atol: 2e-4, context: { case: g.key, param: k } });
      got.dispose();
    });
    tf.dispose([...params, x]);
    expect(tf.memory().numTensors).toBe(before);
  });
}

function eventSpaceTest(spec: ConformanceSpec): void {
  it('defaultEventSpaceBijector: unconstrained reals land in the support; inverse(forward(x)) = x', () => {
    withDistribution(spec, () => ({ ...spec.args(), validateArgs: true }), (d) => {
      let b;
      try {
        b = d.defaultEventSpaceBijector();
      } catch (e) {
        expect(e, `${spec.name}: only discrete supports lack an event-space bijector`).toBeInstanceOf(NotImplementedError);
        expect((e as Error).message).toContain(spec.name);
        return;
      }
      try {
        const unconstrained = b.inverseEventShape(d.eventShape);
        const x = tf.tidy(() => tf.clipByValue(tf.randomNormal([7, ...d.batchShape, ...unconstrained], 0, 2, 'float32', 5), -5, 5));
        const y = b.forward(x);
        expect(y.shape).toEqual([7, ...d.batchShape, ...d.eventShape]);
        const lp = d.logProb(y);
        const lpv = Array.from(lp.dataSync());
        expect(lpv.every(Number.isFinite), `${spec.name}: logProb(forward(x)) finite: ${lpv}`).toBe(true);
        const yc = tf.clone(y); // a fresh tensor: no cached pair, so the inverse is computed
        const back = b.inverse(yc);
        expectClose(back, x, { atol: 2e-3, rtol: 2e-3, context: `${spec.name}: inverse(forward(x))` });
        tf.dispose([x, y, lp, yc, back]);
      } finally {
        b.dispose();
      }
    });
  });
}
