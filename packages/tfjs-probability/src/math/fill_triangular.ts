/**
 * fillTriangular / fillTriangularInverse with TensorFlow Probability's exact
 * element order (a clockwise spiral):
 *
 *   fillTriangular([1, 2, 3, 4, 5, 6])        = [[4, 0, 0], [6, 5, 0], [3, 2, 1]]
 *   fillTriangular([1, 2, 3, 4, 5, 6], true)  = [[1, 2, 3], [0, 5, 6], [0, 0, 4]]
 *
 * TFP builds the matrix as reshape(concat(x[n:], reverse(x)), [n, n]) masked to
 * the lower triangle (upper: concat(x, reverse(x[n:])) masked to the upper one).
 * Here that order is precomputed as an index table, and both directions are a
 * plain gather whose gradient is the gather of the other direction (a custom
 * gradient), so nothing needs UnsortedSegmentSum (which the wasm backend lacks)
 * and no dense [m, n*n] selection product is paid for large n.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, fmtShape } from '../errors.js';
import { TensorLike, toFloat } from '../util.js';
import { asCustom } from './linalg.js';

interface Tables {
  /** For each of the n*n output cells (row-major), the index into x, or m for a zero cell. */
  fwd: Int32Array;
  /** For each of the m entries of x, its row-major cell in the n*n matrix. */
  inv: Int32Array;
  /** 1 on the triangle, 0 elsewhere (n*n). */
  mask: Float32Array;
}

const cache = new Map<string, Tables>();

/** n such that m = n(n+1)/2, or -1 when m is not triangular. */
export function triangularSideFromSize(m: number): number {
  const n = Math.round(Math.sqrt(0.25 + 2 * m) - 0.5);
  return (n * (n + 1)) / 2 === m ? n : -1;
}

function tables(n: number, upper: boolean): Tables {
  const key = `${n}:${upper ? 'u' : 'l'}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const m = (n * (n + 1)) / 2;
  // The concatenated sequence TFP reshapes to [n, n] (indices into x).
  const seq: number[] = [];
  if (upper) {
    for (let k = 0; k < m; k++) seq.push(k);
    for (let k = m - 1; k >= n; k--) seq.push(k);
  } else {
    for (let k = n; k < m; k++) seq.push(k);
    for (let k = m - 1; k >= 0; k--) seq.push(k);
  }
  const fwd = new Int32Array(n * n);
  const inv = new Int32Array(m).fill(-1);
  const mask = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const cell = i * n + j;
      const inTri = upper ? j >= i : j <= i;
      if (inTri) {
        const k = seq[cell]!;
        fwd[cell] = k;
        mask[cell] = 1;
        inv[k] = cell;
      } else {
        fwd[cell] = 0;
      }
    }
  }
  for (let k = 0; k < m; k++) {
    if (inv[k]! < 0) throw new Error(`fillTriangular: internal index table for n=${n} is not a bijection`);
  }
  const t = { fwd, inv, mask };
  cache.set(key, t);
  return t;
}

/**
 * For each entry k of a length-n(n+1)/2 vector, its row-major cell `i·n + j` in the lower
 * (default) or upper triangular matrix that `fillTriangular` builds (for kernels that fill
 * the matrix themselves).
 */
export function fillTriangularCells(n: number, upper = false): Int32Array {
  return tables(n, upper).inv;
}

function fillRaw(x: tf.Tensor, n: number, upper: boolean): tf.Tensor {
  const { fwd, mask } = tables(n, upper);
  const batch = x.shape.slice(0, -1);
  const m = x.shape[x.shape.length - 1]!;
  const flat = tf.reshape(x, [-1, m]);
  const g = tf.gather(flat, tf.tensor1d(fwd, 'int32'), 1);
  const masked = tf.mul(g, tf.tensor1d(mask, 'float32'));
  return tf.reshape(masked, [...batch, n, n]);
}

function inverseRaw(mat: tf.Tensor, n: number, upper: boolean): tf.Tensor {
  const { inv } = tables(n, upper);
  const batch = mat.shape.slice(0, -2);
  const flat = tf.reshape(mat, [-1, n * n]);
  const g = tf.gather(flat, tf.tensor1d(inv, 'int32'), 1);
  return tf.reshape(g, [...batch, inv.length]);
}

function fillOp(n: number, upper: boolean): (x: tf.Tensor) => tf.Tensor {
  return tf.customGrad(asCustom((x: tf.Tensor) => ({
    value: fillRaw(x, n, upper),
    // Each x entry lands in exactly one cell, so d/dx is the inverse gather of dy
    // (cells off the triangle are constant zero and get no gradient).
    gradFunc: (dy: tf.Tensor) => inverseOp(n, upper)(dy),
  }))) as (x: tf.Tensor) => tf.Tensor;
}

function inverseOp(n: number, upper: boolean): (m: tf.Tensor) => tf.Tensor {
  return tf.customGrad(asCustom((mat: tf.Tensor) => ({
    value: inverseRaw(mat, n, upper),
    // The inverse reads the triangle only: its gradient scatters dy back there.
    gradFunc: (dy: tf.Tensor) => fillOp(n, upper)(dy),
  }))) as (m: tf.Tensor) => tf.Tensor;
}

/**
 * Fills a (batch of) triangular matrices from vectors, in TFP's order.
 *
 * @param x `[..., m]` with m = n(n+1)/2.
 * @param upper build upper-triangular matrices instead of lower ones.
 * @returns `[..., n, n]`.
 *
 * @example
 * ```ts
 * tfp.math.fillTriangular(tf.tensor1d([1, 2, 3, 4, 5, 6])).print(); // [[4,0,0],[6,5,0],[3,2,1]]
 * ```
 */
export function fillTriangular(x: TensorLike, upper = false): tf.Tensor {
  return tf.tidy(() => {
    const t = toFloat(x, 'x', 'fillTriangular');
    if (t.rank < 1) {
      throw new InvalidArgumentError(`fillTriangular: x must be [..., m] with m = n(n+1)/2; got ${fmtShape(t.shape)}`);
    }
    const m = t.shape[t.rank - 1]!;
    const n = triangularSideFromSize(m);
    if (n < 0) {
      throw new InvalidArgumentError(
        `fillTriangular: x must be [..., m] with m = n(n+1)/2 (1, 3, 6, 10, ...); got ${fmtShape(t.shape)}`,
      );
    }
    if (n === 0) return tf.zeros([...t.shape.slice(0, -1), 0, 0]);
    return fillOp(n, upper)(t);
  });
}

/**
 * Inverse of {@link fillTriangular}: reads the lower (or upper) triangle of
 * `[..., n, n]` matrices into `[..., n(n+1)/2]` vectors in TFP's order.
 *
 * @example
 * ```ts
 * tfp.math.fillTriangularInverse(tf.tensor2d([[4, 0, 0], [6, 5, 0], [3, 2, 1]])).print(); // [1,2,3,4,5,6]
 * ```
 */
export function fillTriangularInverse(m: TensorLike, upper = false): tf.Tensor {
  return tf.tidy(() => {
    const t = toFloat(m, 'm', 'fillTriangularInverse');
    const n = t.shape[t.rank - 1];
    if (t.rank < 2 || n !== t.shape[t.rank - 2]) {
      throw new InvalidArgumentError(`fillTriangularInverse: m must be [..., n, n]; got ${fmtShape(t.shape)}`);
    }
    if (n === 0) return tf.zeros([...t.shape.slice(0, -2), 0]);
    return inverseOp(n!, upper)(t);
  });
}
