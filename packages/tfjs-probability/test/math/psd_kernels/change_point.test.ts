// ChangePoint: the closed form with TFP's weights, the limits far from the change points, positive
// semi-definiteness on random points, gradients in locs and slopes, batches, errors and leaks.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as psd from '../../../src/math/psd_kernels/index.js';
import { cholesky } from '../../../src/math/linalg.js';
import { InvalidArgumentError } from '../../../src/errors.js';
import { expectClose, expectNoLeak } from '../../helpers.js';

const sig = (t: number) => 1 / (1 + Math.exp(-t));
const eq = (a: number, l: number) => (x: number, y: number) => a * a * Math.exp(-((x - y) ** 2) / (2 * l * l));
const m12 = (a: number, l: number) => (x: number, y: number) => a * a * Math.exp(-Math.abs(x - y) / l);

/** Σᵢ vᵢ(x) kᵢ(x, y) vᵢ(y), vᵢ = sᵢ₋₁(1 − sᵢ), in float64. */
function ref(ks: Array<(x: number, y: number) => number>, locs: number[], slopes: number[], x: number, y: number): number {
  const v = (t: number) => ks.map((_, i) => (i === 0 ? 1 : sig(slopes[i - 1]! * (t - locs[i - 1]!))) * (i === ks.length - 1 ? 1 : 1 - sig(slopes[i]! * (t - locs[i]!))));
  const vx = v(x), vy = v(y);
  return ks.reduce((s, k, i) => s + vx[i]! * k(x, y) * vy[i]!, 0);
}

describe('ChangePoint', () => {
  const k1 = new psd.ExponentiatedQuadratic({ amplitude: 1.2, lengthScale: 1.5 });
  const k2 = new psd.MaternOneHalf({ amplitude: 0.7, lengthScale: 0.4 });
  const k3 = new psd.ExponentiatedQuadratic({ amplitude: 2, lengthScale: 0.3 });
  const xs = [-4, -1.2, -0.3, 0, 0.4, 1.1, 2.5, 5];

  it('matches the closed form with two and three kernels (matrix and apply); k₁ far left, kₙ far right', () => {
    for (const [kernels, refs, locs, slopes] of [
      [[k1, k2], [eq(1.2, 1.5), m12(0.7, 0.4)], [0.2], [3]],
      [[k1, k2, k3], [eq(1.2, 1.5), m12(0.7, 0.4), eq(2, 0.3)], [-1, 1.5], [2, 6]],
    ] as const) {
      const k = new psd.ChangePoint({ kernels: [...kernels], locs: [...locs], slopes: [...slopes] });
      const K = k.matrix(xs.map((x) => [x]), xs.map((x) => [x]));
      expectClose(K, xs.flatMap((x) => xs.map((y) => ref([...refs], [...locs], [...slopes], x, y))), { rtol: 1e-5, atol: 1e-7 });
      const d = k.apply(xs.map((x) => [x]), xs.map((x) => [x]), 1);
      expectClose(d, xs.map((x) => ref([...refs], [...locs], [...slopes], x, x)), { rtol: 1e-5 });
      tf.dispose([K, d]);
      k.dispose();
    }
    const k = new psd.ChangePoint({ kernels: [k1, k2], locs: [0], slopes: [10] });
    expectClose(k.apply([[-6]], [[-5.5]]), k1.apply([[-6]], [[-5.5]]), { rtol: 1e-4 });
    expectClose(k.apply([[6]], [[5.5]]), k2.apply([[6]], [[5.5]]), { rtol: 1e-4 });
    expectClose(k.apply([[-6]], [[6]]), [0], { atol: 1e-6 });
    k.dispose();
  });

  it('is symmetric and positive semi-definite on random points in 2-d (weightFn: the first feature)', () => {
    const k = new psd.ChangePoint({ kernels: [k1, k2, k3], locs: [-0.5, 0.8], slopes: [4, 1], weightFn: (x) => tf.squeeze(tf.slice(x, [...Array(x.rank - 1).fill(0), 0], [...x.shape.slice(0, -1), 1]), [-1]) });
    for (let seed = 1; seed <= 5; seed++) {
      tf.tidy(() => {
        const x = tf.randomUniform([30, 2], -3, 3, 'float32', seed);
        const K = k.matrix(x, x);
        expect(tf.max(tf.abs(tf.sub(K, tf.transpose(K)))).dataSync()[0]).toBeLessThan(1e-6);
        const L = cholesky(tf.add(K, tf.mul(1e-4, tf.eye(30))));
        expect(Array.from(L.dataSync()).every(Number.isFinite)).toBe(true);
      });
    }
    k.dispose();
  });

  it('has gradients in locs and slopes (against central differences), batched hyperparameters, no leaks', () => {
    const x = [[-1], [0.1], [0.6], [2]];
    const f = (locs: tf.Tensor, slopes: tf.Tensor) => {
      const k = new psd.ChangePoint({ kernels: [k1, k2], locs, slopes });
      const v = tf.sum(tf.mul(k.matrix(x, x), tf.linspace(0.5, 2, 16).reshape([4, 4])));
      k.dispose();
      return v;
    };
    const locs = tf.tensor1d([0.3]), slopes = tf.tensor1d([2]);
    const [gl, gs] = tf.grads(f)([locs, slopes]);
    const h = 1e-2;
    const fd = (dl: number, ds: number) => f(tf.tensor1d([0.3 + dl]), tf.tensor1d([2 + ds])).dataSync()[0]!;
    expectClose(gl!, [(fd(h, 0) - fd(-h, 0)) / (2 * h)], { rtol: 2e-2 });
    expectClose(gs!, [(fd(0, h) - fd(0, -h)) / (2 * h)], { rtol: 2e-2 });
    const kb = new psd.ChangePoint({ kernels: [k1, k2], locs: [[0], [1]], slopes: [3] });
    expect(kb.batchShape).toEqual([2]);
    expectNoLeak(() => kb.matrix(x, x), 'ChangePoint.matrix');
    expect(kb.matrix(x, x).shape).toEqual([2, 4, 4]);
    kb.dispose();
    tf.dispose([locs, slopes, gl!, gs!]);
  });

  it('errors name the class, the argument and what was expected; nothing leaks on them', () => {
    const before = tf.memory().numTensors;
    expect(() => new psd.ChangePoint({ kernels: [k1], locs: [], slopes: [] })).toThrow(/ChangePoint: kernels must be an array of at least 2 psd kernels/);
    expect(() => new psd.ChangePoint({ kernels: [k1, k2], locs: [0, 1], slopes: [1, 1] })).toThrow(/ChangePoint: locs must be \[\.\.\., 1\] \(one per change between 2 kernels\); got shape \[2\]/);
    expect(() => new psd.ChangePoint({ kernels: [k1, k2], locs: [0], slopes: [-1] })).toThrow(InvalidArgumentError);
    expect(() => new psd.ChangePoint({ kernels: [k1, k2], locs: [0] } as unknown as psd.ChangePointArgs)).toThrow(/slopes is missing/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
