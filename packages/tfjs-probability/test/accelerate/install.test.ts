import * as tf from '@tensorflow/tfjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { accelerated, fastDefaultsEnabled, restore, setFastDefaults } from '../../src/accelerate/install.js';
import { ready } from '../../src/backend.js';
import { ADAM_UPDATE_TF } from '../../src/kernels/kernel_names.js';
import { disableFusedTfAdam, enableFusedTfAdam, fusedTfAdamEnabled } from '../../src/accelerate/adam_optimizer.js';
import { fastWasmMatMulEnabled } from '../../src/accelerate/wasm_matmul.js';
import '../../src/layers/register.js';
import { MixtureDensity } from '../../src/layers/mixture_density.js';
import { MixtureNormal } from '../../src/layers/mixture_normal.js';
import { negativeLogLikelihood } from '../../src/losses/nll.js';
import { expectClose, expectNoLeak } from '../helpers.js';

const backend = process.env['TFP_TEST_BACKEND'] ?? 'wasm';
/** This file tests the acceleration itself: installed here whatever the suite's setup chose, and taken back after. */
async function accelerateAgain(): Promise<void> {
  setFastDefaults(true);
  await ready({ backend });
}
beforeAll(accelerateAgain);
afterEach(accelerateAgain);
afterAll(async () => {
  if (process.env['TFP_ACCELERATE'] !== '1') {
    restore();
    await ready({ backend, accelerate: false });
  }
});

/** Runs `steps` tf.train.adam steps on a small least-squares problem; returns [final weights, optimizer weights]. */
async function adamRun(steps: number, lrChangeAt = -1): Promise<{ w: Float32Array; state: Array<{ name: string; v: Float32Array }> }> {
  const w = tf.variable(tf.randomNormal([6, 3], 0, 1, 'float32', 1));
  const b = tf.variable(tf.zeros([3]));
  const x = tf.randomNormal([16, 6], 0, 1, 'float32', 2);
  const y = tf.randomNormal([16, 3], 0, 1, 'float32', 3);
  const opt = tf.train.adam(0.05);
  for (let i = 0; i < steps; i++) {
    if (i === lrChangeAt) (opt as unknown as { learningRate: number }).learningRate = 0.01;
    tf.dispose(opt.minimize(() => tf.mean(tf.square(tf.sub(tf.add(tf.matMul(x, w), b), y))) as tf.Scalar, true) ?? []);
  }
  const state = (await opt.getWeights()).map(({ name, tensor }) => ({ name, v: tensor.dataSync() as Float32Array }));
  const out = { w: w.dataSync() as Float32Array, state };
  opt.dispose();
  tf.dispose([w, b, x, y]);
  return out;
}

