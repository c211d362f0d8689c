import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Sampling } from '../../src/layers/sampling.js';
import { expectClose, expectNoLeak, meanTolerance } from '../helpers.js';

describe('Sampling layer', () => {
  it('output = mean + exp(logVar/2)·ε with ε ~ N(0, 1): moments at a fixed seed (false-failure rate 1e-4)', () => {
    const n = 20000;
    const mean = tf.fill([n, 2], 1.5).add(tf.tensor1d([0, -3]));
    const logVar = tf.fill([n, 2], 0).add(tf.tensor1d([Math.log(4), Math.log(0.25)]));
    const z = new Sampling({ seed: 11 }).apply([mean, logVar]) as tf.Tensor;
    expect(z.shape).toEqual([n, 2]);
    const m = z.mean(0);
    const sd = tf.moments(z, 0).variance.sqrt();
    const md = Array.from(m.dataSync());
    const sdd = Array.from(sd.dataSync());
    expect(Math.abs(md[0]! - 1.5)).toBeLessThan(meanTolerance(2, n, 4));
    expect(Math.abs(md[1]! + 1.5)).toBeLessThan(meanTolerance(0.5, n, 4));
    // sd of the sample sd ≈ σ/√(2n)
    expect(Math.abs(sdd[0]! - 2)).toBeLessThan(meanTolerance(2 / Math.SQRT2, n, 4));
    expect(Math.abs(sdd[1]! - 0.5)).toBeLessThan(meanTolerance(0.5 / Math.SQRT2, n, 4));
    tf.dispose([mean, logVar, z, m, sd]);
  });

  it('is deterministic under a seed: same seed, same sequence of draws; successive calls differ', () => {
    const mean = tf.zeros([3, 4]);
    const logVar = tf.zeros([3, 4]);
    const a = new Sampling({ seed: 5 });
    const b = new Sampling({ seed: 5 });
    const a1 = a.apply([mean, logVar]) as tf.Tensor;
    const a2 = a.apply([mean, logVar]) as tf.Tensor;
    const b1 = b.apply([mean, logVar]) as tf.Tensor;
    const b2 = b.apply([mean, logVar]) as tf.Tensor;
    expectClose(a1, b1, { rtol: 0 });
    expectClose(a2, b2, { rtol: 0 });
    expect(Array.from(a1.dataSync())).not.toEqual(Array.from(a2.dataSync()));
    tf.dispose([mean, logVar, a1, a2, b1, b2]);
  });

  it('gradients reach both inputs: dz/dmean = 1, dz/dlogVar = ½ exp(logVar/2) ε', () => {
    const mean = tf.tensor2d([[0.5, -1.0, 2.0]]);
    const logVar = tf.tensor2d([[0.2, -0.4, 1.0]]);
    const layer = new Sampling({ seed: 3 });
    // The first call's ε, recovered from a twin layer with the same seed.
    const z = new Sampling({ seed: 3 }).apply([mean, logVar]) as tf.Tensor;
    const eps = tf.div(tf.sub(z, mean), tf.exp(tf.mul(logVar, 0.5)));
    const [gm, gl] = tf.grads((m: tf.Tensor, l: tf.Tensor) => tf.sum(layer.apply([m, l]) as tf.Tensor))([mean, logVar]);
    expectClose(gm!, [1, 1, 1], { rtol: 0 });
    const want = tf.mul(tf.mul(0.5, tf.exp(tf.mul(logVar, 0.5))), eps);
    expectClose(gl!, want, { rtol: 1e-5 });
    tf.dispose([mean, logVar, z, eps, gm!, gl!, want]);
  });

  it('works in a functional model, output shape is the mean shape', () => {
    const x = tf.input({ shape: [5] });
    const zm = tf.layers.dense({ units: 2 }).apply(x) as tf.SymbolicTensor;
    const zl = tf.layers.dense({ units: 2 }).apply(x) as tf.SymbolicTensor;
    const z = new Sampling().apply([zm, zl]) as tf.SymbolicTensor;
    expect(z.shape).toEqual([null, 2]);
    const model = tf.model({ inputs: x, outputs: z });
    const xs = tf.ones([7, 5]);
    const out = model.predict(xs) as tf.Tensor;
    expect(out.shape).toEqual([7, 2]);
    tf.dispose([xs, out]);
    model.dispose();
  });

  it('rejects a single input or mismatched shapes', () => {
    const a = tf.zeros([2, 3]);
    const b = tf.zeros([2, 4]);
    expect(() => new Sampling().apply(a)).toThrow(/Sampling: expects two inputs \[mean, logVar\]/);
    expect(() => new Sampling().apply([a, b])).toThrow(/Sampling: mean and logVar must have the same shape; got \[2, 3\] and \[2, 4\]/);
    tf.dispose([a, b]);
  });

  it('config round-trips (seed kept) and the call leaks nothing', () => {
    const s = new Sampling({ seed: 9, name: 'z' });
    const cfg = s.getConfig();
    expect(cfg['seed']).toBe(9);
    const again = new Sampling(cfg as never);
    expect(again.seed).toBe(9);
    expect(again.name).toBe('z');
    const m = tf.zeros([2, 2]);
    expectNoLeak(() => s.apply([m, m]), 'Sampling.call');
    m.dispose();
  });
});
