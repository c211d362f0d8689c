import * as tf from '@tensorflow/tfjs';
import { ready } from '../packages/tfjs-probability/src/node.js';
import { setFastDefaults } from '../packages/tfjs-probability/src/kernels/defaults.js';
import { negativeLogLikelihood } from '../packages/tfjs-probability/src/losses/nll.js';
import { makeModel, spiral } from './mdn.js';
import { cpuMs } from './cpu_time.js';
await ready({ backend: 'wasm' });
const [x, y] = spiral(10000, 1);
const mk = (s: number) => { const { model, head } = makeModel(s); model.compile({ optimizer: tf.train.adam(1e-3), loss: negativeLogLikelihood(head) }); return model; };
const a = mk(10), b = mk(11);
const toggle = process.argv[2] === 'toggle';
for (let e = 0; e < 8; e++) {
  let c0 = process.cpuUsage(); let t0 = performance.now();
  await a.fit(x, y, { batchSize: 128, epochs: 1, verbose: 0 });
  const s = `on: cpu ${cpuMs(c0).toFixed(0)} wall ${(performance.now() - t0).toFixed(0)}`;
  if (toggle) setFastDefaults(false);
  c0 = process.cpuUsage(); t0 = performance.now();
  await b.fit(x, y, { batchSize: 128, epochs: 1, verbose: 0 });
  if (toggle) setFastDefaults(true);
  console.log(s, `| b: cpu ${cpuMs(c0).toFixed(0)} wall ${(performance.now() - t0).toFixed(0)}`, 'tensors', tf.memory().numTensors);
}
