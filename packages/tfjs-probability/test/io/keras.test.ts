// Models converted from Keras with TFP heads (fixtures: test/fixtures/generate_keras.py, after
// TFP 0.25's get_config and tensorflowjs_converter's layers format) load through tfp.io.loadModel
// and give scipy's log densities.
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import * as tfp from '../../src/index.js';
import { Normal } from '../../src/distributions/normal.js';
import { loadModel, prepareKerasArtifacts, saveModel } from '../../src/io/index.js';
import { predictDistribution } from '../../src/model.js';
import { expectClose, loadFixture } from '../helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixtureDir = (d: string): string => join(here, '..', 'fixtures', 'keras', d);
const root = mkdtempSync(join(tmpdir(), 'tfp-keras-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Case {
  name: string;
  dir: string;
  options: tfp.io.KerasLoadOptions;
  x: number[][];
  y: number[] | number[][] | number[][][];
  logProb: number[];
  predict?: number[][];
  errorWithoutOptions?: string;
}
const { cases } = loadFixture<{ cases: Case[] }>('keras');
const tfpl = tfp.layers;

function registerLambda(): void {
  // TFP: DistributionLambda(lambda t: tfd.Normal(t[..., 0], tf.math.softplus(t[..., 1])))
  tfpl.registerDistributionFn('distribution_lambda', (t: tf.Tensor) => {
    const [loc, raw] = tf.tidy(() => tf.split(t, 2, -1).map((v) => tf.squeeze(v, [-1])));
    const scale = tf.tidy(() => tf.softplus(raw!));
    const d = new Normal({ loc: loc!, scale });
    tf.dispose([loc!, raw!, scale]);
    return d;
  });
}

describe('io.loadModel: Keras models with TFP heads, converted by tensorflowjs_converter', () => {
  for (const c of cases) {
    it(`${c.name}: loads and gives scipy's log densities`, async () => {
      if (c.errorWithoutOptions !== undefined) {
        await expect(loadModel(fixtureDir(c.dir))).rejects.toThrow(new RegExp(c.errorWithoutOptions));
      }
      if (c.name === 'distribution_lambda') registerLambda();
      const model = await loadModel(fixtureDir(c.dir), c.options);
      const before = tf.memory().numTensors;
      const x = tf.tensor2d(c.x);
      const y = tf.tensor(c.y);
      const d = predictDistribution(model, x);
      expect(d.batchShape).toEqual([c.x.length]);
      const lp = d.logProb(y);
      expectClose(lp, c.logProb, { rtol: 1e-4, atol: 1e-4, context: c.name });
      // predict returns what convert_to_tensor_fn names (TFP's default: a sample), [N, ...eventShape].
      const out = model.predict(x) as tf.Tensor;
      expect(out.shape).toEqual([c.x.length, ...d.eventShape]);
      if (c.predict !== undefined) expectClose(out, c.predict, { rtol: 1e-4, atol: 1e-5, context: `${c.name} predict` });
      d.dispose();
      tf.dispose([x, y, lp, out]);
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
    });
  }

  it("convertToTensor: 'params' makes heads output their raw parameters, so the model trains in tfjs", async () => {
    const model = await loadModel(fixtureDir('mvn_tril'), { convertToTensor: 'params' });
    const head = model.layers[model.layers.length - 1] as tfp.layers.DistributionLayer;
    expect(head.convertToTensorFn).toBeUndefined();
    const x = tf.tensor2d(cases.find((c) => c.name === 'mvn_tril')!.x);
    const out = model.predict(x) as tf.Tensor;
    expect(out.shape).toEqual([x.shape[0], 5]);
    model.compile({ optimizer: 'sgd', loss: tfp.losses.negativeLogLikelihood(head) });
    const h = await model.fit(x, tf.zeros([x.shape[0], 2]), { epochs: 1, verbose: 0 });
    expect(Number.isFinite(h.history['loss']![0] as number)).toBe(true);
    tf.dispose([x, out]);
    model.dispose();
  });

  it('a width that does not match the config names the layer, both sizes and the option', async () => {
    const mj = JSON.parse(readFileSync(join(fixtureDir('independent_normal'), 'model.json'), 'utf8'));
    mj.modelTopology.model_config.config.layers[1].config.event_shape = [3];
    const artifacts = { modelTopology: mj.modelTopology, weightSpecs: mj.weightsManifest[0].weights };
    expect(() => prepareKerasArtifacts(artifacts)).toThrow(
      /layer 'independent_normal' \(IndependentNormal\): its input has width 4 but params_size\(event_shape \[3\]\) = 6; pass it as loadModel\(path, \{heads: \{independent_normal: \{eventShape: \[n\]\}\}\}\)/,
    );
  });

  it("a convert_to_tensor_fn in Keras' dict form ({class_name: 'function', config: 'mean'}) is read too", async () => {
    const dir = fixtureDir('mvn_tril');
    const mj = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    mj.modelTopology.model_config.config.layers[1].config.convert_to_tensor_fn = {
      module: 'builtins', class_name: 'function', config: 'mean', registered_name: 'function',
    };
    const bin = readFileSync(join(dir, 'group1-shard1of1.bin'));
    const artifacts = prepareKerasArtifacts({
      modelTopology: mj.modelTopology,
      weightSpecs: mj.weightsManifest[0].weights,
      weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
    });
    const model = await tf.loadLayersModel({ load: async () => artifacts });
    const c = cases.find((k) => k.name === 'mvn_tril')!;
    const x = tf.tensor2d(c.x);
    const out = model.predict(x) as tf.Tensor;
    expectClose(out, c.predict!, { rtol: 1e-4, atol: 1e-5 });
    tf.dispose([x, out]);
    model.dispose();
  });

  it('a convert_to_tensor_fn that is not one of TFP\'s names fails, naming the option', async () => {
    const mj = JSON.parse(readFileSync(join(fixtureDir('mvn_tril'), 'model.json'), 'utf8'));
    mj.modelTopology.model_config.config.layers[1].config.convert_to_tensor_fn = '<lambda>';
    expect(() => prepareKerasArtifacts({ modelTopology: mj.modelTopology })).toThrow(
      /'multivariate_normal_tri_l' \(MultivariateNormalTriL\): convert_to_tensor_fn "<lambda>" is not one of sample, mean, mode, stddev, variance.*convertToTensorFn: 'mean'/,
    );
  });

  it("DenseFlipout: TFP's posterior weights land in our layer's weights of the same names", async () => {
    const model = await loadModel(fixtureDir('dense_flipout'), { heads: { dense_flipout: { klWeight: 0.01 } } });
    const layer = model.layers[0] as tfp.layers.DenseFlipout;
    expect(layer.getClassName()).toBe('DenseFlipout');
    expect(layer.klWeight).toBe(0.01);
    const byName = new Map(layer.weights.map((w) => [w.originalName, w]));
    const scale = byName.get('dense_flipout/kernel_posterior_untransformed_scale')!.read();
    expect(Array.from(await scale.data())).toEqual(new Array(18).fill(-30));
    expect(byName.get('dense_flipout/kernel_posterior_loc')!.shape).toEqual([3, 6]);
    expect(byName.get('dense_flipout/bias_posterior_loc')!.shape).toEqual([6]);
    model.dispose();
  });

  it('DenseFlipout with a non-default posterior (other weight names) fails, saying which posterior loads', () => {
    const mj = JSON.parse(readFileSync(join(fixtureDir('dense_flipout'), 'model.json'), 'utf8'));
    const specs = mj.weightsManifest[0].weights.map((w: { name: string }) => ({ ...w, name: w.name.replace('untransformed_scale', 'scale') }));
    expect(() => prepareKerasArtifacts({ modelTopology: mj.modelTopology, weightSpecs: specs })).toThrow(
      /layer 'dense_flipout' \(DenseFlipout\) has no weights .*kernel_posterior_untransformed_scale: only TFP's default kernel_posterior_fn/,
    );
  });

  it('registerKerasWeightNames maps a layer class\'s Python weight names onto its tfjs names', async () => {
    class PyScale extends tf.layers.Layer {
      static className = 'KerasTestPyScale';
      private w: tf.LayerVariable | null = null;
      override build(s: tf.Shape | tf.Shape[]): void {
        this.w = this.addWeight('w', [(s as tf.Shape)[1] as number], 'float32', tf.initializers.zeros());
        this.built = true;
      }
      override call(x: tf.Tensor | tf.Tensor[]): tf.Tensor {
        return tf.mul(Array.isArray(x) ? x[0]! : x, this.w!.read());
      }
    }
    tf.serialization.registerClass(PyScale);
    tfp.io.registerKerasWeightNames('KerasTestPyScale', { scale_posterior_loc: 'w' });
    const topo = { model_config: { class_name: 'Sequential', config: { name: 's', layers: [
      { class_name: 'KerasTestPyScale', config: { name: 'py_scale', batch_input_shape: [null, 2] } },
    ] } } };
    const artifacts = prepareKerasArtifacts({
      modelTopology: topo,
      weightSpecs: [{ name: 'py_scale/scale_posterior_loc', shape: [2], dtype: 'float32' }],
      weightData: new Float32Array([2, 3]).buffer,
    });
    expect(artifacts.weightSpecs!.map((w) => w.name)).toEqual(['py_scale/w']);
    const model = await tf.loadLayersModel({ load: async () => artifacts });
    const x = tf.ones([1, 2]);
    const y = model.predict(x) as tf.Tensor;
    expect(Array.from(await y.data())).toEqual([2, 3]);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('a new head plugs in with registerClass + one registerKerasHead line (independentHead(k) infers event_shape from the width)', async () => {
    class KerasTestHead extends tfpl.IndependentNormal {
      static override className = 'KerasTestHead';
    }
    tf.serialization.registerClass(KerasTestHead);
    tfp.io.registerKerasHead('KerasTestHead', tfp.io.independentHead(2));
    const dir = fixtureDir('independent_normal');
    const mj = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const head = mj.modelTopology.model_config.config.layers[1];
    head.class_name = 'KerasTestHead';
    delete head.config.event_shape; // only in the closure: inferred as [4 / 2]
    const artifacts = prepareKerasArtifacts({ modelTopology: mj.modelTopology, weightSpecs: mj.weightsManifest[0].weights });
    const cfg = (artifacts.modelTopology as { model_config: { config: { layers: Array<{ config: Record<string, unknown> }> } } })
      .model_config.config.layers[1]!.config;
    expect(cfg['event_shape']).toEqual([2]);
    expect(cfg['convert_to_tensor_fn']).toBe('mean');
    expect(cfg['make_distribution_fn']).toBeUndefined();
  });

  it('TFP layers this library does not have fail with their name', () => {
    const topo = { model_config: { class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'Convolution3DFlipout', config: { name: 'kl' } }] } } };
    expect(() => prepareKerasArtifacts({ modelTopology: topo })).toThrow(/layer 'kl' is TFP's Convolution3DFlipout, which tfjs-probability cannot load/);
  });

  it('saveModel writes TFP-rebuildable configs (snake_case keys, sizes explicit, Lambda keys) that load back bit-identically', async () => {
    const heads: tfp.layers.DistributionLayer[] = [
      new tfpl.MultivariateNormalTriL({ eventSize: 2 }),
      new tfpl.OneHotCategorical({ eventSize: 3, convertToTensorFn: 'mean' }),
      new tfpl.CategoricalMixtureOfOneHotCategorical({ eventSize: 3, numComponents: 2 }),
      new tfpl.MixtureSameFamily({ numComponents: 2, componentLayer: new tfpl.IndependentNormal({ eventShape: [2] }) }),
    ];
    for (const [i, head] of heads.entries()) {
      const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: head.paramsSize }), head] });
      const dir = join(root, `save${i}`);
      await saveModel(model, dir);
      const cfg = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).modelTopology.config.layers[1];
      expect(cfg.class_name).toBe(head.getClassName());
      expect(cfg.config).toMatchObject({ function: null, function_type: 'raw', output_shape_type: 'raw', arguments: {} });
      if (i === 0) expect(cfg.config.event_size).toBe(2);
      if (i === 1) expect(cfg.config).toMatchObject({ event_size: 3, convert_to_tensor_fn: 'mean' });
      if (i === 2) expect(cfg.config).toMatchObject({ event_size: 3, num_components: 2 });
      if (i === 3) expect(cfg.config).toMatchObject({ num_components: 2, component_layer: { class_name: 'IndependentNormal', config: { event_shape: [2] } } });
      const loaded = await loadModel(dir);
      const x = tf.randomNormal([4, 3], 0, 1, 'float32', i);
      const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
      expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
      tf.dispose([x, a, b]);
      model.dispose();
      loaded.dispose();
    }
  });
});
