import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DENSE, denseOp } from '../../src/kernels/dense_op.js';
import { denseFastPathInstalled, installDenseFastPath, uninstallDenseFastPath } from '../../src/accelerate/dense_layer.js';
import { registerAll } from '../../src/kernels/register_all.js';
import { expectClose, expectNoLeak } from '../helpers.js';

// The Dense layer's accelerated call is what ready() installs; here it is installed for the file (and taken back after).
beforeAll(() => installDenseFastPath());
afterAll(() => {
  if (process.env['TFP_ACCELERATE'] !== '1') uninstallDenseFastPath();
});

/** Output and gradients (input, kernel, bias) of `layer` on `x` under a weighted sum. */
function run(layer: tf.layers.Layer, x: tf.Tensor): tf.Tensor[] {
  return tf.tidy(() => {
    const out = layer.apply(x) as tf.Tensor; // builds the layer
    const w = tf.randomUniform(out.shape, 0.5, 1.5, 'float32', 7);
    const vars = layer.trainableWeights.map((v) => v.read() as tf.Variable);
    const f = (xx: tf.Tensor) => tf.sum(tf.mul(w, layer.apply(xx) as tf.Tensor)) as tf.Scalar;
    const dx = tf.grad(f)(x);
    const { grads } = tf.variableGrads(() => f(x), vars);
    return [out, dx, ...vars.map((v) => grads[v.name]!)];
  });
}

describe('Dense fast path (one fused launch forward, lean gradient)', () => {
  it('is installed and removed again (ready() and restore() call these)', () => {
    expect(denseFastPathInstalled()).toBe(true);
    registerAll();
    expect(tf.getKernel(DENSE, tf.getBackend())).toBeDefined();
    uninstallDenseFastPath();
    expect(denseFastPathInstalled()).toBe(false);
    installDenseFastPath();
    expect(denseFastPathInstalled()).toBe(true);
  });

  const cases: Array<{ activation: 'relu' | 'linear' | 'tanh'; useBias: boolean; shape: number[] }> = [
    { activation: 'relu', useBias: true, shape: [9, 6] },
    { activation: 'linear', useBias: true, shape: [9, 6] },
    { activation: 'relu', useBias: false, shape: [9, 6] },
    { activation: 'tanh', useBias: true, shape: [9, 6] }, // not covered: the layer's own call
    { activation: 'relu', useBias: true, shape: [2, 4, 6] }, // rank 3: the layer's own call
  ];
  for (const c of cases) {
    it(`${c.activation}${c.useBias ? '' : ' without bias'} on ${JSON.stringify(c.shape)}: values and gradients equal tfjs' own Dense`, () => {
      const layer = tf.layers.dense({
        units: 5, activation: c.activation, useBias: c.useBias,
        kernelInitializer: tf.initializers.randomNormal({ seed: 1 }),
        biasInitializer: tf.initializers.randomNormal({ seed: 2 }),
      });
      const x = tf.randomNormal(c.shape, 0, 1, 'float32', 3);
      const fast = run(layer, x);
      uninstallDenseFastPath();
      const ref = run(layer, x);
      installDenseFastPath();
      expect(fast.length).toBe(ref.length);
      fast.forEach((t, i) => expectClose(t, ref[i]!, { rtol: 1e-5, atol: 1e-6, context: `output ${i}` }));
      // Some relu units are inactive on these inputs, so the mask is exercised.
      if (c.activation === 'relu') expect(Array.from(fast[0]!.dataSync()).some((v) => v === 0)).toBe(true);
      tf.dispose([x, ...fast, ...ref]);
      layer.dispose();
    });
  }

  it('leaks nothing forward or backward, and skips the gradient of a data input', async () => {
    const layer = tf.layers.dense({ units: 4, activation: 'relu' });
    const x = tf.randomNormal([6, 3], 0, 1, 'float32', 4);
    tf.dispose(layer.apply(x) as tf.Tensor);
    const vars = layer.trainableWeights.map((v) => v.read() as tf.Variable);
    expectNoLeak(() => layer.apply(x) as tf.Tensor, 'forward');
    expectNoLeak(() => {
      const { value, grads } = tf.variableGrads(() => tf.sum(layer.apply(x) as tf.Tensor) as tf.Scalar, vars);
      return [value, ...Object.values(grads)];
    }, 'gradient');
    // Only the weights' products run backward: one product for the kernel, none for x.
    const prof = await tf.profile(() => {
      const { value, grads } = tf.variableGrads(() => tf.sum(layer.apply(x) as tf.Tensor) as tf.Scalar, vars);
      tf.dispose([value, ...Object.values(grads)]);
    });
    expect(prof.kernels.filter((k) => k.name === 'BatchMatMul').length).toBe(1);
    tf.dispose(x);
    layer.dispose();
  });

  it('denseOp matches the composed product on this backend', () => {
    const x = tf.randomNormal([5, 3], 0, 1, 'float32', 5) as tf.Tensor2D;
    const w = tf.randomNormal([3, 2], 0, 1, 'float32', 6) as tf.Tensor2D;
    const b = tf.tensor1d([0.5, -4]);
    const y = denseOp(x, w, b, true);
    const ref = tf.relu(tf.add(tf.matMul(x, w), b));
    expectClose(y, ref, { rtol: 1e-6, atol: 1e-6 });
    tf.dispose([x, w, b, y, ref]);
  });
});
