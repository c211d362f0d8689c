import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as tfp from '../src/index.js';
import { IndependentNormal } from '../src/layers/independent_normal.js';
import { MultivariateNormalTriL } from '../src/layers/multivariate_normal_tril.js';
import { predictDistribution, sampleFromModel } from '../src/model.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectClose, expectNoLeak, meanTolerance } from './helpers.js';

function mvnModel(seed = 1): tf.LayersModel {
  const inputs = tf.input({ shape: [4] });
  const h = tf.layers.dense({ units: 8, activation: 'tanh', kernelInitializer: tf.initializers.glorotNormal({ seed }) }).apply(inputs) as tf.SymbolicTensor;
  const p = tf.layers.dense({ units: MultivariateNormalTriL.paramsSize(3), kernelInitializer: tf.initializers.glorotNormal({ seed: seed + 1 }) }).apply(h) as tf.SymbolicTensor;
  const out = new MultivariateNormalTriL({ eventSize: 3, name: 'mvn_head' }).apply(p) as tf.SymbolicTensor;
  return tf.model({ inputs, outputs: out });
}

describe('predictDistribution', () => {
  it('returns the head distribution with batchShape [N], equal to toDistribution(model.predict(x))', () => {
    const model = mvnModel();
    const x = tf.randomNormal([6, 4], 0, 1, 'float32', 3);
    const d = predictDistribution(model, x);
    expect(d.batchShape).toEqual([6]);
    expect(d.eventShape).toEqual([3]);
    const params = model.predict(x) as tf.Tensor;
    const ref = MultivariateNormalTriL.toDistribution(params, 3);
    const [a, b] = [d.covariance(), ref.covariance()];
    expectClose(a, b, { rtol: 0 });
    tf.dispose([x, params, a, b]);
    d.dispose();
    ref.dispose();
    model.dispose();
  });

  it('finds a head that is not the output layer when named, and rejects non-heads', () => {
    const inputs = tf.input({ shape: [2] });
    const p = tf.layers.dense({ units: 4 }).apply(inputs) as tf.SymbolicTensor;
    // An inner head hands its layer a sample of its event shape (a parameter head declares its width unknown).
    const head = new IndependentNormal({ eventShape: [2], name: 'inner', convertToTensorFn: 'mean' });
    const q = head.apply(p) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 1, name: 'tail' }).apply(q) as tf.SymbolicTensor;
    const model = tf.model({ inputs, outputs: out });
    const x = tf.ones([3, 2]);
    expect(() => predictDistribution(model, x)).toThrow(/has no distribution head as output layer \(last layer: Dense 'tail'\)/);
    const d = predictDistribution(model, x, { head: 'inner' });
    expect(d.batchShape).toEqual([3]);
    expect(d.eventShape).toEqual([2]);
    expect(() => predictDistribution(model, x, { head: 'tail' })).toThrow(/layer 'tail' \(Dense\) is not a distribution head/);
    d.dispose();
    x.dispose();
    model.dispose();
  });

  it('is leak-free', () => {
    const model = mvnModel();
    const x = tf.ones([5, 4]);
    expectNoLeak(() => predictDistribution(model, x), 'predictDistribution');
    x.dispose();
    model.dispose();
  });
});

