import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Independent } from '../../src/distributions/independent.js';
import { klDivergence as tfdKl } from '../../src/distributions/kl.js';
import { Normal } from '../../src/distributions/normal.js';
import {
  Convolution2DFlipout, Convolution2DReparameterization, DenseFlipout, DenseReparameterization, IndependentNormal,
  KLDivergenceAddLoss, KLDivergenceRegularizer, VariableLayer, registerDivergenceFn, registerPriorDistributionFn,
} from '../../src/layers/index.js';
import { negativeLogLikelihood } from '../../src/losses/nll.js';
import { modelLosses, predictiveMixture } from '../../src/model.js';
import { expectNoLeak } from '../helpers.js';

// Seeded layers and data: every test here is deterministic (no false failures).

const softplus = (v: number) => Math.log1p(Math.exp(v));
const EPS = 1.1920929e-7;

/** Closed-form KL(∏N(μ, ε + softplus(ρ)) || ∏N(0, 1)) from the layer's weights. */
function klFromWeights(layer: tf.layers.Layer): number {
  const [loc, rho] = layer.getWeights().map((w) => Array.from(w.dataSync()));
  let kl = 0;
  loc!.forEach((m, i) => {
    const s = EPS + softplus(rho![i]!);
    kl += -Math.log(s) + (s * s + m * m) / 2 - 0.5;
  });
  return kl;
}

async function roundTrip(model: tf.LayersModel): Promise<tf.LayersModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => {
    saved = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return tf.loadLayersModel(tf.io.fromMemory(saved!));
}

describe('DenseReparameterization and DenseFlipout', () => {
  it('TFP defaults: kernel posterior N(μ ~ N(0, .1²), softplus(ρ ~ N(-3, .1²))), zero bias, KL = klWeight · exact KL', () => {
    for (const Cls of [DenseReparameterization, DenseFlipout]) {
      const layer = new Cls({ units: 3, klWeight: 0.5, seed: 1 });
      layer.apply(tf.input({ shape: [4] }));
      const [loc, rho, bias] = layer.getWeights();
      expect(loc!.shape).toEqual([4, 3]);
      expect(rho!.shape).toEqual([4, 3]);
      expect(bias!.shape).toEqual([3]);
      const r = Array.from(rho!.dataSync());
      expect(Math.max(...r.map((v) => Math.abs(v + 3)))).toBeLessThan(0.6); // 6 sd of N(-3, 0.1²)
      expect(Array.from(bias!.dataSync())).toEqual([0, 0, 0]);
      expect(layer.losses.length).toBe(1);
      const kl = layer.losses[0]!();
      expect(kl.dataSync()[0]!).toBeCloseTo(0.5 * klFromWeights(layer), 2);
      kl.dispose();
      layer.dispose();
    }
  });

  it('Reparameterization draws one kernel per call (equal rows for equal inputs); Flipout decorrelates the rows', () => {
    const x = tf.ones([4, 3]);
    const rep = new DenseReparameterization({ units: 2, seed: 2 });
    const flip = new DenseFlipout({ units: 2, seed: 2 });
    for (const l of [rep, flip]) {
      l.apply(tf.input({ shape: [3] }));
      // Widen the posterior so that the draws differ visibly.
      l.setWeights([l.getWeights()[0]!, tf.fill([3, 2], 0.5), l.getWeights()[2]!]);
    }
    const a = rep.apply(x) as tf.Tensor;
    const b = flip.apply(x) as tf.Tensor;
    const ra = a.arraySync() as number[][];
    const rb = b.arraySync() as number[][];
    for (let i = 1; i < 4; i++) expect(ra[i]).toEqual(ra[0]);
    expect(rb.slice(1).some((row) => row[0] !== rb[0]![0])).toBe(true);
    const a2 = rep.apply(x) as tf.Tensor;
    expect(a2.dataSync()[0]).not.toBe(a.dataSync()[0]); // fresh draw per call
    tf.dispose([x, a, b, a2]);
  });

  it('Flipout is unbiased: its mean over many calls is x μ + b', () => {
    const flip = new DenseFlipout({ units: 1, seed: 5 });
    flip.apply(tf.input({ shape: [2] }));
    flip.setWeights([tf.tensor2d([[1], [-2]]), tf.fill([2, 1], Math.log(Math.expm1(0.3))), tf.tensor1d([0.5])]);
    const x = tf.tensor2d([[1, 1]]);
    const n = 4000;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const y = flip.apply(x) as tf.Tensor;
      sum += y.dataSync()[0]!;
      y.dispose();
    }
    // sd of one output = 0.3·√2 ≈ 0.42; the mean of 4000 draws has sd 0.0067, 0.04 is 6 sd.
    expect(Math.abs(sum / n - (1 - 2 + 0.5))).toBeLessThan(0.04);
    x.dispose();
  });

  it('fits, puts its KL in tfp.modelLosses(model) and in the loss fit reports; saves and loads; a custom divergence by name', async () => {
    registerDivergenceFn('halfKl', (q, p) => tf.tidy(() => tf.mul(0.5, tfdKl(q, p))));
    const n = 32;
    const x = tf.linspace(-1, 1, n).reshape([n, 1]);
    const y = tf.tidy(() => x.mul(3));
    const model = tf.sequential({ layers: [
      new DenseFlipout({ inputShape: [1], units: 8, activation: 'tanh', klWeight: 1 / n, seed: 3 }),
      new DenseReparameterization({ units: 2, klWeight: 1 / n, kernelDivergenceFn: 'halfKl', seed: 4 }),
      new IndependentNormal(),
    ] });
    model.compile({ optimizer: tf.train.adam(0.03), loss: negativeLogLikelihood(model.layers[2] as IndependentNormal) });
    expect(modelLosses(model).length).toBe(2);
    const h = await model.fit(x, y, { epochs: 150, batchSize: n, verbose: 0 });
    const loss = h.history['loss'] as number[];
    expect(loss[loss.length - 1]!).toBeLessThan(loss[0]! - 1);
    const kls = modelLosses(model).map((f) => {
      const t = f();
      const v = t.dataSync()[0]!;
      t.dispose();
      return v;
    });
    expect(kls[0]!).toBeCloseTo(klFromWeights(model.layers[0]!) / n, 3);
    expect(kls[1]!).toBeCloseTo((0.5 * klFromWeights(model.layers[1]!)) / n, 3);
    const loaded = await roundTrip(model);
    expect(loaded.layers[0]).toBeInstanceOf(DenseFlipout);
    expect(loaded.layers[1]!.getConfig()['kernelDivergenceFn']).toBe('halfKl');
    const w0 = model.getWeights();
    const w1 = loaded.getWeights();
    w0.forEach((w, i) => expect(Array.from(w1[i]!.dataSync())).toEqual(Array.from(w.dataSync())));
    expect(modelLosses(loaded).length).toBe(2);
    expectNoLeak(() => loaded.predict(x), 'predict');
    expectNoLeak(() => modelLosses(loaded).map((f) => f()), 'losses');
    tf.dispose([x, y]);
    model.dispose();
    loaded.dispose();
  });

  it('predictiveMixture of a model without a distribution head: output as the mean, zero aleatoric variance', () => {
    const model = tf.sequential({ layers: [new DenseFlipout({ inputShape: [2], units: 3, seed: 8 })] });
    model.layers[0]!.setWeights([model.layers[0]!.getWeights()[0]!, tf.fill([2, 3], 0), model.layers[0]!.getWeights()[2]!]);
    const x = tf.tensor2d([[1, 2], [0, 0]]);
    const before = tf.memory().numTensors;
    const mix = predictiveMixture(model, x, { numSamples: 5 });
    expect(mix.mean.shape).toEqual([2, 3]);
    expect(Array.from(mix.aleatoricVariance.dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Math.max(...Array.from(mix.epistemicVariance.dataSync()))).toBeGreaterThan(0);
    expect(() => predictiveMixture(model, x, { numSamples: 0 })).toThrow(/predictiveMixture: numSamples must be a positive integer; got 0/);
    tf.dispose(Object.values(mix));
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    model.dispose();
  });

  it('an unregistered divergence function cannot be saved', async () => {
    const model = tf.sequential({ layers: [new DenseFlipout({ inputShape: [1], units: 1, kernelDivergenceFn: (q, p) => tfdKl(q, p) })] });
    await expect(roundTrip(model)).rejects.toThrow(/kernelDivergenceFn is an unregistered function .*registerDivergenceFn/);
    model.dispose();
  });
});