describe('fast defaults', () => {
  it('are installed by ready(), the wasm kernels included, and can be turned off and on (taking effect at the next ready())', async () => {
    expect(fastDefaultsEnabled()).toBe(true);
    expect(fusedTfAdamEnabled()).toBe(true);
    expect(accelerated()).toBe(true);
    // ready() loads the wasm backend and then installs its kernels (no Adam step or head needed).
    expect(fastWasmMatMulEnabled()).toBe(tf.getBackend() === 'wasm');
    const v = tf.variable(tf.ones([2]));
    const opt = tf.train.adam(0.1);
    tf.dispose(opt.minimize(() => tf.sum(tf.square(v)) as tf.Scalar, true) ?? []);
    opt.dispose();
    v.dispose();
    expect(fastWasmMatMulEnabled()).toBe(tf.getBackend() === 'wasm');
    setFastDefaults(false);
    expect(fusedTfAdamEnabled()).toBe(false);
    expect(fastWasmMatMulEnabled()).toBe(false);
    await ready({ backend }); // respects the opt-out
    expect(fusedTfAdamEnabled()).toBe(false);
    setFastDefaults(true); // takes effect at the next ready(), never in between
    expect(fusedTfAdamEnabled()).toBe(false);
    await ready({ backend });
    expect(fusedTfAdamEnabled()).toBe(true);
    restore();
    expect(accelerated()).toBe(false);
    expect(fastWasmMatMulEnabled()).toBe(false);
    await ready({ backend, accelerate: false });
    expect(accelerated()).toBe(false);
  });

  it('building a mixture head or running fit installs nothing', async () => {
    restore();
    const head = new MixtureNormal({ numComponents: 2, eventShape: [1] });
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: head.paramsSize }), head] });
    model.compile({ optimizer: tf.train.adam(0.01), loss: negativeLogLikelihood(head) });
    const x = tf.ones([4, 1]);
    await model.fit(x, x, { epochs: 1, verbose: 0 });
    expect(accelerated()).toBe(false);
    expect(fastWasmMatMulEnabled()).toBe(false);
    model.dispose();
    x.dispose();
  });

  it('tf.train.adam with the fused update is bit-identical to tfjs (weights and optimizer state)', async () => {
    expect(tf.getKernel(ADAM_UPDATE_TF, tf.getBackend())).toBeDefined();
    // Only the optimizer differs between the two runs (the other defaults stay as they are).
    const fast = await adamRun(9, 5);
    disableFusedTfAdam();
    const ref = await adamRun(9, 5);
    enableFusedTfAdam();
    expectClose(fast.w, ref.w, { rtol: 0, atol: 0 });
    // Same slots in the same order (variable names differ between runs only by their counter).
    const slot = (n: string) => n.replace(/^\d+\//, '').replace(/^.*\/(m|v)$/, '$1');
    expect(fast.state.map((s) => slot(s.name))).toEqual(ref.state.map((s) => slot(s.name)));
    expect(fast.state.map((s) => slot(s.name))).toEqual(['iter', 'm', 'm', 'v', 'v']);
    fast.state.forEach((s, i) => expectClose(s.v, ref.state[i]!.v, { rtol: 0, atol: 0, context: s.name }));
  });

  it('tf.train.adam setWeights restores the fused optimizer to the same trajectory', async () => {
    const v = tf.variable(tf.tensor1d([1, -2, 3]));
    const loss = () => tf.sum(tf.square(tf.sub(v, 0.5))) as tf.Scalar;
    const a = tf.train.adam(0.1);
    for (let i = 0; i < 3; i++) tf.dispose(a.minimize(loss, true) ?? []);
    // getWeights returns the optimizer's own variables, which the next step reassigns: copy them.
    const saved = (await a.getWeights()).map(({ name, tensor }) => ({ name, tensor: tensor.add(0) }));
    const snapshot = tf.clone(v);
    tf.dispose(a.minimize(loss, true) ?? []);
    const next = tf.clone(v);
    v.assign(snapshot);
    const b = tf.train.adam(0.1);
    tf.dispose(b.minimize(() => tf.mul(loss(), 0) as tf.Scalar, true) ?? []); // creates the slots
    await b.setWeights(saved);
    v.assign(snapshot);
    tf.dispose(b.minimize(loss, true) ?? []);
    expectClose(v, next, { rtol: 0, atol: 0 });
    expectNoLeak(() => b.minimize(loss, true), 'fused adam step');
    tf.dispose([v, snapshot, next, ...saved.map((s) => s.tensor)]);
    a.dispose();
    b.dispose();
  });

  it('copy-free Identity/Cast: clones and casts keep their values after the source is disposed', () => {
    const x = tf.tensor1d([1, 2, 3]);
    const c = tf.clone(x);
    const k = tf.cast(x, 'float32');
    const i = tf.cast(x, 'int32');
    x.dispose();
    expectClose(c, [1, 2, 3], { rtol: 0 });
    expectClose(k, [1, 2, 3], { rtol: 0 });
    expect(i.dtype).toBe('int32');
    const before = tf.memory().numBytes;
    tf.dispose([c, k]);
    expect(tf.memory().numBytes).toBeLessThan(before);
    i.dispose();
  });

  it('gather along axis 0, row sums, matrix transposes and slices give tfjs\' own values (and the same error for a bad index)', () => {
    const x = tf.randomNormal([50, 3], 0, 1, 'float32', 21);
    const xi = tf.tensor2d([[1, 2], [3, 4], [5, 6]], [3, 2], 'int32');
    const col = tf.randomNormal([50, 1], 0, 1, 'float32', 22);
    const idx = tf.tensor1d([4, 0, 49, 4, 17], 'int32');
    const idx2 = tf.tensor2d([[2, 0], [1, 1]], [2, 2], 'int32');
    const run = () => [
      tf.gather(x, idx), tf.gather(col, idx), tf.gather(xi, idx2), tf.gather(x, tf.tensor1d([1, 2], 'int32'), 1),
      tf.sum(x, 0), tf.sum(x, -2), tf.sum(x, 1), tf.sum(x, 0, true), tf.sum(x), tf.sum(tf.slice(x, [0, 0], [50, 2]), 0),
      tf.transpose(x), tf.transpose(xi), tf.transpose(tf.reshape(x, [5, 10, 3]), [2, 0, 1]),
      tf.slice(x, [3, 1], [7, 2]), tf.slice(x, [4, 0], [-1, 3]), tf.slice(xi, [1, 0], [2, 1]), tf.slice(idx, [1], [3]),
      tf.slice(idx, 2), tf.slice(tf.reshape(x, [5, 10, 3]), [1, 2, 0], [2, 3, 3]), tf.slice(x, [0, 0], [0, 3]),
    ];
    const fast = run();
    const bad = () => tf.gather(x, tf.tensor1d([3, 50], 'int32'));
    expect(bad).toThrow(/not in \[0, 49\]/);
    setFastDefaults(false);
    const ref = run();
    expect(bad).toThrow(/not in \[0, 49\]/);
    fast.forEach((t, i) => {
      expect(t.shape, `output ${i}`).toEqual(ref[i]!.shape);
      expect(t.dtype).toBe(ref[i]!.dtype);
      expectClose(t, ref[i]!, { rtol: 1e-6, atol: 1e-6, context: { output: i } });
    });
    tf.dispose([x, xi, col, idx, idx2, ...fast, ...ref]);
  });

  for (const kind of ['MixtureDensity', 'MixtureNormal'] as const) {
    it(`model.fit with a ${kind} head: same weights and losses with the defaults on and off (float32 summation order)`, async () => {
      const train = async (): Promise<{ w: Float32Array[]; loss: number[] }> => {
        const head = kind === 'MixtureDensity' ? new MixtureDensity({ eventSize: 1, numComponents: 3, seed: 4 }) : new MixtureNormal({ numComponents: 3, eventShape: [1] });
        const layers: tf.layers.Layer[] = [tf.layers.dense({ inputShape: [2], units: 8, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) })];
        if (kind === 'MixtureNormal') layers.push(tf.layers.dense({ units: 9, kernelInitializer: tf.initializers.glorotUniform({ seed: 6 }) }));
        layers.push(head);
        const model = tf.sequential({ layers });
        model.compile({ optimizer: tf.train.adam(0.01), loss: negativeLogLikelihood(head) });
        const x = tf.randomNormal([40, 2], 0, 1, 'float32', 7);
        const y = tf.randomNormal([40, 1], 0, 1, 'float32', 8);
        const h = await model.fit(x, y, { batchSize: 8, epochs: 3, shuffle: false, verbose: 0 });
        const w = model.getWeights().map((t) => t.dataSync() as Float32Array);
        model.optimizer.dispose();
        model.dispose();
        tf.dispose([x, y]);
        return { w, loss: h.history['loss'] as number[] };
      };
      const fast = await train();
      setFastDefaults(false);
      const ref = await train();
      expectClose(fast.loss, ref.loss, { rtol: 1e-5 });
      fast.w.forEach((w, i) => expectClose(w, ref.w[i]!, { rtol: 1e-4, atol: 1e-6, context: `weight ${i}` }));
    });
  }

  it('gradients of a Dense stack are unchanged (wasm matMul, copy-free identity)', () => {
    const x = tf.randomNormal([5, 4], 0, 1, 'float32', 9);
    const w1 = tf.randomNormal([4, 6], 0, 1, 'float32', 10);
    const w2 = tf.randomNormal([6, 2], 0, 1, 'float32', 11);
    const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
      tf.sum(tf.square(tf.matMul(tf.relu(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D)), c as tf.Tensor2D)));
    const g = tf.grads(f)([x, w1, w2]);
    setFastDefaults(false);
    const g0 = tf.grads(f)([x, w1, w2]);
    g.forEach((t, i) => expectClose(t, g0[i]!, { rtol: 1e-5, atol: 1e-6 }));
    tf.dispose([x, w1, w2, ...g, ...g0]);
  });
});
