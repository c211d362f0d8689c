/**
 * Kernel launches per training batch (a load-independent measure of engine overhead):
 * runs one `model.fit` epoch of recipe 002's MDN under `tf.profile` and reports
 * launches per batch, with the kernel names and counts.
 *
 *   npx tsx bench/launches.ts [--backend wasm] [--head mdn|mixtureNormal] [--detail]
 */
import * as tf from '@tensorflow/tfjs';
import { ready } from '../packages/tfjs-probability/src/node.js';
import '../packages/tfjs-probability/src/layers/register.js';
import { MixtureDensity } from '../packages/tfjs-probability/src/layers/mixture_density.js';
import { MixtureNormal } from '../packages/tfjs-probability/src/layers/mixture_normal.js';
import { negativeLogLikelihood } from '../packages/tfjs-probability/src/losses/nll.js';

const argv = process.argv.slice(2);
const opt = (f: string, d: string) => (argv.includes(f) ? argv[argv.indexOf(f) + 1]! : d);

export interface LaunchCount {
  perBatch: number;
  byKernel: Array<[string, number]>;
}

/** Launches per batch of `model.fit` (batch 128, 20 batches, one epoch) for a head kind. */
export async function fitLaunches(headKind: 'mdn' | 'mixtureNormal', optimizer: () => tf.Optimizer): Promise<LaunchCount> {
  const K = 20;
  const head = headKind === 'mdn' ? new MixtureDensity({ eventSize: 1, numComponents: K, seed: 1 }) : new MixtureNormal({ numComponents: K, eventShape: [1] });
  const layers: tf.layers.Layer[] = [
    tf.layers.dense({ inputShape: [1], units: 128, activation: 'relu' }),
    tf.layers.dense({ units: 128, activation: 'relu' }),
  ];
  if (headKind === 'mixtureNormal') layers.push(tf.layers.dense({ units: MixtureNormal.paramsSize(K, [1]) }));
  layers.push(head);
  const model = tf.sequential({ layers });
  model.compile({ optimizer: optimizer(), loss: negativeLogLikelihood(head) });
  const n = 128 * 20;
  const x = tf.randomUniform([n, 1]);
  const y = tf.randomUniform([n, 1]);
  await model.fit(x, y, { batchSize: 128, epochs: 1, shuffle: false, verbose: 0 }); // warm-up
  const prof = await tf.profile(async () => {
    await model.fit(x, y, { batchSize: 128, epochs: 1, shuffle: false, verbose: 0 });
  });
  const counts = new Map<string, number>();
  for (const k of prof.kernels) counts.set(k.name, (counts.get(k.name) ?? 0) + 1);
  tf.dispose([x, y]);
  model.optimizer.dispose();
  return {
    perBatch: prof.kernels.length / 20,
    byKernel: [...counts.entries()].map(([k, c]) => [k, c / 20] as [string, number]).sort((a, b) => b[1] - a[1]),
  };
}

async function main(): Promise<void> {
  await ready({ backend: opt('--backend', 'wasm') });
  for (const head of ['mdn', 'mixtureNormal'] as const) {
    const r = await fitLaunches(head, () => tf.train.adam(1e-3));
    console.log(`${head}: ${r.perBatch} launches per fit batch`);
    if (argv.includes('--detail')) console.log(r.byKernel.map(([k, c]) => `  ${k} ${c}`).join('\n'));
  }
}

if (process.argv[1]?.endsWith('launches.ts')) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
