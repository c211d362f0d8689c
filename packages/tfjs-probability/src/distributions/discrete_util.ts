/**
 * Internal helpers shared by the count distributions (Poisson, Binomial,
 * NegativeBinomial, Geometric, Multinomial, Inflated). Not part of the public API.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import { toFloat, type TensorLike } from '../util.js';
import { log1p } from '../math/special.js';

/** The `{logits} | {probs}` pair of an elementwise (or `eventRank`) probability parameter. */
export interface LogitsProbs {
  logits: tf.Tensor;
  probs: tf.Tensor;
  fromLogits: boolean;
}

/**
 * Converts exactly one of `logits`/`probs` (names may be prefixed, e.g.
 * `inflatedLocLogits`) and computes the other; both are owned by the caller.
 */
export function logitsProbsParams(
  owner: string,
  logits: TensorLike | undefined | null,
  probs: TensorLike | undefined | null,
  names: [string, string] = ['logits', 'probs'],
): LogitsProbs {
  const hasL = logits !== undefined && logits !== null;
  const hasP = probs !== undefined && probs !== null;
  if (hasL === hasP) {
    throw new InvalidArgumentError(
      `${owner}: pass exactly one of ${names[0]} or ${names[1]}; got ${hasL ? `both` : 'neither'}`,
    );
  }
  if (hasL) {
    const l = toFloat(logits!, names[0], owner);
    return { logits: l, probs: tf.sigmoid(l), fromLogits: true };
  }
  const p = toFloat(probs!, names[1], owner);
  return { logits: tf.tidy(() => tf.sub(tf.log(p), log1p(tf.neg(p)))), probs: p, fromLogits: false };
}

/**
 * [log p, log(1 - p)] from whichever parameter was given: from logits
 * `-softplus(-l)` and `-softplus(l)` (accurate at both ends), from probs
 * `log p` and `log1p(-p)`. Differentiable in the given parameter.
 */
export function logProbPair(lp: LogitsProbs): [tf.Tensor, tf.Tensor] {
  if (lp.fromLogits) return [tf.neg(tf.softplus(tf.neg(lp.logits))), tf.neg(tf.softplus(lp.logits))];
  return [tf.log(lp.probs), log1p(tf.neg(lp.probs))];
}

/** Boolean mask of x in {0, 1, 2, ...} (x is data, never differentiated). */
export function isCount(x: tf.Tensor): tf.Tensor {
  return tf.logicalAnd(tf.greaterEqual(x, 0), tf.equal(x, tf.floor(x)));
}

/** `lp` where `mask`, else -Infinity. */
export function maskLogProb(mask: tf.Tensor, lp: tf.Tensor): tf.Tensor {
  return tf.where(mask, lp, tf.fill(lp.shape, -Infinity));
}

/** `x` with entries outside the support replaced by 0 (so the formulas stay finite there). */
export function safeCount(mask: tf.Tensor, x: tf.Tensor): tf.Tensor {
  return tf.where(mask, x, tf.zerosLike(x));
}
