import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { expectClose, expectNoLeak } from '../helpers.js';

/**
 * The `Conv2DBackpropFilter` kernel on `backend` for input x and upstream gradient dy (of the
 * conv2d output shape, computed on cpu: the wasm forward Conv2D has no NCHW), from plain arrays.
 */
async function filterGradOn(backend: string, xs: Float32Array, xShape: number[], fShape: number[], ws: Float32Array,
  strides: [number, number], pad: 'valid' | 'same' | number, format: 'NHWC' | 'NCHW'): Promise<Float32Array> {
  const prev = tf.getBackend();
  await tf.setBackend('cpu');
  const yShape = tf.tidy(() => tf.conv2d(tf.zeros(xShape as [number, number, number, number]) as tf.Tensor4D, tf.zeros(fShape as [number, number, number, number]) as tf.Tensor4D, strides as [number, number], pad, format).shape as number[]);
  await tf.setBackend(backend);
  try {
    return tf.tidy(() => {
      const x = tf.tensor4d(xs, xShape as [number, number, number, number]);
      const dy = tf.tensor(ws.subarray(0, yShape.reduce((p, q) => p * q, 1)), yShape);
      const attrs = { strides, pad, dataFormat: format, dimRoundingMode: undefined, filterShape: fShape };
      return (tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor).dataSync() as Float32Array;
    });
  } finally {
    await tf.setBackend(prev);
  }
}

/** A kernel on `backend` from plain arrays (inputs as [array, shape]). */
async function kernelOn(backend: string, name: string, inputs: Record<string, [Float32Array, number[]]>, attrs: object): Promise<Float32Array> {
  const prev = tf.getBackend();
  await tf.setBackend(backend);
  try {
    return tf.tidy(() => {
      const ins: tf.NamedTensorMap = {};
      for (const [k, [v, shape]] of Object.entries(inputs)) ins[k] = tf.tensor(v, shape);
      return (tf.engine().runKernel(name, ins, attrs as tf.NamedAttrMap) as tf.Tensor).dataSync() as Float32Array;
    });
  } finally {
    await tf.setBackend(prev);
  }
}

/** Fits `layers` (input [8, 8, c]) to the per-image channel-mean sum for 15 epochs; checks the loss fell by 30%. */
async function trainsOnWasm(layers: tf.layers.Layer[]): Promise<{ model: tf.Sequential; x: tf.Tensor }> {
  const model = tf.sequential({ layers });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
  const x = tf.randomNormal([32, ...(model.inputs[0]!.shape.slice(1) as number[])], 0, 1, 'float32', 4);
  const y = tf.tidy(() => tf.sum(tf.mean(x, [1, 2]), 1, true));
  const h = await model.fit(x, y, { epochs: 15, batchSize: 8, verbose: 0 });
  const losses = h.history['loss'] as number[];
  expect(losses[losses.length - 1]!).toBeLessThan(losses[0]! * 0.7);
  y.dispose();
  return { model, x };
}

