import * as tf from '@tensorflow/tfjs';
import { ready } from '../packages/tfjs-probability/src/node.js';
import { negativeLogLikelihood } from '../packages/tfjs-probability/src/losses/nll.js';
import { makeModel, spiral } from './mdn.js';
import { cpuMs } from './cpu_time.js';
await ready({ backend: 'wasm' });
const [x, y] = spiral(10000, 1);
const { model, head } = makeModel(10);
model.compile({ optimizer: tf.train.adam(1e-3), loss: negativeLogLikelihood(head) });
for (let e = 0; e < 25; e++) {
  const c0 = process.cpuUsage(); const t0 = performance.now();
  await model.fit(x, y, { batchSize: 128, epochs: 1, verbose: 0 });
  if (e % 8 === 0) console.log('epoch cpu', cpuMs(c0).toFixed(0), 'wall', (performance.now() - t0).toFixed(0));
}
