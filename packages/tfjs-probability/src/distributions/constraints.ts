/**
 * Parameter constraints checked under `validateArgs` (after torch.distributions'
 * constraint objects): each says what it means and finds violating entries.
 */
import * as tf from '@tensorflow/tfjs';

export interface Constraint {
  /** Human-readable description used in error messages, e.g. `positive (> 0)`. */
  readonly description: string;
  /**
   * Returns a boolean tensor that is true where the constraint holds. Its shape
   * is the value's shape without `eventRank` trailing dims.
   */
  check(value: tf.Tensor): tf.Tensor;
  /** Number of trailing dims checked together (0 elementwise, 1 simplex, 2 matrices). */
  readonly eventRank: number;
}

const elementwise = (description: string, f: (v: tf.Tensor) => tf.Tensor): Constraint => ({
  description,
  eventRank: 0,
  check: (v) => tf.logicalAnd(f(v), tf.logicalNot(tf.isNaN(v))),
});

export const real = elementwise('real (finite)', (v) => tf.logicalNot(tf.logicalOr(tf.isInf(v), tf.isNaN(v))));
export const positive = elementwise('positive (> 0)', (v) => tf.greater(v, 0));
export const nonNegative = elementwise('non-negative (>= 0)', (v) => tf.greaterEqual(v, 0));
export const unitInterval = elementwise('in [0, 1]', (v) => tf.logicalAnd(tf.greaterEqual(v, 0), tf.lessEqual(v, 1)));

/** Non-negative vectors over the last axis summing to 1 (tolerance 1e-4 relative to the length). */
export const simplex: Constraint = {
  description: 'a probability vector on the last axis (entries >= 0, summing to 1)',
  eventRank: 1,
  check: (v) =>
    tf.logicalAnd(
      tf.all(tf.greaterEqual(v, 0), -1),
      tf.lessEqual(tf.abs(tf.sub(tf.sum(v, -1), 1)), 1e-4 * Math.max(1, v.shape[v.shape.length - 1] ?? 1)),
    ),
};

/** Lower-triangular square matrices with a positive diagonal (a Cholesky factor). */
export const lowerCholesky: Constraint = {
  description: 'lower triangular with a positive diagonal',
  eventRank: 2,
  check: (v) => {
    const n = v.shape[v.shape.length - 1] ?? 0;
    const upperMask = tf.sub(1, tf.linalg.bandPart(tf.ones([n, n]), -1, 0));
    const upperZero = tf.all(tf.equal(tf.mul(v, upperMask), 0), [-2, -1]);
    const diagPos = tf.all(tf.greater(tf.sum(tf.mul(v, tf.eye(n)), -1), 0), -1);
    return tf.logicalAnd(upperZero, diagPos);
  },
};

/** Symmetric matrices (the positive-definiteness is checked by the Cholesky factorization). */
export const symmetric: Constraint = {
  description: 'symmetric',
  eventRank: 2,
  check: (v) => {
    const perm = v.shape.map((_, i) => i);
    const r = perm.length;
    [perm[r - 1], perm[r - 2]] = [perm[r - 2]!, perm[r - 1]!];
    const scale = tf.add(tf.max(tf.abs(v), [-2, -1]), 1e-30);
    const asym = tf.max(tf.abs(tf.sub(v, tf.transpose(v, perm))), [-2, -1]);
    return tf.lessEqual(tf.div(asym, scale), 1e-5);
  },
};
