import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { mvnTrilLogProb, mvnTrilSample } from '../../src/math/mvn_ops.js';
import { setKernelsEnabled } from '../../src/kernels/register.js';
import { expectClose, expectNoLeak, loadFixture } from '../helpers.js';

type Nested = number | Nested[];
interface MvnCase {
  name: string; x: Nested; loc: Nested; scale_tril: Nested; log_prob: Nested;
  grad_x: Nested; grad_loc: Nested; grad_scale_tril: Nested;
}
const { mvn } = loadFixture<{ mvn: MvnCase[] }>('linalg');
const T = (v: Nested) => tf.tensor(v as number[]);
const MODES: Array<[string, boolean]> = [['kernel', true], ['composed', false]];
afterAll(() => setKernelsEnabled(true));

for (const [mode, on] of MODES) {
  describe(`mvnTrilLogProb (${mode}) against scipy.stats.multivariate_normal`, () => {
    for (const c of mvn) {
      it(c.name, () => {
        setKernelsEnabled(on);
        const x = T(c.x), loc = T(c.loc), l = T(c.scale_tril);
        const lp = mvnTrilLogProb(x, loc, l);
        const want = T(c.log_prob);
        expect(lp.shape).toEqual(want.shape);
        expectClose(lp, want, { rtol: 2e-4, atol: 1e-4, context: { mode, case: c.name } });
        const [gx, gloc, gl] = tf.grads((a: tf.Tensor, b: tf.Tensor, s: tf.Tensor) => tf.sum(mvnTrilLogProb(a, b, s)))([x, loc, l]);
        expect(gx!.shape).toEqual(x.shape);
        expect(gloc!.shape).toEqual(loc.shape);
        expect(gl!.shape).toEqual(l.shape);
        // d/dloc = Σ⁻¹(x − loc) (numpy solve), d/dx its negative, d/dL = tril(w zᵀ) − diag(1/L_ii)
        expectClose(gloc!, c.grad_loc as number[], { rtol: 1e-3, atol: 1e-4, context: { mode, case: c.name, what: 'd/dloc' } });
        expectClose(gx!, c.grad_x as number[], { rtol: 1e-3, atol: 1e-4, context: { mode, case: c.name, what: 'd/dx' } });
        expectClose(gl!, c.grad_scale_tril as number[], { rtol: 1e-3, atol: 1e-4, context: { mode, case: c.name, what: 'd/dL' } });
        tf.dispose([x, loc, l, lp, want, gx!, gloc!, gl!]);
      });
    }

    it('weights the gradient by the upstream gradient', () => {
      setKernelsEnabled(on);
      const x = tf.tensor2d([[1, 2], [0.5, -1]]);
      const loc = tf.tensor1d([0.1, 0.2]);
      const l = tf.tensor2d([[1.5, 0], [0.3, 0.8]]);
      const w = tf.tensor1d([2, -3]);
      const g1 = tf.grad((b: tf.Tensor) => tf.sum(tf.mul(mvnTrilLogProb(x, b, l), w)))(loc);
      // Σ_t w_t Σ⁻¹(x_t − loc), computed via two single-row calls
      const r0 = tf.grad((b: tf.Tensor) => tf.sum(mvnTrilLogProb(tf.tensor1d([1, 2]), b, l)))(loc);
      const r1 = tf.grad((b: tf.Tensor) => tf.sum(mvnTrilLogProb(tf.tensor1d([0.5, -1]), b, l)))(loc);
      expectClose(g1, tf.sub(tf.mul(2, r0), tf.mul(3, r1)), { rtol: 1e-4, atol: 1e-6 });
      tf.dispose([x, loc, l, w, g1, r0, r1]);
    });

    it('rejects bad shapes with the parameter name', () => {
      setKernelsEnabled(on);
      expect(() => mvnTrilLogProb(tf.ones([3]), tf.ones([3]), tf.ones([3, 2]))).toThrow(/scaleTril must be \[\.\.\., k, k\]; got \[3, 2\]/);
      expect(() => mvnTrilLogProb(tf.ones([2]), tf.ones([3]), tf.eye(3))).toThrow(/x must be \[\.\.\., 3\]/);
      expect(() => mvnTrilLogProb(tf.ones([2, 3]), tf.ones([4, 3]), tf.eye(3))).toThrow(/do not broadcast/);
    });

    it('leaks nothing', () => {
      setKernelsEnabled(on);
      const x = tf.ones([4, 3]), loc = tf.zeros([3]), l = tf.eye(3);
      expectNoLeak(() => mvnTrilLogProb(x, loc, l), 'mvnTrilLogProb');
      expectNoLeak(() => tf.grads((a: tf.Tensor, b: tf.Tensor, s: tf.Tensor) => tf.sum(mvnTrilLogProb(a, b, s)))([x, loc, l]), 'grads');
      const eps = tf.ones([2, 4, 3]);
      expectNoLeak(() => mvnTrilSample(loc, l, eps), 'mvnTrilSample');
      expectNoLeak(() => tf.grads((b: tf.Tensor, s: tf.Tensor) => tf.sum(mvnTrilSample(b, s, eps)))([loc, l]), 'grads sample');
      tf.dispose([x, loc, l, eps]);
    });
  });

  describe(`mvnTrilSample (${mode})`, () => {
    it('computes loc + L eps with broadcasting, reading only the lower triangle', () => {
      setKernelsEnabled(on);
      const loc = tf.tensor2d([[1, 2], [-1, 0]]); // [N=2, D=2]
      const l = tf.tensor2d([[2, 99], [1, 3]]); // junk above the diagonal
      const eps = tf.tensor3d([[[1, 1], [0, 1]], [[2, 0], [1, -1]]]); // [S=2, N=2, D=2]
      const y = mvnTrilSample(loc, l, eps);
      expect(y.shape).toEqual([2, 2, 2]);
      expectClose(y, [[[3, 6], [-1, 3]], [[5, 4], [1, -2]]] as number[][][], { atol: 1e-6 });
      tf.dispose([loc, l, eps, y]);
    });

    it('has gradients dloc = Σ dy, dL = tril(Σ dy epsᵀ), deps = Lᵀ dy', () => {
      setKernelsEnabled(on);
      const loc = tf.tensor1d([1, 2]);
      const l = tf.tensor2d([[2, 0], [1, 3]]);
      const eps = tf.tensor2d([[1, 2], [3, -1]]); // [S=2, D=2]
      const w = tf.tensor2d([[1, -1], [2, 0.5]]);
      const [gloc, gl, ge] = tf.grads((b: tf.Tensor, s: tf.Tensor, e: tf.Tensor) => tf.sum(tf.mul(mvnTrilSample(b, s, e), w)))([loc, l, eps]);
      expectClose(gloc!, [3, -0.5], { atol: 1e-6 });
      // Σ_s w_s eps_sᵀ = [[1*1+2*3, 1*2+2*-1], [-1*1+0.5*3, -1*2+0.5*-1]] = [[7, 0], [0.5, -2.5]] -> tril
      expectClose(gl!, [[7, 0], [0.5, -2.5]], { atol: 1e-6 });
      // Lᵀ w_s: s0: [2*1+1*-1, 3*-1] = [1, -3]; s1: [2*2+1*0.5, 3*0.5] = [4.5, 1.5]
      expectClose(ge!, [[1, -3], [4.5, 1.5]], { atol: 1e-6 });
      tf.dispose([loc, l, eps, w, gloc!, gl!, ge!]);
    });
  });
}

