/**
 * Internal helpers shared by the count distributions (Poisson, Binomial,
 * NegativeBinomial, Geometric, Multinomial, Inflated). Not part of the public API.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import { maskOf, type TensorLike } from '../util.js';
import { checkArgsObject, convertParams, type ParamSpec } from './distribution.js';
import { elementwise, extendedReal, unitInterval, type Constraint } from './constraints.js';
import { betainc, betaincc, log1p, logBetainc, logBetaincc } from '../math/special.js';

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
  args: object,
  names: [string, string] = ['logits', 'probs'],
): LogitsProbs {
  checkArgsObject(owner, args, names);
  const a = args as Record<string, TensorLike | undefined | null>;
  const hasL = a[names[0]] !== undefined && a[names[0]] !== null;
  const hasP = a[names[1]] !== undefined && a[names[1]] !== null;
  if (hasL === hasP) {
    throw new InvalidArgumentError(
      `${owner}: pass exactly one of ${names[0]} or ${names[1]}; got ${hasL ? `both` : 'neither'}`,
    );
  }
  if (hasL) {
    const l = convertParams(owner, args, { [names[0]]: { constraint: extendedReal } })[names[0]]!.value;
    return { logits: l, probs: tf.sigmoid(l), fromLogits: true };
  }
  const p = convertParams(owner, args, { [names[1]]: { constraint: unitInterval } })[names[1]]!.value;
  return { logits: tf.tidy(() => tf.sub(tf.log(p), log1p(tf.neg(p)))), probs: p, fromLogits: false };
}

/** The parameter specs (scalar events) of a logits/probs pair: the one that was given carries its constraint. */
export function logitsProbsSpecs(lp: LogitsProbs, names: [string, string] = ['logits', 'probs']): Record<string, ParamSpec> {
  return {
    [names[0]]: { value: lp.logits, eventRank: 0, ...(lp.fromLogits ? { constraint: extendedReal } : {}) },
    [names[1]]: { value: lp.probs, eventRank: 0, ...(lp.fromLogits ? {} : { constraint: unitInterval }) },
  };
}

/** `totalCount` and a logits/probs pair (Binomial, NegativeBinomial); nothing stays allocated when either fails. */
export function totalCountAndLogitsProbs(owner: string, args: object, totalCountConstraint: Constraint): { totalCount: tf.Tensor; lp: LogitsProbs } {
  const totalCount = convertParams(owner, args, { totalCount: { constraint: totalCountConstraint } })['totalCount']!.value;
  try {
    return { totalCount, lp: logitsProbsParams(owner, args) };
  } catch (e) {
    totalCount.dispose();
    throw e;
  }
}

/** The non-negative integers {0, 1, 2, ...}: the support of the count distributions. */
export const countSupport: Constraint = elementwise(
  'a non-negative integer (0, 1, 2, ...)',
  (v) => tf.logicalAnd(tf.greaterEqual(v, 0), tf.equal(v, tf.floor(v))),
  (x) => Number.isInteger(x) && x >= 0,
);

/** Vectors of non-negative integers on the last axis (Multinomial's support; the total is checked by logProb). */
export const countVectorSupport: Constraint = {
  description: 'a vector of non-negative integers on the last axis',
  eventRank: 1,
  check: (v) => tf.all(countSupport.check(v), -1),
  element: countSupport.element,
};

export { checkArgsObject };

/**
 * [log p, log(1 - p)] from whichever parameter was given: from logits
 * `-softplus(-l)` and `-softplus(l)` (accurate at both ends), from probs
 * `log p` and `log1p(-p)`. Differentiable in the given parameter.
 */
export function logProbPair(lp: LogitsProbs): [tf.Tensor, tf.Tensor] {
  if (lp.fromLogits) return [tf.neg(tf.softplus(tf.neg(lp.logits))), tf.neg(tf.softplus(lp.logits))];
  return [tf.log(lp.probs), log1p(tf.neg(lp.probs))];
}

/** [p, 1 - p], the complement from the logits (sigmoid(-logits)) when those were given, so neither is a rounded difference near 1. */
export function probPair(lp: LogitsProbs): [tf.Tensor, tf.Tensor] {
  if (lp.fromLogits) return [lp.probs, tf.sigmoid(tf.neg(lp.logits))];
  return [lp.probs, tf.sub(1, lp.probs)];
}

/**
 * [I_{1-p}(a, b), I_p(b, a)] = [1 - I_p(b, a), I_p(b, a)] (their logs when `log`), a and b at the
 * result's shape: the cdf and survival function of the Binomial and NegativeBinomial. Each is taken
 * from whichever of p and 1 - p is not a rounded difference (a float32 1 - p loses p = 1e-9 entirely),
 * the complement by the complementary function rather than 1 minus the value.
 */
export function betaTails(a: tf.Tensor, b: tf.Tensor, lp: LogitsProbs, log: boolean): [tf.Tensor, tf.Tensor] {
  const [p, q] = probPair(lp).map((t) => tf.add(t, tf.zerosLike(a)));
  const useP = maskOf((v) => tf.lessEqual(v, 0.5), p!);
  const pS = tf.where(useP, p!, tf.fill(p!.shape, 0.5));
  const qS = tf.where(useP, tf.fill(q!.shape, 0.5), q!);
  const [inc, incc] = log ? [logBetainc, logBetaincc] : [betainc, betaincc];
  return [tf.where(useP, incc(b, a, pS), inc(a, b, qS)), tf.where(useP, inc(b, a, pS), incc(a, b, qS))];
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
