// tfpl.VariationalGaussianProcess: trains with model.fit and tfp.losses.negativeLogLikelihood (the loss
// falls, the fit follows the data), the distribution it makes, serialization config, errors, no leaks.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { VariationalGaussianProcess } from '../../src/layers/variational_gaussian_process.js';
import { VariationalGaussianProcess as VGP } from '../../src/distributions/variational_gaussian_process.js';
import { negativeLogLikelihood } from '../../src/losses/nll.js';
import { predictDistribution } from '../../src/model.js';
import '../../src/layers/register.js';

describe('tfpl.VariationalGaussianProcess', () => {
  it('trains with model.fit on a noisy sine: the loss falls and the mean follows the data', async () => {
    const n = 60;
    const xs = Array.from({ length: n }, (_, i) => -2 + (4 * i) / (n - 1));
    const x = tf.tensor2d(xs, [n, 1]);
    const y = tf.tensor1d(xs.map((v, i) => Math.sin(2 * v) + 0.1 * Math.sin(37 * i)));
    const layer = new VariationalGaussianProcess({
      numInducingPoints: 8, eventShape: [1], numTrainingPoints: n,
      inducingIndexPointsInitializer: tf.initializers.randomUniform({ minval: -2, maxval: 2, seed: 3 }),
    });
    const model = tf.sequential({ layers: [tf.layers.inputLayer({ inputShape: [1] }), layer] });
    model.compile({ optimizer: tf.train.adam(0.05), loss: negativeLogLikelihood(layer) });
    const h = await model.fit(x, y, { epochs: 150, batchSize: n, verbose: 0 });
    const losses = h.history['loss'] as number[];
    expect(losses.at(-1)!).toBeLessThan(losses[0]! - 0.5);
    const before = tf.memory().numTensors;
    const d = predictDistribution(model, x);
    expect(d).toBeInstanceOf(VGP);
    expect(d.eventShape).toEqual([n]);
    const err = tf.tidy(() => tf.sqrt(tf.mean(tf.square(tf.sub(d.mean(), y)))).dataSync()[0]!);
    expect(err).toBeLessThan(0.3);
    d.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(layer.trainableWeights.length).toBe(6);
    const cfg = layer.getConfig();
    expect(cfg['numInducingPoints']).toBe(8);
    expect(cfg['kernel']).toBe('ExponentiatedQuadratic');
    tf.dispose([x, y]);
    model.dispose();
  });

  it('rejects bad arguments naming the layer and the argument', () => {
    expect(() => new VariationalGaussianProcess({ numInducingPoints: 0 })).toThrow(/VariationalGaussianProcess: numInducingPoints must be a positive integer/);
    expect(() => new VariationalGaussianProcess({ numInducingPoints: 3, eventShape: [2] })).toThrow(/eventShape must be \[1\] or \[\]/);
    expect(() => new VariationalGaussianProcess({ numInducingPoints: 3, kernel: 'Linear' as never })).toThrow(/kernel must be one of/);
  });
});
