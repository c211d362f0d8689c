/**
 * Cost of one batched value-and-gradient of posteriordb's diamonds-diamonds (a 5000 x 25 design: one
 * [chains, 25] x [25, 5000] matMul forward, two backward) as windowedAdaptiveNuts calls it (FlatTarget.evaluate:
 * unconstrained rows in, log density and gradient out on the host), for 1, 4 and 16 chains.
 *
 *   npx tsx bench/diamonds_gradient.ts [--backend wasm|cpu] [--reps 5] [--evals 100]
 *
 * Prints per chain count: the median over repetitions of the CPU and wall milliseconds per evaluation, the
 * kernel launches of one evaluation (tf.profile), and the load average before and after.
 */
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import '../packages/tfjs-probability/src/node.js';
import { ready } from '../packages/tfjs-probability/src/backend.js';
import { FlatTarget } from '../packages/tfjs-probability/src/mcmc/target.js';
import { buildModel, loadPosterior } from '../packages/tfjs-probability/test/mcmc/posteriordb_models.js';
import { cpuMs } from './cpu_time.js';

const argv = process.argv.slice(2);
const flag = (n: string, d: string): string => {
  const i = argv.indexOf(n);
  return i >= 0 ? argv[i + 1]! : d;
};
const backend = flag('--backend', 'wasm');
const reps = Number(flag('--reps', '5'));
const evals = Number(flag('--evals', '100'));
await ready({ backend });
const median = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;

const f = loadPosterior('diamonds-diamonds');
const model = buildModel(f);
const names = Object.keys(model.parts);
const load0 = loadavg()[0]!;
console.log(`diamonds-diamonds value + gradient, backend ${backend}, ${reps} x ${evals} evaluations per chain count`);
for (const chains of [1, 4, 16]) {
  const target = new FlatTarget((ts) => model.targetLogProbFn(Object.fromEntries(names.map((n, i) => [n, ts[i]!]))),
    names.map((n) => ({ name: n, ...model.parts[n]! })), chains, 'diamonds_gradient');
  // Near the posterior: the reference means (sigma on the log scale), as the sampler's rows are.
  const row = [...Array.from({ length: 24 }, (_, i) => f.reference[`b[${i + 1}]`]!.mean), f.reference['Intercept']!.mean, Math.log(f.reference['sigma']!.mean)];
  const x = new Float64Array(chains * row.length);
  for (let c = 0; c < chains; c++) x.set(row, c * row.length);
  for (let i = 0; i < 10; i++) await target.evaluate(x);
  const launches = (await tf.profile(async () => { await target.evaluate(x); })).kernels.length;
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < evals; i++) await target.evaluate(x);
    wall.push((performance.now() - t0) / evals);
    cpu.push(cpuMs(c0) / evals);
  }
  console.log(`${String(chains).padStart(3)} chains: ${median(cpu).toFixed(2)} ms CPU, ${median(wall).toFixed(2)} ms wall per evaluation (${(median(cpu) / chains).toFixed(2)} ms CPU per chain), ${launches} kernel launches`);
}
model.dispose();
console.log(`load average ${load0.toFixed(1)} -> ${loadavg()[0]!.toFixed(1)} on 2 cores`);
