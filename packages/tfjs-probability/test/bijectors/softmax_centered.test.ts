/**
 * SoftmaxCentered far from the origin, on the cpu and wasm backends: forward-then-inverse recovers
 * x where float32 can hold y (coordinates down to e^-103, subnormal), the inverse is finite where a
 * coordinate underflowed, and the inverse log-det-Jacobian at forward(x) is minus the forward one.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../helpers.js';
import { SoftmaxCentered } from '../../src/bijectors/softmax_centered.js';

// x, and how far float32 lets the round trip be from it (log of a subnormal y keeps ~5 bits below 2^-126)
const CASES: Array<[number[], number]> = [
  [[100, 0], 0.05],
  [[-100, 0], 0.05],
  [[100, 100], 0.05],
  [[88, -3], 1e-4],
  [[-50, 30], 1e-4],
  [[3, 4], 1e-5],
];

for (const backend of ['cpu', 'wasm']) {
  describe(`SoftmaxCentered at large |x| on ${backend}`, () => {
    useBackend(backend);

    it('forward then inverse recovers x (arrays, and a batch tensor the cache does not hold)', () => {
      const before = tf.memory().numTensors;
      const b = new SoftmaxCentered();
      for (const [x, tol] of CASES) {
        const y = b.forward(x);
        const inv = b.inverse(y);
        const back = Array.from(inv.dataSync());
        back.forEach((v, i) => expect(Math.abs(v - x[i]!), `${backend} inverse(forward(${x}))[${i}] = ${v}`).toBeLessThanOrEqual(tol));
        tf.dispose([y, inv]);
      }
      const xs = tf.tensor(CASES.map((c) => c[0]));
      const ys = b.forward(xs);
      const yCopy = tf.clone(ys); // not the cached forward output: the inverse really runs
      const back = b.inverse(yCopy);
      const err = tf.tidy(() => tf.max(tf.abs(tf.sub(back, xs))));
      expect(err.dataSync()[0]).toBeLessThanOrEqual(0.05);
      err.dispose();
      tf.dispose([xs, ys, yCopy, back]);
      expect(tf.memory().numTensors).toBe(before);
    });

    it('forward keeps the small coordinates (no flush to 0 above e^-103) and sums to 1', () => {
      const b = new SoftmaxCentered();
      const y = b.forward([100, 0]);
      const v = Array.from(y.dataSync());
      expect(v[0]).toBe(1);
      expect(v[1]! / Math.exp(-100)).toBeCloseTo(1, 1);
      expect(v[2]).toBe(v[1]);
      y.dispose();
      const y2 = b.forward([100, 100]);
      expect(Array.from(y2.dataSync()).slice(0, 2)).toEqual([0.5, 0.5]);
      y2.dispose();
    });

    it('the inverse of an underflowed coordinate is finite, and ildj(forward(x)) = -fldj(x)', () => {
      const b = new SoftmaxCentered();
      const x = b.inverse([1, 0, 0]);
      const v = Array.from(x.dataSync());
      expect(v.every(Number.isFinite)).toBe(true);
      expect(v[0]).toBeGreaterThan(100); // at least as far as float32's smallest y = 2^-149 says
      x.dispose();
      for (const [xv] of CASES) {
        const y = b.forward(xv);
        const f = b.forwardLogDetJacobian(xv, 1);
        const i = b.inverseLogDetJacobian(y, 1);
        const [fv, iv] = [f.dataSync()[0]!, i.dataSync()[0]!];
        expect(Number.isFinite(fv) && Number.isFinite(iv)).toBe(true);
        expect(Math.abs(fv + iv), `${backend} fldj ${fv} vs ildj ${iv} at ${xv}`).toBeLessThanOrEqual(0.1);
        tf.dispose([y, f, i]);
      }
    });
  });
}