describe('Convolution2DReparameterization and Convolution2DFlipout', () => {
  it('shapes (valid/same, strides), KL, training step, save/load, no leaks (on wasm through the library\'s Conv2DBackpropFilter)', async () => {
    await convChecks();
  });

  async function convChecks(): Promise<void> {
    for (const Cls of [Convolution2DReparameterization, Convolution2DFlipout]) {
      const valid = new Cls({ filters: 4, kernelSize: 3, seed: 1 });
      const same = new Cls({ filters: 2, kernelSize: [3, 2], strides: 2, padding: 'same', seed: 2 });
      const inp = tf.input({ shape: [8, 7, 3] });
      const h = valid.apply(inp) as tf.SymbolicTensor;
      expect(h.shape).toEqual([null, 6, 5, 4]);
      const o = same.apply(h) as tf.SymbolicTensor;
      expect(o.shape).toEqual([null, 3, 3, 2]);
      const model = tf.model({ inputs: inp, outputs: o });
      const x = tf.randomNormal([5, 8, 7, 3], 0, 1, 'float32', 1);
      const y = model.predict(x) as tf.Tensor;
      expect(y.shape).toEqual([5, 3, 3, 2]);
      expect(modelLosses(model).length).toBe(2);
      const kl = modelLosses(model)[0]!();
      expect(kl.dataSync()[0]!).toBeCloseTo(klFromWeights(valid), 1);
      kl.dispose();
      model.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });
      await model.fit(x, tf.zerosLike(y), { epochs: 1, verbose: 0 });
      const loaded = await roundTrip(model);
      expect(loaded.layers[1]).toBeInstanceOf(Cls);
      expect(loaded.layers[2]!.getConfig()['padding']).toBe('same');
      expectNoLeak(() => loaded.predict(x), 'predict');
      tf.dispose([x, y]);
      model.dispose();
      loaded.dispose();
    }
  }

  it('checks its arguments', () => {
    expect(() => new Convolution2DFlipout({ filters: 0, kernelSize: 3 })).toThrow(/Convolution2DFlipout: filters must be a positive integer; got 0/);
    expect(() => new Convolution2DReparameterization({ filters: 2, kernelSize: 3, padding: 'full' as 'same' })).toThrow(/padding must be 'valid' or 'same'/);
  });
});

