// TerminateOnNaN stops model.fit at the first non-finite loss (a NaN target, an exploding
// learning rate) with a message naming the epoch, the batch and the loss, or only stops and records.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { TerminateOnNaN } from '../../src/callbacks/index.js';
import { InvalidArgumentError } from '../../src/errors.js';

function setup(yValue: number): { model: tf.Sequential; x: tf.Tensor; y: tf.Tensor } {
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1, kernelInitializer: 'ones' })] });
  model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  const x = tf.tensor2d([[1], [2], [3], [4]]);
  const y = tf.tensor2d([[1], [yValue], [3], [4]]);
  return { model, x, y };
}

describe('TerminateOnNaN', () => {
  it('one NaN target: fit rejects at epoch 1 naming the loss, and leaks nothing', async () => {
    const { model, x, y } = setup(NaN);
    // A first fit creates the optimizer's own tensors; count after it.
    const ones = tf.onesLike(y);
    await model.fit(x, ones, { epochs: 1 });
    const before = tf.memory().numTensors;
    const cb = new TerminateOnNaN();
    const err = await model.fit(x, y, { epochs: 5, batchSize: 2, callbacks: [cb] }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as Error).message).toMatch(/TerminateOnNaN: loss is NaN at epoch 1; training stopped/);
    expect(cb.stoppedAt).toEqual({ epoch: 1, batch: null, key: 'loss', value: NaN });
    expect(tf.memory().numTensors).toBe(before);
    // The model can be trained again (tfjs cleared its training flag).
    await model.fit(x, ones, { epochs: 1 }).then((h) => expect(h.epoch).toEqual([0]));
    tf.dispose([x, y, ones]);
    model.dispose();
  });

  it("every: 'batch' names the batch; action: 'stop' stops without an error, as Keras does", async () => {
    const { model, x, y } = setup(NaN);
    const cb = new TerminateOnNaN({ every: 'batch', action: 'stop' });
    const h = await model.fit(x, y, { epochs: 5, batchSize: 2, shuffle: false, callbacks: [cb] });
    expect(h.epoch).toEqual([0]);
    expect(cb.stoppedAt).toEqual({ epoch: 1, batch: 0, key: 'loss', value: NaN });
    tf.dispose([x, y]);
    model.dispose();
  });

  it('a finite run is left alone; bad options are refused', async () => {
    const { model, x, y } = setup(2);
    const cb = new TerminateOnNaN();
    const h = await model.fit(x, y, { epochs: 3, callbacks: [cb] });
    expect(h.epoch).toEqual([0, 1, 2]);
    expect(cb.stoppedAt).toBeNull();
    expect(() => new TerminateOnNaN({ action: 'warn' as 'stop' })).toThrow(/TerminateOnNaN: action must be 'throw' or 'stop'; got "warn"/);
    tf.dispose([x, y]);
    model.dispose();
  });
});
