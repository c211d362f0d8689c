/**
 * What `LKJ` and `CholeskyLKJ` share: the check of `dimension`, the normalizing constant, the
 * onion-method sampler of Cholesky factors, the two supports (correlation matrices and their
 * Cholesky factors) and the event-space bijector onto correlation matrices.
 */
import * as tf from '@tensorflow/tfjs';
import { Bijector, type BijectorOptions } from '../bijectors/bijector.js';
import { CorrelationCholesky } from '../bijectors/correlation_cholesky.js';
import { InvalidArgumentError } from '../errors.js';
import { cholesky } from '../math/linalg.js';
import { randomLogGammaBatched } from '../math/gamma_sampler.js';
import { randomNormal } from '../math/random.js';
import { lgamma } from '../math/special.js';
import { describeValue, splitSeed } from '../util.js';
import { lowerCholesky, type Constraint } from './constraints.js';

/** Throws unless `d` is a positive integer (a host number, never a tensor), naming the class. */
export function checkDimension(className: string, d: unknown): number {
  if (typeof d !== 'number' || !Number.isInteger(d) || d < 1) {
    throw new InvalidArgumentError(`${className}: dimension must be a positive integer (the side of the matrix); got ${describeValue(d)}`);
  }
  return d;
}

/**
 * log Z(d, η) = Σ_{k=1}^{d-1} [ (k/2) log π + lgamma(η + (d-1-k)/2) − lgamma(η + (d-1)/2) ]
 * (Lewandowski, Kurowicka & Joe 2009, §3.2, read as a division, as TFP): the integral of
 * det(C)^(η-1) over the d(d-1)/2 off-diagonal entries of the correlation matrices C.
 */
export function lkjLogNormalizer(d: number, eta: tf.Tensor): tf.Tensor {
  let out = tf.zerosLike(eta);
  const top = lgamma(tf.add(eta, (d - 1) / 2));
  for (let k = 1; k < d; k++) {
    out = tf.add(out, tf.add((k / 2) * Math.log(Math.PI), tf.sub(lgamma(tf.add(eta, (d - 1 - k) / 2)), top)));
  }
  return out;
}

/**
 * log Lᵢᵢ of `[..., d, d]` as `[..., d]`. Computed on `[-1, d, d]`: the wasm backend's
 * broadcasting binary ops give wrong values from rank 7 on (tfjs 4.22, XNNPACK's 6-dim limit).
 */
export function logDiag(l: tf.Tensor): tf.Tensor {
  const d = l.shape[l.rank - 1]!;
  const flat = tf.reshape(l, [-1, d, d]);
  return tf.reshape(tf.log(tf.sum(tf.mul(flat, tf.eye(d)), -1)), l.shape.slice(0, -1));
}

/**
 * `n` Cholesky factors of LKJ(d, η) correlation matrices, `[n, ...B, d, d]` for `eta [...B]`, by
 * the onion method (Lewandowski et al. 2009, §3.2, TFP's `sample_lkj`): row 1 holds r = 2β − 1
 * with β ~ Beta(η + (d-2)/2, η + (d-2)/2); row k (k = 2, ..., d-1) is (√y u, √(1 − y)) with
 * y ~ Beta(k/2, η + (d-1-k)/2) and u uniform on the unit sphere of ℝᵏ. Each Beta is drawn as
 * sigmoid(log G₁ − log G₀) of two Gamma draws, so y and 1 − y are both exact.
 */
export function sampleLkjCholesky(n: number, d: number, eta: tf.Tensor, batch: number[], seed: number | undefined): tf.Tensor {
  const lead = [n, ...batch];
  const row = (parts: tf.Tensor[], k: number): tf.Tensor => {
    const padded = k + 1 < d ? [...parts, tf.zeros([...lead, d - k - 1])] : parts;
    return tf.concat(padded, -1);
  };
  if (d === 1) return tf.ones([...lead, 1, 1]);
  const seeds = splitSeed(seed, 3 * d);
  const etaB = tf.broadcastTo(eta, batch);
  /** Beta(a, b) as [log-odds]: log G(a) − log G(b). */
  const logOdds = (a: tf.Tensor, b: tf.Tensor, s: number): tf.Tensor =>
    tf.sub(randomLogGammaBatched([n], a, seeds[s]), randomLogGammaBatched([n], b, seeds[s + 1]));
  let betaConc = tf.add(etaB, (d - 2) / 2);
  const t = logOdds(betaConc, betaConc, 0);
  const r = tf.expandDims(tf.tanh(tf.mul(0.5, t)), -1); // 2β − 1
  const rest = tf.expandDims(tf.div(1, tf.cosh(tf.mul(0.5, t))), -1); // √(1 − r²) = 2√(β(1 − β))
  const rows: tf.Tensor[] = [row([tf.ones([...lead, 1])], 0), row([r, rest], 1)];
  for (let k = 2; k < d; k++) {
    betaConc = tf.sub(betaConc, 0.5);
    const lo = logOdds(tf.fill(batch, k / 2), betaConc, 3 * k);
    const y = tf.expandDims(tf.sigmoid(lo), -1);
    const oneMinusY = tf.expandDims(tf.sigmoid(tf.neg(lo)), -1);
    const z = randomNormal([...lead, k], seeds[3 * k + 2]);
    const u = tf.div(z, tf.norm(z, 'euclidean', -1, true));
    rows.push(row([tf.mul(tf.sqrt(y), u), tf.sqrt(oneMinusY)], k));
  }
  return tf.stack(rows, -2);
}

