/**
 * Incomplete gamma / beta (kernel vs float32 tensor-op path) and the batched
 * gamma sampler, on one backend. Medians of interleaved repetitions, wall time.
 *   node --import tsx bench/special_numerics.ts [--backend wasm|cpu] [--reps 5] [--n 100000]
 */
import * as tf from '@tensorflow/tfjs';
import { ready } from '../packages/tfjs-probability/src/backend.js';
import { randomGammaBatched } from '../packages/tfjs-probability/src/math/gamma_sampler.js';
import { betainc, igamma, setSpecialTensorPath } from '../packages/tfjs-probability/src/math/special.js';

const argv = process.argv.slice(2);
const arg = (name: string, dflt: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] ?? dflt : dflt;
};
const backend = arg('backend', 'wasm');
const reps = Number(arg('reps', '5'));
const n = Number(arg('n', '100000'));
await ready({ backend });

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
function race(variants: Record<string, () => tf.Tensor>): Record<string, number> {
  const times: Record<string, number[]> = {};
  for (const [k, f] of Object.entries(variants)) {
    f().dispose();
    times[k] = [];
  }
  for (let r = 0; r < reps; r++) {
    for (const [k, f] of Object.entries(variants)) {
      const t0 = performance.now();
      const y = f();
      y.dataSync();
      times[k]!.push(performance.now() - t0);
      y.dispose();
    }
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
}

const a = tf.tidy(() => tf.add(tf.mul(tf.randomUniform([n], 0, 1, 'float32', 1), 20), 0.1));
const b = tf.tidy(() => tf.add(tf.mul(tf.randomUniform([n], 0, 1, 'float32', 2), 20), 0.1));
const x = tf.randomUniform([n], 0, 1, 'float32', 3);
const gx = tf.tidy(() => tf.mul(x, tf.mul(a, 2)));
const withPath = (tensor: boolean, f: () => tf.Tensor) => () => {
  setSpecialTensorPath(tensor);
  try {
    return f();
  } finally {
    setSpecialTensorPath(false);
  }
};
const res = race({
  'igamma kernel': withPath(false, () => igamma(a, gx)),
  'igamma tensor ops': withPath(true, () => igamma(a, gx)),
  'betainc kernel': withPath(false, () => betainc(a, b, x)),
  'betainc tensor ops': withPath(true, () => betainc(a, b, x)),
  'randomGammaBatched': () => randomGammaBatched([n / 4], [0.5, 2, 10, 100], 1),
});
console.log(`backend ${tf.getBackend()}, n = ${n}, median of ${reps}`);
for (const [k, v] of Object.entries(res)) console.log(`${k.padEnd(22)} ${v.toFixed(1)} ms`);
