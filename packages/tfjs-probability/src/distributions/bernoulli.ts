import * as tf from '@tensorflow/tfjs';
import { Distribution, checkArgsObject, convertParams, type DistributionOptions, type TensorLike } from './distribution.js';
import { binary, extendedReal, unitInterval } from './constraints.js';
import { registerKL } from './kl.js';
import { randomUniform } from '../math/random.js';
import { InvalidArgumentError } from '../errors.js';

export interface BernoulliArgs extends DistributionOptions {
  /** Log-odds `log(p / (1 - p))` of the outcome 1, shape `[...B]`. Give exactly one of `logits` and `probs`. */
  logits?: TensorLike;
  /** Probability `p` in [0, 1] of the outcome 1, shape `[...B]`. Give exactly one of `logits` and `probs`. */
  probs?: TensorLike;
}

/**
 * `a * b`, but 0 where `a` is 0 (so 0 · log 0 = 0 and 0 · ±inf = 0). The test
 * `-|a| >= 0` uses GreaterEqual, which (unlike Equal) has a registered
 * gradient, so `tf.grad` can pass through `a`.
 */
export function mulNoNan(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const prod = tf.mul(a, b);
  return tf.where(tf.greaterEqual(tf.neg(tf.abs(a)), 0), tf.zerosLike(prod), prod);
}

/**
 * The Bernoulli distribution on {0, 1}.
 *
 * Mathematical details: `P(X = 1) = p`, `P(X = 0) = 1 - p`, with
 * `p = sigmoid(logits)`; `log P(X = x) = x log p + (1 - x) log(1 - p)`,
 * computed in log space (`log p = -softplus(-logits)`,
 * `log(1 - p) = -softplus(logits)`) when built from logits.
 * `logProb` accepts 0/1 values as float or int32 tensors; other values in
 * [0, 1] give the same linear interpolation (the cross-entropy with a soft
 * label), as TFP does without `validateArgs`.
 *
 * Samples are float32 tensors holding 0 and 1 (TFP's default dtype is
 * int32; float32 keeps arithmetic with other tensors simple, and matches
 * `Categorical`, whose samples are float32 class indices). Not
 * reparameterized.
 *
 * Both `.logits` and `.probs` are available whichever was given (the other
 * is computed at construction and owned by the distribution).
 *
 * @param args.logits log-odds, shape `[...B]`
 * @param args.probs probability of 1, shape `[...B]`
 *
 * @example
 * ```ts
 * const d = new tfd.Bernoulli({ probs: [0.2, 0.9] });
 * d.sample([4], { seed: 1 }).shape;   // [4, 2], values 0 or 1
 * d.logProb([1, 0]);                   // [log 0.2, log 0.1]
 * ```
 */
export class Bernoulli extends Distribution {
  /** Log-odds, shape `batchShape`; as given, or `log p - log1p(-p)` when built from probs. */
  readonly logits: tf.Tensor;
  /** Probability of 1, shape `batchShape`; as given, or `sigmoid(logits)`. */
  readonly probs: tf.Tensor;
  private readonly fromLogits: boolean;

  constructor(args: BernoulliArgs) {
    checkArgsObject('Bernoulli', args, ['logits', 'probs']);
    const hasL = args.logits !== undefined && args.logits !== null;
    const hasP = args.probs !== undefined && args.probs !== null;
    if (hasL === hasP) {
      throw new InvalidArgumentError(
        `Bernoulli: pass exactly one of logits or probs; got ${hasL ? 'both logits and probs' : 'neither logits nor probs'}`,
      );
    }
    let logits: tf.Tensor;
    let probs: tf.Tensor;
    if (hasL) {
      logits = convertParams('Bernoulli', args, { logits: { constraint: extendedReal } }).logits.value;
      probs = tf.sigmoid(logits);
    } else {
      probs = convertParams('Bernoulli', args, { probs: { constraint: unitInterval } }).probs.value;
      logits = tf.tidy(() => tf.sub(tf.log(probs), tf.log1p(tf.neg(probs))));
    }
    super({
      ...args,
      className: 'Bernoulli',
      params: {
        logits: { value: logits, eventRank: 0, ...(hasL ? { constraint: extendedReal } : {}) },
        probs: { value: probs, eventRank: 0, ...(hasP ? { constraint: unitInterval } : {}) },
      },
      eventShape: [],
      reparameterized: false,
      support: binary,
    });
    this.logits = logits;
    this.probs = probs;
    this.fromLogits = hasL;
  }

  /** [log P(X=0), log P(X=1)], accurate in log space from whichever parameter was given. */
  private logProbs01(): [tf.Tensor, tf.Tensor] {
    if (this.fromLogits) return [tf.neg(tf.softplus(this.logits)), tf.neg(tf.softplus(tf.neg(this.logits)))];
    return [tf.log1p(tf.neg(this.probs)), tf.log(this.probs)];
  }

  /** [P(X=0), P(X=1)]; P(X=0) = sigmoid(-logits) keeps relative accuracy near p = 1. */
  private probs01(): [tf.Tensor, tf.Tensor] {
    if (this.fromLogits) return [tf.sigmoid(tf.neg(this.logits)), this.probs];
    return [tf.sub(1, this.probs), this.probs];
  }

  protected sampleN(n: number, seed?: number): tf.Tensor {
    const u = randomUniform([n, ...this.batchShape], seed);
    return tf.cast(tf.less(u, this.probs), 'float32');
  }

  protected override logProbFn(x: tf.Tensor): tf.Tensor {
    const [lp0, lp1] = this.logProbs01();
    return tf.add(mulNoNan(x, lp1), mulNoNan(tf.sub(1, x), lp0));
  }
  protected override meanFn(): tf.Tensor {
    return this.probs; // the base class hands the caller a clone of an owned parameter
  }
  /** 1 where p > 1/2, else 0 (0 at p = 1/2, as TFP). */
  protected override modeFn(): tf.Tensor {
    return tf.cast(tf.greater(this.logits, 0), 'float32');
  }
  protected override varianceFn(): tf.Tensor {
    const [p0, p1] = this.probs01();
    return tf.mul(p0, p1);
  }
  protected override entropyFn(): tf.Tensor {
    const [p0, p1] = this.probs01();
    const [lp0, lp1] = this.logProbs01();
    return tf.neg(tf.add(mulNoNan(p0, lp0), mulNoNan(p1, lp1)));
  }
}

registerKL(Bernoulli, Bernoulli, (p, q) => {
  // KL = Σ_x p(x) (log p(x) - log q(x)) over x in {0, 1}, each term 0 where p(x) = 0.
  const [p0, p1] = p['probs01']();
  const [lp0, lp1] = p['logProbs01']();
  const [lq0, lq1] = q['logProbs01']();
  return tf.add(mulNoNan(p0, tf.sub(lp0, lq0)), mulNoNan(p1, tf.sub(lp1, lq1)));
});
