/**
 * Constraints on parameters and on values (after torch.distributions'
 * constraint objects): each says what it means, finds violating entries of a
 * tensor, and says why one entry fails.
 *
 * Two uses:
 * - parameters: a host value (number, array, typed array) is always checked
 *   entry by entry with `element` (it costs no device read); a tensor is
 *   checked with `check` only under `validateArgs` (a synchronous read-back at
 *   construction).
 * - values: each distribution's `support`; under `validateArgs`, `logProb`,
 *   `prob`, `cdf`, `logCdf`, `survivalFunction` and `logSurvivalFunction` check
 *   their argument against it (torch's `validate_sample`), again with a read-back.
 */
import * as tf from '@tensorflow/tfjs';

export interface Constraint {
  /** Human-readable description used in error messages, e.g. `positive (> 0) and finite`. */
  readonly description: string;
  /**
   * Returns a boolean tensor that is true where the constraint holds. Its shape
   * is the value's shape without `eventRank` trailing dims. Called inside a tidy.
   */
  check(value: tf.Tensor): tf.Tensor;
  /** Number of trailing dims checked together (0 elementwise, 1 simplex, 2 matrices). */
  readonly eventRank: number;
  /**
   * A necessary condition on each single entry, checked on host values without
   * any device read (for an elementwise constraint it is the whole constraint).
   */
  element(x: number): boolean;
  /** Why the entries of one violating event fail (e.g. `entries sum to 1.3`). */
  why?(event: number[]): string;
}

const notNaN = (v: tf.Tensor): tf.Tensor => tf.logicalNot(tf.isNaN(v));
const finite = (v: tf.Tensor): tf.Tensor => tf.logicalNot(tf.logicalOr(tf.isInf(v), tf.isNaN(v)));

/** An elementwise constraint from a tensor test and the same test on one number (NaN always fails). */
export function elementwise(description: string, f: (v: tf.Tensor) => tf.Tensor, element: (x: number) => boolean): Constraint {
  return {
    description,
    eventRank: 0,
    check: (v) => tf.logicalAnd(f(v), notNaN(v)),
    element: (x) => !Number.isNaN(x) && element(x),
  };
}

// ------------------------------------------------------------- parameters

/** A finite real number. */
export const real = elementwise('real and finite', finite, Number.isFinite);
/** A real number or ±Infinity (log-odds of a certain outcome); NaN fails. */
export const extendedReal = elementwise('a real number or ±Infinity (not NaN)', (v) => tf.onesLike(v).asType('bool'), () => true);
/** Logits: a real number or -Infinity (a class of probability 0); NaN and +Infinity fail. */
export const logits = elementwise(
  'a real number or -Infinity (not NaN, not +Infinity)',
  (v) => tf.logicalNot(tf.logicalAnd(tf.isInf(v), tf.greater(v, 0))),
  (x) => x !== Infinity,
);
/** 0 < x < Infinity. */
export const positive = elementwise(
  'positive (> 0) and finite',
  (v) => tf.logicalAnd(tf.greater(v, 0), finite(v)),
  (x) => x > 0 && x < Infinity,
);
/** 0 <= x < Infinity. */
export const nonNegative = elementwise(
  'non-negative (>= 0) and finite',
  (v) => tf.logicalAnd(tf.greaterEqual(v, 0), finite(v)),
  (x) => x >= 0 && x < Infinity,
);
/** 0 <= x <= 1. */
export const unitInterval = elementwise(
  'in [0, 1]',
  (v) => tf.logicalAnd(tf.greaterEqual(v, 0), tf.lessEqual(v, 1)),
  (x) => x >= 0 && x <= 1,
);

/** 0 < x <= 1 (a success probability with at least one trial to go: Geometric). */
export const positiveUnitInterval = elementwise(
  'in (0, 1]',
  (v) => tf.logicalAnd(tf.greater(v, 0), tf.lessEqual(v, 1)),
  (x) => x > 0 && x <= 1,
);

/** Every entry of the last axis positive and finite (a Dirichlet concentration). */
export const positiveVector: Constraint = {
  description: 'positive (> 0) and finite in every entry of the last axis',
  eventRank: 1,
  check: (v) => tf.all(positive.check(v), -1),
  element: positive.element,
  why: (e) => `entry ${e.findIndex((x) => !positive.element(x))} is ${e.find((x) => !positive.element(x))}`,
};

