import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as tfp from '../../src/index.js';
import { Normal } from '../../src/distributions/normal.js';
import type { DistributionLayer } from '../../src/layers/distribution_layer.js';
import { DistributionLambda } from '../../src/layers/distribution_lambda.js';
import { IndependentNormal } from '../../src/layers/independent_normal.js';
import { MultivariateNormalTriL } from '../../src/layers/multivariate_normal_tril.js';
import { negativeLogLikelihood } from '../../src/losses/nll.js';
import { encodeTargets } from '../../src/losses/targets.js';
import { expectClose } from '../helpers.js';

const normalFromTwo = (t: tf.Tensor) => {
  const [loc, raw] = tf.tidy(() => tf.split(t, 2, -1).map((v) => tf.squeeze(v, [-1])));
  const scale = tf.tidy(() => tf.softplus(raw!));
  const d = new Normal({ loc: loc!, scale });
  tf.dispose([loc!, raw!, scale]);
  return d;
};

/** Every head with the natural target shape of its event (y of shape [N, ...yTail]). */
function cases(): Array<[string, () => DistributionLayer, number[]]> {
  const out: Array<[string, () => DistributionLayer, number[]]> = [
    ['IndependentNormal eventShape [] with y [N]', () => new IndependentNormal(), []],
    ['IndependentNormal eventShape [] with y [N, 1]', () => new IndependentNormal(), [1]],
    ['IndependentNormal eventShape [1] with y [N, 1]', () => new IndependentNormal({ eventShape: [1] }), [1]],
    ['IndependentNormal eventShape [2, 3] with y [N, 6] (flattened)', () => new IndependentNormal({ eventShape: [2, 3] }), [2, 3]],
    ['MultivariateNormalTriL eventSize 3 with y [N, 3]', () => new MultivariateNormalTriL({ eventSize: 3 }), [3]],
    ['DistributionLambda (Normal) with y [N]', () => new DistributionLambda({ makeDistribution: normalFromTwo, paramsSize: 2 }), []],
  ];
  // The mixture heads (built on the same DistributionLayer base).
  out.push(['MixtureNormal K=3 eventShape [2] with y [N, 2]', () => new tfp.layers.MixtureNormal({ numComponents: 3, eventShape: [2] }), [2]]);
  out.push([
    'MixtureSameFamily K=2 of MultivariateNormalTriL(2) with y [N, 2]',
    () => new tfp.layers.MixtureSameFamily({ numComponents: 2, componentLayer: new MultivariateNormalTriL({ eventSize: 2 }) }),
    [2],
  ]);
  out.push(['MixtureDensity K=3 eventSize 1 with y [N, 1]', () => new tfp.layers.MixtureDensity({ numComponents: 3, eventSize: 1 }), [1]]);
  return out;
}

