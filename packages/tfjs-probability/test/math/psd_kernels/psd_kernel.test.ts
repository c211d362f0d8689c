// psdKernels: closed forms (float64 in JS), shapes and batches, gradients in every hyperparameter,
// property tests (symmetry, positive semi-definiteness, stationarity) with fast-check at a fixed seed,
// no leaks. Values against scikit-learn's kernels are in test/distributions/gaussian_process_sklearn.test.ts.
import * as tf from '@tensorflow/tfjs';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as psd from '../../../src/math/psd_kernels/index.js';
import { cholesky } from '../../../src/math/linalg.js';
import { InvalidArgumentError } from '../../../src/errors.js';
import { expectClose, expectNoLeak } from '../../helpers.js';

type K = psd.PositiveSemidefiniteKernel;
const dist = (x: number[], y: number[]) => Math.sqrt(x.reduce((s, xi, i) => s + (xi - y[i]!) ** 2, 0));

// name, constructor from hyperparameters, float64 closed form.
interface Case { name: string; make: (p: number[]) => K; ref: (p: number[], x: number[], y: number[]) => number; params: number[]; stationary: boolean }
const CASES: Case[] = [
  { name: 'ExponentiatedQuadratic', params: [1.3, 0.7], stationary: true,
    make: ([a, l]) => new psd.ExponentiatedQuadratic({ amplitude: a, lengthScale: l }),
    ref: ([a, l], x, y) => a! ** 2 * Math.exp(-(dist(x, y) ** 2) / (2 * l! ** 2)) },
  { name: 'MaternOneHalf', params: [0.8, 1.5], stationary: true,
    make: ([a, l]) => new psd.MaternOneHalf({ amplitude: a, lengthScale: l }),
    ref: ([a, l], x, y) => a! ** 2 * Math.exp(-dist(x, y) / l!) },
  { name: 'MaternThreeHalves', params: [1.1, 0.6], stationary: true,
    make: ([a, l]) => new psd.MaternThreeHalves({ amplitude: a, lengthScale: l }),
    ref: ([a, l], x, y) => { const s = Math.sqrt(3) * dist(x, y) / l!; return a! ** 2 * (1 + s) * Math.exp(-s); } },
  { name: 'MaternFiveHalves', params: [0.9, 0.9], stationary: true,
    make: ([a, l]) => new psd.MaternFiveHalves({ amplitude: a, lengthScale: l }),
    ref: ([a, l], x, y) => { const r = dist(x, y) / l!, s = Math.sqrt(5) * r; return a! ** 2 * (1 + s + (5 / 3) * r * r) * Math.exp(-s); } },
  { name: 'RationalQuadratic', params: [1.2, 0.8, 1.7], stationary: true,
    make: ([a, l, al]) => new psd.RationalQuadratic({ amplitude: a, lengthScale: l, scaleMixtureRate: al }),
    ref: ([a, l, al], x, y) => a! ** 2 * (1 + dist(x, y) ** 2 / (2 * al! * l! ** 2)) ** -al! },
  { name: 'ExpSinSquared', params: [1.0, 0.9, 1.3], stationary: true,
    make: ([a, l, p]) => new psd.ExpSinSquared({ amplitude: a, lengthScale: l, period: p }),
    ref: ([a, l, p], x, y) => a! ** 2 * Math.exp((-2 / l! ** 2) * x.reduce((s, xi, i) => s + Math.sin(Math.PI * Math.abs(xi - y[i]!) / p!) ** 2, 0)) },
  { name: 'Linear', params: [0.5, 1.4, 0.3], stationary: false,
    make: ([b, s, c]) => new psd.Linear({ biasAmplitude: b, slopeAmplitude: s, shift: c }),
    ref: ([b, s, c], x, y) => b! ** 2 + s! ** 2 * x.reduce((t, xi, i) => t + (xi - c!) * (y[i]! - c!), 0) },
  { name: 'Polynomial', params: [0.5, 0.9, -3, 2], stationary: false,
    make: ([b, s, c, d]) => new psd.Polynomial({ biasAmplitude: b, slopeAmplitude: s, shift: c, exponent: d }),
    ref: ([b, s, c, d], x, y) => b! ** 2 + s! ** 2 * x.reduce((t, xi, i) => t + (xi - c!) * (y[i]! - c!), 0) ** d! },
];

const X1 = [[0.1, -0.4], [1.2, 0.3], [-0.7, 0.9]];
const X2 = [[0.1, -0.4], [0.5, 0.5], [2.0, -1.0], [-0.3, 0.2]];

