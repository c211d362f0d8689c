import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { cholesky, triangularSolve } from '../../src/math/linalg.js';
import { setKernelsEnabled, useKernels } from '../../src/kernels/register.js';
import { broadcastMap } from '../../src/kernels/linalg_js.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { expectClose, expectNoLeak, loadFixture } from '../helpers.js';

type Nested = number | Nested[];
interface CholCase { name: string; a: Nested; l: Nested; g: Nested; grad_a: Nested }
interface SolveCase {
  name: string; matrix: Nested; rhs: Nested; lower: boolean; adjoint: boolean;
  x: Nested; g: Nested; grad_matrix: Nested; grad_rhs: Nested;
}
const fx = loadFixture<{ cholesky: CholCase[]; solve: SolveCase[] }>('linalg');
const T = (v: Nested) => tf.tensor(v as number[]);

// Each suite runs twice: with the plain-loop kernels (cpu/wasm) and with the
// composed tf-op fallback that other backends use.
const MODES: Array<[string, boolean]> = [['kernel', true], ['composed', false]];
afterAll(() => setKernelsEnabled(true));

for (const [mode, on] of MODES) {
  describe(`cholesky (${mode}) against numpy (float64 fixture)`, () => {
    for (const c of fx.cholesky) {
      it(c.name, () => {
        setKernelsEnabled(on);
        const a = T(c.a);
        const l = cholesky(a);
        expect(l.shape).toEqual(a.shape);
        // float32 factorization of a matrix with condition number ~10-100: abs error ~1e-6 * n
        expectClose(l, c.l as number[], { rtol: 2e-4, atol: 2e-5, context: { mode, case: c.name } });
        const g = T(c.g);
        const ga = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(cholesky(x), g)))(a);
        expect(ga.shape).toEqual(a.shape);
        expectClose(ga, c.grad_a as number[], { rtol: 1e-3, atol: 1e-4, context: { mode, case: c.name, what: 'grad' } });
        tf.dispose([a, l, g, ga]);
      });
    }

    it('names the batch index of a matrix that is not positive definite', () => {
      setKernelsEnabled(on);
      const good = [[2, 1], [1, 2]];
      const bad = [[1, 2], [2, 1]]; // eigenvalues 3, -1
      const a = tf.tensor([[good, good, good], [good, bad, good]]); // batch [2, 3]; flat index 4
      const before = tf.memory().numTensors;
      // The composed path (webgl) checks only under validateArgs: the check reads the factor back.
      const v = { validateArgs: true };
      expect(() => cholesky(a, v)).toThrow(InvalidArgumentError);
      expect(() => cholesky(a, v)).toThrow(/not positive definite at batch index 4 \(\[1, 1\] of batch shape \[2, 3\]\)/);
      expect(tf.memory().numTensors).toBe(before);
      expect(() => cholesky(tf.tensor2d([[1, 0], [0, NaN]]), v)).toThrow(/not positive definite/);
      if (on) {
        expect(() => cholesky(a)).toThrow(/not positive definite at batch index 4/); // the kernel checks for free
      } else {
        const l = cholesky(a); // no synchronous read: NaN marks the failed factor, as in TFP
        expect(Array.from(l.dataSync()).some(Number.isNaN)).toBe(true);
        l.dispose();
      }
      expect(() => cholesky(tf.tensor2d([[1, 0, 0]]))).toThrow(/a must be \[\.\.\., n, n\]; got \[1, 3\]/);
      a.dispose();
    });

    it('reads only the lower triangle', () => {
      setKernelsEnabled(on);
      const l1 = cholesky(tf.tensor2d([[4, 100], [2, 3]]));
      expectClose(l1, [2, 0, 1, Math.SQRT2], { atol: 1e-6 });
      l1.dispose();
    });

    it('leaks nothing (value and gradient)', () => {
      setKernelsEnabled(on);
      const a = tf.tensor2d([[4, 2], [2, 3]]);
      expectNoLeak(() => cholesky(a), 'cholesky');
      expectNoLeak(() => tf.grad((x: tf.Tensor) => tf.sum(cholesky(x)))(a), 'grad cholesky');
      a.dispose();
    });
  });

  describe(`triangularSolve (${mode}) against numpy (float64 fixture)`, () => {
    for (const c of fx.solve) {
      it(c.name, () => {
        setKernelsEnabled(on);
        const a = T(c.matrix);
        const b = T(c.rhs);
        const opts = { lower: c.lower, adjoint: c.adjoint };
        const x = triangularSolve(a, b, opts);
        const want = T(c.x);
        expect(x.shape).toEqual(want.shape);
        expectClose(x, c.x as number[], { rtol: 2e-4, atol: 1e-5, context: { mode, case: c.name } });
        const g = T(c.g);
        const [ga, gb] = tf.grads((m: tf.Tensor, r: tf.Tensor) => tf.sum(tf.mul(triangularSolve(m, r, opts), g)))([a, b]);
        expect(ga!.shape).toEqual(a.shape);
        expect(gb!.shape).toEqual(b.shape);
        expectClose(ga!, c.grad_matrix as number[], { rtol: 1e-3, atol: 1e-4, context: { mode, case: c.name, what: 'grad matrix' } });
        expectClose(gb!, c.grad_rhs as number[], { rtol: 1e-3, atol: 1e-4, context: { mode, case: c.name, what: 'grad rhs' } });
        tf.dispose([a, b, x, want, g, ga!, gb!]);
      });
    }

    it('rejects mismatched shapes with a clear message', () => {
      setKernelsEnabled(on);
      expect(() => triangularSolve(tf.eye(3), tf.ones([2, 1]))).toThrow(/rhs must be \[\.\.\., 3, m\]/);
      expect(() => triangularSolve(tf.ones([2, 3, 3]), tf.ones([4, 3, 1]))).toThrow(/do not broadcast/);
    });

    it('leaks nothing (value and gradients)', () => {
      setKernelsEnabled(on);
      const a = tf.tensor3d([[[2, 0], [1, 1]], [[1, 0], [3, 2]]]);
      const b = tf.tensor2d([[1, 2], [3, 4]]);
      expectNoLeak(() => triangularSolve(a, b), 'triangularSolve');
      expectNoLeak(() => triangularSolve(a, b, { lower: false, adjoint: true }), 'triangularSolve upper adjoint');
      expectNoLeak(() => tf.grads((m: tf.Tensor, r: tf.Tensor) => tf.sum(triangularSolve(m, r)))([a, b]), 'grads');
      tf.dispose([a, b]);
    });
  });
}