describe('natural targets in model.fit / evaluate / trainOnBatch', () => {
  for (const [name, make, yTail] of cases()) {
    it(`model.fit(x, y) trains with y in natural shape: ${name}`, async () => {
      const head = make();
      const hasOwnWeights = head.getClassName() === 'MixtureDensity';
      const model = tf.sequential({
        layers: [tf.layers.dense({ inputShape: [4], units: hasOwnWeights ? 8 : head.paramsSize, kernelInitializer: 'glorotNormal' }), head],
      });
      model.compile({ optimizer: tf.train.adam(0.05), loss: negativeLogLikelihood(head) });
      const n = 64;
      const x = tf.randomNormal([n, 4], 0, 1, 'float32', 1);
      // An event of rank 2 or more: tfjs' target check in fit wants rank 2, so its targets come flattened.
      const yShape = yTail.length >= 2 ? [n, yTail.reduce((a, b) => a * b, 1)] : [n, ...yTail];
      const y = tf.tidy(() => tf.randomNormal(yShape, 0, 1, 'float32', 2).add(1));
      const before = tf.memory().numTensors;
      const h = await model.fit(x, y, { epochs: 8, batchSize: 16, verbose: 0, shuffle: false });
      const losses = h.history['loss'] as number[];
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(losses[losses.length - 1]!).toBeLessThan(losses[0]!);
      // evaluate and trainOnBatch also take natural targets; encoded targets give the same value.
      const e1 = model.evaluate(x, y, { batchSize: 64 }) as tf.Scalar;
      const enc = encodeTargets(head, y);
      const e2 = model.evaluate(x, enc, { batchSize: 64 }) as tf.Scalar;
      expectClose(e1, e2, { rtol: 0 });
      const tb = await model.trainOnBatch(x, y);
      expect(Number.isFinite(tb as number)).toBe(true);
      tf.dispose([e1, e2, enc]);
      // fit leaves no encoded copies behind (the optimizer's slots are the only new tensors).
      const after = tf.memory().numTensors;
      expect(after - before).toBeLessThanOrEqual(2 * model.trainableWeights.length + 1);
      tf.dispose([x, y]);
      model.dispose();
    });
  }

  it('validationData with natural targets works and leaves no tensors behind', async () => {
    const head = new MultivariateNormalTriL({ eventSize: 2 });
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: head.paramsSize }), head] });
    model.compile({ optimizer: 'sgd', loss: negativeLogLikelihood(head) });
    const x = tf.randomNormal([20, 3], 0, 1, 'float32', 3);
    const y = tf.randomNormal([20, 2], 0, 1, 'float32', 4);
    await model.fit(x, y, { epochs: 1, verbose: 0, validationData: [x, y] });
    const before = tf.memory().numTensors;
    const h = await model.fit(x, y, { epochs: 2, verbose: 0, validationData: [x, y], validationSplit: 0 });
    expect((h.history['val_loss'] as number[]).length).toBe(2);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('fitDataset takes natural targets too (no shape check there; the loss decodes them)', async () => {
    const head = new MultivariateNormalTriL({ eventSize: 2 });
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: head.paramsSize }), head] });
    model.compile({ optimizer: tf.train.adam(0.05), loss: negativeLogLikelihood(head) });
    const x = tf.randomNormal([32, 3], 0, 1, 'float32', 5);
    const y = tf.randomNormal([32, 2], 0, 1, 'float32', 6);
    const [xs, ys] = [tf.unstack(x), tf.unstack(y)];
    const ds = tf.data.zip({ xs: tf.data.array(xs), ys: tf.data.array(ys) }).batch(8);
    const h = await model.fitDataset(ds, { epochs: 3, verbose: 0 });
    const l = h.history['loss'] as number[];
    expect(l[2]!).toBeLessThan(l[0]!);
    tf.dispose([x, y, ...xs, ...ys]);
    model.dispose();
  });

  it('targets of a wrong shape still fail with a clear message', async () => {
    const head = new MultivariateNormalTriL({ eventSize: 2 });
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: head.paramsSize }), head] });
    model.compile({ optimizer: 'sgd', loss: negativeLogLikelihood(head) });
    const x = tf.zeros([4, 3]);
    const y = tf.zeros([4, 7]);
    await expect(model.fit(x, y, { epochs: 1, verbose: 0 })).rejects.toThrow(
      /MultivariateNormalTriL '[^']*': loss got targets of shape \[4, 7\] for predictions \[4, 5\]; expected \[4, 2\] \(natural\) or \[4, 5\] \(encoded\)/,
    );
    tf.dispose([x, y]);
    model.dispose();
  });

  it('models without a distribution head are untouched', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2 })] });
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const x = tf.zeros([4, 3]);
    const y = tf.zeros([4, 3]);
    await expect(model.fit(x, y, { epochs: 1, verbose: 0 })).rejects.toThrow(/target expected a batch of elements/);
    tf.dispose([x, y]);
    model.dispose();
  });
});
