import * as tf from '@tensorflow/tfjs';
import { Distribution, convertParams, type DistributionOptions, type TensorLike } from './distribution.js';
import { logits as logitsConstraint, nonNegative, simplex } from './constraints.js';
import { categoricalParams } from './categorical.js';
import { randomBinomial } from '../math/count_samplers.js';
import { lgamma } from '../math/special.js';
import { maskOf, splitSeed } from '../util.js';
import { bd0, stirlerr } from '../math/saddle_point.js';
import { mulNoNan } from './bernoulli.js';
import { countVectorSupport, isCount, maskLogProb, safeCount } from './discrete_util.js';

export interface MultinomialArgs extends DistributionOptions {
  /** Number of draws n (a non-negative integer), shape `[...B]`. */
  totalCount: TensorLike;
  /** Unnormalized log-probabilities of the K classes, shape `[...B, K]`. Give exactly one of `logits` and `probs`. */
  logits?: TensorLike;
  /** Class probabilities, shape `[...B, K]`. Give exactly one of `logits` and `probs`. */
  probs?: TensorLike;
}

/**
 * The multinomial distribution: the counts of each of K classes in
 * `totalCount` independent categorical draws. Event shape `[K]`.
 *
 * Mathematical details: `P(x) = n! / Π_k x_k! · Π_k p_k^{x_k}` for count vectors
 * with `Σ_k x_k = n`, computed as `lgamma(n+1) - Σ lgamma(x_k+1) + Σ x_k logSoftmax(logits)_k`;
 * other vectors have log-probability −∞. Mean `n p`, variance `n p (1 - p)`,
 * covariance `n (diag(p) - p pᵀ)`. `logProb` is differentiable in the logits / probs.
 *
 * Sampling (not reparameterized): a chain of K - 1 conditional binomials
 * `x_k ~ Binomial(n - Σ_{j<k} x_j, p_k / Σ_{j>=k} p_j)`, each drawn per element
 * by `math/count_samplers.ts`.
 *
 * @example
 * ```ts
 * const d = new tfd.Multinomial({ totalCount: 10, probs: [0.2, 0.3, 0.5] });
 * d.sample([2], { seed: 1 }).shape;   // [2, 3], each row sums to 10
 * d.logProb([2, 3, 5]);
 * ```
 */
export class Multinomial extends Distribution {
  readonly totalCount: tf.Tensor;
  readonly logits: tf.Tensor;
  readonly probs: tf.Tensor;

  constructor(args: MultinomialArgs) {
    const totalCount = convertParams('Multinomial', args, { totalCount: { constraint: nonNegative } }).totalCount.value;
    let cp: ReturnType<typeof categoricalParams>;
    try {
      cp = categoricalParams('Multinomial', { ...(args.logits !== undefined ? { logits: args.logits } : {}), ...(args.probs !== undefined ? { probs: args.probs } : {}) });
    } catch (e) {
      totalCount.dispose();
      throw e;
    }
    super({
      ...args,
      className: 'Multinomial',
      params: {
        totalCount: { value: totalCount, eventRank: 0, constraint: nonNegative },
        logits: { value: cp.logits, eventRank: 1, ...(cp.fromLogits ? { constraint: logitsConstraint } : {}) },
        probs: { value: cp.probs, eventRank: 1, ...(cp.fromLogits ? {} : { constraint: simplex }) },
      },
      eventShape: [cp.logits.shape[cp.logits.rank - 1]!],
      reparameterized: false,
      support: countVectorSupport,
    });
    this.totalCount = totalCount;
    this.logits = cp.logits;
    this.probs = cp.probs;
  }

  /** Number of classes K. */
  get numCategories(): number {
    return this.eventShape[0]!;
  }