describe('kernel and composed fallback agree', () => {
  it('selects the kernel on cpu and wasm', () => {
    setKernelsEnabled(true);
    expect(useKernels()).toBe(['cpu', 'wasm'].includes(tf.getBackend()));
  });

  it('cholesky, triangularSolve and their gradients on random batches', () => {
    const n = 6;
    const m0 = tf.randomNormal([3, 2, n, n], 0, 1, 'float32', 7);
    const a = tf.add(tf.matMul(tf.reshape(m0, [-1, n, n]), tf.reshape(m0, [-1, n, n]), false, true), tf.mul(0.5, tf.eye(n)));
    const rhs = tf.randomNormal([2, n, 4], 0, 1, 'float32', 8);
    const gOut = tf.randomNormal([6, n, n], 0, 1, 'float32', 9);
    const run = (on: boolean) => {
      setKernelsEnabled(on);
      const l = cholesky(a);
      const x = triangularSolve(tf.reshape(l, [3, 2, n, n]), rhs, { lower: true, adjoint: true });
      const ga = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(cholesky(t), gOut)))(a);
      const [gl, gr] = tf.grads((t: tf.Tensor, r: tf.Tensor) => tf.sum(tf.square(triangularSolve(t, r, { lower: false }))))([
        tf.reshape(l, [3, 2, n, n]).transpose([0, 1, 3, 2]),
        rhs,
      ]);
      return [l, x, ga, gl!, gr!];
    };
    const k = run(true);
    const c = run(false);
    setKernelsEnabled(true);
    for (let i = 0; i < k.length; i++) expectClose(k[i]!, c[i]!, { rtol: 1e-3, atol: 1e-4, context: { output: i } });
    tf.dispose([m0, a, rhs, gOut, ...k, ...c]);
  });

  it('finite differences agree with the cholesky gradient (smoke check)', () => {
    // f(A) = sum(cholesky(A) * G); perturb a symmetric pair (i, j), (j, i) by h.
    const a = [[4, 1, 0.5], [1, 3, 0.2], [0.5, 0.2, 2]];
    const g = tf.tensor2d([[1, 0, 0], [0.3, -2, 0], [0.7, 0.1, 1.5]]);
    const f = (m: number[][]) => tf.tidy(() => tf.sum(tf.mul(cholesky(tf.tensor2d(m)), g)).dataSync()[0]!);
    const grad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(cholesky(t), g)))(tf.tensor2d(a)).arraySync() as number[][];
    const h = 1e-2;
    for (const [i, j] of [[0, 0], [2, 1], [1, 0]] as Array<[number, number]>) {
      const plus = a.map((r) => [...r]);
      const minus = a.map((r) => [...r]);
      plus[i]![j]! += h; minus[i]![j]! -= h;
      if (i !== j) { plus[j]![i]! += h; minus[j]![i]! -= h; }
      const fd = (f(plus) - f(minus)) / (2 * h);
      const an = i === j ? grad[i]![j]! : grad[i]![j]! + grad[j]![i]!;
      expect(Math.abs(fd - an), `entry (${i}, ${j}): fd ${fd} analytic ${an}`).toBeLessThan(2e-3 * Math.max(1, Math.abs(an)));
    }
    g.dispose();
  });
});

describe('kernel broadcasting index maps', () => {
  // For each output batch element, the operand element it reads (numpy broadcasting).
  const reference = (o: number[], i: number[]): number[] => {
    const size = o.reduce((a, b) => a * b, 1);
    const out: number[] = [];
    for (let f = 0; f < size; f++) {
      let rem = f;
      const idx: number[] = [];
      for (let k = o.length - 1; k >= 0; k--) { idx.unshift(rem % o[k]!); rem = Math.floor(rem / o[k]!); }
      let off = 0, st = 1;
      for (let k = i.length - 1; k >= 0; k--) { off += (i[k] === 1 ? 0 : idx[o.length - i.length + k]!) * st; st *= i[k]!; }
      out.push(off);
    }
    return out;
  };
  const cases: Array<[number[], number[]]> = [
    [[3, 4], [4]], [[3, 4], [1, 4]], [[3, 4], [3, 1]], [[2, 3, 4], [1, 1, 4]], [[2, 3, 4], [3, 1]],
    [[2, 3, 4], []], [[2, 3, 4], [1, 3, 4]], [[2, 3, 4], [2, 1, 4]], [[2, 3, 4], [2, 3, 4]],
  ];
  for (const [o, i] of cases) {
    it(`${JSON.stringify(i)} into ${JSON.stringify(o)}`, () => {
      expect(Array.from(broadcastMap(o, i))).toEqual(reference(o, i));
    });
  }
});
