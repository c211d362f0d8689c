/**
 * The Gaussian-process step of Bayesian optimization, shared by examples/bayesian-optimization.ts and
 * the playground's panel (site/src/bo_panel.ts), so it imports nothing from Node: a Matérn-5/2 GP's
 * amplitude, length scale and noise by `tfp.optimizer.lbfgsMinimize` on the log marginal likelihood
 * (`tfd.GaussianProcess`, a weak log-normal prior on the length scale), the latent posterior on a grid
 * (`tfd.GaussianProcessRegressionModel`, `predictiveNoiseVariance: 0`) and the expected improvement for
 * minimization, `EI(x) = (f* − μ(x)) Φ(z) + σ(x) φ(z)`, `z = (f* − μ(x)) / σ(x)`.
 */
import * as tf from '@tensorflow/tfjs';
import * as tfp from 'tfjs-probability';

const { tfd } = tfp;

export interface BoPosterior {
  mean: Float32Array;
  sd: Float32Array;
  ei: Float32Array;
}

/** Expected improvement (minimization) of normal predictives `N(mu, sd²)` below `best`. */
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

/**
 * The GP's latent posterior mean and sd, and the EI, on `grid` for observations `(xs, ys)`, with the
 * hyperparameters fitted by L-BFGS (at most `maxIterations`; where the fit ends without finite values,
 * amplitude 1, length scale 1.5 and noise 1e-3).
 */
export async function boPosterior(xs: number[], ys: number[], grid: Float32Array, maxIterations = 100): Promise<BoPosterior> {
  const x = tf.tensor2d(xs, [xs.length, 1]);
  const y = tf.tensor1d(ys);
  const negLml = (z: tf.Tensor) => {
    const [la, ll, ln] = tf.unstack(z, -1) as [tf.Tensor, tf.Tensor, tf.Tensor];
    const kernel = new tfp.math.psdKernels.MaternFiveHalves({ amplitude: tf.exp(la), lengthScale: tf.exp(ll) });
    const gp = new tfd.GaussianProcess({ kernel, indexPoints: x, observationNoiseVariance: tf.add(tf.exp(ln), 1e-6) });
    // A weak log-normal prior on the length scale keeps a handful of points from an extreme choice.
    const v = tf.add(tf.neg(gp.logProb(y)), tf.mul(0.5, tf.square(tf.sub(ll, Math.log(1.5)))));
    gp.dispose();
    kernel.dispose();
    return v;
  };
  const fit = await tfp.optimizer.lbfgsMinimize((z) => tfp.math.valueAndGradient(negLml, z), [0, Math.log(1.5), Math.log(1e-3)], { tolerance: 1e-4, maxIterations });
  const [la, ll, ln] = Array.from(await fit.position.data());
  tf.dispose([fit.position, fit.objectiveValue, fit.objectiveGradient, fit.converged, fit.failed]);
  const ok = [la, ll, ln].every((v) => Number.isFinite(v!));
  const kernel = new tfp.math.psdKernels.MaternFiveHalves({ amplitude: ok ? Math.exp(la!) : 1, lengthScale: ok ? Math.exp(ll!) : 1.5 });
  const g = tf.tensor2d(grid, [grid.length, 1]);
  const gprm = new tfd.GaussianProcessRegressionModel({
    kernel, indexPoints: g, observationIndexPoints: x, observations: y,
    observationNoiseVariance: (ok ? Math.exp(ln!) : 1e-3) + 1e-6, predictiveNoiseVariance: 0,
  });
  const mu = gprm.mean();
  const sd = gprm.stddev();
  const eiT = expectedImprovement(mu, sd, Math.min(...ys));
  const [mean, sdv, ei] = (await Promise.all([mu.data(), sd.data(), eiT.data()])) as Float32Array[];
  tf.dispose([x, y, g, mu, sd, eiT]);
  gprm.dispose();
  kernel.dispose();
  return { mean: mean!, sd: sdv!, ei: ei! };
}
