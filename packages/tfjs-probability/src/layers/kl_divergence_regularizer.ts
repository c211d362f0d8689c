import * as tf from '@tensorflow/tfjs';
import type { Distribution } from '../distributions/distribution.js';
import { klDivergence } from '../distributions/kl.js';
import { InvalidArgumentError } from '../errors.js';
import { FnRegistry } from './variational_fns.js';

/** A function returning a (prior) distribution, for serializable `distributionB`. */
export type MakePriorDistributionFn = () => Distribution;

const priors = new FnRegistry<MakePriorDistributionFn>('function () => Distribution', 'registerPriorDistributionFn');
/** @internal */
export const PRIOR_DISTRIBUTIONS = priors;

/** Registers a prior by name so that `KLDivergenceAddLoss` layers using it can be saved and loaded. */
export function registerPriorDistributionFn(name: string, fn: MakePriorDistributionFn): void {
  priors.register(name, fn);
}

export interface KLDivergenceRegularizerOptions {
  /** Factor on the divergence (default 1). */
  weight?: number;
  /** Exact `KL(a || b)` (needs a registered pair) instead of the one-draw estimate (default false, as TFP). */
  useExactKl?: boolean;
  /**
   * Axes of `log a(z) − log b(z)` summed before the mean over the rest (TFP's
   * `test_points_reduce_axis`; default none: the mean over all batch axes).
   */
  testPointsReduceAxis?: number[];
  /** Integer seed of the draws of the estimate. */
  seed?: number;
}

/**
 * Regularizer that penalizes the divergence of a distribution from a fixed one: TFP's
 * `tfpl.KLDivergenceRegularizer`, for the activity of a distribution head (a VAE's encoder).
 *
 * Mathematical details: `apply(a) = weight · mean_batch KL(a || b)`, exactly
 * (`useExactKl`) or by one reparameterized draw `z ~ a`: `weight · mean(log a(z) − log b(z))`
 * (summed over `testPointsReduceAxis` first). `a` has batch shape `[...B]`, `b` broadcasts
 * against it; the result is a scalar.
 *
 * @example
 * ```ts
 * const prior = new tfd.Independent({ distribution: new tfd.Normal({ loc: tf.zeros([2]), scale: 1 }), reinterpretedBatchNdims: 1 });
 * const reg = new tfpl.KLDivergenceRegularizer(prior, { weight: 1, useExactKl: true });
 * const penalty = reg.apply(posteriorOfTheBatch);   // scalar
 * ```
 */
export class KLDivergenceRegularizer {
  readonly weight: number;
  readonly useExactKl: boolean;
  readonly testPointsReduceAxis: number[];
  readonly seed: number | undefined;
  private calls = 0;

  constructor(readonly distributionB: Distribution, options: KLDivergenceRegularizerOptions = {}) {
    if (distributionB === null || typeof distributionB !== 'object' || typeof (distributionB as Distribution).logProb !== 'function') {
      throw new InvalidArgumentError(`KLDivergenceRegularizer: distributionB must be a distribution; got ${typeof distributionB}`);
    }
    const w = options.weight ?? 1;
    if (!Number.isFinite(w) || w < 0) throw new InvalidArgumentError(`KLDivergenceRegularizer: weight must be a non-negative finite number; got ${String(options.weight)}`);
    this.weight = w;
    this.useExactKl = options.useExactKl ?? false;
    this.testPointsReduceAxis = [...(options.testPointsReduceAxis ?? [])];
    this.seed = options.seed;
  }

  /** The penalty for the distribution `a` (a scalar; the caller disposes it). */
  apply(a: Distribution): tf.Scalar {
    const seed = this.seed === undefined ? undefined : (this.seed + 7919 * this.calls++) >>> 0;
    return tf.tidy(() => {
      let d: tf.Tensor;
      if (this.useExactKl) {
        d = klDivergence(a, this.distributionB);
      } else {
        const z = a.sample([], seed === undefined ? {} : { seed });
        d = tf.sub(a.logProb(z), this.distributionB.logProb(z));
        if (this.testPointsReduceAxis.length) d = tf.sum(d, this.testPointsReduceAxis);
      }
      return tf.mul(tf.mean(d), this.weight) as tf.Scalar;
    });
  }
}
