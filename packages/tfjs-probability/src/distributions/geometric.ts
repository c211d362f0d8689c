import * as tf from '@tensorflow/tfjs';
import { Distribution, type DistributionOptions, type TensorLike } from './distribution.js';
import { registerKL } from './kl.js';
import { randomUniform } from '../math/random.js';
import { log1mexp } from '../math/special.js';
import { countSupport, isCount, logProbPair, logitsProbsParams, logitsProbsSpecs, maskLogProb, safeCount, type LogitsProbs } from './discrete_util.js';
import { mulNoNan } from './bernoulli.js';
import { positiveUnitInterval } from './constraints.js';

export interface GeometricArgs extends DistributionOptions {
  /** Log-odds of a success, shape `[...B]`. Give exactly one of `logits` and `probs`. */
  logits?: TensorLike;
  /** Success probability p in (0, 1], shape `[...B]`. Give exactly one of `logits` and `probs`. */
  probs?: TensorLike;
}

/**
 * The geometric distribution: the number of failures before the first success
 * (TFP's convention, support {0, 1, 2, ...}).
 *
 * Mathematical details: `P(X = k) = (1 - p)^k p`; `log P = k log(1-p) + log p`,
 * from softplus of the logits. `cdf(x) = 1 - (1 - p)^(⌊x⌋ + 1)`, computed as
 * `-expm1((⌊x⌋+1) log(1-p))`. Mean `(1-p)/p`, variance `(1-p)/p²`, mode 0,
 * entropy `(-(1-p) log(1-p) - p log p) / p`.
 *
 * Sampling (not reparameterized) by inversion: `⌊log u / log(1-p)⌋`.
 *
 * @example
 * ```ts
 * const d = new tfd.Geometric({ probs: [0.2, 0.9] });
 * d.mean();                  // [4, 0.111]
 * d.logProb([3, 0]);
 * ```
 */
export class Geometric extends Distribution {
  readonly logits: tf.Tensor;
  readonly probs: tf.Tensor;
  private readonly lp: LogitsProbs;

  constructor(args: GeometricArgs) {
    const lp = logitsProbsParams('Geometric', args);
    super({
      ...args,
      className: 'Geometric',
      // p = 0 never succeeds: TFP requires probs in (0, 1].
      params: lp.fromLogits ? logitsProbsSpecs(lp) : { ...logitsProbsSpecs(lp), probs: { value: lp.probs, eventRank: 0, constraint: positiveUnitInterval } },
      eventShape: [],
      reparameterized: false,
      support: countSupport,
    });
    this.logits = lp.logits;
    this.probs = lp.probs;
    this.lp = lp;
  }

  /** [log p, log(1 - p)] from the given parameter. */
  logProbs(): [tf.Tensor, tf.Tensor] {
    return logProbPair(this.lp);
  }

  protected sampleN(n: number, seed?: number): tf.Tensor {
    const [, log1mP] = this.logProbs();
    const u = randomUniform([n, ...this.batchShape], seed);
    // p = 1: log(1-p) = -inf and the draw is 0.
    return tf.floor(tf.div(tf.log(u), tf.minimum(log1mP, -1e-30)));
  }

  protected override logProbFn(x: tf.Tensor): tf.Tensor {
    const ok = isCount(x);
    const k = safeCount(ok, x);
    const [logP, log1mP] = this.logProbs();
    return maskLogProb(ok, tf.add(mulNoNan(k, log1mP), logP));
  }
  protected override cdfFn(x: tf.Tensor): tf.Tensor {
    const k = tf.floor(x);
    const [, log1mP] = this.logProbs();
    const c = tf.neg(tf.expm1(tf.mul(tf.add(tf.relu(k), 1), log1mP)));
    return tf.where(tf.less(k, 0), tf.zerosLike(c), c);
  }
  protected override logCdfFn(x: tf.Tensor): tf.Tensor {
    const k = tf.floor(x);
    const [, log1mP] = this.logProbs();
    const c = log1mexp(tf.mul(tf.add(tf.relu(k), 1), log1mP));
    return tf.where(tf.less(k, 0), tf.fill(c.shape, -Infinity), c);
  }
  protected override logSurvivalFn(x: tf.Tensor): tf.Tensor {
    const k = tf.floor(x);
    const [, log1mP] = this.logProbs();
    const s = tf.mul(tf.add(tf.relu(k), 1), log1mP);
    return tf.where(tf.less(k, 0), tf.zerosLike(s), s);
  }
  protected override survivalFn(x: tf.Tensor): tf.Tensor {
    return tf.exp(this.logSurvivalFn(x));
  }
  protected override meanFn(): tf.Tensor {
    // (1 - p)/p = exp(-logits)
    return tf.exp(tf.neg(this.logits));
  }
  protected override varianceFn(): tf.Tensor {
    return tf.div(tf.exp(tf.neg(this.logits)), this.probs);
  }
  protected override modeFn(): tf.Tensor {
    return tf.zerosLike(this.probs);
  }
  protected override entropyFn(): tf.Tensor {
    const [logP, log1mP] = this.logProbs();
    const q = tf.sigmoid(tf.neg(this.logits));
    return tf.div(tf.neg(tf.add(mulNoNan(q, log1mP), tf.mul(this.probs, logP))), this.probs);
  }
}

registerKL(Geometric, Geometric, (p, q) => {
  // Σ_k P(k) log(P(k)/Q(k)) = log(pp/pq) + E_p[k] (log(1-pp) - log(1-pq)),  E_p[k] = (1-pp)/pp.
  const [lpp, lqp] = p.logProbs();
  const [lpq, lqq] = q.logProbs();
  return tf.add(tf.sub(lpp, lpq), mulNoNan(tf.exp(tf.neg(p.logits)), tf.sub(lqp, lqq)));
});

