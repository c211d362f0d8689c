import * as tf from '@tensorflow/tfjs';
import { Distribution, checkArgsObject, convertParams, type DistributionOptions, type TensorLike } from './distribution.js';
import { extendedReal, nonNegative } from './constraints.js';
import { registerKL } from './kl.js';
import { randomPoisson } from '../math/count_samplers.js';
import { igamma, igammac, lgamma, logIgamma, logIgammac } from '../math/special.js';
import { bd0, poissonLogPmf } from '../math/saddle_point.js';
import { mulNoNan } from './bernoulli.js';
import { InvalidArgumentError } from '../errors.js';
import { maskOf } from '../util.js';
import { xlogy } from './continuous_util.js';
import { countSupport, isCount, maskLogProb, safeCount } from './discrete_util.js';

export interface PoissonArgs extends DistributionOptions {
  /** Rate λ >= 0 (the mean), shape `[...B]`. Give exactly one of `rate` and `logRate`. */
  rate?: TensorLike;
  /** log λ, shape `[...B]` (what a network outputs). Give exactly one of `rate` and `logRate`. */
  logRate?: TensorLike;
}

/**
 * The Poisson distribution over the counts {0, 1, 2, ...}.
 *
 * Mathematical details: `P(X = k; λ) = λ^k e^(-λ) / k!`, so
 * `log P = k log λ - λ - lgamma(k + 1)`; with `logRate` given the log rate is
 * used directly (no log of an exp). `cdf(x) = Q(⌊x⌋ + 1, λ)`, the regularized
 * upper incomplete gamma function (evaluated in float64 on the host, like
 * Gamma's cdf). Mean and variance λ, mode ⌊λ⌋ (TFP's convention). Values that
 * are negative or not integers have log-probability −∞ (scipy's convention).
 * `logProb` is differentiable in `rate` / `logRate`.
 *
 * Sampling (not reparameterized): exact inversion for λ < 10 and Hörmann's
 * PTRS above, vectorized per element (see `math/count_samplers.ts`); samples
 * are float32 tensors holding integers.
 *
 * @example
 * ```ts
 * const d = new tfd.Poisson({ rate: [0.5, 30] });
 * d.sample([4], { seed: 1 }).shape;   // [4, 2]
 * d.logProb([0, 31]);                  // [-0.5, log P(X = 31 | 30)]
 * ```
 */
export class Poisson extends Distribution {
  static override readonly parameterProperties = { rate: { constraint: nonNegative, optional: true }, logRate: { constraint: extendedReal, optional: true } };
  /** λ, shape `batchShape`: as given or `exp(logRate)`. */
  readonly rate: tf.Tensor;
  /** log λ: as given or `log(rate)`. */
  readonly logRate: tf.Tensor;
  private readonly fromLog: boolean;

  constructor(args: PoissonArgs) {
    checkArgsObject('Poisson', args, ['rate', 'logRate']);
    const hasR = args.rate !== undefined && args.rate !== null;
    const hasL = args.logRate !== undefined && args.logRate !== null;
    if (hasR === hasL) {
      throw new InvalidArgumentError(`Poisson: pass exactly one of rate or logRate; got ${hasR ? 'both' : 'neither'}`);
    }
    let rate: tf.Tensor;
    let logRate: tf.Tensor;
    if (hasR) {
      rate = convertParams('Poisson', args, { rate: Poisson.parameterProperties.rate }).rate.value;
      logRate = tf.log(rate);
    } else {
      logRate = convertParams('Poisson', args, { logRate: Poisson.parameterProperties.logRate }).logRate.value;
      rate = tf.exp(logRate);
    }
    super({
      ...args,
      className: 'Poisson',
      params: {
        rate: { value: rate, eventRank: 0, ...(hasR ? { constraint: nonNegative } : {}) },
        logRate: { value: logRate, eventRank: 0, ...(hasL ? { constraint: extendedReal } : {}) },
      },
      eventShape: [],
      reparameterized: false,
      support: countSupport,
    });
    this.rate = rate;
    this.logRate = logRate;
    this.fromLog = hasL;
  }

  protected sampleN(n: number, seed?: number): tf.Tensor {
    return randomPoisson([n, ...this.batchShape], this.rate, seed);
  }

  protected override logProbFn(x: tf.Tensor): tf.Tensor {
    const ok = isCount(x);
    const k = safeCount(ok, x);
    // Loader's saddle-point form where λ is a normal float; the direct form where it underflows
    // (a tiny rate from logRate) or is 0.
    const normal = tf.greaterEqual(this.rate, 1e-30);
    const lamS = tf.where(normal, this.rate, tf.onesLike(this.rate));
    const saddle = poissonLogPmf(k, lamS);
    const kLogRate = this.fromLog ? tf.mul(k, this.logRate) : xlogy(k, this.rate);
    const direct = tf.sub(tf.sub(kLogRate, this.rate), lgamma(tf.add(k, 1)));
    return maskLogProb(ok, tf.where(normal, saddle, direct));
  }
  protected override logCdfFn(x: tf.Tensor): tf.Tensor {
    const k = tf.floor(x);
    const c = logIgammac(tf.add(tf.relu(k), 1), tf.add(this.rate, tf.zerosLike(k)));
    return tf.where(tf.less(k, 0), tf.fill(c.shape, -Infinity), c);
  }
  protected override logSurvivalFn(x: tf.Tensor): tf.Tensor {
    const k = tf.floor(x);
    const s = logIgamma(tf.add(tf.relu(k), 1), tf.add(this.rate, tf.zerosLike(k)));
    return tf.where(tf.less(k, 0), tf.zerosLike(s), s);
  }
  protected override cdfFn(x: tf.Tensor): tf.Tensor {
    const k = tf.floor(x);
    const c = igammac(tf.add(tf.relu(k), 1), tf.add(this.rate, tf.zerosLike(k)));
    return tf.where(tf.less(k, 0), tf.zerosLike(c), c);
  }
  protected override survivalFn(x: tf.Tensor): tf.Tensor {
    // P(X > x) = P(⌊x⌋ + 1, λ), accurate in the right tail.
    const k = tf.floor(x);
    const s = igamma(tf.add(tf.relu(k), 1), tf.add(this.rate, tf.zerosLike(k)));
    return tf.where(tf.less(k, 0), tf.onesLike(s), s);
  }
  protected override meanFn(): tf.Tensor {
    return this.rate;
  }
  protected override varianceFn(): tf.Tensor {
    return this.rate;
  }
  protected override modeFn(): tf.Tensor {
    return tf.floor(this.rate);
  }
}

registerKL(Poisson, Poisson, (p, q) => {
  // λp (log λp - log λq) - λp + λq = bd0(λp, λq), without the cancellation of the direct form
  // for near-equal rates (KL(Poisson(1e7) ‖ Poisson(1.0003e7)) = 0.450).
  const direct = tf.add(mulNoNan(p.rate, tf.sub(p.logRate, q.logRate)), tf.sub(q.rate, p.rate));
  const normal = maskOf((u, v) => tf.logicalAnd(tf.greaterEqual(u, 1e-30), tf.greaterEqual(v, 1e-30)), q.rate, p.rate);
  const one = tf.onesLike(direct);
  const saddle = bd0(tf.where(normal, tf.add(p.rate, tf.zerosLike(one)), one), tf.where(normal, tf.add(q.rate, tf.zerosLike(one)), one));
  return tf.where(normal, saddle, direct);
});