describe('psdKernels: values against the closed forms', () => {
  for (const c of CASES) {
    it(`${c.name}: matrix and apply`, () => {
      const k = c.make(c.params);
      const m = k.matrix(X1, X2);
      expect(m.shape).toEqual([3, 4]);
      expectClose(m, X1.map((x) => X2.map((y) => c.ref(c.params, x, y))), { rtol: 2e-5, atol: 1e-6, context: c.name });
      const a = k.apply(X1, X2.slice(0, 3));
      expect(a.shape).toEqual([3]);
      expectClose(a, X1.map((x, i) => c.ref(c.params, x, X2[i]!)), { rtol: 2e-5, atol: 1e-6 });
      expectNoLeak(() => k.matrix(X1, X2), `${c.name}.matrix`);
      expectNoLeak(() => k.apply(X1, X1), `${c.name}.apply`);
      tf.dispose([m, a]);
      k.dispose();
    });
  }

  it('defaults: amplitude and length scale 1', () => {
    const k = new psd.ExponentiatedQuadratic();
    expectClose(k.apply([0], [1]), Math.exp(-0.5), { rtol: 1e-6 });
    const lin = new psd.Linear();
    expectClose(lin.apply([2, 3], [1, 1]), 5, { rtol: 1e-6 });
  });

  it('FeatureScaled divides each feature by its length scale (ARD)', () => {
    const base = new psd.MaternFiveHalves({ amplitude: 1.5 });
    const k = new psd.FeatureScaled({ kernel: base, scaleDiag: [0.5, 2] });
    const scaled = (x: number[][]) => x.map(([u, v]) => [u! / 0.5, v! / 2]);
    const want = base.matrix(scaled(X1), scaled(X2));
    expectClose(k.matrix(X1, X2), want, { rtol: 1e-5 });
    expectClose(k.apply(X1[0]!, X2[2]!), c52(1.5, scaled([X1[0]!])[0]!, scaled([X2[2]!])[0]!), { rtol: 1e-5 });
    expectNoLeak(() => k.matrix(X1, X2));
    expect(() => new psd.FeatureScaled({ kernel: base, scaleDiag: 2 })).toThrow(/FeatureScaled: scaleDiag must be \[\.\.\., F\]/);
  });

  it('sums and products combine the kernels elementwise', () => {
    const k1 = new psd.ExponentiatedQuadratic({ amplitude: 1.3, lengthScale: 0.7 });
    const k2 = new psd.Linear({ slopeAmplitude: 0.5 });
    const m1 = k1.matrix(X1, X2), m2 = k2.matrix(X1, X2);
    expectClose(k1.add(k2).matrix(X1, X2), tf.add(m1, m2), { rtol: 1e-6 });
    expectClose(k1.multiply(k2).matrix(X1, X2), tf.mul(m1, m2), { rtol: 1e-6 });
    expectClose(k1.add(k2).apply(X1, X1), tf.add(k1.apply(X1, X1), k2.apply(X1, X1)), { rtol: 1e-6 });
    expectNoLeak(() => k1.add(k2).multiply(k1).matrix(X1, X2));
  });
});

function c52(a: number, x: number[], y: number[]): number {
  const r = dist(x, y), s = Math.sqrt(5) * r;
  return a * a * (1 + s + (5 / 3) * r * r) * Math.exp(-s);
}