describe('sampleFromModel', () => {
  it('gives [S, N, D] (SND) or [N, S, D] (NSD), the same draws in both layouts, leak-free', () => {
    const model = mvnModel();
    const x = tf.randomNormal([5, 4], 0, 1, 'float32', 3);
    const snd = sampleFromModel(model, x, 7, { seed: 4 });
    const nsd = sampleFromModel(model, x, 7, { seed: 4, layout: 'NSD' });
    expect(snd.shape).toEqual([7, 5, 3]);
    expect(nsd.shape).toEqual([5, 7, 3]);
    const t = snd.transpose([1, 0, 2]);
    expectClose(t, nsd, { rtol: 0 });
    expectNoLeak(() => sampleFromModel(model, x, 3, { seed: 1, layout: 'NSD' }), 'sampleFromModel');
    expect(() => sampleFromModel(model, x, 3, { layout: 'XYZ' as never })).toThrow(/layout must be 'SND' or 'NSD'/);
    tf.dispose([x, snd, nsd, t]);
    model.dispose();
  });

  it('sample moments match the predicted mean and covariance (false-failure rate 1e-4)', () => {
    const model = mvnModel(5);
    const x = tf.randomNormal([2, 4], 0, 1, 'float32', 9);
    const S = 20000;
    const s = sampleFromModel(model, x, S, { seed: 8, layout: 'NSD' }); // [2, S, 3]
    const d = predictDistribution(model, x);
    const mu = tf.tidy(() => d.mean().arraySync() as number[][]);
    const cov = tf.tidy(() => d.covariance().arraySync() as number[][][]);
    const m = tf.tidy(() => s.mean(1).arraySync() as number[][]);
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 3; j++) {
        expect(Math.abs(m[i]![j]! - mu[i]![j]!)).toBeLessThan(meanTolerance(Math.sqrt(cov[i]![j]![j]!), S, 6));
      }
    }
    // Sample covariance entrywise: the sd of a sample covariance entry is ≈ sqrt((Σ_jj Σ_kk + Σ_jk²)/S).
    const c = tf.tidy(() => {
      const centered = s.sub(s.mean(1, true));
      return tf.matMul(centered.transpose([0, 2, 1]), centered).div(S - 1).arraySync() as number[][][];
    });
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 3; j++) {
        for (let k = 0; k < 3; k++) {
          const sd = Math.sqrt(cov[i]![j]![j]! * cov[i]![k]![k]! + cov[i]![j]![k]! ** 2);
          expect(Math.abs(c[i]![j]![k]! - cov[i]![j]![k]!)).toBeLessThan(meanTolerance(sd, S, 18));
        }
      }
    }
    tf.dispose([x, s]);
    d.dispose();
    model.dispose();
  });

  it('is exported on the root', () => {
    expect(tfp.predictDistribution).toBe(predictDistribution);
    expect(tfp.sampleFromModel).toBe(sampleFromModel);
    expect(tfp.tfpl).toBe(tfp.layers);
  });
});

describe('the documented usage (README / TSDoc) end to end, through the root API only', () => {
  it('build, compile, fit on natural targets, predict, sample, save, load', async () => {
    const tfpl = tfp.tfpl;
    const head = new tfpl.MultivariateNormalTriL({ eventSize: 5 });
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [6], units: 24, activation: 'relu' }),
        tf.layers.dense({ units: tfpl.MultivariateNormalTriL.paramsSize(5) }),
        head,
      ],
    });
    model.compile({ optimizer: 'adam', loss: tfp.losses.negativeLogLikelihood(head) });
    const x = tf.randomNormal([40, 6], 0, 1, 'float32', 1);
    const y = tf.randomNormal([40, 5], 0, 1, 'float32', 2);
    await model.fit(x, y, { batchSize: 32, epochs: 2, verbose: 0 });
    const d = tfp.predictDistribution(model, x);
    expect(d.batchShape).toEqual([40]);
    const cov = d.covariance();
    expect(cov.shape).toEqual([40, 5, 5]);
    const s = tfp.sampleFromModel(model, x, 100, { seed: 1, layout: 'NSD' });
    expect(s.shape).toEqual([40, 100, 5]);
    const dir = mkdtempSync(join(tmpdir(), 'tfp-readme-'));
    try {
      await tfp.io.saveModel(model, dir);
      const again = await tfp.io.loadModel(dir);
      const [a, b] = [model.predict(x) as tf.Tensor, again.predict(x) as tf.Tensor];
      expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
      tf.dispose([a, b]);
      again.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    tf.dispose([x, y, cov, s]);
    d.dispose();
    model.dispose();
  });
});
