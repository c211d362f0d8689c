import * as tf from '@tensorflow/tfjs';
import { ready } from '../packages/tfjs-probability/src/node.js';
import { negativeLogLikelihood } from '../packages/tfjs-probability/src/losses/nll.js';
import { makeModel } from './mdn.js';
await ready({ backend: 'wasm' });
const { model, head } = makeModel(1);
model.compile({ optimizer: tf.train.adam(1e-3), loss: negativeLogLikelihood(head) });
const x = tf.randomUniform([256, 1]); const y = tf.randomUniform([256, 1]);
await model.fit(x, y, { batchSize: 128, epochs: 1, verbose: 0 });
const eng = tf.engine() as any;
const orig = eng.runKernel.bind(eng);
const seen = new Map<string, number>();
eng.runKernel = (name: string, inputs: any, attrs: any) => {
  if (name === 'Identity' || name === 'Cast' || name === 'Multiply' || name === 'Sum' || name==='Slice') {
    const st = new Error().stack!.split('\n').slice(2, 9).map(s => s.trim().replace(/\(.*node_modules\/@tensorflow\//, '(').replace(/\(file:\/\/\/work\/h25b\//,'(')).join(' | ');
    const k = name + ' :: ' + st;
    seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  return orig(name, inputs, attrs);
};
await model.fit(x, y, { batchSize: 128, epochs: 1, verbose: 0 });
for (const [k, c] of seen) console.log(c / 2, k, '\n');
