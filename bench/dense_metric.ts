/**
 * Dense against diagonal metric adaptation in tfp.mcmc.windowedAdaptiveNuts, side by side in one run,
 * with the defaults otherwise (4 chains, 1000 warm-up steps, 1000 draws): on a 10-d Gaussian with
 * equicorrelation 0.9 and marginal sds from 0.1 to 10 (log-spaced), a posterior a diagonal metric can
 * rescale but not decorrelate.
 *
 *   npx tsx bench/dense_metric.ts [--backend wasm|cpu] [--seed 1]
 *
 * Prints per metric: the smallest bulk ESS over the coordinates, leapfrog steps (gradients per chain)
 * in sampling and in all, ESS per sampling gradient, seconds (warm-up included), ESS per second, and
 * the load average before and after.
 */
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import '../packages/tfjs-probability/src/node.js';
import { ready } from '../packages/tfjs-probability/src/backend.js';
import { ess, toChains } from '../packages/tfjs-probability/src/mcmc/diagnostics_host.js';
import { windowedAdaptiveNuts } from '../packages/tfjs-probability/src/mcmc/windowed_nuts.js';

const argv = process.argv.slice(2);
const flag = (n: string, d: string): string => {
  const i = argv.indexOf(n);
  return i >= 0 ? argv[i + 1]! : d;
};
await ready({ backend: flag('--backend', 'wasm'), accelerate: false });
const seed = Number(flag('--seed', '1'));
const D = 10;
const rho = 0.9;
const sd = Array.from({ length: D }, (_, i) => Math.pow(10, -1 + (2 * i) / (D - 1)));
// Σ⁻¹ = S⁻¹ R⁻¹ S⁻¹, R⁻¹ = (I − ρ/(1 − ρ + Dρ) 11ᵀ)/(1 − ρ) (Sherman–Morrison).
const c = rho / (1 - rho + D * rho);
const prec = tf.tensor2d(Array.from({ length: D }, (_, i) => Array.from({ length: D }, (_, j) => ((i === j ? 1 : 0) - c) / (1 - rho) / (sd[i]! * sd[j]!))));
const load0 = loadavg().map((v) => v.toFixed(2)).join(' ');
const rows: string[] = [];
for (const metric of ['diag', 'dense'] as const) {
  const t0 = performance.now();
  const r = await windowedAdaptiveNuts({
    targetLogProbFn: ({ x }) => tf.tidy(() => tf.mul(-0.5, tf.sum(tf.mul(tf.matMul(x!, prec), x!), -1))),
    parts: { x: { shape: [D] } },
    seed,
    metric,
  });
  const seconds = (performance.now() - t0) / 1000;
  const n = 1000;
  const x = Float64Array.from(await r.states['x']!.data());
  const leapfrogs = Array.from(await r.trace.numLeapfrogSteps.data()).reduce((a, b) => a + b, 0);
  let minEss = Infinity;
  for (let j = 0; j < D; j++) minEss = Math.min(minEss, ess(toChains(Float64Array.from({ length: n * 4 }, (_, k) => x[k * D + j]!), n, 4), 'bulk'));
  tf.dispose([...Object.values(r.states), ...Object.values(r.trace)]);
  rows.push(
    `| ${metric} | ${minEss.toFixed(0)} | ${leapfrogs} | ${(minEss / leapfrogs).toFixed(4)} | ${seconds.toFixed(1)} | ${(minEss / seconds).toFixed(1)} |`,
  );
}
console.log(`10-d Gaussian, equicorrelation ${rho}, sds 0.1..10; 4 chains x (1000 warm-up + 1000 draws), seed ${seed}, backend ${tf.getBackend()}`);
console.log('| metric | min bulk ESS | leapfrogs in sampling (all chains) | ESS per gradient | seconds (with warm-up) | ESS/s |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
console.log(`load average (1, 5, 15 min): before ${load0}; after ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);
prec.dispose();
