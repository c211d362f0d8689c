import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { ready } from '../src/backend.js';

describe('tfp.ready', () => {
  const initial = process.env['TFP_TEST_BACKEND'] ?? 'wasm';
  afterAll(async () => {
    await ready({ backend: initial });
  });

  it('picks wasm when tfjs-node is not installed, with no wasm path configuration', async () => {
    let hasNode = true;
    try {
      await import('@tensorflow/tfjs-node' as string);
    } catch {
      hasNode = false;
    }
    const name = await ready();
    expect(name).toBe(hasNode ? 'tensorflow' : 'wasm');
    expect(tf.getBackend()).toBe(name);
  });

  it('forces a backend', async () => {
    expect(await ready({ backend: 'cpu' })).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('names a backend that cannot start', async () => {
    await expect(ready({ backend: 'no-such-backend' })).rejects.toThrow(/backend 'no-such-backend' could not be initialized/);
  });
});
