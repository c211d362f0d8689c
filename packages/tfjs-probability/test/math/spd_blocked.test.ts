import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { cholesky } from '../../src/math/linalg.js';
import { expectClose, expectNoLeak } from '../helpers.js';
import { NB, choleskyBlocked, inverseFromCholesky, setSpdSimd } from '../../src/math/spd_blocked.js';
import { choleskyJs } from '../../src/kernels/linalg_js.js';

/** A squared-exponential Gram matrix + noise·I at n sorted points (condition number ~1e3-1e4). */
function gram(n: number, noise = 0.1): Float32Array {
  const x = Array.from({ length: n }, (_, i) => -5 + (10 * i) / n + 0.3 * Math.sin(7 * i));
  const a = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = Math.exp(-0.5 * (x[i]! - x[j]!) ** 2) + (i === j ? noise : 0);
  return a;
}

afterAll(() => setSpdSimd(true));

// n spans one block, a multiple of the block and a ragged last block.
for (const simd of [true, false]) {
  describe(`blocked Cholesky and inverse (${simd ? 'wasm SIMD product' : 'JS product'})`, () => {
    for (const n of [NB - 7, 2 * NB, 2 * NB + 45]) {
      it(`n = ${n}: L matches the float64 unblocked factor, K⁻¹K = I`, () => {
        setSpdSimd(simd);
        const a = gram(n);
        const l = new Float32Array(n * n);
        expect(choleskyBlocked(a, l, n)).toBe(-1);
        const ref = new Float32Array(n * n);
        expect(choleskyJs(a, ref, 1, n)).toBe(-1);
        let worst = 0;
        for (let i = 0; i < n * n; i++) worst = Math.max(worst, Math.abs(l[i]! - ref[i]!));
        expect(worst).toBeLessThan(2e-5);
        for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) expect(l[i * n + j]).toBe(0);
        const w = new Float32Array(n * n);
        inverseFromCholesky(l, w, n);
        let off = 0, sym = 0;
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) {
            let s = 0;
            for (let k = 0; k < n; k++) s += w[i * n + k]! * a[k * n + j]!;
            off = Math.max(off, Math.abs(s - (i === j ? 1 : 0)));
            sym = Math.max(sym, Math.abs(w[i * n + j]! - w[j * n + i]!));
          }
        }
        expect(off).toBeLessThan(1e-3);
        expect(sym).toBe(0);
      });
    }

    it('reports the block where a matrix is not positive definite', () => {
      setSpdSimd(simd);
      const n = 2 * NB + 10;
      const a = gram(n);
      a[(NB + 3) * n + NB + 3] = -1; // a negative diagonal entry in the second block
      expect(choleskyBlocked(a, new Float32Array(n * n), n)).toBe(NB);
    });
  });
}

describe('tfp.math.cholesky from 256 on (cpu/wasm: the blocked factorization)', () => {
  it('matches the float64 unblocked factor, batched; names the batch index of a matrix that is not positive definite; no leaks', () => {
    const n = 300;
    const a = gram(n);
    const b = gram(n, 0.5);
    const t = tf.tensor3d([...a, ...b], [2, n, n]);
    const l = cholesky(t);
    expect(l.shape).toEqual([2, n, n]);
    const ref = new Float32Array(2 * n * n);
    choleskyJs(Float32Array.from([...a, ...b]), ref, 2, n);
    expectClose(l, ref, { rtol: 0, atol: 2e-5 });
    const g = tf.grad((x: tf.Tensor) => tf.sum(cholesky(x)))(t);
    expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
    expectNoLeak(() => cholesky(t), 'cholesky n = 300');
    const bad = tf.tidy(() => tf.sub(t, tf.mul(tf.tensor1d([0, 5]).reshape([2, 1, 1]), tf.eye(n))));
    const before = tf.memory().numTensors;
    expect(() => cholesky(bad)).toThrow(/cholesky: matrix is not positive definite at batch index 1/);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([t, l, g, bad]);
  });
});