describe('wasm convolution gradients missing from tfjs-backend-wasm 4.22', () => {
  it('is registered on wasm', () => {
    if (tf.getBackend() !== 'wasm') return;
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });

  const cases: Array<{ x: number[]; f: number[]; strides: [number, number]; pad: 'valid' | 'same' | number; format: 'NHWC' | 'NCHW' }> = [
    { x: [2, 7, 6, 3], f: [3, 3, 3, 4], strides: [1, 1], pad: 'valid', format: 'NHWC' },
    { x: [2, 7, 6, 3], f: [3, 2, 3, 2], strides: [2, 2], pad: 'same', format: 'NHWC' },
    { x: [1, 9, 8, 2], f: [4, 3, 2, 3], strides: [2, 3], pad: 1, format: 'NHWC' },
    { x: [3, 5, 5, 1], f: [5, 5, 1, 2], strides: [1, 1], pad: 'same', format: 'NHWC' },
    { x: [2, 3, 7, 6], f: [3, 2, 3, 2], strides: [2, 1], pad: 'same', format: 'NCHW' },
  ];
  for (const c of cases) {
    it(`${c.format} x ${JSON.stringify(c.x)}, filter ${JSON.stringify(c.f)}, strides ${c.strides}, pad ${c.pad}: equals the cpu backend's kernel`, async () => {
      if (tf.getBackend() !== 'wasm') return;
      const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
      const rnd = (n: number, seed: number) => tf.tidy(() => tf.randomNormal([n], 0, 1, 'float32', seed).dataSync() as Float32Array);
      const xs = rnd(size(c.x), 1);
      const ws = rnd(size(c.x) * c.f[3]!, 3);
      const onWasm = await filterGradOn('wasm', xs, c.x, c.f, ws, c.strides, c.pad, c.format);
      const onCpu = await filterGradOn('cpu', xs, c.x, c.f, ws, c.strides, c.pad, c.format);
      expect(onWasm.length).toBe(size(c.f));
      expectClose(onWasm, onCpu, { rtol: 1e-5, atol: 1e-5 });
    });
  }

  it('a Conv2D model trains on wasm with model.fit, leak-free', async () => {
    if (tf.getBackend() !== 'wasm') return;
    const { model, x } = await trainsOnWasm([
      tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 3, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ]);
    const f = model.layers[0]!.getWeights()[0]!;
    expectNoLeak(() => tf.grad((ff: tf.Tensor) => tf.sum(tf.conv2d(x as tf.Tensor4D, ff as tf.Tensor4D, 1, 'same')))(f), 'filter gradient');
    x.dispose();
    model.dispose();
  });

  const depthwise: Array<{ x: number[]; f: number[]; strides: [number, number]; dilations: [number, number]; pad: 'valid' | 'same' }> = [
    { x: [2, 7, 6, 3], f: [3, 3, 3, 2], strides: [1, 1], dilations: [1, 1], pad: 'valid' },
    { x: [2, 8, 7, 2], f: [3, 2, 2, 1], strides: [2, 2], dilations: [1, 1], pad: 'same' },
    { x: [1, 9, 9, 3], f: [3, 3, 3, 3], strides: [1, 2], dilations: [1, 1], pad: 'same' },
    // (dilation > 1: tfjs' depthwise gradient refuses it, and the cpu kernels ignore it, so there is no reference)
  ];
  for (const c of depthwise) {
    it(`depthwise x ${JSON.stringify(c.x)}, filter ${JSON.stringify(c.f)}, strides ${c.strides}, dilations ${c.dilations}, ${c.pad}: both gradients equal the cpu kernels`, async () => {
      if (tf.getBackend() !== 'wasm') return;
      const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
      const rnd = (n: number, seed: number) => tf.tidy(() => tf.randomNormal([n], 0, 1, 'float32', seed).dataSync() as Float32Array);
      await tf.setBackend('cpu');
      const yShape = tf.tidy(() => tf.depthwiseConv2d(tf.zeros(c.x as [number, number, number, number]) as tf.Tensor4D, tf.zeros(c.f as [number, number, number, number]) as tf.Tensor4D, c.strides, c.pad, 'NHWC', c.dilations).shape as number[]);
      await tf.setBackend('wasm');
      const xs = rnd(size(c.x), 5);
      const fs = rnd(size(c.f), 6);
      const dys = rnd(size(yShape), 7);
      const common = { strides: c.strides, dilations: c.dilations, pad: c.pad, dimRoundingMode: undefined };
      for (const backend of ['wasm', 'cpu']) expect(tf.getKernel('DepthwiseConv2dNativeBackpropFilter', backend)).toBeDefined();
      const fAttrs = { ...common, filterShape: c.f };
      const iAttrs = { ...common, inputShape: c.x };
      const fw = await kernelOn('wasm', 'DepthwiseConv2dNativeBackpropFilter', { x: [xs, c.x], dy: [dys, yShape] }, fAttrs);
      const fc = await kernelOn('cpu', 'DepthwiseConv2dNativeBackpropFilter', { x: [xs, c.x], dy: [dys, yShape] }, fAttrs);
      expectClose(fw, fc, { rtol: 1e-5, atol: 1e-5, context: 'filter gradient' });
      const iw = await kernelOn('wasm', 'DepthwiseConv2dNativeBackpropInput', { dy: [dys, yShape], filter: [fs, c.f] }, iAttrs);
      const ic = await kernelOn('cpu', 'DepthwiseConv2dNativeBackpropInput', { dy: [dys, yShape], filter: [fs, c.f] }, iAttrs);
      expectClose(iw, ic, { rtol: 1e-5, atol: 1e-5, context: 'input gradient' });
    });
  }

  it('a DepthwiseConv2D model trains on wasm with model.fit', async () => {
    if (tf.getBackend() !== 'wasm') return;
    const { model, x } = await trainsOnWasm([
      tf.layers.conv2d({ inputShape: [8, 8, 2], filters: 2, kernelSize: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, activation: 'relu', depthwiseInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
    ]);
    x.dispose();
    model.dispose();
  });
});