describe('VariableLayer', () => {
  it('outputs its trainable variable whatever the input; saves and loads', async () => {
    const inp = tf.input({ shape: [3] });
    const v = new VariableLayer({ shape: [2], initializer: 'ones', activation: 'softplus' });
    const out = v.apply(inp) as tf.SymbolicTensor;
    expect(out.shape).toEqual([2]);
    expect(v.trainableWeights.length).toBe(1);
    const t = v.apply(tf.zeros([4, 3])) as tf.Tensor;
    expect(Array.from(t.dataSync())).toEqual([softplus(1), softplus(1)].map(Math.fround));
    t.dispose();
    expect(() => new VariableLayer({ shape: [0] })).toThrow(/VariableLayer: shape must be a positive integer/);
  });
});

describe('KLDivergenceRegularizer and KLDivergenceAddLoss', () => {
  const prior = () => new Independent({ distribution: new Normal({ loc: tf.zeros([2]), scale: tf.ones([2]) }), reinterpretedBatchNdims: 1 });

  it('the regularizer is weight · batch-mean KL (exact), and the one-draw estimate averages to it', () => {
    const a = new Independent({ distribution: new Normal({ loc: [[1, 0], [0, -1]], scale: [[0.5, 1], [2, 1]] }), reinterpretedBatchNdims: 1 });
    const b = prior();
    const exact = new KLDivergenceRegularizer(b, { weight: 2, useExactKl: true });
    const kl1 = -Math.log(0.5) + (0.25 + 1) / 2 - 0.5;
    const kl2 = -Math.log(2) + (4 + 0) / 2 - 0.5 + 0.5;
    const e = exact.apply(a);
    expect(e.dataSync()[0]!).toBeCloseTo(2 * ((kl1 + kl2) / 2), 4);
    const mc = new KLDivergenceRegularizer(b, { weight: 2, seed: 3 });
    let s = 0;
    const n = 3000;
    for (let i = 0; i < n; i++) {
      const v = mc.apply(a);
      s += v.dataSync()[0]!;
      v.dispose();
    }
    expect(Math.abs(s / n - e.dataSync()[0]!)).toBeLessThan(0.1); // seeded; the estimate's sd ≈ 2, so 0.1 is ~3 standard errors
    e.dispose();
    a.dispose();
    b.dispose();
  });

  it('KLDivergenceAddLoss: identity on the parameters, KL in the fit loss, saves with registered names', async () => {
    registerPriorDistributionFn('standardNormal2', prior);
    const inp = tf.input({ shape: [3] });
    const head = new IndependentNormal({ eventShape: [2] });
    const params = head.apply(tf.layers.dense({ units: 4, kernelInitializer: 'zeros' }).apply(inp)) as tf.SymbolicTensor;
    const addKl = new KLDivergenceAddLoss({ makeDistribution: head, distributionB: 'standardNormal2', useExactKl: true, weight: 100 });
    const out = addKl.apply(params) as tf.SymbolicTensor;
    const model = tf.model({ inputs: inp, outputs: out });
    expect(modelLosses(model).length).toBe(1);
    const x = tf.ones([6, 3]);
    const p = model.predict(x) as tf.Tensor;
    expect(p.shape).toEqual([6, 4]);
    // With zero weights: a = N(0, softplus(0)) per dim; KL per dim = -log s + s²/2 - 1/2.
    const s = Math.log(2);
    const want = 100 * 2 * (-Math.log(s) + (s * s) / 2 - 0.5);
    model.compile({ optimizer: tf.train.sgd(0), loss: 'meanSquaredError' });
    const h = await model.fit(x, p, { epochs: 1, batchSize: 6, verbose: 0 });
    expect(h.history['loss']![0] as number).toBeCloseTo(want, 2); // the MSE part is 0
    const loaded = await roundTrip(model);
    const cfg = loaded.layers[loaded.layers.length - 1]!.getConfig();
    expect(cfg['distributionB']).toBe('standardNormal2');
    loaded.compile({ optimizer: tf.train.sgd(0), loss: 'meanSquaredError' });
    const h2 = await loaded.fit(x, p, { epochs: 1, batchSize: 6, verbose: 0 });
    expect(h2.history['loss']![0] as number).toBeCloseTo(want, 2);
    tf.dispose([x, p]);
    model.dispose();
    loaded.dispose();
  });
});
