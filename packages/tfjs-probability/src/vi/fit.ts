/**
 * Variational inference (TFP's `tfp.vi`): fit a surrogate posterior by minimizing a Monte
 * Carlo estimate of a divergence (by default the negative ELBO) with reparameterized draws.
 */
import * as tf from '@tensorflow/tfjs';
import type { JointValues } from '../distributions/joint_distribution.js';
import { JointDistributionPinned } from '../distributions/joint_distribution_pinned.js';
import { InvalidArgumentError } from '../errors.js';
import { checkSeed, describeValue, splitSeed } from '../util.js';
import { SurrogatePosterior } from './surrogate.js';

/** A log density over the parts of a model (values of the surrogate's structure), or a pinned joint distribution. */
export type TargetLogProb = ((values: JointValues) => tf.Tensor) | JointDistributionPinned;

/** The reverse KL discrepancy `f(log u) = -log u`, `u = p(z)/q(z)`: its expectation under q is KL(q || p) up to a constant. */
export function klReverse(logu: tf.Tensor): tf.Tensor {
  return tf.neg(logu);
}

function targetFn(owner: string, t: unknown): (v: JointValues) => tf.Tensor {
  if (t instanceof JointDistributionPinned) return (v) => t.unnormalizedLogProb(v);
  if (typeof t === 'function') return t as (v: JointValues) => tf.Tensor;
  throw new InvalidArgumentError(`${owner}: targetLogProbFn must be a function of the parts' values or a pinned joint distribution; got ${describeValue(t)}`);
}

export interface VariationalLossOptions {
  /** Draws of the Monte Carlo estimate. Default 1. */
  sampleSize?: number;
  /** Integer seed of the draws. */
  seed?: number;
  /** `f(log p(z) - log q(z))` averaged over the draws. Default `klReverse` (the negative ELBO). */
  discrepancyFn?: (logu: tf.Tensor) => tf.Tensor;
}

/**
 * The Monte Carlo variational loss (TFP's `tfp.vi.monte_carlo_variational_loss`):
 * `mean_z f(log p(z) - log q(z))` over `sampleSize` reparameterized draws `z ~ q`; with the
 * default `f = klReverse` it is the negative evidence lower bound, `E_q[log q(z) - log p(z)]`.
 * Differentiable in the surrogate's variables. A scalar the caller owns.
 */
export function monteCarloVariationalLoss(
  targetLogProbFn: TargetLogProb,
  surrogatePosterior: SurrogatePosterior,
  options: VariationalLossOptions = {},
): tf.Scalar {
  const owner = 'monteCarloVariationalLoss';
  const target = targetFn(owner, targetLogProbFn);
  if (!(surrogatePosterior instanceof SurrogatePosterior)) {
    throw new InvalidArgumentError(`${owner}: surrogatePosterior must be built by tfp.vi.build*SurrogatePosterior; got ${describeValue(surrogatePosterior)}`);
  }
  const n = options.sampleSize ?? 1;
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${owner}: sampleSize must be a positive integer; got ${describeValue(n)}`);
  const seed = checkSeed(options.seed, owner);
  const f = options.discrepancyFn ?? klReverse;
  return tf.tidy(() => {
    const [z, lq] = surrogatePosterior.sampleAndLogProb(n, seed === undefined ? {} : { seed });
    const lp = target(z);
    return tf.mean(f(tf.sub(lp, lq))) as tf.Scalar;
  });
}

export interface FitSurrogatePosteriorArgs extends VariationalLossOptions {
  /** The unnormalized log posterior: a function of the parts' values, or `jd.pin(observed)`. */
  targetLogProbFn: TargetLogProb;
  /** The surrogate to train (its `trainableVariables` are updated in place). */
  surrogatePosterior: SurrogatePosterior;
  /** Optimization steps. */
  numSteps: number;
  /** Default `tf.train.adam(learningRate)`. */
  optimizer?: tf.Optimizer;
  /** Learning rate of the default optimizer. Default 0.01. */
  learningRate?: number;
  /** Called after each step with the step index (loss values are read once, at the end). */
  onStep?: (step: number) => void | Promise<void>;
}

/**
 * Fits a surrogate posterior (TFP's `tfp.vi.fit_surrogate_posterior`): `numSteps` steps of the
 * optimizer on `monteCarloVariationalLoss`, each with fresh draws (seeded from `seed`). Resolves
 * to the loss at each step (read back once at the end, no synchronous read per step).
 *
 * @example
 * ```ts
 * const model = new tfd.JointDistributionNamed({
 *   mu: new tfd.Normal({ loc: 0, scale: 1 }),
 *   y: ({ mu }) => new tfd.Sample({ distribution: new tfd.Normal({ loc: mu, scale: 1 }), sampleShape: [4] }),
 * });
 * const target = model.pin({ y: [1, 2, 0, 1] });
 * const q = tfp.vi.buildFactoredSurrogatePosterior(target, { seed: 1 });
 * const { losses } = await tfp.vi.fitSurrogatePosterior({
 *   targetLogProbFn: target, surrogatePosterior: q, numSteps: 300, learningRate: 0.05, sampleSize: 8, seed: 2,
 * });
 * // q now approximates the posterior N(0.8, 1/5) of mu
 * ```
 */
export async function fitSurrogatePosterior(args: FitSurrogatePosteriorArgs): Promise<{ losses: Float32Array }> {
  const owner = 'fitSurrogatePosterior';
  if (args === null || typeof args !== 'object') throw new InvalidArgumentError(`${owner}: expected an argument object; got ${describeValue(args)}`);
  const { targetLogProbFn, surrogatePosterior, numSteps } = args;
  if (!Number.isInteger(numSteps) || numSteps < 1) throw new InvalidArgumentError(`${owner}: numSteps must be a positive integer; got ${describeValue(numSteps)}`);
  targetFn(owner, targetLogProbFn);
  if (!(surrogatePosterior instanceof SurrogatePosterior)) {
    throw new InvalidArgumentError(`${owner}: surrogatePosterior must be built by tfp.vi.build*SurrogatePosterior; got ${describeValue(surrogatePosterior)}`);
  }
  const lr = args.learningRate ?? 0.01;
  if (!(lr > 0 && lr < Infinity)) throw new InvalidArgumentError(`${owner}: learningRate must be positive; got ${describeValue(lr)}`);
  const seed = checkSeed(args.seed, owner);
  const optimizer = args.optimizer ?? tf.train.adam(lr);
  const steps: tf.Tensor[] = [];
  const seeds = splitSeed(seed, numSteps);
  try {
    for (let i = 0; i < numSteps; i++) {
      const s = seeds[i];
      const loss = optimizer.minimize(
        () =>
          monteCarloVariationalLoss(targetLogProbFn, surrogatePosterior, {
            ...(args.sampleSize === undefined ? {} : { sampleSize: args.sampleSize }),
            ...(args.discrepancyFn === undefined ? {} : { discrepancyFn: args.discrepancyFn }),
            ...(s === undefined ? {} : { seed: s }),
          }),
        true,
        surrogatePosterior.trainableVariables,
      )!;
      steps.push(loss);
      if (args.onStep) await args.onStep(i);
    }
    const all = tf.stack(steps);
    const losses = (await all.data()) as Float32Array;
    all.dispose();
    return { losses };
  } finally {
    tf.dispose(steps);
    if (!args.optimizer) optimizer.dispose();
  }
}