describe('mvnTrilSample kernel and composed fallback agree', () => {
  it('with one scale per row and sample dims (the counter path) and with eps broadcast over rows (the index-map path)', () => {
    const d = 4;
    const l = tf.add(tf.linalg.bandPart(tf.randomNormal([6, d, d], 0, 0.5, 'float32', 31), -1, 0), tf.eye(d));
    const loc = tf.randomNormal([6, d], 0, 1, 'float32', 32);
    const epsFull = tf.randomNormal([3, 6, d], 0, 1, 'float32', 33);
    const epsBcast = tf.randomNormal([3, 1, d], 0, 1, 'float32', 34);
    const run = (on: boolean) => {
      setKernelsEnabled(on);
      return [mvnTrilSample(loc, l, epsFull), mvnTrilSample(loc, l, epsBcast), mvnTrilSample(tf.zeros([d]), l, epsFull)];
    };
    const k = run(true);
    const c = run(false);
    setKernelsEnabled(true);
    for (let i = 0; i < k.length; i++) {
      expect(k[i]!.shape).toEqual([3, 6, d]);
      expectClose(k[i]!, c[i]!, { rtol: 1e-5, atol: 1e-5, context: { output: i } });
    }
    tf.dispose([l, loc, epsFull, epsBcast, ...k, ...c]);
  });
});