  protected sampleN(n: number, seed?: number): tf.Tensor {
    const k = this.numCategories;
    const shape = [n, ...this.batchShape];
    const seeds = splitSeed(seed, k);
    const probs = tf.broadcastTo(tf.softmax(this.logits), [...this.batchShape, k]);
    // Column i as Σ probs · e_i (no slicing: the wasm Slice/Unpack kernels read their input back).
    const ps = Array.from({ length: k }, (_, i) => tf.sum(tf.mul(probs, tf.tensor1d(Array.from({ length: k }, (_, j) => (j === i ? 1 : 0)))), -1));
    // Σ_{j >= i} p_j, summed from the smallest index up for accuracy of the tail.
    const rem: tf.Tensor[] = new Array<tf.Tensor>(k);
    let acc: tf.Tensor = tf.zerosLike(ps[0]!);
    for (let i = k - 1; i >= 0; i--) rem[i] = acc = tf.add(acc, ps[i]!);
    let left: tf.Tensor = tf.broadcastTo(this.totalCount, shape);
    const out: tf.Tensor[] = [];
    for (let i = 0; i < k - 1; i++) {
      const pc = tf.clipByValue(tf.div(ps[i]!, tf.maximum(rem[i]!, 1e-30)), 0, 1);
      const xi = randomBinomial(shape, left, pc, seeds[i]);
      out.push(xi);
      left = tf.relu(tf.sub(left, xi));
    }
    out.push(left);
    return tf.stack(out, -1);
  }

  protected override logProbFn(x: tf.Tensor): tf.Tensor {
    const n = this.totalCount;
    const counts = isCount(x);
    const safe = safeCount(counts, x);
    const total = tf.sum(safe, -1);
    const ok = tf.logicalAnd(tf.all(counts, -1), tf.equal(total, n));
    const lsm = tf.logSoftmax(this.logits);
    const direct = tf.add(
      tf.sub(lgamma(tf.add(n, 1)), tf.sum(lgamma(tf.add(safe, 1)), -1)),
      tf.sum(mulNoNan(safe, lsm), -1),
    );
    // Loader's form where n >= 1 and no class with a count has an underflowing probability:
    // stirlerr(n) - Σ_{kᵢ>0} [stirlerr(kᵢ) + ½ log(2πkᵢ)] - Σ bd0(kᵢ, n pᵢ) + ½ log(2πn)
    // (with Σ pᵢ = 1), free of the cancelling lgamma terms (at n = 1e7 they are ~1.5e8 each).
    const p = tf.softmax(this.logits);
    const nE = tf.expandDims(tf.add(n, tf.zerosLike(total)), -1);
    const saddleOk = maskOf(
      (nn, kk, pp) => tf.logicalAnd(tf.greaterEqual(tf.squeeze(nn, [-1]), 1), tf.all(tf.logicalOr(tf.equal(kk, 0), tf.greaterEqual(pp, 1e-30)), -1)),
      nE,
      safe,
      p,
    );
    const nS = tf.where(saddleOk, tf.add(n, tf.zerosLike(total)), tf.onesLike(total));
    const k1 = tf.maximum(safe, 1);
    const present = tf.greaterEqual(safe, 1);
    const perClass = tf.where(present, tf.add(stirlerr(k1), tf.mul(0.5, tf.log(tf.mul(2 * Math.PI, k1)))), tf.zerosLike(k1));
    const dev = bd0(safe, tf.mul(tf.expandDims(nS, -1), p));
    const saddle = tf.sub(tf.add(stirlerr(nS), tf.mul(0.5, tf.log(tf.mul(2 * Math.PI, nS)))), tf.sum(tf.add(perClass, dev), -1));
    return maskLogProb(ok, tf.where(saddleOk, saddle, direct));
  }
  protected override meanFn(): tf.Tensor {
    return tf.mul(tf.expandDims(this.totalCount, -1), this.probs);
  }
  protected override varianceFn(): tf.Tensor {
    return tf.mul(this.meanFn(), tf.sub(1, this.probs));
  }
  protected override covarianceFn(): tf.Tensor {
    const p = this.probs;
    const k = this.numCategories;
    const outer = tf.mul(tf.expandDims(p, -1), tf.expandDims(p, -2));
    const diag = tf.mul(tf.expandDims(p, -1), tf.eye(k));
    return tf.mul(tf.reshape(this.totalCount, [...this.totalCount.shape, 1, 1]), tf.sub(diag, outer));
  }
}
