import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import '../../src/layers/register.js';
import { MixtureNormal } from '../../src/layers/mixture_normal.js';
import { MixtureSameFamily } from '../../src/layers/mixture_same_family.js';
import { IndependentNormal } from '../../src/layers/independent_normal.js';
import { MultivariateNormalTriL } from '../../src/layers/multivariate_normal_tril.js';
import { negativeLogLikelihood } from '../../src/losses/nll.js';
import { expectClose, expectNoLeak } from '../helpers.js';

const softplus = (v: number) => Math.log1p(Math.exp(v));

/** float64 reference for TFP's MixtureNormal layout [logits (K), K blocks of [loc (n), raw scale (n)]]. */
function refLogProb(row: number[], y: number[], K: number, n: number): number {
  const l = row.slice(0, K);
  const ml = Math.max(...l);
  const lse = ml + Math.log(l.reduce((a, v) => a + Math.exp(v - ml), 0));
  const c = l.map((lk, k) => {
    let s = lk - lse;
    for (let i = 0; i < n; i++) {
      const mu = row[K + 2 * n * k + i]!;
      const sg = softplus(row[K + 2 * n * k + n + i]!);
      s += -0.5 * ((y[i]! - mu) / sg) ** 2 - Math.log(sg) - 0.5 * Math.log(2 * Math.PI);
    }
    return s;
  });
  const mc = Math.max(...c);
  return mc + Math.log(c.reduce((a, v) => a + Math.exp(v - mc), 0));
}

const rows = [
  [0.2, -0.5, 1.0, 0, 0.3, 1.5, -1, 0.7, 2.2, 0.1, 0.4, -0.6, 0.9],
  [1, 1, 0, -2, 0.1, 0.1, 0.5, 3, 0.2, 2, 1, -0.1, -0.1],
];
const ys = [[0.5, -0.2], [3 + 50, -60]];

describe('MixtureNormal layer (TFP layout)', () => {
  it('paramsSize K(1 + 2n), static and instance', () => {
    expect(MixtureNormal.paramsSize(3, [2])).toBe(15);
    expect(MixtureNormal.paramsSize(5)).toBe(15);
    expect(new MixtureNormal({ numComponents: 4, eventShape: [3] }).paramsSize).toBe(28);
  });

  it('logProb matches the float64 reference (K=3, event [2]); static = instance; fused = composed', () => {
    const K = 3;
    const n = 2;
    const full = rows.map((r) => [...r, 0.3, -0.4].slice(0, K * (1 + 2 * n)));
    const params = tf.tensor2d(full);
    const head = new MixtureNormal({ numComponents: K, eventShape: [n] });
    const want = full.map((r, i) => refLogProb(r, ys[i]!, K, n));
    for (const d of [head.toDistribution(params), MixtureNormal.toDistribution(params, K, [n])]) {
      expect(d.batchShape).toEqual([2]);
      expect(d.eventShape).toEqual([2]);
      const lp = d.logProb(ys);
      expectClose(lp, want, { rtol: 1e-5 });
      // A sample-shaped x goes through the composed (non-fused) path: same values.
      const lp2 = d.logProb([ys]);
      expectClose(lp2, [want], { rtol: 1e-5 });
      tf.dispose([lp, lp2]);
      d.dispose();
    }
    params.dispose();
  });

  it('scalar event shape [] (TFP default): batch [N], event []', () => {
    const params = tf.tensor2d([[0, 0, 1, 0.5, -1, 0.5]]);
    const d = MixtureNormal.toDistribution(params, 2);
    expect(d.eventShape).toEqual([]);
    const lp = d.logProb([1]);
    const want = refLogProb([0, 0, 1, 0.5, -1, 0.5], [1], 2, 1);
    expectClose(lp, [want], { rtol: 1e-5 });
    tf.dispose([lp, params]);
    d.dispose();
  });

  it('config round-trip through save/load', async () => {
    const head = new MixtureNormal({ numComponents: 2, eventShape: [1] });
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 6 }), head] });
    let saved: tf.io.ModelArtifacts | null = null;
    await model.save(tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    const l = loaded.layers[1] as MixtureNormal;
    expect(l).toBeInstanceOf(MixtureNormal);
    expect(l.numComponents).toBe(2);
    expect(l.eventShape).toEqual([1]);
  });
});

