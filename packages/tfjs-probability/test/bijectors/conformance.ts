/**
 * The bijector conformance suite: every bijector runs these generic checks from a
 * small description of it (a `BijectorCase`); its own test file holds only what
 * is specific to it (closed forms against scipy, parameter errors, special shapes).
 *
 * Checks, at seeded random points of the domain:
 * 1. forwardLogDetJacobian against the autodiff Jacobian: one `tf.grad` per output
 *    coordinate gives J (one row per call, summing over the independent batch
 *    elements), and `log |det J|` (or the volume factor `½ log det(JᵀJ)` when the
 *    map changes the dimension, as FillTriangular and SoftmaxCentered do) is
 *    computed in float64 in JS by an LU / Cholesky decomposition;
 * 2. inverseLogDetJacobian against the autodiff Jacobian of the inverse (square maps);
 * 3. inverse(forward(x)) = x and forward(inverse(y)) = y, computed (arrays in, so
 *    the cache is not involved);
 * 4. ildj(y) = -fldj(inverse(y));
 * 5. eventNdims: the log-det-Jacobian at `min + 1` is the sum over the next axis
 *    of the one at `min`;
 * 6. shapes of forward / inverse / both log-det-Jacobians and the event-shape functions;
 * 7. gradients of the log-det-Jacobian with respect to x exist and are finite;
 * 8. no leaks in any public method, nor when one throws.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { Bijector } from '../../src/bijectors/bijector.js';
import { Xoshiro128, nextNormal } from '../../src/math/random.js';
import { expectClose, expectNoLeak } from '../helpers.js';

export interface BijectorCase {
  /** Test name, e.g. 'Softplus(hingeSoftness=0.5)'. */
  name: string;
  make: () => Bijector;
  /** Shape of x: `[...batch, ...event]` with the event at the bijector's forward min event rank and full batch. */
  xShape: number[];
  /** Maps standard normal draws (a tensor of xShape) into the domain of the bijector. Default: identity (ℝ). */
  domain?: (z: tf.Tensor) => tf.Tensor;
  /** Relative / absolute tolerance of the autodiff Jacobian comparison (float32 gradients). */
  rtol?: number;
  atol?: number;
  /** Tolerance of inverse(forward(x)) = x. */
  roundTripAtol?: number;
  /** An x shape whose event does not fit (forward and fldj must throw naming the class). */
  badXShape?: number[];
  /** Skip the autodiff check of forward (a map from a manifold whose formula extends off it differently). */
  skipForwardJacobian?: boolean;
  /** Skip the autodiff check of the inverse (e.g. maps into a manifold, where the inverse extends off it). */
  skipInverseJacobian?: boolean;
}

/** Standard normal draws of `shape` from a fixed seed (a test-local stream). */
export function normalDraws(shape: number[], seed: number): tf.Tensor {
  const rng = new Xoshiro128(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = nextNormal(rng);
  return tf.tensor(v, shape, 'float32');
}

/** log |det A| of a square matrix (row-major rows), in float64, by LU with partial pivoting. */
export function logAbsDet(a: number[][]): number {
  const n = a.length;
  const m = a.map((r) => [...r]);
  let s = 0;
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(m[i]![k]!) > Math.abs(m[p]![k]!)) p = i;
    [m[k], m[p]] = [m[p]!, m[k]!];
    const piv = m[k]![k]!;
    if (piv === 0) return -Infinity;
    s += Math.log(Math.abs(piv));
    for (let i = k + 1; i < n; i++) {
      const f = m[i]![k]! / piv;
      for (let j = k; j < n; j++) m[i]![j]! -= f * m[k]![j]!;
    }
  }
  return s;
}

/**
 * `log |det J|` for square J, else the volume factor `½ log det(JᵀJ)` (J is
 * [out, in], out > in: a map onto a manifold) or `½ log det(JJᵀ)` (out < in:
 * a map from a linear subspace, such as the triangular matrices).
 */
export function logVolume(j: number[][]): number {
  const out = j.length;
  const inn = j[0]!.length;
  if (out === inn) return logAbsDet(j);
  if (out < inn) return logVolume(j[0]!.map((_, c) => j.map((r) => r[c]!)));
  const g: number[][] = [];
  for (let a = 0; a < inn; a++) {
    g.push([]);
    for (let b = 0; b < inn; b++) {
      let s = 0;
      for (let r = 0; r < out; r++) s += j[r]![a]! * j[r]![b]!;
      g[a]!.push(s);
    }
  }
  return 0.5 * logAbsDet(g);
}

