import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ADAM_UPDATE } from '../../src/kernels/kernel_names.js';
import { FastAdam } from '../../src/train/fast_adam.js';
import { disableFastWasmMatMul, enableFastWasmMatMul, fastWasmMatMulEnabled } from '../../src/accelerate/wasm_matmul.js';
import { expectClose, expectNoLeak } from '../helpers.js';

describe('FastAdam', () => {
  it('follows tf.train.adam step for step (fused kernel on cpu/wasm), incl. a learning-rate change', () => {
    const init = tf.randomNormal([5, 3], 0, 1, 'float32', 1);
    const target = tf.randomNormal([5, 3], 0, 1, 'float32', 2);
    const a = tf.variable(init.clone());
    const b = tf.variable(init.clone());
    const ref = tf.train.adam(0.05);
    const fast = new FastAdam(0.05);
    expect(tf.getKernel(ADAM_UPDATE, tf.getBackend())).toBeDefined();
    const loss = (v: tf.Variable) => () => tf.sum(tf.square(tf.sub(tf.mul(v, v), target))) as tf.Scalar;
    for (let i = 0; i < 12; i++) {
      if (i === 6) {
        (ref as unknown as { learningRate: number }).learningRate = 0.01;
        fast.learningRate = 0.01;
      }
      tf.dispose(ref.minimize(loss(a), true) ?? []);
      tf.dispose(fast.minimize(loss(b), true) ?? []);
    }
    expectClose(b, a, { rtol: 1e-5, atol: 1e-6 });
    expectNoLeak(() => fast.minimize(loss(b), true), 'FastAdam.minimize');
    tf.dispose([init, target, a, b]);
    ref.dispose();
    fast.dispose();
  });

  it('does not mutate earlier clones of a weight (fresh buffers are assigned)', () => {
    const v = tf.variable(tf.tensor1d([1, 2, 3]));
    const snapshot = tf.clone(v);
    const opt = new FastAdam(0.1);
    tf.dispose(opt.minimize(() => tf.sum(tf.square(v)) as tf.Scalar, true) ?? []);
    expectClose(snapshot, [1, 2, 3], { rtol: 0 });
    expect(v.dataSync()[0]).not.toBe(1);
    tf.dispose([v, snapshot]);
    opt.dispose();
  });
});

describe('enableFastWasmMatMul', () => {
  it('gives the same products and gradients for every transpose combination', () => {
    const a = tf.randomNormal([7, 5], 0, 1, 'float32', 3);
    const b = tf.randomNormal([5, 4], 0, 1, 'float32', 4);
    const at = tf.transpose(a);
    const bt = tf.transpose(b);
    const combos: Array<[tf.Tensor2D, tf.Tensor2D, boolean, boolean]> = [
      [a as tf.Tensor2D, b as tf.Tensor2D, false, false],
      [at as tf.Tensor2D, b as tf.Tensor2D, true, false],
      [a as tf.Tensor2D, bt as tf.Tensor2D, false, true],
      [at as tf.Tensor2D, bt as tf.Tensor2D, true, true],
    ];
    const run = () => combos.map(([x, y, ta, tb]) => tf.matMul(x, y, ta, tb));
    const was = fastWasmMatMulEnabled();
    if (was) disableFastWasmMatMul();
    const before = run();
    const installed = enableFastWasmMatMul();
    // Installed wherever the wasm kernels are registered (not in a cpu-only run).
    expect(installed).toBe(tf.getKernel('BatchMatMul', 'wasm') !== undefined);
    const after = run();
    const g = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D)))([a, b]);
    disableFastWasmMatMul();
    const g0 = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D)))([a, b]);
    before.forEach((t, i) => expectClose(after[i]!, t, { rtol: 1e-5, atol: 1e-6 }));
    expectClose(g[0]!, g0[0]!, { rtol: 1e-5, atol: 1e-6 });
    expectClose(g[1]!, g0[1]!, { rtol: 1e-5, atol: 1e-6 });
    if (was) enableFastWasmMatMul(); // leave the fast defaults as the other tests expect them
    tf.dispose([a, b, at, bt, ...before, ...after, ...g, ...g0]);
  });
});
