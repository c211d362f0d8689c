/**
 * Tests shared by the three multivariate normals (they share one base class):
 * values against scipy, gradients against analytic values, KL for every pair
 * of kinds, shapes, sampler statistics and tensor hygiene. Constructor-specific
 * behaviour (errors, accessors, validateArgs) is in mvn_diag / mvn_tril /
 * mvn_full_covariance.test.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MultivariateNormalDiag } from '../../src/distributions/mvn_diag.js';
import { MultivariateNormalTriL } from '../../src/distributions/mvn_tril.js';
import { MultivariateNormalFullCovariance } from '../../src/distributions/mvn_full_covariance.js';
import { MultivariateNormalLinearOperator } from '../../src/distributions/mvn_linear_operator.js';
import { klDivergence } from '../../src/distributions/kl.js';
import { setKernelsEnabled } from '../../src/kernels/register.js';
import type { TensorLike } from '../../src/util.js';
import { expectClose, expectNoLeak, loadFixture, meanTolerance, expectKLMatchesMonteCarlo } from '../helpers.js';

type Kind = 'diag' | 'tril' | 'full';
type Nested = number | number[] | number[][] | number[][][] | number[][][][];

interface Case {
  name: string;
  kind: Kind;
  d: number;
  batch: number[];
  sample_shape: number[];
  loc: Nested;
  scale_diag?: Nested;
  scale_tril?: Nested;
  covariance_matrix?: Nested;
  x: Nested;
  log_prob: Nested;
  mean: Nested;
  covariance: Nested;
  variance: Nested;
  entropy: Nested;
  grad_loc: Nested;
  grad_scale: Nested;
}
interface KLCase {
  name: string;
  p_kind: Kind;
  q_kind: Kind;
  d: number;
  p_loc: Nested;
  p_scale: Nested;
  q_loc: Nested;
  q_scale: Nested;
  batch: number[];
  kl: Nested;
}
const fixture = loadFixture<{ cases: Case[]; kl_cases: KLCase[] }>('mvn');

function make(kind: Kind, loc: TensorLike, scale: TensorLike): MultivariateNormalLinearOperator {
  if (kind === 'diag') return new MultivariateNormalDiag({ loc, scaleDiag: scale });
  if (kind === 'tril') return new MultivariateNormalTriL({ loc, scaleTril: scale });
  return new MultivariateNormalFullCovariance({ loc, covarianceMatrix: scale });
}
const scaleOf = (c: Case): Nested => (c.scale_diag ?? c.scale_tril ?? c.covariance_matrix)!;
const T = (v: Nested): tf.Tensor => tf.tensor(v as number[]);

function shapeOf(v: Nested): number[] {
  const s: number[] = [];
  let cur: unknown = v;
  while (Array.isArray(cur)) {
    s.push(cur.length);
    cur = cur[0];
  }
  return s;
}

describe('multivariate normals against scipy.stats.multivariate_normal (float64 fixture)', () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      const d = make(c.kind, c.loc as TensorLike, scaleOf(c) as TensorLike);
      expect(d.batchShape).toEqual(c.batch);
      expect(d.eventShape).toEqual([c.d]);
      const check = (got: tf.Tensor, want: Nested, what: string, atol = 0) => {
        expect(got.shape, what).toEqual(shapeOf(want));
        expectClose(got, want as number[], { rtol: 2e-4, atol, context: { case: c.name, what } });
        got.dispose();
      };
      check(d.logProb(c.x as TensorLike), c.log_prob, 'logProb');
      check(d.prob(c.x as TensorLike), (c.log_prob as number[]).length === undefined ? Math.exp(c.log_prob as number) : mapNested(c.log_prob, Math.exp), 'prob', 1e-30);
      check(d.mean(), c.mean, 'mean');
      check(d.mode(), c.mean, 'mode');
      // Off-diagonal covariance entries can be ~0: absolute tolerance relative to the diagonal.
      check(d.covariance(), c.covariance, 'covariance', 2e-4 * maxAbs(c.variance));
      check(d.variance(), c.variance, 'variance');
      check(d.stddev(), mapNested(c.variance, Math.sqrt), 'stddev');
      check(d.entropy(), c.entropy, 'entropy');
      d.dispose();
    });
  }
});

function mapNested(v: Nested, f: (x: number) => number): Nested {
  return (Array.isArray(v) ? (v as Nested[]).map((e) => mapNested(e, f)) : f(v)) as Nested;
}
function maxAbs(v: Nested): number {
  return Array.isArray(v) ? Math.max(...(v as Nested[]).map(maxAbs)) : Math.abs(v);
}

function checkGradients(c: Case): void {
  const x = T(c.x);
  const loc = T(c.loc);
  const scale = T(scaleOf(c));
  const g = tf.grads((l: tf.Tensor, s: tf.Tensor) => tf.sum(make(c.kind, l, s).logProb(x)));
  const [gl, gs] = g([loc, scale]);
  const tol = (want: Nested) => ({ rtol: 2e-4, atol: 2e-4 * maxAbs(want) });
  expect(gl!.shape).toEqual(loc.shape);
  expectClose(gl!, c.grad_loc as number[], { ...tol(c.grad_loc), context: { case: c.name, what: 'grad loc' } });
  expect(gs!.shape).toEqual(scale.shape);
  if (c.kind === 'full') {
    // A symmetric parameter's gradient is defined up to its antisymmetric part: compare ½(G + Gᵀ).
    const r = gs!.rank;
    const perm = [...Array(r).keys()];
    [perm[r - 1], perm[r - 2]] = [perm[r - 2]!, perm[r - 1]!];
    const sym = tf.tidy(() => tf.mul(0.5, tf.add(gs!, tf.transpose(gs!, perm))));
    expectClose(sym, c.grad_scale as number[], { ...tol(c.grad_scale), context: { case: c.name, what: 'grad cov (sym)' } });
    sym.dispose();
  } else if (c.kind === 'tril') {
    // Only the lower triangle is a parameter (the upper one is ignored), so the
    // reference is tril(L⁻ᵀ z zᵀ) − diag(1/Lᵢᵢ) and the upper-triangle gradient must be 0.
    expectClose(gs!, c.grad_scale as number[], { ...tol(c.grad_scale), context: { case: c.name, what: 'grad scaleTril' } });
  } else {
    expectClose(gs!, c.grad_scale as number[], { ...tol(c.grad_scale), context: { case: c.name, what: 'grad scaleDiag' } });
  }
  tf.dispose([x, loc, scale, gl!, gs!]);
}

describe('gradients of sum(logProb) against analytic values', () => {
  for (const c of fixture.cases) {
    it(`${c.name}: d/d loc = Σ⁻¹(x − μ), d/d scale (numpy reference)`, () => checkGradients(c));
  }
});

describe('KL divergence, every ordered pair of kinds, against numpy', () => {
  for (const c of fixture.kl_cases) {
    it(c.name, () => {
      const p = make(c.p_kind, c.p_loc as TensorLike, c.p_scale as TensorLike);
      const q = make(c.q_kind, c.q_loc as TensorLike, c.q_scale as TensorLike);
      const kl = klDivergence(p, q);
      expect(kl.shape).toEqual(c.batch);
      expectClose(kl, c.kl as number[], { rtol: 2e-4, atol: 1e-5, context: c.name });
      tf.dispose(kl);
      p.dispose();
      q.dispose();
    });
  }

  it('KL(p || p) = 0 and KL >= 0', () => {
    const p = new MultivariateNormalTriL({ loc: [1, 2, 3], scaleTril: [[1, 0, 0], [0.5, 2, 0], [-0.3, 0.2, 0.7]] });
    const kl = klDivergence(p, p);
    expectClose(kl, [0], { atol: 1e-5 });
    kl.dispose();
    p.dispose();
  });

  const mcPairs: Array<[Kind, Kind]> = [
    ['tril', 'full'],
    ['diag', 'tril'],
    ['full', 'diag'],
  ];
  for (const [pk, qk] of mcPairs) {
    it(`Monte Carlo E_p[log p − log q] agrees with the closed form: KL(${pk} || ${qk})`, () => {
      const scales: Record<Kind, TensorLike> = {
        diag: [0.8, 1.3, 0.6],
        tril: [[1.1, 0, 0], [0.4, 0.7, 0], [-0.5, 0.3, 1.2]],
        full: [[1.5, 0.3, -0.2], [0.3, 0.9, 0.1], [-0.2, 0.1, 1.1]],
      };
      const p = make(pk, [0.2, -0.1, 0.5], scales[pk]);
      const q = make(qk, [-0.3, 0.4, 0.1], scales[qk]);
      expectKLMatchesMonteCarlo(p, q, { seed: 5 });
      p.dispose();
      q.dispose();
    });
  }
});

// Shape table: each kind × named batch cases × sample shapes.
interface ShapeCase {
  name: string;
  loc: number[];
  scaleBatch: number[];
  batch: number[];
}
const D = 3;
const shapeTable: ShapeCase[] = [
  { name: 'single, D=3', loc: [D], scaleBatch: [], batch: [] },
  { name: 'batch of locs [4], one scale', loc: [4, D], scaleBatch: [], batch: [4] },
  { name: 'one loc, batch of scales [4]', loc: [D], scaleBatch: [4], batch: [4] },
  { name: 'loc [2,1] x scale [4] -> [2,4]', loc: [2, 1, D], scaleBatch: [4], batch: [2, 4] },
];

function scaleTensor(kind: Kind, batch: number[], seed: number): tf.Tensor {
  return tf.tidy(() => {
    if (kind === 'diag') return tf.add(0.5, tf.randomUniform([...batch, D], 0, 1, 'float32', seed));
    const raw = tf.randomNormal([...batch, D, D], 0, 0.3, 'float32', seed);
    const L = tf.add(tf.linalg.bandPart(raw, -1, 0), tf.mul(tf.eye(D), 1));
    if (kind === 'tril') return L;
    return tf.matMul(L, L, false, true);
  });
}

describe('shapes: kinds × batch cases × sample shapes [], [1], [2,3]', () => {
  const kinds: Kind[] = ['diag', 'tril', 'full'];
  for (const kind of kinds) {
    for (const t of shapeTable) {
      for (const s of [[], [1], [2, 3]] as number[][]) {
        it(`${kind}: ${t.name} × sampleShape [${s}]`, () => {
          const loc = tf.randomNormal(t.loc, 0, 1, 'float32', 1);
          const scale = scaleTensor(kind, t.scaleBatch, 2);
          const d = make(kind, loc, scale);
          expect(d.batchShape).toEqual(t.batch);
          expect(d.eventShape).toEqual([D]);
          const x = d.sample(s, { seed: 3 });
          expect(x.shape).toEqual([...s, ...t.batch, D]);
          const lp = d.logProb(x);
          expect(lp.shape).toEqual([...s, ...t.batch]);
          const m = d.mean();
          expect(m.shape).toEqual([...t.batch, D]);
          const cov = d.covariance();
          expect(cov.shape).toEqual([...t.batch, D, D]);
          const ent = d.entropy();
          expect(ent.shape).toEqual(t.batch);
          const otherKind = kinds[(kinds.indexOf(kind) + 1) % 3]!;
          const otherScale = scaleTensor(otherKind, [], 4);
          const other = make(otherKind, [0, 0, 0], otherScale);
          otherScale.dispose();
          const kl = klDivergence(d, other);
          expect(kl.shape).toEqual(t.batch);
          const kl2 = klDivergence(other, d);
          expect(kl2.shape).toEqual(t.batch);
          tf.dispose([loc, scale, x, lp, m, cov, ent, kl, kl2]);
          d.dispose();
          other.dispose();
        });
      }
    }
  }
});

describe('sampler statistics at a fixed seed (false-failure rate 1e-4 per test)', () => {
  // Sample mean m̂ᵢ has sd √(Σᵢᵢ/n). With the true mean μ known, the covariance
  // estimate Ĉᵢⱼ = mean((xᵢ − μᵢ)(xⱼ − μⱼ)) is unbiased with variance
  // (ΣᵢᵢΣⱼⱼ + Σᵢⱼ²)/n (Isserlis); both checked with Bonferroni over all entries.
  const cases: Array<{ kind: Kind; loc: number[][]; scale: TensorLike }> = [
    { kind: 'tril', loc: [[1, -2, 0.5], [0, 0, 0]], scale: [[[1, 0, 0], [0.8, 0.6, 0], [-0.5, 0.3, 1.5]], [[2, 0, 0], [-1, 0.5, 0], [0, 0, 0.3]]] },
    { kind: 'diag', loc: [[1, -2, 0.5], [0, 0, 0]], scale: [[0.5, 1, 2], [3, 0.2, 1]] },
    { kind: 'full', loc: [[1, -2, 0.5], [0, 0, 0]], scale: [[[2, 0.8, -0.4], [0.8, 1, 0.2], [-0.4, 0.2, 0.5]], [[1, 0, 0], [0, 1, 0], [0, 0, 1]]] },
  ];
  for (const c of cases) {
    it(`${c.kind}: mean and covariance of 40,000 draws, batch of 2 scales`, () => {
      const n = 40000;
      const d = make(c.kind, c.loc, c.scale);
      const x = d.sample([n], { seed: 17 });
      expect(x.shape).toEqual([n, 2, D]);
      const trueCov = d.covariance();
      const C = trueCov.arraySync() as number[][][];
      const mu = tf.tensor(c.loc);
      const centered = tf.sub(x, mu);
      const mHat = tf.mean(x, 0).arraySync() as number[][];
      // Ĉ[b] = Σₛ rₛ rₛᵀ / n via one matMul over the sample axis.
      const r = tf.transpose(centered, [1, 0, 2]); // [2, n, D]
      const cHat = tf.div(tf.matMul(tf.transpose(r, [0, 2, 1]), r), n).arraySync() as number[][][];
      const tests = 2 * (D + (D * (D + 1)) / 2);
      for (let b = 0; b < 2; b++) {
        for (let i = 0; i < D; i++) {
          expect(Math.abs(mHat[b]![i]! - c.loc[b]![i]!), `mean [${b},${i}]`).toBeLessThan(
            meanTolerance(Math.sqrt(C[b]![i]![i]!), n, tests),
          );
          for (let j = 0; j <= i; j++) {
            const sd = Math.sqrt(C[b]![i]![i]! * C[b]![j]![j]! + C[b]![i]![j]! ** 2);
            expect(Math.abs(cHat[b]![i]![j]! - C[b]![i]![j]!), `cov [${b},${i},${j}]`).toBeLessThan(meanTolerance(sd, n, tests));
          }
        }
      }
      tf.dispose([x, trueCov, mu, centered, r]);
      d.dispose();
    });
  }

  it('is reproducible under a seed and differs across seeds', () => {
    const d = new MultivariateNormalTriL({ loc: [0, 1], scaleTril: [[[1, 0], [0.5, 1]], [[2, 0], [0, 1]]] });
    const a = d.sample([10], { seed: 7 });
    const b = d.sample([10], { seed: 7 });
    const c = d.sample([10], { seed: 8 });
    expectClose(a, b, { rtol: 0 });
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(c.dataSync()));
    tf.dispose([a, b, c]);
    d.dispose();
  });

  it('sample is reparameterized: d sum(sample) / d loc = n, d / d scaleTril = Σ ε (lower part)', () => {
    const loc = tf.tensor1d([0.5, -1]);
    const L = tf.tensor2d([[1, 0], [0.3, 2]]);
    const n = 7;
    const g = tf.grads((l: tf.Tensor, s: tf.Tensor) => tf.sum(new MultivariateNormalTriL({ loc: l, scaleTril: s }).sample([n], { seed: 9 })));
    const [gl, gs] = g([loc, L]);
    expectClose(gl!, [n, n], { rtol: 1e-6 });
    // x = μ + L ε  ⇒  d Σ x / d L_ij = Σ_s ε_sj; recover ε from the draws.
    const d = new MultivariateNormalTriL({ loc, scaleTril: L });
    const x = d.sample([n], { seed: 9 });
    const eps = tf.tidy(() => {
      const r = tf.sub(x, loc).arraySync() as number[][];
      return tf.tensor(r.map(([a, b]) => [a!, (b! - 0.3 * a!) / 2]));
    });
    const colSum = tf.sum(eps, 0).arraySync() as number[];
    expectClose(tf.tidy(() => tf.mul(gs!, tf.linalg.bandPart(tf.ones([2, 2]), -1, 0))), [colSum[0]!, 0, colSum[0]!, colSum[1]!], {
      rtol: 1e-4,
      atol: 1e-5,
    });
    tf.dispose([loc, L, gl!, gs!, x, eps]);
    d.dispose();
  });
});

describe('hygiene', () => {
  const kinds: Kind[] = ['diag', 'tril', 'full'];
  for (const kind of kinds) {
    it(`${kind}: no public method leaks tensors; dispose frees what the distribution owns`, () => {
      const before = tf.memory().numTensors;
      const scale = scaleTensor(kind, [2], 1);
      const d = make(kind, [[0, 1, 2]], scale);
      scale.dispose();
      const otherScale = scaleTensor('tril', [], 2);
      const other = make('tril', [0, 0, 0], otherScale);
      otherScale.dispose();
      expectNoLeak(() => d.sample([3], { seed: 1 }), 'sample');
      expectNoLeak(() => d.sample(), 'sample()');
      expectNoLeak(() => d.logProb([0.1, 0.2, 0.3]), 'logProb');
      expectNoLeak(() => d.prob([0.1, 0.2, 0.3]), 'prob');
      expectNoLeak(() => d.mean(), 'mean');
      expectNoLeak(() => d.mode(), 'mode');
      expectNoLeak(() => d.variance(), 'variance');
      expectNoLeak(() => d.stddev(), 'stddev');
      expectNoLeak(() => d.covariance(), 'covariance');
      expectNoLeak(() => d.entropy(), 'entropy');
      expectNoLeak(() => klDivergence(d, other), 'klDivergence(d, other)');
      expectNoLeak(() => klDivergence(other, d), 'klDivergence(other, d)');
      expectNoLeak(() => klDivergence(d, d), 'klDivergence(d, d)');
      // Results are the caller's: disposing them leaves the parameters intact.
      const m = d.mean();
      m.dispose();
      expect(d.loc.isDisposed).toBe(false);
      const st = d.scaleTril; // owned (lazily built for Diag): freed by dispose()
      expect(st.shape).toEqual([2, 3, 3]);
      d.dispose();
      other.dispose();
      d.dispose(); // idempotent
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});

describe('composed path (fast kernels disabled, as on webgl/webgpu)', () => {
  // The cpu/wasm fast kernels are switched off so the tf-op implementations run:
  // the same fixture values, gradients and sampler statistics must hold.
  const tril = fixture.cases.filter((c) => c.kind !== 'diag');
  beforeAll(() => setKernelsEnabled(false));
  afterAll(() => setKernelsEnabled(true));
  for (const c of tril) {
    it(`${c.name}: logProb and gradients w.r.t. loc and scale`, () => {
      const d = make(c.kind, c.loc as TensorLike, scaleOf(c) as TensorLike);
      const lp = d.logProb(c.x as TensorLike);
      expectClose(lp, c.log_prob as number[], { rtol: 2e-4, context: c.name });
      lp.dispose();
      d.dispose();
      checkGradients(c);
    });
  }
  it('sampling: batch of scales, mean within tolerance, and no leaks', () => {
    const n = 20000;
    const d = new MultivariateNormalTriL({ loc: [[1, -2], [0, 3]], scaleTril: [[[1, 0], [0.5, 2]], [[0.3, 0], [-1, 1]]] });
    const x = d.sample([n], { seed: 3 });
    expect(x.shape).toEqual([n, 2, 2]);
    const m = tf.mean(x, 0).arraySync() as number[][];
    const sds = [[1, Math.sqrt(4.25)], [0.3, Math.sqrt(2)]];
    [[1, -2], [0, 3]].forEach((row, b) =>
      row.forEach((mu, i) => expect(Math.abs(m[b]![i]! - mu)).toBeLessThan(meanTolerance(sds[b]![i]!, n, 4))),
    );
    expectNoLeak(() => d.sample([2], { seed: 1 }), 'sample (composed)');
    const shared = new MultivariateNormalTriL({ loc: [[1, -2], [0, 3]], scaleTril: [[1, 0], [0.5, 2]] });
    const y = shared.sample([n], { seed: 4 });
    const my = tf.mean(y, 0).arraySync() as number[][];
    [[1, -2], [0, 3]].forEach((row, b) =>
      row.forEach((mu, i) => expect(Math.abs(my[b]![i]! - mu)).toBeLessThan(meanTolerance(sds[0]![i]!, n, 4))),
    );
    tf.dispose([x, y]);
    d.dispose();
    shared.dispose();
  });
});

describe('MultivariateNormalLinearOperator TSDoc example', () => {
  it('a Diag and a TriL share the base class and its KL', () => {
    const p: MultivariateNormalLinearOperator = new MultivariateNormalDiag({ loc: [0, 0], scaleDiag: [1, 2] });
    const q = new MultivariateNormalTriL({ loc: [1, 0], scaleTril: [[1, 0], [0.5, 1]] });
    expect(p.scaleKind).toBe('diag');
    expect(p.eventSize).toBe(2);
    const kl = klDivergence(p, q);
    expect(kl.shape).toEqual([]);
    // Σq = [[1, .5], [.5, 1.25]], det 1; Σp = diag(1, 4): ½[tr(Σq⁻¹Σp) + δᵀΣq⁻¹δ − 2 + log 1 − log 4].
    const trace = 1.25 * 1 + 1 * 4; // Σq⁻¹ = [[1.25, -.5], [-.5, 1]]
    expectClose(kl, [0.5 * (trace + 1.25 - 2 - Math.log(4))], { rtol: 1e-5 });
    kl.dispose();
    p.dispose();
    q.dispose();
  });
});

describe('more identities', () => {
  it('x with a size-1 event axis broadcasts the same way for every kind', () => {
    for (const kind of ['diag', 'tril', 'full'] as Kind[]) {
      const scale = scaleTensor(kind, [], 6);
      const d = make(kind, [0.5, -0.5, 1], scale);
      const a = d.logProb([[0.3], [1]]);
      const b = d.logProb([[0.3, 0.3, 0.3], [1, 1, 1]]);
      expect(a.shape).toEqual([2]);
      expectClose(a, b, { rtol: 1e-6 });
      tf.dispose([scale, a, b]);
      d.dispose();
    }
  });

  it('exp(logProb) == prob', () => {
    const d = new MultivariateNormalTriL({ loc: [0, 1], scaleTril: [[1, 0], [0.2, 0.5]] });
    const x = [[0, 1], [0.5, 0.5], [2, -1]];
    const lp = d.logProb(x);
    const p = d.prob(x);
    const e = tf.exp(lp);
    expectClose(p, e, { rtol: 1e-6 });
    tf.dispose([lp, p, e]);
    d.dispose();
  });

  it('KL is differentiable: d KL(p || q) / d loc_p = Σq⁻¹(μp − μq) for every kind of q', () => {
    const muP = tf.tensor1d([0.3, -0.2]);
    const covQ = [[1.5, 0.4], [0.4, 0.8]];
    const lq = [[Math.sqrt(1.5), 0], [0.4 / Math.sqrt(1.5), Math.sqrt(0.8 - 0.16 / 1.5)]];
    const det = 1.5 * 0.8 - 0.16;
    const inv = [[0.8 / det, -0.4 / det], [-0.4 / det, 1.5 / det]];
    const muQ = [1, 0.5];
    const dm = [0.3 - muQ[0]!, -0.2 - muQ[1]!];
    const want = [inv[0]![0]! * dm[0]! + inv[0]![1]! * dm[1]!, inv[1]![0]! * dm[0]! + inv[1]![1]! * dm[1]!];
    for (const [kind, scale] of [['tril', lq], ['full', covQ]] as Array<[Kind, number[][]]>) {
      const q = make(kind, muQ, scale);
      const g = tf.grad((m: tf.Tensor) => klDivergence(new MultivariateNormalDiag({ loc: m, scaleDiag: [0.7, 1.1] }), q))(muP);
      expectClose(g, want, { rtol: 1e-4, context: kind });
      g.dispose();
      q.dispose();
    }
    const qd = new MultivariateNormalDiag({ loc: muQ, scaleDiag: [1.2, 0.9] });
    const gd = tf.grad((m: tf.Tensor) => klDivergence(new MultivariateNormalTriL({ loc: m, scaleTril: lq }), qd))(muP);
    expectClose(gd, [dm[0]! / 1.44, dm[1]! / 0.81], { rtol: 1e-4, context: 'diag q' });
    tf.dispose([gd, muP]);
    qd.dispose();
  });
});

describe('empty and single sample shapes', () => {
  for (const kernels of [true, false]) {
    it(`sample([0]) and sample(1) (kernels ${kernels ? 'on' : 'off'})`, () => {
      setKernelsEnabled(kernels);
      try {
        const d = new MultivariateNormalTriL({ loc: [[0, 0], [1, 1]], scaleTril: [[1, 0], [0, 1]] });
        const e = new MultivariateNormalDiag({ loc: [[0, 0], [1, 1]] });
        const s = d.sample([0]);
        expect(s.shape).toEqual([0, 2, 2]);
        const lp = d.logProb(s);
        expect(lp.shape).toEqual([0, 2]);
        const s2 = e.sample([0]);
        expect(s2.shape).toEqual([0, 2, 2]);
        const s3 = d.sample(1, { seed: 2 });
        expect(s3.shape).toEqual([1, 2, 2]);
        tf.dispose([s, lp, s2, s3]);
        d.dispose();
        e.dispose();
      } finally {
        setKernelsEnabled(true);
      }
    });
  }
});

describe('gradients with batch rank 3 (rank-5 matrices; tfjs tile gradients stop at rank 4)', () => {
  for (const kernels of [true, false]) {
    it(`KL, logProb and reparameterized sample are differentiable (kernels ${kernels ? 'on' : 'off'})`, () => {
      setKernelsEnabled(kernels);
      try {
        const locP = tf.randomNormal([2, 1, 3, D], 0, 1, 'float32', 1);
        const Lp = scaleTensor('tril', [4, 1], 2);
        const Lq = scaleTensor('tril', [3], 3);
        const q = new MultivariateNormalTriL({ loc: [0, 0, 0], scaleTril: Lq });
        const f = (l: tf.Tensor, s: tf.Tensor) => {
          const p = new MultivariateNormalTriL({ loc: l, scaleTril: s });
          return tf.addN([tf.sum(klDivergence(p, q)), tf.sum(p.logProb(tf.zeros([2, 4, 3, D]))), tf.sum(p.sample([2], { seed: 4 }))]);
        };
        const [gl, gs] = tf.grads(f)([locP, Lp]);
        expect(gl!.shape).toEqual(locP.shape);
        expect(gs!.shape).toEqual(Lp.shape);
        expect(Array.from(gs!.dataSync()).every(Number.isFinite)).toBe(true);
        // Shapes and finiteness only: the values of these gradients are checked against
        // analytic references by the fixture and KL-gradient tests above.
        tf.dispose([locP, Lp, Lq, gl!, gs!]);
        q.dispose();
      } finally {
        setKernelsEnabled(true);
      }
    });
  }
});

describe('a seed gives the same draws on every sampling path', () => {
  for (const [name, scale] of [
    ['one scale per batch member', [[[1, 0], [0.5, 2]], [[0.3, 0], [-1, 1]], [[2, 0], [0, 0.1]]]],
    ['one shared scale', [[1, 0], [0.5, 2]]],
  ] as Array<[string, number[][] | number[][][]]>) {
    it(name, () => {
      const d = new MultivariateNormalTriL({ loc: [[1, 2], [3, 4], [5, 6]], scaleTril: scale });
      const a = d.sample([4], { seed: 21 });
      setKernelsEnabled(false);
      let b: tf.Tensor;
      try {
        b = d.sample([4], { seed: 21 });
      } finally {
        setKernelsEnabled(true);
      }
      expectClose(b, a, { rtol: 1e-5, atol: 1e-6 });
      tf.dispose([a, b]);
      d.dispose();
    });
  }
});
