/**
 * Bayesian optimization with expected improvement on a Gaussian process: minimizes a 1-d function with
 * few evaluations. Each round fits the GP's hyperparameters (Matérn 5/2 kernel, log amplitude, log
 * length scale, log noise) by `tfp.optimizer.lbfgsMinimize` on the log marginal likelihood, computes the
 * posterior on a grid with `tfd.GaussianProcessRegressionModel` (latent: `predictiveNoiseVariance: 0`)
 * and evaluates the function where the expected improvement
 * `EI(x) = (f* − μ(x)) Φ(z) + σ(x) φ(z)`, `z = (f* − μ(x)) / σ(x)`, is largest.
 *
 * The Gaussian-process step is in examples/bo_gp.ts, which the playground's panel shares.
 *
 * Run: npx tsx examples/bayesian-optimization.ts [--rounds 10]
 */
import * as tf from '@tensorflow/tfjs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tfp from 'tfjs-probability';
import { boPosterior } from './bo_gp.js';

const LO = -2, HI = 10;

/** The function to minimize (a few local minima; on [-2, 10] the global minimum is ≈ -1.806 at x ≈ 5.11). */
export const objective = (x: number): number => Math.sin(x) + Math.sin((10 / 3) * x) * 0.5 + 0.05 * (x - 5) ** 2 - 0.4;

export async function runBayesianOptimization(rounds = 10): Promise<{ xs: number[]; ys: number[] }> {
  const grid = Float32Array.from({ length: 241 }, (_, i) => LO + ((HI - LO) * i) / 240);
  const xs = [0, 4, 8];
  const ys = xs.map(objective);
  for (let r = 0; r < rounds; r++) {
    const { ei } = await boPosterior(xs, ys, grid);
    let best = 0;
    for (let i = 1; i < ei.length; i++) if (ei[i]! > ei[best]!) best = i;
    const xNext = grid[best]!;
    xs.push(xNext);
    ys.push(objective(xNext));
    console.log(`round ${r + 1}: x = ${xNext.toFixed(3)}, f(x) = ${ys.at(-1)!.toFixed(4)}, best so far ${Math.min(...ys).toFixed(4)}`);
  }
  return { xs, ys };
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const argv = process.argv.slice(2);
  const i = argv.indexOf('--rounds');
  await tfp.ready({ backend: 'wasm' });
  const { xs, ys } = await runBayesianOptimization(i >= 0 ? Number(argv[i + 1]) : 10);
  const k = ys.indexOf(Math.min(...ys));
  // The grid minimum, for comparison (the search does not see it).
  let gx = LO, gy = Infinity;
  for (let j = 0; j <= 12000; j++) {
    const x = LO + ((HI - LO) * j) / 12000;
    if (objective(x) < gy) [gx, gy] = [x, objective(x)];
  }
  console.log(`best found: f(${xs[k]!.toFixed(3)}) = ${ys[k]!.toFixed(4)} after ${ys.length} evaluations; true minimum f(${gx.toFixed(3)}) = ${gy.toFixed(4)}`);
  console.log(`live tensors at the end: ${tf.memory().numTensors}`);
}
