/**
 * From the browser back to Python: trains one small model per distribution head in tfjs, saves
 * each with `tfp.io.saveModel` (model.json + weights.bin, TFP's class names and snake_case keys),
 * and writes next to it `cases.json` = {x, y, logProb} (the log densities tfjs computes). The
 * repository's numpy checker rebuilds each network from the saved files and compares with scipy:
 *
 *   npx tsx examples/to-python.ts --out /tmp/tfp-to-python
 *   python3 packages/tfjs-probability/python/check_saved_model.py /tmp/tfp-to-python/*
 *
 * Run: npx tsx examples/to-python.ts [--out DIR] [--epochs 3]
 */
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tfp from 'tfjs-probability';

const tfpl = tfp.layers;
const i = process.argv.indexOf('--out');
const OUT = i >= 0 ? process.argv[i + 1]! : join(tmpdir(), 'tfp-to-python');
const e = process.argv.indexOf('--epochs');
const EPOCHS = e >= 0 ? Number(process.argv[e + 1]) : 3;

const heads: Array<[string, () => tfp.layers.DistributionLayer]> = [
  ['independent_normal', () => new tfpl.IndependentNormal({ eventShape: [2, 2] })],
  ['mvn_tril', () => new tfpl.MultivariateNormalTriL({ eventSize: 3 })],
  ['one_hot_categorical', () => new tfpl.OneHotCategorical({ eventSize: 4 })],
  ['categorical_mixture_of_one_hot', () => new tfpl.CategoricalMixtureOfOneHotCategorical({ eventSize: 3, numComponents: 2 })],
  ['mixture_normal', () => new tfpl.MixtureNormal({ numComponents: 3, eventShape: [2] })],
  ['mixture_same_family', () => new tfpl.MixtureSameFamily({ numComponents: 2, componentLayer: new tfpl.MultivariateNormalTriL({ eventSize: 2 }) })],
  ['mixture_density', () => new tfpl.MixtureDensity({ eventSize: 2, numComponents: 3, seed: 5 })],
];

await tfp.ready();
for (const [k, [name, make]] of heads.entries()) {
  const head = make();
  const own = head.getClassName() === 'MixtureDensity';
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [3], units: 8, activation: 'tanh', kernelInitializer: tf.initializers.glorotNormal({ seed: k }) }),
      ...(own ? [] : [tf.layers.dense({ units: head.paramsSize, kernelInitializer: tf.initializers.glorotNormal({ seed: k + 50 }) })]),
      head,
    ],
  });
  const optimizer = tf.train.adam(0.01);
  model.compile({ optimizer, loss: tfp.losses.negativeLogLikelihood(head) });
  const x = tf.randomNormal([64, 3], 0, 1, 'float32', 100 + k);
  // Targets: draws from the untrained model itself, enough for a few steps of fit.
  const d0 = tfp.predictDistribution(model, x);
  const y = d0.sample([], { seed: 200 + k });
  d0.dispose();
  // fit takes [N, ...] targets of rank 2: an event of rank 2 (the [2, 2] normal) goes in encoded rows.
  const yFit = tfp.losses.encodeTargets(head, y);
  await model.fit(x, yFit, { epochs: EPOCHS, batchSize: 16, verbose: 0 });
  yFit.dispose();
  const d = tfp.predictDistribution(model, x);
  const lp = d.logProb(y);
  const dir = join(OUT, name);
  mkdirSync(dir, { recursive: true });
  await tfp.io.saveModel(model, dir);
  writeFileSync(join(dir, 'cases.json'), JSON.stringify({ x: await x.array(), y: await y.array(), logProb: Array.from(await lp.data()) }));
  const mean = lp.mean();
  console.log(`${name}: ${head.getClassName()} saved to ${dir} (mean log density ${(await mean.data())[0]!.toFixed(3)})`);
  d.dispose();
  tf.dispose([x, y, lp, mean]);
  model.dispose();
  optimizer.dispose();
}
console.log(`check in Python: python3 packages/tfjs-probability/python/check_saved_model.py ${OUT}/*`);
console.log(`live tensors at the end: ${tf.memory().numTensors}`);
