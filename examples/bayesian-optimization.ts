/**
 * Bayesian optimization with expected improvement on a Gaussian process: minimizes a 1-d function with
 * few evaluations. Each round fits the GP's hyperparameters (Matérn 5/2 kernel, log amplitude, log
 * length scale, log noise) by `tfp.optimizer.lbfgsMinimize` on the log marginal likelihood, computes the
 * posterior on a grid with `tfd.GaussianProcessRegressionModel` (latent: `predictiveNoiseVariance: 0`)
 * and evaluates the function where the expected improvement
 * `EI(x) = (f* − μ(x)) Φ(z) + σ(x) φ(z)`, `z = (f* − μ(x)) / σ(x)`, is largest.
 *
 * Run: npx tsx examples/bayesian-optimization.ts [--rounds 10]
 */
import * as tf from '@tensorflow/tfjs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tfp from 'tfjs-probability';

const { tfd } = tfp;
const LO = -2, HI = 10;

/** The function to minimize (a few local minima; on [-2, 10] the global minimum is ≈ -1.806 at x ≈ 5.11). */
export const objective = (x: number): number => Math.sin(x) + Math.sin((10 / 3) * x) * 0.5 + 0.05 * (x - 5) ** 2 - 0.4;

/** Expected improvement (for minimization) of a normal predictive `N(mu, sd²)` below `best`. */
export function expectedImprovement(mu: tf.Tensor, sd: tf.Tensor, best: number): tf.Tensor {
  return tf.tidy(() => {
    const s = tf.maximum(sd, 1e-9);
    const z = tf.div(tf.sub(best, mu), s);
    const std = new tfd.Normal({ loc: 0, scale: 1 });
    const ei = tf.add(tf.mul(tf.sub(best, mu), std.cdf(z)), tf.mul(s, std.prob(z)));
    std.dispose();
    return ei;
  });
}

/** Posterior mean, sd and EI on `grid` given observations `(xs, ys)`, hyperparameters by L-BFGS. */
export async function posterior(xs: number[], ys: number[], grid: Float32Array): Promise<{ mean: Float32Array; sd: Float32Array; ei: Float32Array }> {
  const x = tf.tensor2d(xs, [xs.length, 1]);
  const y = tf.tensor1d(ys);
  const negLml = (z: tf.Tensor) => {
    const [la, ll, ln] = tf.unstack(z, -1) as [tf.Tensor, tf.Tensor, tf.Tensor];
    const kernel = new tfp.math.psdKernels.MaternFiveHalves({ amplitude: tf.exp(la), lengthScale: tf.exp(ll) });
    const gp = new tfd.GaussianProcess({ kernel, indexPoints: x, observationNoiseVariance: tf.add(tf.exp(ln), 1e-6) });
    // A weak log-normal prior on the length scale keeps a handful of points from choosing an extreme one.
    const v = tf.add(tf.neg(gp.logProb(y)), tf.mul(0.5, tf.square(tf.sub(ll, Math.log(1.5)))));
    gp.dispose();
    kernel.dispose();
    return v;
  };
  const fit = await tfp.optimizer.lbfgsMinimize((z) => tfp.math.valueAndGradient(negLml, z), [0, Math.log(1.5), Math.log(1e-3)], { tolerance: 1e-4, maxIterations: 100 });
  const [la, ll, ln] = Array.from(await fit.position.data());
  tf.dispose([fit.position, fit.objectiveValue, fit.objectiveGradient, fit.converged, fit.failed]);
  const kernel = new tfp.math.psdKernels.MaternFiveHalves({ amplitude: Math.exp(la!), lengthScale: Math.exp(ll!) });
  const g = tf.tensor2d(grid, [grid.length, 1]);
  const gprm = new tfd.GaussianProcessRegressionModel({
    kernel, indexPoints: g, observationIndexPoints: x, observations: y,
    observationNoiseVariance: Math.exp(ln!) + 1e-6, predictiveNoiseVariance: 0,
  });
  const mu = gprm.mean();
  const sd = gprm.stddev();
  const eiT = expectedImprovement(mu, sd, Math.min(...ys));
  const [mean, sdv, ei] = await Promise.all([mu.data(), sd.data(), eiT.data()]) as Float32Array[];
  tf.dispose([x, y, g, mu, sd, eiT]);
  gprm.dispose();
  kernel.dispose();
  return { mean: mean!, sd: sdv!, ei: ei! };
}

export async function runBayesianOptimization(rounds = 10): Promise<{ xs: number[]; ys: number[] }> {
  const grid = Float32Array.from({ length: 241 }, (_, i) => LO + ((HI - LO) * i) / 240);
  const xs = [0, 4, 8];
  const ys = xs.map(objective);
  for (let r = 0; r < rounds; r++) {
    const { ei } = await posterior(xs, ys, grid);
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
