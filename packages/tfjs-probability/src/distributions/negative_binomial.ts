import * as tf from '@tensorflow/tfjs';
import { Distribution, type DistributionOptions, type TensorLike } from './distribution.js';
import { positive } from './constraints.js';
import { randomGammaBatched } from '../math/gamma_sampler.js';
import { randomPoisson } from '../math/count_samplers.js';
import { runSamplerKernel, useSamplerKernels } from '../math/sampler_kernels.js';
import { lgamma } from '../math/special.js';
import { binomialCore } from '../math/saddle_point.js';
import { maskOf, splitSeed } from '../util.js';
import { countSupport, isCount, logProbPair, probPair, betaTails, logitsProbsSpecs, maskLogProb, totalCountAndLogitsProbs, safeCount, type LogitsProbs } from './discrete_util.js';
import { mulNoNan } from './bernoulli.js';

export interface NegativeBinomialArgs extends DistributionOptions {
  /** Number of failures r > 0 that ends the trials (real-valued allowed), shape `[...B]`. */
  totalCount: TensorLike;
  /** Log-odds of a success, shape `[...B]`. Give exactly one of `logits` and `probs`. */
  logits?: TensorLike;
  /** Probability p of a success, shape `[...B]`. Give exactly one of `logits` and `probs`. */
  probs?: TensorLike;
}

/**
 * The negative binomial distribution: the number of successes before
 * `totalCount` failures (TFP's convention; `probs` is the success probability).
 *
 * Mathematical details: `P(X = k) = Γ(k + r) / (Γ(r) k!) · p^k (1 - p)^r`, in log
 * space from the logits (`log p = -softplus(-l)`, `log(1 - p) = -softplus(l)`).
 * Mean `r p/(1-p) = r exp(logits)`, variance `mean / (1 - p)`, mode
 * `⌊(r - 1) p/(1-p)⌋` for r > 1, else 0. `cdf(k) = I_{1-p}(r, ⌊k⌋ + 1)` (the
 * regularized incomplete beta, float64 on the host). With the mean `μ` and
 * `r` this is the NB2 count model of regression: variance `μ + μ²/r`.
 * `logProb` is differentiable in `totalCount` and `logits` / `probs`.
 *
 * Sampling (not reparameterized): the gamma–Poisson mixture
 * `X ~ Poisson(G · p/(1-p))` with `G ~ Gamma(r, 1)`.
 *
 * @example
 * ```ts
 * const d = new tfd.NegativeBinomial({ totalCount: 5, logits: [-1, 1] });
 * d.mean();                           // [5 e^-1, 5 e]
 * d.logProb([0, 3]);
 * ```
 */
export class NegativeBinomial extends Distribution {
  readonly totalCount: tf.Tensor;
  readonly logits: tf.Tensor;
  readonly probs: tf.Tensor;
  private readonly lp: LogitsProbs;

  constructor(args: NegativeBinomialArgs) {
    const { totalCount, lp } = totalCountAndLogitsProbs('NegativeBinomial', args, positive);
    super({
      ...args,
      className: 'NegativeBinomial',
      params: {
        totalCount: { value: totalCount, eventRank: 0, constraint: positive },
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
    const r = tf.broadcastTo(this.totalCount, this.batchShape);
    if (useSamplerKernels()) {
      // One kernel: G ~ Gamma(r), then Poisson(G e^logits), per element in float64.
      return runSamplerKernel('TfpRandomNegativeBinomial', [n, ...this.batchShape], [r, tf.broadcastTo(this.logits, this.batchShape)], seed);
    }
    const [s1, s2] = splitSeed(seed, 2);
    const g = randomGammaBatched([n], r, s1);
    const rate = tf.mul(g, tf.exp(this.logits));
    return randomPoisson([n, ...this.batchShape], rate, s2);
  }

  protected override logProbFn(x: tf.Tensor): tf.Tensor {
    const ok = isCount(x);
    const k = safeCount(ok, x);
    const r = this.totalCount;
    const [logP, log1mP] = logProbPair(this.lp);
    const comb = tf.sub(lgamma(tf.add(k, r)), tf.add(lgamma(tf.add(k, 1)), lgamma(r)));
    const direct = tf.add(comb, tf.add(mulNoNan(k, logP), tf.mul(r, log1mP)));
    // Where k >= 1 and r >= 1, Loader's form (as R's dnbinom): P(k) = r/(r + k) · Binomial(r + k, 1 - p) at r,
    // free of the cancelling lgamma terms.
    const interior = maskOf((u, v) => tf.logicalAnd(tf.greaterEqual(u, 1), tf.greaterEqual(v, 1)), k, r);
    const k1 = tf.where(interior, k, tf.onesLike(k));
    const r1 = tf.where(interior, tf.add(r, tf.zerosLike(k)), tf.onesLike(k));
    const [p, q] = probPair(this.lp);
    const saddle = tf.add(binomialCore(r1, k1, q, p), tf.sub(tf.log(r1), tf.log(tf.add(r1, k1))));
    return maskLogProb(ok, tf.where(interior, saddle, direct));
  }
  /** [P(X <= k), P(X > k)] (or their logs) = [I_{1-p}(r, k + 1), I_p(k + 1, r)]. */
  private tails(x: tf.Tensor, log: boolean): [tf.Tensor, tf.Tensor] {
    const k = tf.floor(x);
    const [lower, upper] = betaTails(tf.add(this.totalCount, tf.zerosLike(k)), tf.add(tf.relu(k), 1), this.lp, log);
    const below = tf.less(k, 0);
    return [tf.where(below, tf.fill(lower.shape, log ? -Infinity : 0), lower), tf.where(below, tf.fill(upper.shape, log ? 0 : 1), upper)];
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
    return tf.mul(this.totalCount, tf.exp(this.logits));
  }
  protected override varianceFn(): tf.Tensor {
    // r p / (1-p)²  =  mean · (1 + exp(logits))
    return tf.mul(this.meanFn(), tf.add(1, tf.exp(this.logits)));
  }
  protected override modeFn(): tf.Tensor {
    const m = tf.floor(tf.mul(tf.sub(this.totalCount, 1), tf.exp(this.logits)));
    return tf.where(tf.greater(this.totalCount, 1), m, tf.zerosLike(m));
  }
}
