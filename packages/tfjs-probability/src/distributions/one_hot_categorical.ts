import * as tf from '@tensorflow/tfjs';
import { Distribution } from './distribution.js';
import { logits as logitsConstraint, oneHot, simplex } from './constraints.js';
import { registerKL } from './kl.js';
import { mulNoNan } from './bernoulli.js';
import {
  type CategoricalArgs,
  categoricalEntropy,
  categoricalKL,
  categoricalParams,
  oneHotFloat,
  sampleClassIndices,
} from './categorical.js';

export type OneHotCategoricalArgs = CategoricalArgs;

/**
 * The categorical distribution over one-hot vectors of length K.
 *
 * Mathematical details: `P(X = e_k) = p_k = softmax(logits)_k`, where `e_k`
 * is the k-th unit vector; the event shape is `[K]`.
 * `log P(X = x) = Σ_k x_k logSoftmax(logits)_k` (TFP's softmax cross-entropy
 * form: a non-one-hot `x` is not rejected, it gives that weighted sum).
 * Mean `p`, variance `p_k (1 - p_k)`, covariance `diag(p) - p pᵀ`.
 *
 * Samples are float32 one-hot vectors. Not reparameterized.
 *
 * @param args.logits unnormalized log-probabilities, shape `[...B, K]`
 * @param args.probs probabilities, shape `[...B, K]`
 *
 * @example
 * ```ts
 * const d = new tfd.OneHotCategorical({ probs: [0.2, 0.3, 0.5] });
 * d.sample([4], { seed: 1 }).shape;   // [4, 3]
 * d.logProb([0, 0, 1]);                // log 0.5
 * ```
 */
export class OneHotCategorical extends Distribution {
  /** Logits, shape `[...B, K]`: as given, or `log(probs)` when built from probs. Not normalized. */
  readonly logits: tf.Tensor;
  /** Probabilities, shape `[...B, K]`: as given, or `softmax(logits)`. */
  readonly probs: tf.Tensor;

  constructor(args: OneHotCategoricalArgs) {
    const { logits, probs, fromLogits } = categoricalParams('OneHotCategorical', args);
    super({
      ...args,
      className: 'OneHotCategorical',
      params: {
        logits: { value: logits, eventRank: 1, ...(fromLogits ? { constraint: logitsConstraint } : {}) },
        probs: { value: probs, eventRank: 1, ...(fromLogits ? {} : { constraint: simplex }) },
      },
      eventShape: [logits.shape[logits.rank - 1]!],
      reparameterized: false,
      support: oneHot,
    });
    this.logits = logits;
    this.probs = probs;
  }

  /** Number of classes K. */
  get numCategories(): number {
    return this.eventShape[0]!;
  }

  protected sampleN(n: number, seed?: number): tf.Tensor {
    return oneHotFloat(sampleClassIndices(this.logits, n, seed), this.numCategories);
  }

  protected override logProbFn(x: tf.Tensor): tf.Tensor {
    return tf.sum(mulNoNan(x, tf.logSoftmax(this.logits)), -1);
  }
  protected override meanFn(): tf.Tensor {
    return this.probs; // the base class hands the caller a clone of an owned parameter
  }
  protected override modeFn(): tf.Tensor {
    return oneHotFloat(tf.argMax(this.logits, -1), this.numCategories);
  }
  protected override varianceFn(): tf.Tensor {
    const p = tf.softmax(this.logits);
    return tf.mul(p, tf.sub(1, p));
  }
  protected override covarianceFn(): tf.Tensor {
    const p = tf.softmax(this.logits);
    const col = tf.expandDims(p, -1); // [...B, K, 1]
    const row = tf.expandDims(p, -2); // [...B, 1, K]
    return tf.sub(tf.mul(col, tf.eye(this.numCategories)), tf.mul(col, row));
  }
  protected override entropyFn(): tf.Tensor {
    return categoricalEntropy(this.logits);
  }
}

registerKL(OneHotCategorical, OneHotCategorical, (p, q) => categoricalKL(p.logits, q.logits));
