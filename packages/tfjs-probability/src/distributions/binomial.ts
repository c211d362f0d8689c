import * as tf from '@tensorflow/tfjs';
import { Distribution, type DistributionOptions, type TensorLike } from './distribution.js';
import { nonNegative } from './constraints.js';
import { randomBinomial } from '../math/count_samplers.js';
import { lgamma } from '../math/special.js';
import { binomialCore } from '../math/saddle_point.js';
import { countSupport, isCount, logProbPair, probPair, betaTails, logitsProbsSpecs, maskLogProb, totalCountAndLogitsProbs, safeCount, type LogitsProbs } from './discrete_util.js';
import { mulNoNan } from './bernoulli.js';
import { maskOf } from '../util.js';

export interface BinomialArgs extends DistributionOptions {
  /** Number of trials n (a non-negative integer), shape `[...B]`. */
  totalCount: TensorLike;
  /** Log-odds of a success, shape `[...B]`. Give exactly one of `logits` and `probs`. */
  logits?: TensorLike;
  /** Success probability p, shape `[...B]`. Give exactly one of `logits` and `probs`. */
  probs?: TensorLike;
}

/**
 * The binomial distribution: the number of successes in `totalCount` trials.
 *
 * Mathematical details: `P(X = k) = C(n, k) p^k (1 - p)^(n - k)` for k in
 * {0, ..., n}, computed as `lgamma(n+1) - lgamma(k+1) - lgamma(n-k+1) + k log p +
 * (n-k) log(1-p)` (log p, log(1-p) from softplus of the logits). Mean `np`,
 * variance `np(1-p)`, mode `⌊(n+1)p⌋` (clipped to n). `cdf(k) = I_{1-p}(n - k, k + 1)`
 * (regularized incomplete beta, float64 on the host). Values outside
 * {0, ..., n} have log-probability −∞. `logProb` is differentiable in the
 * logits / probs.
 *
 * Sampling (not reparameterized): inversion for `n·min(p, 1-p) < 10`, Hörmann's
 * BTRS above (`math/count_samplers.ts`), per element.
 *
 * @example
 * ```ts
 * const d = new tfd.Binomial({ totalCount: 10, probs: [0.1, 0.5] });
 * d.sample([3], { seed: 1 }).shape;   // [3, 2]
 * d.logProb([1, 5]);
 * ```
 */
export class Binomial extends Distribution {
  readonly totalCount: tf.Tensor;
  readonly logits: tf.Tensor;
  readonly probs: tf.Tensor;
  private readonly lp: LogitsProbs;

  constructor(args: BinomialArgs) {
    const { totalCount, lp } = totalCountAndLogitsProbs('Binomial', args, nonNegative);
    super({
      ...args,
      className: 'Binomial',
      params: {
        totalCount: { value: totalCount, eventRank: 0, constraint: nonNegative },
        ...logitsProbsSpecs(lp),
      },
      eventShape: [],
      reparameterized: false,
      support: countSupport,
    });
    this.totalCount = totalCount;
    this.logits = lp.logits;
    this.probs = lp.probs;
    this.lp = lp;
  }

  protected sampleN(n: number, seed?: number): tf.Tensor {
    return randomBinomial([n, ...this.batchShape], this.totalCount, this.probs, seed);
  }

  protected override logProbFn(x: tf.Tensor): tf.Tensor {
    const n = this.totalCount;
    const ok = tf.logicalAnd(isCount(x), tf.lessEqual(x, n));
    const k = safeCount(ok, x);
    const nk = tf.relu(tf.sub(n, k));
    const [logP, log1mP] = logProbPair(this.lp);
    const comb = tf.sub(lgamma(tf.add(n, 1)), tf.add(lgamma(tf.add(k, 1)), lgamma(tf.add(nk, 1))));
    const direct = tf.add(comb, tf.add(mulNoNan(k, logP), mulNoNan(nk, log1mP)));
    // Loader's saddle-point form wherever k >= 1 and n - k >= 1 (the lgamma terms cancel there:
    // at n = 1e8 each is ~1.7e9 and the answer ~ -9.4); k and n - k are exact, and k - n p is formed
    // from p itself, never from a rounded 1 - p.
    const interior = maskOf((u, v) => tf.logicalAnd(tf.greaterEqual(u, 1), tf.greaterEqual(v, 1)), k, nk);
    const k1 = tf.where(interior, k, tf.onesLike(k));
    const nk1 = tf.where(interior, nk, tf.onesLike(nk));
    const [p, q] = probPair(this.lp);
    const saddle = binomialCore(k1, nk1, p, q);
    return maskLogProb(ok, tf.where(interior, saddle, direct));
  }
  /** [P(X <= k), P(X > k)] (or their logs): [I_{1-p}(n - k, k + 1), I_p(k + 1, n - k)] inside [0, n). */
  private tails(x: tf.Tensor, log: boolean): [tf.Tensor, tf.Tensor] {
    const k = tf.floor(x);
    const n = tf.add(this.totalCount, tf.zerosLike(k));
    const kc = tf.clipByValue(k, 0, Infinity);
    const inside = tf.logicalAnd(tf.greaterEqual(k, 0), tf.less(k, n));
    const [lower, upper] = betaTails(tf.where(inside, tf.sub(n, kc), tf.onesLike(n)), tf.add(kc, 1), this.lp, log);
    const [zero, one] = log ? [-Infinity, 0] : [0, 1];
    const below = tf.less(k, 0);
    return [
      tf.where(inside, lower, tf.where(below, tf.fill(lower.shape, zero), tf.fill(lower.shape, one))),
      tf.where(inside, upper, tf.where(below, tf.fill(upper.shape, one), tf.fill(upper.shape, zero))),
    ];
  }
  protected override cdfFn(x: tf.Tensor): tf.Tensor {
    return this.tails(x, false)[0];
  }
  protected override survivalFn(x: tf.Tensor): tf.Tensor {
    return this.tails(x, false)[1];
  }
  protected override logCdfFn(x: tf.Tensor): tf.Tensor {
    return this.tails(x, true)[0];
  }
  protected override logSurvivalFn(x: tf.Tensor): tf.Tensor {
    return this.tails(x, true)[1];
  }
  protected override meanFn(): tf.Tensor {
    return tf.mul(this.totalCount, this.probs);
  }
  protected override varianceFn(): tf.Tensor {
    return tf.mul(tf.mul(this.totalCount, this.probs), tf.sigmoid(tf.neg(this.logits)));
  }
  protected override modeFn(): tf.Tensor {
    return tf.minimum(tf.floor(tf.mul(tf.add(this.totalCount, 1), this.probs)), this.totalCount);
  }
}
