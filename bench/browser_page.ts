/**
 * The page of bench/browser.ts: recipe 002's MDN (Dense 128 relu x2, tfpl.MixtureDensity with
 * 20 components, batch 128, 2,000 points of the noisy spiral) trained by model.fit with
 * tf.train.adam on the backend of ?backend=; reports milliseconds per epoch.
 */
import * as tf from '@tensorflow/tfjs';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import * as tfp from 'tfjs-probability';
import { noisySpiral } from '../packages/tfjs-prob-cli/src/spiral_data.js';
import { reportFromPage } from '../test/browser/page_report.js';

reportFromPage(async () => {
  const q = new URLSearchParams(location.search);
  const backend = q.get('backend') ?? 'webgl';
  const epochs = Number(q.get('epochs') ?? '4');
  const name = backend === 'wasm' ? await tfp.ready({ backend, wasm, wasmPaths: '/wasm/' }) : await tfp.ready({ backend });
  const n = 2000;
  const { x, y } = noisySpiral(n, 1);
  const xs = tf.tensor2d(x, [n, 1]);
  const ys = tf.tensor2d(y, [n, 1]);
  const head = new tfp.layers.MixtureDensity({ eventSize: 1, numComponents: 20, seed: 4 });
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [1], units: 128, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.dense({ units: 128, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      head,
    ],
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: tfp.losses.negativeLogLikelihood(head) });
  const times: number[] = [];
  let last = 0;
  const losses: number[] = [];
  await model.fit(xs, ys, {
    epochs,
    batchSize: 128,
    verbose: 0,
    callbacks: {
      onEpochBegin: async () => {
        last = performance.now();
      },
      onEpochEnd: async (_e, logs) => {
        times.push(performance.now() - last);
        losses.push(Number(logs?.['loss']));
      },
    },
  });
  tf.dispose([xs, ys]);
  model.optimizer.dispose();
  model.dispose();
  // The first epoch includes shader compilation (webgl) and kernel warm-up: reported apart.
  const steady = times.slice(1).sort((a, b) => a - b);
  return { backend: name, firstEpochMs: times[0], medianEpochMs: steady[Math.floor(steady.length / 2)], epochMs: times, losses };
});