/**
 * log det of symmetric positive-definite matrices `[..., d, d]` as `[...]`, by Gaussian
 * elimination on tensor ops (differentiable, any backend; never throws: a matrix that is not
 * positive definite gives NaN).
 */
export function logDetSpd(x: tf.Tensor): tf.Tensor {
  const d = x.shape[x.rank - 1]!;
  const b = [-1];
  const zeros = [0];
  const all = [-1];
  let a = tf.reshape(x, [-1, d, d]); // rank 3 whatever the batch (see logDiag)
  let acc: tf.Tensor | undefined;
  for (let m = d; m >= 1; m--) {
    const pivot = tf.slice(a, [...zeros, 0, 0], [...all, 1, 1]); // [..., 1, 1]
    const lp = tf.log(tf.reshape(pivot, b));
    acc = acc ? tf.add(acc, lp) : lp;
    if (m === 1) break;
    const col = tf.slice(a, [...zeros, 1, 0], [...all, m - 1, 1]);
    const rw = tf.slice(a, [...zeros, 0, 1], [...all, 1, m - 1]);
    const rest = tf.slice(a, [...zeros, 1, 1], [...all, m - 1, m - 1]);
    a = tf.sub(rest, tf.div(tf.mul(col, rw), pivot));
  }
  return tf.reshape(acc!, x.shape.slice(0, -2));
}

const TOL = 1e-4;
const finite = (v: tf.Tensor): tf.Tensor => tf.logicalNot(tf.logicalOr(tf.isInf(v), tf.isNaN(v)));

/** Lower-triangular matrices with a positive diagonal and rows of unit norm (within 1e-4). */
export const correlationCholesky: Constraint = {
  description: 'the Cholesky factor of a correlation matrix (lower triangular, positive diagonal, rows of unit norm)',
  eventRank: 2,
  check: (v) => tf.logicalAnd(lowerCholesky.check(v), tf.all(tf.lessEqual(tf.abs(tf.sub(tf.sum(tf.square(v), -1), 1)), TOL), -1)),
  element: (x) => Number.isFinite(x) && Math.abs(x) <= 1 + TOL,
  why: (e) => {
    const n = Math.round(Math.sqrt(e.length));
    for (let i = 0; i < n; i++) {
      const s = e.slice(i * n, (i + 1) * n).reduce((a, x) => a + x * x, 0);
      if (!(Math.abs(s - 1) <= TOL)) return `row ${i} has squared norm ${+s.toPrecision(6)}`;
    }
    return 'not lower triangular with a positive diagonal';
  },
};

/**
 * Symmetric matrices with a unit diagonal and off-diagonal entries in [-1, 1] (within 1e-4);
 * positive definiteness is left to the density (NaN where it fails).
 */
export const correlationMatrix: Constraint = {
  description: 'a correlation matrix (symmetric, unit diagonal, entries in [-1, 1])',
  eventRank: 2,
  check: (v) => {
    const n = v.shape[v.shape.length - 1] ?? 0;
    const perm = v.shape.map((_, i) => i);
    const r = perm.length;
    [perm[r - 1], perm[r - 2]] = [perm[r - 2]!, perm[r - 1]!];
    const sym = tf.all(tf.lessEqual(tf.abs(tf.sub(v, tf.transpose(v, perm))), TOL), [-2, -1]);
    const unitDiag = tf.all(tf.lessEqual(tf.abs(tf.sub(tf.sum(tf.mul(v, tf.eye(n)), -1), 1)), TOL), -1);
    const bounded = tf.all(tf.lessEqual(tf.abs(v), 1 + TOL), [-2, -1]);
    return tf.logicalAnd(tf.logicalAnd(sym, unitDiag), tf.logicalAnd(bounded, tf.all(finite(v), [-2, -1])));
  },
  element: (x) => Number.isFinite(x) && Math.abs(x) <= 1 + TOL,
};

/**
 * ℝ^{d(d-1)/2} onto d × d correlation matrices: `C = L Lᵀ` with `L` from `CorrelationCholesky`
 * (TFP's `Chain([CholeskyOuterProduct(), CorrelationCholesky()])` for LKJ, with the
 * log-det-Jacobian taken over the off-diagonal entries of C, the coordinates LKJ's density is
 * over). L ↦ C has Jacobian Πᵢ Lᵢᵢ^(d-1-i) (0-based), CorrelationCholesky Πᵢ Lᵢᵢ^(i+2), so
 * `log |det J| = (d + 1) Σᵢ log Lᵢᵢ`. The inverse is a Cholesky factorization.
 */
export class CorrelationMatrixBijector extends Bijector {
  private readonly chol = new CorrelationCholesky();
  constructor(args: BijectorOptions = {}) {
    super({ ...args, className: 'CorrelationMatrix', forwardMinEventNdims: 1, inverseMinEventNdims: 2 });
  }
  protected forwardFn(x: tf.Tensor): tf.Tensor {
    const l = this.chol.forward(x);
    return tf.matMul(l, l, false, true);
  }
  protected inverseFn(y: tf.Tensor): tf.Tensor {
    return this.chol.inverse(cholesky(y));
  }
  protected override forwardLdjFn(x: tf.Tensor): tf.Tensor {
    const l = this.chol.forward(x);
    const d = l.shape[l.rank - 1]!;
    return tf.mul(d + 1, tf.sum(logDiag(l), -1));
  }
  protected override forwardEventShapeFn(shape: number[]): number[] {
    return this.chol.forwardEventShape(shape);
  }
  protected override inverseEventShapeFn(shape: number[]): number[] {
    return this.chol.inverseEventShape(shape);
  }
}
