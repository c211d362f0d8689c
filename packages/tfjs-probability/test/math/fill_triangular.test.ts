import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { fillTriangular, fillTriangularInverse } from '../../src/math/fill_triangular.js';
import { expectClose, expectNoLeak, loadFixture } from '../helpers.js';

type Nested = number | Nested[];
interface FillCase { name: string; x: Nested; upper: boolean; out: Nested }
const { fill } = loadFixture<{ fill: FillCase[] }>('linalg');

describe('fillTriangular: TFP element order', () => {
  it('matches the TFP docstring example (lower and upper)', () => {
    // tfp.math.fill_triangular([1, 2, 3, 4, 5, 6]) and upper=True (TFP linalg.py docstring)
    const lo = fillTriangular([1, 2, 3, 4, 5, 6]);
    expect(lo.arraySync()).toEqual([[4, 0, 0], [6, 5, 0], [3, 2, 1]]);
    const up = fillTriangular([1, 2, 3, 4, 5, 6], true);
    expect(up.arraySync()).toEqual([[1, 2, 3], [0, 5, 6], [0, 0, 4]]);
    expect(fillTriangularInverse(lo).arraySync()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(fillTriangularInverse(up, true).arraySync()).toEqual([1, 2, 3, 4, 5, 6]);
    tf.dispose([lo, up]);
  });

  for (const c of fill) {
    it(`${c.name} against a numpy port of TFP, and round-trips`, () => {
      const x = tf.tensor(c.x as number[]);
      const m = fillTriangular(x, c.upper);
      const want = tf.tensor(c.out as number[]);
      expect(m.shape).toEqual(want.shape);
      expectClose(m, want, { rtol: 0, atol: 0, context: c.name });
      const back = fillTriangularInverse(m, c.upper);
      expect(back.shape).toEqual(x.shape);
      expectClose(back, x, { rtol: 0, atol: 0, context: c.name });
      tf.dispose([x, m, want, back]);
    });
  }

  it('is differentiable in both directions (gradients route each entry to its cell)', () => {
    const x = tf.tensor2d([[1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1]]);
    const w = tf.tensor3d([[[1, 2, 3], [4, 5, 6], [7, 8, 9]], [[9, 8, 7], [6, 5, 4], [3, 2, 1]]]);
    for (const upper of [false, true]) {
      // d/dx sum(fill(x) * w) = w read at each entry's cell = fillTriangularInverse(w)
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(fillTriangular(t, upper), w)))(x);
      const want = fillTriangularInverse(w, upper);
      expectClose(g, want, { rtol: 0, atol: 0 });
      // d/dm sum(inverse(m) * v) = fill(v): zero off the triangle
      const v = tf.tensor2d([[1, 2, 3, 4, 5, 6], [1, 1, 1, 1, 1, 1]]);
      const gm = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(fillTriangularInverse(t, upper), v)))(w);
      const wantM = fillTriangular(v, upper);
      expectClose(gm, wantM, { rtol: 0, atol: 0 });
      tf.dispose([g, want, v, gm, wantM]);
    }
    tf.dispose([x, w]);
  });

  it('rejects a size that is not triangular', () => {
    expect(() => fillTriangular([1, 2, 3, 4])).toThrow(/m = n\(n\+1\)\/2.*got \[4\]/);
    expect(() => fillTriangularInverse(tf.ones([2, 3]))).toThrow(/\[\.\.\., n, n\]; got \[2, 3\]/);
  });

  it('leaks nothing', () => {
    const x = tf.tensor1d([1, 2, 3, 4, 5, 6]);
    expectNoLeak(() => fillTriangular(x), 'fillTriangular');
    expectNoLeak(() => fillTriangular(x, true), 'fillTriangular upper');
    expectNoLeak(() => tf.grad((t: tf.Tensor) => tf.sum(fillTriangular(t)))(x), 'grad fillTriangular');
    const m = tf.ones([2, 3, 3]);
    expectNoLeak(() => fillTriangularInverse(m), 'fillTriangularInverse');
    expectNoLeak(() => tf.grad((t: tf.Tensor) => tf.sum(fillTriangularInverse(t)))(m), 'grad fillTriangularInverse');
    tf.dispose([x, m]);
  });
});