/** Non-negative vectors over the last axis summing to 1 (tolerance 1e-4 relative to the length). */
export const simplex: Constraint = {
  description: 'a probability vector on the last axis (entries >= 0, summing to 1)',
  eventRank: 1,
  check: (v) =>
    tf.logicalAnd(
      tf.all(tf.logicalAnd(tf.greaterEqual(v, 0), notNaN(v)), -1),
      tf.lessEqual(tf.abs(tf.sub(tf.sum(v, -1), 1)), simplexTolerance(v.shape[v.shape.length - 1] ?? 1)),
    ),
  element: (x) => x >= 0 && x <= 1,
  why: (e) => {
    const bad = e.findIndex((x) => !(x >= 0));
    if (bad >= 0) return `entry ${bad} is ${e[bad]}`;
    return `entries sum to ${+e.reduce((a, b) => a + b, 0).toPrecision(6)}`;
  },
};

function simplexTolerance(k: number): number {
  return 1e-4 * Math.max(1, k);
}

/** Lower-triangular square matrices with a positive diagonal (a Cholesky factor); entries finite. */
export const lowerCholesky: Constraint = {
  description: 'lower triangular with a positive diagonal and finite entries',
  eventRank: 2,
  check: (v) => {
    const n = v.shape[v.shape.length - 1] ?? 0;
    const upperMask = tf.sub(1, tf.linalg.bandPart(tf.ones([n, n]), -1, 0));
    const upperZero = tf.all(tf.equal(tf.mul(v, upperMask), 0), [-2, -1]);
    const diagPos = tf.all(tf.greater(tf.sum(tf.mul(v, tf.eye(n)), -1), 0), -1);
    return tf.logicalAnd(tf.logicalAnd(upperZero, diagPos), tf.all(finite(v), [-2, -1]));
  },
  element: Number.isFinite,
};

/** Symmetric matrices with finite entries (the positive-definiteness is checked by the Cholesky factorization). */
export const symmetric: Constraint = {
  description: 'symmetric with finite entries',
  eventRank: 2,
  check: (v) => {
    const perm = v.shape.map((_, i) => i);
    const r = perm.length;
    [perm[r - 1], perm[r - 2]] = [perm[r - 2]!, perm[r - 1]!];
    const scale = tf.add(tf.max(tf.abs(v), [-2, -1]), 1e-30);
    const asym = tf.max(tf.abs(tf.sub(v, tf.transpose(v, perm))), [-2, -1]);
    return tf.logicalAnd(tf.lessEqual(tf.div(asym, scale), 1e-5), tf.all(finite(v), [-2, -1]));
  },
  element: Number.isFinite,
};

// ------------------------------------------------------------- supports (values)

/** Any number but NaN (±Infinity are valid arguments of cdf and logProb). */
export const realLine = elementwise('a real number (not NaN)', (v) => tf.onesLike(v).asType('bool'), () => true);
/** [0, Infinity]. */
export const nonNegativeLine = elementwise('non-negative (>= 0)', (v) => tf.greaterEqual(v, 0), (x) => x >= 0);
/** {0, 1}. */
export const binary = elementwise(
  '0 or 1',
  (v) => tf.logicalOr(tf.equal(v, 0), tf.equal(v, 1)),
  (x) => x === 0 || x === 1,
);

/** The integers lo, lo + 1, ..., hi (class indices). */
export function integerInterval(lo: number, hi: number): Constraint {
  return elementwise(
    `an integer in {${lo}, ..., ${hi}}`,
    (v) => tf.logicalAnd(tf.logicalAnd(tf.greaterEqual(v, lo), tf.lessEqual(v, hi)), tf.equal(v, tf.floor(v))),
    (x) => Number.isInteger(x) && x >= lo && x <= hi,
  );
}

/** One-hot vectors on the last axis: entries 0 or 1, exactly one 1. */
export const oneHot: Constraint = {
  description: 'a one-hot vector on the last axis (entries 0 or 1, exactly one 1)',
  eventRank: 1,
  check: (v) => tf.logicalAnd(tf.all(binary.check(v), -1), tf.equal(tf.sum(v, -1), 1)),
  element: binary.element,
  why: (e) => {
    const bad = e.findIndex((x) => !binary.element(x));
    return bad >= 0 ? `entry ${bad} is ${e[bad]}` : `it has ${e.filter((x) => x === 1).length} ones`;
  },
};
