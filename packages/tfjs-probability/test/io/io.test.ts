import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as tfp from '../../src/index.js';
import { Normal } from '../../src/distributions/normal.js';
import type { DistributionLayer } from '../../src/layers/distribution_layer.js';
import { loadModel, saveModel } from '../../src/io/index.js';
import { predictDistribution } from '../../src/model.js';

const root = mkdtempSync(join(tmpdir(), 'tfp-io-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const tfpl = tfp.layers;
tfpl.registerDistributionFn('io.test.normal', (t: tf.Tensor) => {
  const [loc, raw] = tf.tidy(() => tf.split(t, 2, -1).map((v) => tf.squeeze(v, [-1])));
  const scale = tf.tidy(() => tf.softplus(raw!));
  const d = new Normal({ loc: loc!, scale });
  tf.dispose([loc!, raw!, scale]);
  return d;
});

function heads(): Array<[string, () => DistributionLayer]> {
  const out: Array<[string, () => DistributionLayer]> = [
    ['IndependentNormal', () => new tfpl.IndependentNormal({ eventShape: [2, 2] })],
    ['MultivariateNormalTriL', () => new tfpl.MultivariateNormalTriL({ eventSize: 3 })],
    ['DistributionLambda (registered fn)', () => new tfpl.DistributionLambda({ makeDistribution: 'io.test.normal', paramsSize: 2 })],
  ];
  out.push(['MixtureNormal', () => new tfpl.MixtureNormal({ numComponents: 3, eventShape: [2] })]);
  out.push(['MixtureSameFamily', () => new tfpl.MixtureSameFamily({ numComponents: 2, componentLayer: new tfpl.MultivariateNormalTriL({ eventSize: 2 }) })]);
  out.push(['MixtureDensity', () => new tfpl.MixtureDensity({ numComponents: 3, eventSize: 2 })]);
  return out;
}

describe('io.saveModel / io.loadModel', () => {
  let k = 0;
  for (const [name, make] of heads()) {
    it(`save -> load -> predict is bit-identical, and predictDistribution works on the loaded model: ${name}`, async () => {
      const head = make();
      const own = head.getClassName() === 'MixtureDensity';
      const model = tf.sequential({
        layers: [
          tf.layers.dense({ inputShape: [3], units: 6, activation: 'relu' }),
          tf.layers.dense({ units: own ? 5 : head.paramsSize }),
          head,
        ],
      });
      model.compile({ optimizer: 'adam', loss: tfp.losses.negativeLogLikelihood(head) });
      const dir = join(root, `m${k++}`);
      const res = await saveModel(model, dir);
      expect(existsSync(join(dir, 'model.json'))).toBe(true);
      expect(existsSync(res.weightsPath!)).toBe(true);
      const json = JSON.parse(readFileSync(res.modelPath!, 'utf8'));
      expect(json.format).toBe('layers-model');
      expect(json.weightsManifest[0].paths).toEqual([basename(res.weightsPath!)]);

      const loaded = await loadModel(dir);
      expect(loaded.layers[loaded.layers.length - 1]!.getClassName()).toBe(head.getClassName());
      const x = tf.randomNormal([9, 3], 0, 1, 'float32', 7);
      const a = model.predict(x) as tf.Tensor;
      const b = loaded.predict(x) as tf.Tensor;
      expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
      const d1 = predictDistribution(model, x);
      const d2 = predictDistribution(loaded, x);
      expect(d2.batchShape).toEqual([9]);
      const y = d1.sample([], { seed: 3 });
      const [l1, l2] = [d1.logProb(y), d2.logProb(y)];
      expect(Array.from(l2.dataSync())).toEqual(Array.from(l1.dataSync()));
      tf.dispose([x, a, b, y, l1, l2]);
      d1.dispose();
      d2.dispose();
      model.dispose();
      loaded.dispose();
    });
  }

  it("the files are the standard layers format: tfjs's own HTTP loader reads them", async () => {
    const head = new tfpl.MultivariateNormalTriL({ eventSize: 2 });
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: head.paramsSize }), head] });
    const dir = join(root, 'http');
    await saveModel(model, dir);
    const fetchFunc = (async (url: string) => new Response(readFileSync(url.replace(/^file:\/\//, '')))) as unknown as typeof fetch;
    const loaded = await tf.loadLayersModel(tf.io.http(`file://${join(dir, 'model.json')}`, { fetchFunc }));
    const x = tf.ones([2, 3]);
    const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([x, a, b]);
    model.dispose();
    loaded.dispose();
  });

  it('a model with the Sampling layer round-trips (seed kept)', async () => {
    const x = tf.input({ shape: [4] });
    const zm = tf.layers.dense({ units: 2 }).apply(x) as tf.SymbolicTensor;
    const zl = tf.layers.dense({ units: 2 }).apply(x) as tf.SymbolicTensor;
    const z = new tfpl.Sampling({ seed: 3 }).apply([zm, zl]) as tf.SymbolicTensor;
    const model = tf.model({ inputs: x, outputs: z });
    const dir = join(root, 'sampling');
    await saveModel(model, dir);
    const loaded = await loadModel(join(dir, 'model.json'));
    const xs = tf.ones([2, 4]);
    const a = model.predict(xs) as tf.Tensor;
    const b = loaded.predict(xs) as tf.Tensor;
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([xs, a, b]);
    model.dispose();
    loaded.dispose();
  });

  it('a model whose head is not registered fails to load, saying what to register', async () => {
    class MyHead extends tfpl.IndependentNormal {
      static override className = 'MyUnregisteredHead';
    }
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 4 }), new MyHead({ eventShape: [2] })] });
    const dir = join(root, 'unregistered');
    await saveModel(model, dir);
    await expect(loadModel(dir)).rejects.toThrow(
      /uses layer class 'MyUnregisteredHead', which is not registered\. If it is a tfjs-probability layer, import 'tfjs-probability'.*tf\.serialization\.registerClass\(MyUnregisteredHead\)/,
    );
    tf.serialization.registerClass(MyHead);
    const loaded = await loadModel(dir);
    expect(loaded.layers[1]!.getClassName()).toBe('MyUnregisteredHead');
    model.dispose();
    loaded.dispose();
  });

  it('a DistributionLambda with an unregistered function cannot be saved', async () => {
    const head = new tfpl.DistributionLambda({ makeDistribution: (t) => tfpl.IndependentNormal.toDistribution(t), paramsSize: 2 });
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2 }), head] });
    await expect(saveModel(model, join(root, 'lambda'))).rejects.toThrow(/unregistered function and cannot be serialized/);
    expect(existsSync(join(root, 'lambda', 'model.json'))).toBe(false);
    model.dispose();
  });

  it('a missing directory fails with the path', async () => {
    await expect(loadModel(join(root, 'nope'))).rejects.toThrow(/loadModel: .*nope does not exist/);
  });
});
