import * as tf from '@tensorflow/tfjs';
import { Distribution, checkArgsObject, convertParams, type DistributionOptions, type TensorLike } from './distribution.js';
import { integerInterval, logits as logitsConstraint, simplex } from './constraints.js';
import { registerKL } from './kl.js';
import { mulNoNan } from './bernoulli.js';
import { randomUniform } from '../math/random.js';
import { InvalidArgumentError, fmtShape } from '../errors.js';

export interface CategoricalArgs extends DistributionOptions {
  /** Unnormalized log-probabilities of the K classes, shape `[...B, K]`. Give exactly one of `logits` and `probs`. */
  logits?: TensorLike;
  /** Probabilities of the K classes (on the simplex), shape `[...B, K]`. Give exactly one of `logits` and `probs`. */
  probs?: TensorLike;
}

/**
 * Converts the `{logits} | {probs}` argument pair shared by Categorical and
 * OneHotCategorical: returns both, owned (the one not given is computed), and
 * which was given. Internal.
 */
export function categoricalParams(
  owner: string,
  args: CategoricalArgs,
): { logits: tf.Tensor; probs: tf.Tensor; fromLogits: boolean } {
  checkArgsObject(owner, args, ['logits', 'probs']);
  const hasL = args.logits !== undefined && args.logits !== null;
  const hasP = args.probs !== undefined && args.probs !== null;
  if (hasL === hasP) {
    throw new InvalidArgumentError(
      `${owner}: pass exactly one of logits or probs; got ${hasL ? 'both logits and probs' : 'neither logits nor probs'}`,
    );
  }
  const given = hasL
    ? convertParams(owner, args, { logits: { eventRank: 1, constraint: logitsConstraint } }).logits.value
    : convertParams(owner, args, { probs: { eventRank: 1, constraint: simplex } }).probs.value;
  if (given.rank < 1 || given.shape[given.rank - 1]! < 1) {
    given.dispose();
    throw new InvalidArgumentError(
      `${owner}: ${hasL ? 'logits' : 'probs'} must have shape [..., K] with K >= 1 classes on the last axis; got ${fmtShape(given.shape)}`,
    );
  }
  if (hasL) return { logits: given, probs: tf.softmax(given), fromLogits: true };
  return { logits: tf.log(given), probs: given, fromLogits: false };
}

/**
 * `oneHot(idx, k)` as float32, also for k = 1 (tf.oneHot needs depth >= 2). `idx` is int32.
 * Built as int32 and cast: the wasm OneHot kernel ignores a float32 dtype and writes
 * int32 bit patterns (tfjs 4.22), which read back as denormal floats.
 */
export function oneHotFloat(idx: tf.Tensor, k: number): tf.Tensor {
  if (k >= 2) return tf.cast(tf.oneHot(idx, k), 'float32');
  return tf.expandDims(tf.cast(tf.equal(idx, 0), 'float32'), -1);
}

/**
 * `logSoftmax(logits)` with -inf entries (zero-probability classes) replaced by 0,
 * and a float mask that is 1 where the entry was finite. Only ops with a
 * registered gradient are on the path from the logits (tfjs has none for
 * LogicalAnd/LogicalNot/Equal/Greater/Less), so `tf.grad` works through it.
 */
export function finiteLogSoftmax(logits: tf.Tensor): { lsm: tf.Tensor; finite: tf.Tensor } {
  const lsm = tf.logSoftmax(logits);
  const isFin = tf.isFinite(lsm);
  return { lsm: tf.where(isFin, lsm, tf.zerosLike(lsm)), finite: tf.cast(isFin, 'float32') };
}

/** Gumbel-max draws of class indices, `[n, ...batch]` int32, from logits `[...batch, K]`. */
export function sampleClassIndices(logits: tf.Tensor, n: number, seed: number | undefined): tf.Tensor {
  const u = randomUniform([n, ...logits.shape], seed);
  // Gumbel noise g = -log(-log u); argmax(logits + g) ~ Categorical(softmax(logits)).
  const g = tf.neg(tf.log(tf.neg(tf.log(u))));
  return tf.argMax(tf.add(logits, g), -1);
}

/** Σ_k p_k (log p_k - log q_k), 0 terms where p_k = 0. Shapes `[...B, K]` -> `[...B]`. */
export function categoricalKL(pLogits: tf.Tensor, qLogits: tf.Tensor): tf.Tensor {
  const lp = tf.logSoftmax(pLogits);
  const lq = tf.logSoftmax(qLogits);
  return tf.sum(mulNoNan(tf.exp(lp), tf.sub(lp, lq)), -1);
}