describe('MixtureSameFamily layer', () => {
  it('with IndependentNormal components equals MixtureNormal (same layout)', () => {
    const K = 3;
    const n = 2;
    const full = rows.map((r) => [...r, 0.3, -0.4].slice(0, K * (1 + 2 * n)));
    const params = tf.tensor2d(full);
    const comp = new IndependentNormal({ eventShape: [n] });
    const head = new MixtureSameFamily({ numComponents: K, componentLayer: comp });
    expect(head.paramsSize).toBe(MixtureSameFamily.paramsSize(K, IndependentNormal.paramsSize([n])));
    expect(head.eventShape).toEqual([2]);
    const a = head.toDistribution(params);
    const b = MixtureNormal.toDistribution(params, K, [n]);
    const [la, lb] = [a.logProb(ys), b.logProb(ys)];
    expectClose(la, lb, { rtol: 1e-5 });
    const [ma, mb] = [a.mean(), b.mean()];
    expectClose(ma, mb, { rtol: 1e-5 });
    tf.dispose([la, lb, ma, mb, params]);
    a.dispose();
    b.dispose();
  });

  it('with MultivariateNormalTriL components: batch [N], event [d], blocks [..., K, c]', () => {
    const K = 2;
    const comp = new MultivariateNormalTriL({ eventSize: 2 });
    const head = new MixtureSameFamily({ numComponents: K, componentLayer: comp });
    const P = head.paramsSize;
    expect(P).toBe(K + K * MultivariateNormalTriL.paramsSize(2));
    const params = tf.randomNormal([4, P], 0, 1, 'float32', 3);
    const d = head.toDistribution(params);
    expect(d.batchShape).toEqual([4]);
    expect(d.eventShape).toEqual([2]);
    const x = d.sample([3], { seed: 2 });
    expect(x.shape).toEqual([3, 4, 2]);
    const lp = d.logProb(x);
    expect(lp.shape).toEqual([3, 4]);
    expect(Array.from(lp.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([params, x, lp]);
    d.dispose();
  });

  it('config round-trip keeps the component layer', async () => {
    const head = new MixtureSameFamily({ numComponents: 3, componentLayer: new IndependentNormal({ eventShape: [1] }) });
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: head.paramsSize }), head] });
    let saved: tf.io.ModelArtifacts | null = null;
    await model.save(tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    const l = loaded.layers[1] as MixtureSameFamily;
    expect(l).toBeInstanceOf(MixtureSameFamily);
    expect(l.componentLayer).toBeInstanceOf(IndependentNormal);
    expect(l.paramsSize).toBe(9);
    const x = tf.tensor2d([[0.3]]);
    const [pa, pb] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    expectClose(pb, pa, { rtol: 0 });
    tf.dispose([x, pa, pb]);
  });

  it('fits with the NLL loss (natural targets [N, 1]) and leaks nothing', async () => {
    const head = new MixtureNormal({ numComponents: 3, eventShape: [1] });
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [1], units: 8, activation: 'relu' }), tf.layers.dense({ units: head.paramsSize }), head],
    });
    model.compile({ optimizer: tf.train.adam(0.02), loss: negativeLogLikelihood(head) });
    const x = tf.randomUniform([50, 1], -1, 1, 'float32', 1);
    const y = tf.mul(x, 2);
    const h = await model.fit(x, y, { epochs: 5, batchSize: 16, verbose: 0 });
    expect(h.history['loss']!.every((v) => Number.isFinite(v as number))).toBe(true);
    const p = model.predict(x) as tf.Tensor;
    expectNoLeak(() => {
      const d = head.toDistribution(p);
      const out = [d.logProb(y), d.sample([], { seed: 1, temperature: 0.5 })];
      d.dispose();
      return out;
    }, 'toDistribution/logProb/sample');
    tf.dispose([x, y, p]);
  });
});
