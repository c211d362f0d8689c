import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import '../../src/layers/register.js';
import { MixtureDensity, MDN_SIGMA_EPSILON } from '../../src/layers/mixture_density.js';
import { makeTrainStep } from '../../src/train/train_step.js';
import { MixtureSameFamily as MixtureSameFamilyDist } from '../../src/distributions/mixture_same_family.js';
import { negativeLogLikelihood } from '../../src/losses/nll.js';
import { expectClose, expectNoLeak } from '../helpers.js';

/** float64 reference: log Σ_k softmax(l)_k Π_i N(y_i; μ_ki, σ_ki) for the recipe layout. */
function refLogProb(row: number[], y: number[], K: number, n: number): number {
  const l = row.slice(2 * K * n);
  const ml = Math.max(...l);
  const lse = ml + Math.log(l.reduce((a, v) => a + Math.exp(v - ml), 0));
  const c = l.map((lk, k) => {
    let s = lk - lse;
    for (let i = 0; i < n; i++) {
      const mu = row[k * n + i]!;
      const sg = row[K * n + k * n + i]!;
      s += -0.5 * ((y[i]! - mu) / sg) ** 2 - Math.log(sg) - 0.5 * Math.log(2 * Math.PI);
    }
    return s;
  });
  const mc = Math.max(...c);
  return mc + Math.log(c.reduce((a, v) => a + Math.exp(v - mc), 0));
}

function mdnModel(K: number, n: number, seed = 1): { model: tf.Sequential; head: MixtureDensity } {
  const head = new MixtureDensity({ eventSize: n, numComponents: K, seed });
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [1], units: 16, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
      head,
    ],
  });
  return { model, head };
}