/**
 * Jacobians of `f` (a map of [nb, ...event] tensors, batch elements independent)
 * at `x`: one float64 matrix [outSize, inSize] per batch element.
 */
export function batchJacobians(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, batchRank: number): number[][][] {
  const nb = x.shape.slice(0, batchRank).reduce((a, b) => a * b, 1);
  const inSize = x.size / nb;
  const y0 = f(x);
  const outSize = y0.size / nb;
  y0.dispose();
  const jac: number[][][] = Array.from({ length: nb }, () => []);
  for (let k = 0; k < outSize; k++) {
    const g = tf.grad((v: tf.Tensor) => {
      const y = tf.reshape(f(v), [nb, outSize]);
      return tf.sum(tf.slice(y, [0, k], [nb, 1]));
    })(x);
    const gv = g.dataSync();
    g.dispose();
    for (let b = 0; b < nb; b++) jac[b]!.push(Array.from(gv.slice(b * inSize, (b + 1) * inSize)));
  }
  return jac;
}

/** Runs the generic checks for each case in a `describe` block. */
export function bijectorConformance(suite: string, cases: BijectorCase[]): void {
  describe(`${suite}: bijector conformance`, () => {
    for (const c of cases) {
      describe(c.name, () => {
        const point = (seed: number): tf.Tensor =>
          tf.tidy(() => {
            const z = normalDraws(c.xShape, seed);
            return c.domain ? c.domain(z) : z;
          });

        it.skipIf(c.skipForwardJacobian)('forwardLogDetJacobian matches log|det| of the autodiff Jacobian (float64)', () => {
          const b = c.make();
          const n = b.forwardMinEventNdims;
          const x = point(1);
          const batchRank = x.rank - n;
          const jac = batchJacobians((v) => b.forward(v), x, batchRank);
          const fldj = b.forwardLogDetJacobian(x, n);
          expect(fldj.shape, 'fldj shape').toEqual(x.shape.slice(0, batchRank));
          expectClose(fldj, jac.map(logVolume), { rtol: c.rtol ?? 2e-3, atol: c.atol ?? 2e-4, context: `${c.name} fldj` });
          tf.dispose([x, fldj]);
          b.dispose();
        });

        if (!c.skipInverseJacobian) {
          it('inverseLogDetJacobian matches log|det| of the autodiff Jacobian of the inverse', () => {
            const b = c.make();
            const x = point(2);
            const y = b.forward(x.arraySync() as number[]);
            const m = b.inverseMinEventNdims;
            const batchRank = y.rank - m;
            const jac = batchJacobians((v) => b.inverse(v), y, batchRank);
            if (jac[0]!.length !== jac[0]![0]!.length) {
              // A map onto a manifold (SoftmaxCentered): its inverse is not square; checked through fldj.
              tf.dispose([x, y]);
              b.dispose();
              return;
            }
            const ildj = b.inverseLogDetJacobian(y, m);
            expect(ildj.shape, 'ildj shape').toEqual(y.shape.slice(0, batchRank));
            expectClose(ildj, jac.map(logVolume), { rtol: c.rtol ?? 2e-3, atol: c.atol ?? 2e-4, context: `${c.name} ildj` });
            tf.dispose([x, y, ildj]);
            b.dispose();
          });
        }

        it('inverse(forward(x)) = x, ildj(y) = -fldj(inverse(y)), eventNdims sums', () => {
          const b = c.make();
          const n = b.forwardMinEventNdims;
          const x = point(3);
          const xs = x.arraySync() as number[];
          const y = b.forward(xs);
          const back = b.inverse(y.arraySync() as number[]);
          expectClose(back, x, { rtol: 1e-3, atol: c.roundTripAtol ?? 1e-4, context: `${c.name} inverse(forward(x))` });
          const again = b.forward(back.arraySync() as number[]);
          expectClose(again, y, { rtol: 1e-3, atol: c.roundTripAtol ?? 1e-4, context: `${c.name} forward(inverse(y))` });
          const fldj = b.forwardLogDetJacobian(xs, n);
          const ildj = b.inverseLogDetJacobian(y.arraySync() as number[], b.inverseMinEventNdims);
          expectClose(ildj, tf.neg(fldj), { rtol: 1e-3, atol: 1e-4, context: `${c.name} ildj = -fldj` });
          const [xBoth, lBoth] = b.inverseAndLogDetJacobian(y.arraySync() as number[], b.inverseMinEventNdims);
          expectClose(xBoth, back, { rtol: 1e-5, atol: 1e-6, context: `${c.name} inverseAndLogDetJacobian x` });
          expectClose(lBoth, ildj, { rtol: 1e-5, atol: 1e-6, context: `${c.name} inverseAndLogDetJacobian ldj` });
          tf.dispose([xBoth, lBoth]);
          if (x.rank > n) {
            const f1 = b.forwardLogDetJacobian(xs, n + 1);
            const i1 = b.inverseLogDetJacobian(y.arraySync() as number[], b.inverseMinEventNdims + 1);
            expect(f1.shape).toEqual(x.shape.slice(0, x.rank - n - 1));
            expectClose(f1, tf.sum(fldj, -1), { rtol: 1e-4, atol: 1e-4, context: `${c.name} fldj(n+1)` });
            expectClose(i1, tf.neg(f1), { rtol: 1e-3, atol: 1e-4, context: `${c.name} ildj(n+1)` });
            tf.dispose([f1, i1]);
          }
          tf.dispose([x, y, back, again, fldj, ildj]);
          b.dispose();
        });

        it('shapes of forward, inverse and the event-shape functions agree', () => {
          const b = c.make();
          const n = b.forwardMinEventNdims;
          const x = point(4);
          const y = b.forward(x);
          const ev = x.shape.slice(x.rank - n);
          const evOut = b.forwardEventShape(ev);
          expect(y.shape).toEqual([...x.shape.slice(0, x.rank - n), ...evOut]);
          expect(b.inverseEventShape(evOut)).toEqual(ev);
          expect(b.forwardEventNdims(n)).toBe(b.inverseMinEventNdims);
          expect(b.inverseEventNdims(b.inverseMinEventNdims)).toBe(n);
          // An extra leading sample dim broadcasts through.
          const x2 = tf.stack([x, x]);
          const y2 = b.forward(x2);
          expect(y2.shape).toEqual([2, ...y.shape]);
          const l2 = b.forwardLogDetJacobian(x2, n);
          expect(l2.shape).toEqual([2, ...x.shape.slice(0, x.rank - n)]);
          tf.dispose([x, y, x2, y2, l2]);
          b.dispose();
        });

        it('the log-det-Jacobian and forward are differentiable in x (finite gradients)', () => {
          const b = c.make();
          const n = b.forwardMinEventNdims;
          const x = point(5);
          const g = tf.grad((v: tf.Tensor) => tf.add(tf.sum(b.forwardLogDetJacobian(v, n)), tf.sum(b.forward(v))))(x);
          expect(g.shape).toEqual(x.shape);
          expect(Array.from(g.dataSync()).every(Number.isFinite), `${c.name}: gradient not finite: ${g.toString()}`).toBe(true);
          tf.dispose([x, g]);
          b.dispose();
        });

        it('no leaks in any public method, nor when one throws', () => {
          const b = c.make();
          const n = b.forwardMinEventNdims;
          const x = point(6);
          const y = b.forward(x.arraySync() as number[]);
          expectNoLeak(() => b.forward(x), 'forward');
          expectNoLeak(() => b.inverse(y), 'inverse');
          expectNoLeak(() => b.forwardLogDetJacobian(x, n), 'forwardLogDetJacobian');
          expectNoLeak(() => b.inverseLogDetJacobian(y, b.inverseMinEventNdims), 'inverseLogDetJacobian');
          expectNoLeak(() => b.inverseAndLogDetJacobian(y, b.inverseMinEventNdims), 'inverseAndLogDetJacobian');
          expectNoLeak(() => {
            const y1 = b.forward(x);
            return [y1, b.inverse(y1), b.forward(x)];
          }, 'forward then cached inverse and forward');
          expectNoLeak(() => {
            expect(() => b.forwardLogDetJacobian(x, n - 1)).toThrow(new RegExp(`${b.className}.*eventNdims`));
          }, 'error path (eventNdims too small)');
          if (c.badXShape) {
            const bad = tf.zeros(c.badXShape);
            expectNoLeak(() => {
              expect(() => b.forward(bad)).toThrow(new RegExp(b.className));
              expect(() => b.forwardLogDetJacobian(bad, n)).toThrow(new RegExp(b.className));
            }, 'error path (wrong event shape)');
            bad.dispose();
          }
          tf.dispose([x, y]);
          b.dispose();
          expectNoLeak(() => c.make().dispose(), 'construct and dispose');
        });
      });
    }
  });
}
