import * as tf from '@tensorflow/tfjs';
import { fillTriangular, fillTriangularInverse } from '../math/fill_triangular.js';
import { InvalidArgumentError } from '../errors.js';
import { Bijector, type BijectorOptions } from './bijector.js';

/** n with n(n - 1)/2 = m, or -1. */
function sizeFromStrict(m: number): number {
  const n = Math.round((1 + Math.sqrt(1 + 8 * m)) / 2);
  return (n * (n - 1)) / 2 === m ? n : -1;
}

/**
 * Maps ℝ^{n(n-1)/2} onto Cholesky factors of correlation matrices (TFP's
 * `tfb.CorrelationCholesky`): lower-triangular `L` with positive diagonal and unit-norm rows,
 * so `L Lᵀ` has a unit diagonal. The event space of `CholeskyLKJ`.
 *
 * Mathematical details: the entries fill the strictly lower triangle of a matrix `X` (in
 * `fillTriangular`'s order, one row up), the diagonal is set to 1 and each row is divided by
 * its norm: row i of `L` is `(xᵢ, 1)/√(1 + |xᵢ|²)`. Row i maps `xᵢ ∈ ℝⁱ` to the first i
 * entries of a unit vector, with `log |det J| = (i + 2) log Lᵢᵢ`; summed,
 * `Σᵢ (i + 2) log Lᵢᵢ` (min event ndims 1 → 2).
 *
 * @example
 * ```ts
 * const b = new tfb.CorrelationCholesky();
 * const l = b.forward([0.5]);   // [[1, 0], [0.447, 0.894]]
 * tf.matMul(l, l, false, true); // [[1, 0.447], [0.447, 1]]
 * ```
 */
export class CorrelationCholesky extends Bijector {
  constructor(args: BijectorOptions = {}) {
    super({ ...args, className: 'CorrelationCholesky', forwardMinEventNdims: 1, inverseMinEventNdims: 2 });
  }
  private n(m: number): number {
    const n = sizeFromStrict(m);
    if (n < 0) throw new InvalidArgumentError(`CorrelationCholesky: x must be [..., n(n-1)/2] for some n; got a last dimension of ${m}`);
    return n;
  }
  protected forwardFn(x: tf.Tensor): tf.Tensor {
    const n = this.n(x.shape[x.rank - 1]!);
    const batch = x.shape.slice(0, -1);
    let m: tf.Tensor;
    if (n === 1) m = tf.zeros([...batch, 1, 1]);
    else {
      const t = fillTriangular(x); // [..., n-1, n-1]
      const pad = [...batch.map(() => [0, 0] as [number, number]), [1, 0] as [number, number], [0, 1] as [number, number]];
      m = tf.pad(t, pad);
    }
    const withDiag = tf.add(m, tf.eye(n));
    return tf.div(withDiag, tf.norm(withDiag, 'euclidean', -1, true));
  }
  protected inverseFn(y: tf.Tensor): tf.Tensor {
    const n = y.shape[y.rank - 1]!;
    const batch = y.shape.slice(0, -2);
    if (n === 1) return tf.zeros([...batch, 0]);
    const diag = tf.expandDims(tf.sum(tf.mul(y, tf.eye(n)), -1), -1);
    const x = tf.div(tf.mul(y, tf.sub(1, tf.eye(n))), diag);
    const inner = tf.slice(x, [...batch.map(() => 0), 1, 0], [...batch, n - 1, n - 1]);
    return fillTriangularInverse(inner);
  }
  protected override inverseLdjFn(y: tf.Tensor): tf.Tensor {
    const n = y.shape[y.rank - 1]!;
    const logDiag = tf.log(tf.sum(tf.mul(y, tf.eye(n)), -1));
    return tf.neg(tf.sum(tf.mul(logDiag, tf.range(2, n + 2)), -1));
  }
  protected override forwardEventShapeFn(shape: number[]): number[] {
    const n = this.n(shape[shape.length - 1]!);
    return [...shape.slice(0, -1), n, n];
  }
  protected override inverseEventShapeFn(shape: number[]): number[] {
    const n = shape[shape.length - 1]!;
    return [...shape.slice(0, -2), (n * (n - 1)) / 2];
  }
}