describe('MixtureDensity layer (the recipe\'s MDN head)', () => {
  it('paramsSize: static and instance, K(2n+1)', () => {
    expect(MixtureDensity.paramsSize(1, 20)).toBe(60);
    expect(MixtureDensity.paramsSize(3, 5)).toBe(35);
    expect(new MixtureDensity({ eventSize: 3, numComponents: 5 }).paramsSize).toBe(35);
    expect(() => MixtureDensity.paramsSize(0, 5)).toThrow(/MixtureDensity.paramsSize: eventSize must be a positive integer; got 0/);
  });

  it('output layout [μ (K·n), σ = elu(z)+1+ε (K·n), logits (K)] from its own projection', () => {
    const { model, head } = mdnModel(3, 2);
    const x = tf.tensor2d([[-3], [0.5], [40]]);
    const h = model.layers[0]!.apply(x) as tf.Tensor;
    const out = model.predict(x) as tf.Tensor;
    expect(out.shape).toEqual([3, 15]);
    const [W, b] = head.getWeights();
    const z = tf.add(tf.matMul(h, W!), b!);
    const zd = z.arraySync() as number[][];
    const od = out.arraySync() as number[][];
    for (let r = 0; r < 3; r++) {
      for (let j = 0; j < 15; j++) {
        const zz = zd[r]![j]!;
        const want = j >= 6 && j < 12 ? (zz > 0 ? zz : Math.expm1(zz)) + 1 + MDN_SIGMA_EPSILON : zz;
        expect(Math.abs(od[r]![j]! - want)).toBeLessThan(1e-5 * (1 + Math.abs(want)));
      }
    }
    const sig = tf.slice(out, [0, 6], [3, 6]);
    expect(Array.from(sig.dataSync()).every((v) => v > 0)).toBe(true);
    tf.dispose([x, h, out, z, sig]);
  });

  it('toDistribution (instance and static) matches a float64 reference, batch [N], event [n]', () => {
    const K = 3;
    const n = 2;
    const rows = [
      [0, 1, -1, 2, 0.5, 0.5, 0.3, 1, 2, 0.4, 0.7, 1.5, 0.1, -0.3, 0.8],
      [1, 1, 1, 1, 1, 1, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 5, -5, 0],
    ];
    const ys = [[0.4, 1.1], [1 + 50 * 0.2, 1 - 50 * 0.2]];
    const params = tf.tensor2d(rows);
    const head = new MixtureDensity({ eventSize: n, numComponents: K });
    for (const d of [head.toDistribution(params), MixtureDensity.toDistribution(params, n, K)]) {
      expect(d).toBeInstanceOf(MixtureSameFamilyDist);
      expect(d.batchShape).toEqual([2]);
      expect(d.eventShape).toEqual([2]);
      const lp = d.logProb(ys);
      expectClose(lp, rows.map((r, i) => refLogProb(r, ys[i]!, K, n)), { rtol: 1e-5 });
      const s = d.sample([4], { seed: 1 });
      expect(s.shape).toEqual([4, 2, 2]);
      tf.dispose([lp, s]);
      d.dispose();
    }
    params.dispose();
  });

  it('getConfig / save / load round-trip predicts identically', async () => {
    const { model } = mdnModel(4, 1, 3);
    const cfg = (model.layers[1] as MixtureDensity).getConfig();
    expect(cfg['eventSize']).toBe(1);
    expect(cfg['numComponents']).toBe(4);
    let saved: tf.io.ModelArtifacts | null = null;
    await model.save(tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    const x = tf.tensor2d([[0.1], [2]]);
    const a = model.predict(x) as tf.Tensor;
    const b = loaded.predict(x) as tf.Tensor;
    expect(loaded.layers[1]).toBeInstanceOf(MixtureDensity);
    expectClose(b, a, { rtol: 0 });
    tf.dispose([x, a, b]);
  });

  it('NLL loss is the mean per-row NLL for any batch size (1, 7, 32)', () => {
    const { model, head } = mdnModel(5, 1, 4);
    const loss = negativeLogLikelihood(head);
    const xAll = tf.randomNormal([32, 1], 0, 1, 'float32', 1);
    const yAll = tf.randomNormal([32, 1], 0, 2, 'float32', 2);
    const pAll = model.predict(xAll) as tf.Tensor;
    const rows = pAll.arraySync() as number[][];
    const ys = yAll.arraySync() as number[][];
    const perRow = rows.map((r, i) => -refLogProb(r, ys[i]!, 5, 1));
    for (const bs of [1, 7, 32]) {
      const l = loss(tf.slice(yAll, [0, 0], [bs, 1]), tf.slice(pAll, [0, 0], [bs, 5 * 3]));
      const want = perRow.slice(0, bs).reduce((a, v) => a + v, 0) / bs;
      expectClose(l, want, { rtol: 1e-5, context: { bs } });
      l.dispose();
    }
    tf.dispose([xAll, yAll, pAll]);
  });

  it('300 epochs of fit with targets 50 sd out: no NaN/Infinity in loss or weights', async () => {
    const { model, head } = mdnModel(5, 1, 5);
    model.compile({ optimizer: tf.train.adam(1e-2), loss: negativeLogLikelihood(head) });
    const n = 64;
    const x = tf.randomUniform([n, 1], -1, 1, 'float32', 6);
    const yBase = tf.add(tf.sin(tf.mul(x, 3)), tf.randomNormal([n, 1], 0, 0.1, 'float32', 7));
    // Four targets 50 standard deviations (of the noise and of the data) out.
    const extreme = tf.tensor2d([[60], [-60], [45], [-45]]);
    const y = tf.concat([tf.slice(yBase, [0, 0], [n - 4, 1]), extreme]);
    const losses: number[] = [];
    const h = await model.fit(x, y, {
      epochs: 300,
      batchSize: n,
      verbose: 0,
      shuffle: false,
      callbacks: { onEpochEnd: async (_e, logs) => void losses.push(logs!['loss'] as number) },
    });
    expect(h.history['loss']!.length).toBe(300);
    expect(losses.every(Number.isFinite)).toBe(true);
    for (const w of model.getWeights()) expect(Array.from(w.dataSync()).every(Number.isFinite)).toBe(true);
    // It learned something: the final loss is below the first.
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]!);
    tf.dispose([x, yBase, extreme, y]);
  });

  it('makeTrainStep takes the same step as optimizer.minimize over model.apply', () => {
    const a = mdnModel(4, 1, 8);
    const b = mdnModel(4, 1, 8);
    b.model.setWeights(a.model.getWeights());
    const x = tf.randomNormal([16, 1], 0, 1, 'float32', 9);
    const y = tf.randomNormal([16, 1], 0, 1, 'float32', 10);
    const optA = tf.train.sgd(0.05);
    const lossA = negativeLogLikelihood(a.head);
    const step = makeTrainStep(b.model, { loss: negativeLogLikelihood(b.head), optimizer: tf.train.sgd(0.05) });
    for (let i = 0; i < 3; i++) {
      const la = optA.minimize(() => lossA(y, a.model.apply(x, { training: true }) as tf.Tensor), true)!;
      const lb = step(x, y);
      expectClose(lb, la, { rtol: 1e-5, context: { step: i } });
      tf.dispose([la, lb]);
    }
    const [wa, wb] = [a.model.getWeights(), b.model.getWeights()];
    wa.forEach((w, i) => expectClose(wb[i]!, w, { rtol: 1e-4, atol: 1e-6, context: { weight: i } }));
    expectNoLeak(() => step(x, y), 'step');
    tf.dispose([x, y]);
  });

  it('leak-free call, toDistribution and dispose', () => {
    const { model, head } = mdnModel(3, 1, 6);
    const x = tf.tensor2d([[0.1], [0.2]]);
    expectNoLeak(() => model.predict(x), 'predict');
    const p = model.predict(x) as tf.Tensor;
    expectNoLeak(() => head.toDistribution(p), 'toDistribution + dispose');
    expectNoLeak(() => {
      const d = head.toDistribution(p);
      const lp = d.logProb([[0], [1]]);
      d.dispose();
      return lp;
    }, 'logProb (fused)');
    tf.dispose([x, p]);
  });
});
