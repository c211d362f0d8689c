/**
 * Throughput of the second-round samplers (tensor ops only, no read-back):
 * 100,000 draws for each of a few parameter values, median wall and process CPU
 * time over `reps` runs after a warm-up (the draws are read once at the end of
 * each run, so the time includes the whole computation).
 *
 *   node --import tsx bench/samplers.ts [--backend wasm|cpu] [--reps 5] [--n 100000]
 */
import * as tf from '@tensorflow/tfjs';
import { cpus, loadavg } from 'node:os';
import { ready } from '../packages/tfjs-probability/src/backend.js';
import * as tfd from '../packages/tfjs-probability/src/distributions/index.js';

const argv = process.argv.slice(2);
const arg = (name: string, dflt: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] ?? dflt : dflt;
};
const backend = arg('backend', 'wasm');
const reps = Number(arg('reps', '5'));
const n = Number(arg('n', '100000'));
await ready({ backend });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const cases: Array<[string, () => tfd.Distribution]> = [
  ['Poisson rate 0.05 (inversion)', () => new tfd.Poisson({ rate: 0.05 })],
  ['Poisson rate 900 (PTRS, 16 rounds)', () => new tfd.Poisson({ rate: 900 })],
  ['Binomial n 1000 p 0.4 (BTRS, 16 rounds)', () => new tfd.Binomial({ totalCount: 1000, probs: 0.4 })],
  ['NegativeBinomial r 2 (gamma-Poisson)', () => new tfd.NegativeBinomial({ totalCount: 2, logits: 1 })],
  ['TruncatedNormal [20, 21] sd (inversion)', () => new tfd.TruncatedNormal({ loc: 0, scale: 1, low: 20, high: 21 })],
  ['VonMises kappa 4 (Best-Fisher, 32 rounds)', () => new tfd.VonMises({ loc: 0, concentration: 4 })],
  ['Normal (reference)', () => new tfd.Normal({ loc: 0, scale: 1 })],
];
console.log(`backend ${tf.getBackend()}, ${n} draws, ${reps} reps, ${cpus().length} cores, load ${loadavg().map((v) => v.toFixed(1)).join(' ')}`);
for (const [name, make] of cases) {
  const d = make();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r <= reps; r++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const x = d.sample([n], { seed: r });
    x.dataSync();
    const c = process.cpuUsage(c0);
    if (r > 0) {
      wall.push(performance.now() - t0);
      cpu.push((c.user + c.system) / 1000);
    }
    x.dispose();
  }
  d.dispose();
  console.log(`${name.padEnd(44)} wall ${median(wall).toFixed(0).padStart(6)} ms   cpu ${median(cpu).toFixed(0).padStart(6)} ms`);
}
console.log(`load after: ${loadavg().map((v) => v.toFixed(1)).join(' ')}`);