describe('psdKernels: shapes and batches', () => {
  it('a batch of hyperparameters gives a batch of matrices; leading dims of x broadcast', () => {
    const k = new psd.ExponentiatedQuadratic({ amplitude: [1, 2, 3], lengthScale: 0.5 });
    expect(k.batchShape).toEqual([3]);
    const m = k.matrix(X1, X2);
    expect(m.shape).toEqual([3, 3, 4]);
    const single = new psd.ExponentiatedQuadratic({ amplitude: 2, lengthScale: 0.5 }).matrix(X1, X2);
    expectClose(tf.slice(m, [1, 0, 0], [1, 3, 4]), single, { rtol: 1e-6 });
    const xb = tf.stack([tf.tensor(X1), tf.tensor(X1)]); // [2, 3, 2]
    expect(k.matrix(tf.expandDims(xb, 1), X2).shape).toEqual([2, 3, 3, 4]);
    expect(k.apply(tf.ones([5, 3, 2]), [0, 0]).shape).toEqual([5, 3]);
  });

  it('errors name the kernel, the argument and the shapes', () => {
    const k = new psd.MaternOneHalf({ lengthScale: [1, 2] });
    expect(() => k.matrix([[1, 2]], [[1, 2, 3]])).toThrow(/MaternOneHalf\.matrix: x1 and x2 must have the same number of features; got x1 \[1, ?2\] and x2 \[1, ?3\]/);
    expect(() => k.matrix([1, 2], [[1, 2]])).toThrow(/x1 must be \[\.\.\., N, F\]/);
    expect(() => k.matrix(tf.ones([3, 4, 1]), [[1]])).toThrow(/do not broadcast/);
    expect(() => new psd.ExponentiatedQuadratic({ amplitude: -1 })).toThrow(InvalidArgumentError);
    expect(() => new psd.ExponentiatedQuadratic({ amplitude: -1 })).toThrow(/ExponentiatedQuadratic: parameter amplitude/);
    const before = tf.memory().numTensors;
    expect(() => new psd.RationalQuadratic({ amplitude: 1, lengthScale: [1, 2], scaleMixtureRate: [1, 2, 3] })).toThrow(/RationalQuadratic/);
    expect(tf.memory().numTensors).toBe(before);
    k.dispose();
    expect(() => k.matrix([[1]], [[1]])).toThrow(/disposed/);
  });
});

describe('psdKernels: gradients in every hyperparameter', () => {
  for (const c of CASES) {
    it(`${c.name}: d sum(K)/dθ matches central differences (float64 closed form)`, () => {
      const grads = tf.grads((...ps: tf.Tensor[]) => tf.sum(c.make(ps as unknown as number[]).matrix(X1, X2)))(c.params.map((p) => tf.scalar(p)));
      const total = (p: number[]) => X1.reduce((s, x) => s + X2.reduce((t, y) => t + c.ref(p, x, y), 0), 0);
      c.params.forEach((p, i) => {
        const h = 1e-6 * Math.max(1, Math.abs(p));
        const up = [...c.params], dn = [...c.params];
        up[i] = p + h;
        dn[i] = p - h;
        expectClose(grads[i]!, (total(up) - total(dn)) / (2 * h), { rtol: 2e-3, atol: 1e-4, context: { kernel: c.name, param: i } });
      });
      tf.dispose(grads);
    });
  }

  it('the gradient with respect to the inputs is finite at coincident points (Matérn)', () => {
    const x = tf.tensor2d([[0.3, 0.3], [1, 0]]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(new psd.MaternOneHalf().matrix(v, v)))(x);
    expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
  });
});

describe('psdKernels: properties (fast-check, fixed seed)', () => {
  const RUNS = { numRuns: 25, seed: 20261207 };
  const points = fc.array(fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 2, maxLength: 2 }), { minLength: 2, maxLength: 7 });
  const hyper = fc.array(fc.double({ min: 0.3, max: 2.5, noNaN: true }), { minLength: 4, maxLength: 4 });
  for (const c of CASES) {
    it(`${c.name}: K(x, x) is symmetric and positive semi-definite; stationary kernels are shift-invariant`, () => {
      fc.assert(
        fc.property(hyper, points, fc.double({ min: -5, max: 5, noNaN: true }), (hp, xs, shift) => {
          const p = c.params.map((v, i) => (c.name === 'Polynomial' && i === 3 ? v : hp[i]!));
          const k = c.make(p);
          const out = tf.tidy(() => {
            const K = k.matrix(xs, xs);
            const sym = tf.max(tf.abs(tf.sub(K, tf.transpose(K)))).dataSync()[0]!;
            // PSD: the Cholesky factor of K + εI exists (ε relative to the largest entry, float32).
            const scale = tf.max(tf.abs(K)).dataSync()[0]!;
            const L = cholesky(tf.add(K, tf.mul(tf.eye(xs.length), 1e-4 * scale + 1e-6)));
            const finite = Array.from(L.dataSync()).every(Number.isFinite);
            let shiftErr = 0;
            if (c.stationary) {
              const Ks = k.matrix(xs.map((x) => x.map((v) => v + shift)), xs.map((x) => x.map((v) => v + shift)));
              shiftErr = tf.max(tf.abs(tf.sub(K, Ks))).dataSync()[0]! / (scale + 1e-12);
            }
            return { sym, finite, shiftErr, scale };
          });
          k.dispose();
          return out.sym <= 1e-6 * (out.scale + 1) && out.finite && out.shiftErr < 1e-4;
        }),
        RUNS,
      );
    });
  }
});