/** The log density and its gradients (x, loc, scale) agree with the kernels on and off. */
function expectKernelMatchesComposed(x: tf.Tensor, loc: tf.Tensor, l: tf.Tensor): void {
  const run = (on: boolean) => {
    setKernelsEnabled(on);
    const lp = mvnTrilLogProb(x, loc, l);
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor, s: tf.Tensor) => tf.sum(tf.mul(mvnTrilLogProb(a, b, s), 0.5)))([x, loc, l]);
    return [lp, ...g];
  };
  const k = run(true);
  const c = run(false);
  setKernelsEnabled(true);
  for (let i = 0; i < k.length; i++) expectClose(k[i]!, c[i]!, { rtol: 1e-3, atol: 1e-4, context: { output: i } });
  tf.dispose([...k, ...c]);
}

describe('mvnTrilLogProb kernel and composed fallback agree', () => {
  it('on a random batch with sample dims and per-row scales', () => {
    const d = 7;
    const raw = tf.randomNormal([5, d, d], 0, 0.3, 'float32', 1);
    const l = tf.add(tf.linalg.bandPart(raw, -1, 0), tf.mul(tf.eye(d), 1.5));
    const loc = tf.randomNormal([5, d], 0, 1, 'float32', 2);
    const x = tf.randomNormal([3, 5, d], 0, 2, 'float32', 3);
    expectKernelMatchesComposed(x, loc, l);
    tf.dispose([raw, l, loc, x]);
  });

  it('with one scale per row (the single-pass kernel), d = 13 and negative diagonal entries', () => {
    const d = 13;
    const raw = tf.randomNormal([9, d, d], 0, 0.3, 'float32', 11);
    const sign = tf.reshape(tf.tensor1d([1, -1, 1, 1, -1, 1, 1, 1, -1]), [9, 1, 1]);
    const l = tf.add(tf.linalg.bandPart(raw, -1, 0), tf.mul(tf.mul(tf.eye(d), 1.3), sign));
    const loc = tf.randomNormal([9, d], 0, 1, 'float32', 12);
    const x = tf.randomNormal([9, d], 0, 2, 'float32', 13);
    expectKernelMatchesComposed(x, loc, l);
    tf.dispose([raw, sign, l, loc, x]);
  });

  it('with one shared scale and many rows (the wasm matMul path), broadcasting x and loc', () => {
    const d = 6;
    const raw = tf.randomNormal([d, d], 0, 0.3, 'float32', 4);
    const l = tf.add(tf.mul(raw, tf.linalg.bandPart(tf.ones([d, d]), -1, 0)), tf.mul(tf.eye(d), -1.2)); // negative diagonal allowed
    const lJunk = tf.add(l, tf.mul(tf.sub(tf.ones([d, d]), tf.linalg.bandPart(tf.ones([d, d]), -1, 0)), 5)); // junk above
    const loc = tf.randomNormal([40, d], 0, 1, 'float32', 5);
    const x = tf.randomNormal([3, 40, d], 0, 2, 'float32', 6);
    const run = (on: boolean, scale: tf.Tensor) => {
      setKernelsEnabled(on);
      const lp = mvnTrilLogProb(x, loc, scale);
      const w = tf.randomUniform(lp.shape, 0.5, 1.5, 'float32', 7);
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor, s: tf.Tensor) => tf.sum(tf.mul(mvnTrilLogProb(a, b, s), w)))([x, loc, scale]);
      w.dispose();
      return [lp, ...g];
    };
    const k = run(true, lJunk);
    const c = run(false, l);
    setKernelsEnabled(true);
    expect(k[0]!.shape).toEqual([3, 40]);
    for (let i = 0; i < k.length; i++) expectClose(k[i]!, c[i]!, { rtol: 1e-3, atol: 2e-4, context: { output: i } });
    tf.dispose([raw, l, lJunk, loc, x, ...k, ...c]);
    const [x0, m0, l0] = [tf.zeros([100, 5]), tf.zeros([5]), tf.eye(5)];
    expectNoLeak(() => mvnTrilLogProb(x0, m0, l0), 'shared path');
    expectNoLeak(() => tf.grads((a: tf.Tensor, s: tf.Tensor) => tf.sum(mvnTrilLogProb(x0, a, s)))([m0, l0]), 'shared path grads');
    tf.dispose([x0, m0, l0]);
  });
});
