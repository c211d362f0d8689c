/**
 * CPU time of one `model.fit` epoch with and without the lean train function that `tfp.ready()`
 * installs (src/accelerate/train_function.ts), everything else accelerated in both: recipe 002's
 * MDN (Dense 128 relu, Dense 128 relu, `MixtureDensity` 20 components), `tf.train.adam(1e-3)`,
 * batch 128, 10,000 spiral points, wasm. Alternating pairs (one epoch each, order swapped every
 * pair), CPU time of this process (`process.cpuUsage`, so other processes' load counts less than
 * in wall time), median of the paired ratios.
 *
 *   npx tsx bench/train_function.ts [--pairs 15] [--backend wasm]
 */
import * as tf from '@tensorflow/tfjs';
import { loadavg } from 'node:os';
import { ready } from '../packages/tfjs-probability/src/node.js';
import { installLeanTrainFunction, uninstallLeanTrainFunction } from '../packages/tfjs-probability/src/accelerate/train_function.js';
import { negativeLogLikelihood } from '../packages/tfjs-probability/src/losses/nll.js';
import { cpuMs } from './cpu_time.js';
import { makeModel, spiral } from './mdn.js';

const argv = process.argv.slice(2);
const arg = (name: string, dflt: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1]! : dflt);
const PAIRS = Number(arg('--pairs', '15'));
const BACKEND = arg('--backend', 'wasm');
const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function main(): Promise<void> {
  await ready({ backend: BACKEND });
  const [x, y] = spiral(10_000, 1);
  const { model, head } = makeModel(10);
  model.compile({ optimizer: tf.train.adam(1e-3), loss: negativeLogLikelihood(head) });
  const epoch = async (lean: boolean): Promise<number> => {
    if (lean) installLeanTrainFunction();
    else uninstallLeanTrainFunction();
    const t0 = process.cpuUsage();
    await model.fit(x, y, { batchSize: 128, epochs: 1, verbose: 0 });
    return cpuMs(t0);
  };
  await epoch(true);
  await epoch(false);
  const lean: number[] = [];
  const stock: number[] = [];
  const load0 = loadavg()[0]!;
  for (let i = 0; i < PAIRS; i++) {
    if (i % 2 === 0) {
      lean.push(await epoch(true));
      stock.push(await epoch(false));
    } else {
      stock.push(await epoch(false));
      lean.push(await epoch(true));
    }
  }
  installLeanTrainFunction();
  const ratios = lean.map((v, i) => v / stock[i]!);
  console.log(`backend ${tf.getBackend()}, ${PAIRS} pairs, load average ${load0.toFixed(1)} -> ${loadavg()[0]!.toFixed(1)}`);
  console.log(`CPU ms per fit epoch: lean train function median ${median(lean).toFixed(1)}, tfjs-layers' own ${median(stock).toFixed(1)}`);
  console.log(`paired ratio lean/stock: median ${median(ratios).toFixed(3)} (min ${Math.min(...ratios).toFixed(3)}, max ${Math.max(...ratios).toFixed(3)})`);
}

void main();