/** −Σ_k p_k log p_k with 0 log 0 = 0. */
export function categoricalEntropy(logits: tf.Tensor): tf.Tensor {
  const { lsm } = finiteLogSoftmax(logits);
  return tf.neg(tf.sum(tf.mul(tf.softmax(logits), lsm), -1));
}

/**
 * The categorical distribution over the class indices {0, ..., K-1}.
 *
 * Mathematical details: `P(X = k) = p_k = softmax(logits)_k`; the event
 * shape is `[]` and a value is an integer class index.
 * `log P(X = k) = logSoftmax(logits)_k`, computed as
 * `Σ_j oneHot(k)_j · logSoftmax(logits)_j`, a one-hot product (not a gather)
 * so that its gradient exists on every backend, wasm included.
 * Values outside {0, ..., K-1} (negative, ≥ K or not an integer) have
 * log-probability −∞. `logProb` accepts int32 or float tensors.
 *
 * Samples are float32 tensors holding the integer class indices (TFP's
 * default is int32; float32 avoids mixed-dtype arithmetic with other
 * tensors, and indices are exact in float32 up to 2^24). Sampling uses the
 * Gumbel-max trick, vectorized over `[n, ...batchShape]`, reproducible under
 * a seed. Not reparameterized.
 *
 * `mean`, `variance`, `stddev` and `covariance` are not defined for class
 * labels and throw NotImplementedError (as TFP). `mode` is the argmax.
 *
 * @param args.logits unnormalized log-probabilities, shape `[...B, K]`
 * @param args.probs probabilities, shape `[...B, K]`
 *
 * @example
 * ```ts
 * const d = new tfd.Categorical({ logits: [0, 1, 2] });
 * d.sample([5], { seed: 1 });     // shape [5], values in {0, 1, 2}
 * d.logProb([2, 0]);               // [log p_2, log p_0]
 * ```
 */
export class Categorical extends Distribution {
  /** Logits, shape `[...B, K]`: as given, or `log(probs)` when built from probs. Not normalized. */
  readonly logits: tf.Tensor;
  /** Probabilities, shape `[...B, K]`: as given, or `softmax(logits)`. */
  readonly probs: tf.Tensor;

  constructor(args: CategoricalArgs) {
    const { logits, probs, fromLogits } = categoricalParams('Categorical', args);
    super({
      ...args,
      className: 'Categorical',
      params: {
        logits: { value: logits, eventRank: 1, ...(fromLogits ? { constraint: logitsConstraint } : {}) },
        probs: { value: probs, eventRank: 1, ...(fromLogits ? {} : { constraint: simplex }) },
      },
      eventShape: [],
      reparameterized: false,
      support: integerInterval(0, logits.shape[logits.rank - 1]! - 1),
    });
    this.logits = logits;
    this.probs = probs;
  }

  /** Number of classes K. */
  get numCategories(): number {
    return this.logits.shape[this.logits.rank - 1]!;
  }

  protected sampleN(n: number, seed?: number): tf.Tensor {
    return tf.cast(sampleClassIndices(this.logits, n, seed), 'float32');
  }

  protected override logProbFn(x: tf.Tensor): tf.Tensor {
    const k = this.numCategories;
    const valid = tf.logicalAnd(
      tf.logicalAnd(tf.greaterEqual(x, 0), tf.less(x, k)),
      tf.equal(x, tf.floor(x)),
    );
    const idx = tf.cast(tf.where(valid, x, tf.zerosLike(x)), 'int32');
    const oh = oneHotFloat(idx, k); // [...x, K]
    const { lsm, finite } = finiteLogSoftmax(this.logits); // [...B, K]
    const lp = tf.sum(tf.mul(oh, lsm), -1);
    // 1 where x is a valid index of a class with non-zero probability, else 0.
    const ok = tf.mul(tf.cast(valid, 'float32'), tf.sum(tf.mul(oh, finite), -1));
    return tf.where(tf.greaterEqual(ok, 0.5), lp, tf.fill(lp.shape, -Infinity));
  }
  protected override modeFn(): tf.Tensor {
    return tf.cast(tf.argMax(this.logits, -1), 'float32');
  }
  protected override entropyFn(): tf.Tensor {
    return categoricalEntropy(this.logits);
  }
  protected override meanFn(): tf.Tensor {
    throw this.notImplemented('mean', 'a class label has no mean (use probs)');
  }
  protected override covarianceFn(): tf.Tensor {
    throw this.notImplemented('covariance', 'a class label has no covariance (see OneHotCategorical)');
  }
}

registerKL(Categorical, Categorical, (p, q) => {
  if (p.numCategories !== q.numCategories) {
    throw new InvalidArgumentError(
      `klDivergence: Categorical with ${p.numCategories} classes vs Categorical with ${q.numCategories}; the number of classes must match`,
    );
  }
  return categoricalKL(p.logits, q.logits);
});
