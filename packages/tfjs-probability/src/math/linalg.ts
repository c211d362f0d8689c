/**
 * Batched, differentiable Cholesky factorization and triangular solve.
 *
 * On the 'cpu' and 'wasm' backends both run as plain loops over the backend's
 * memory (src/kernels/); on every other backend they are composed from tf ops
 * (one step per row/column, built from gather/matMul/elementwise ops). Both
 * paths share the same analytic gradients:
 * - cholesky (Murray 2016; TF's linalg_grad): with Φ(X) = tril(X) with the
 *   diagonal halved, Ā = ½ (S + Sᵀ), S = L⁻ᵀ Φ(Lᵀ L̄) L⁻¹ (two triangular solves).
 * - triangularSolve X = op(A)⁻¹ B: B̄ = op(A)⁻ᵀ X̄; Ā = −B̄ Xᵀ (or −X B̄ᵀ when
 *   adjoint), masked to A's triangle; both summed over broadcast batch dims.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, fmtShape } from '../errors.js';
import { CHOLESKY, TRIANGULAR_SOLVE, unravel, useKernels } from '../kernels/register.js';
import { TensorLike, broadcastPair, toFloat } from '../util.js';
import { choleskyBlocked } from './spd_blocked.js';

/** Options of {@link triangularSolve}. */
export interface TriangularSolveOptions {
  /** `matrix` is lower triangular (default true); otherwise upper. Only that triangle is read. */
  lower?: boolean;
  /** Solve with the transpose of `matrix` (default false). */
  adjoint?: boolean;
}

// ---------------------------------------------------------------- helpers

/** 0/1 mask of the lower (or upper) triangle including the diagonal, [n, n]. */
function triMask(n: number, lower: boolean): tf.Tensor {
  const v = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (lower ? j <= i : j >= i) v[i * n + j] = 1;
  return tf.tensor2d(v, [n, n]);
}

/** Transposes the last two axes. */
export function matrixTranspose(x: tf.Tensor): tf.Tensor {
  const r = x.rank;
  const perm = [...Array(r).keys()];
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return tf.transpose(x, perm);
}

/** Sums `g` down to `shape` (undoing numpy broadcasting). */
export function sumToShape(g: tf.Tensor, shape: readonly number[]): tf.Tensor {
  if (g.shape.length === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) {
    if (i < lead) axes.push(i);
    else if (shape[i - lead] === 1 && g.shape[i] !== 1) axes.push(i);
  }
  const s = axes.length ? tf.sum(g, axes, true) : g;
  return tf.reshape(s, [...shape]);
}

/** Batch matMul of [..., a, b] by [..., b, c] with equal batch shapes (no transpose flags: slow on wasm). */
function bmm(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const ab = a.shape.slice(0, -2);
  const r = a.shape[a.rank - 2]!, k = a.shape[a.rank - 1]!, c = b.shape[b.rank - 1]!;
  const y = tf.matMul(tf.reshape(a, [-1, r, k]), tf.reshape(b, [-1, k, c]));
  return tf.reshape(y, [...ab, r, c]);
}

// ---------------------------------------------------------------- composed (any backend)

/** Cholesky of [B, n, n] with tf ops, one column per step (lower triangle of `a` read). */
function choleskyComposed(a: tf.Tensor): tf.Tensor {
  const n = a.shape[a.rank - 1]!;
  const batch = a.shape[0]!;
  // Columns of L as [B, n, 1], built left to right.
  const cols: tf.Tensor[] = [];
  const aCols = tf.unstack(tf.transpose(a, [0, 2, 1]), 1); // column j of a as [B, n] (row j of aᵀ)
  for (let j = 0; j < n; j++) {
    let c = tf.reshape(aCols[j]!, [batch, n, 1]);
    if (j > 0) {
      // c -= L[:, :, :j] @ L[:, j, :j]ᵀ
      const lPrev = tf.concat(cols, 2); // [B, n, j]
      const rowJ = tf.gather(lPrev, [j], 1); // [B, 1, j]
      c = tf.sub(c, tf.matMul(lPrev, tf.transpose(rowJ, [0, 2, 1])));
    }
    const pivot = tf.gather(c, [j], 1); // [B, 1, 1]
    const d = tf.sqrt(pivot);
    const mask = new Float32Array(n);
    for (let i = j; i < n; i++) mask[i] = 1;
    cols.push(tf.mul(tf.div(c, d), tf.tensor3d(mask, [1, n, 1])));
  }
  return tf.concat(cols, 2);
}

/**
 * Throws when a factor has a non-positive or non-finite diagonal, naming the batch index.
 * Reads the factor back synchronously (a GPU stall on webgl), so the composed path calls it
 * only under `validateArgs`.
 */
function checkFactor(l: tf.Tensor, batchShape: number[], shape: number[]): void {
  const n = l.shape[l.rank - 1]!;
  const diag = tf.tidy(() => tf.sum(tf.mul(l, tf.eye(n)), -1)).dataSync() as Float32Array;
  const vals = tf.tidy(() => tf.sum(tf.abs(l), [-1, -2])).dataSync() as Float32Array;
  for (let b = 0; b * n < diag.length; b++) {
    let ok = Number.isFinite(vals[b]!);
    for (let i = 0; i < n && ok; i++) ok = diag[b * n + i]! > 0;
    if (!ok) {
      const where = batchShape.length ? ` at batch index ${b} (${fmtShape(unravel(b, batchShape))} of batch shape ${fmtShape(batchShape)})` : '';
      throw new InvalidArgumentError(
        `cholesky: matrix is not positive definite${where}; a must be symmetric positive definite [..., n, n] (got ${fmtShape(shape)})`,
      );
    }
  }
}

/**
 * Solves op(A) X = B for A [B, n, n], B [B, n, m] (equal batch) with tf ops, one row per step;
 * the path of backends without the cpu/wasm kernel (webgl, webgpu, tfjs-node). Elementwise
 * products of slices rather than gathers and batches of [1, k] x [k, m] matMuls: on webgl
 * (measured in headless Chromium, bench/browser.ts) this is ~3x faster for small n.
 */
function triangularSolveComposed(a: tf.Tensor, b: tf.Tensor, lower: boolean, adjoint: boolean): tf.Tensor {
  const n = a.shape[1]!;
  const A = adjoint ? tf.transpose(a, [0, 2, 1]) : a;
  const effLower = lower !== adjoint;
  const rowsB = tf.unstack(b, 1).map((r) => tf.expandDims(r, 1)); // [B, 1, m] each
  /** op(A)[:, i, k] as [B, 1, 1]. */
  const el = (i: number, k: number) => tf.slice(A, [0, i, k], [-1, 1, 1]);
  const xs: tf.Tensor[] = new Array<tf.Tensor>(n);
  const order = effLower ? [...Array(n).keys()] : [...Array(n).keys()].reverse();
  const small = n <= 8;
  for (const i of order) {
    let r = rowsB[i]!;
    // Solved rows, in index order: [0, i) below the diagonal, (i, n) above it.
    const lo = effLower ? 0 : i + 1;
    const hi = effLower ? i : n;
    if (hi > lo) {
      if (small) {
        for (let k = lo; k < hi; k++) r = tf.sub(r, tf.mul(el(i, k), xs[k]!));
      } else {
        const aik = tf.reshape(tf.slice(A, [0, i, lo], [-1, 1, hi - lo]), [-1, hi - lo, 1]); // [B, k, 1]
        const xDone = tf.concat(xs.slice(lo, hi), 1); // [B, k, m]
        r = tf.sub(r, tf.sum(tf.mul(aik, xDone), 1, true));
      }
    }
    xs[i] = tf.div(r, el(i, i));
  }
  return tf.concat(xs, 1);
}

// ---------------------------------------------------------------- gradients

/** Ā for L = cholesky(A) given L̄ (both [..., n, n]); symmetric. */
export function choleskyGrad(l: tf.Tensor, dl: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const n = l.shape[l.rank - 1]!;
    // Φ(Lᵀ L̄): lower triangle with halved diagonal.
    const middle = bmm(matrixTranspose(l), dl);
    const phiMask = tf.sub(triMask(n, true), tf.mul(0.5, tf.eye(n)));
    const phi = tf.mul(middle, phiMask);
    // S = L⁻ᵀ Φ L⁻¹: y = L⁻ᵀ Φ, then S = (L⁻ᵀ yᵀ)ᵀ.
    const y = triangularSolve(l, phi, { lower: true, adjoint: true });
    const s = matrixTranspose(triangularSolve(l, matrixTranspose(y), { lower: true, adjoint: true }));
    return tf.mul(0.5, tf.add(s, matrixTranspose(s)));
  });
}

function triangularSolveGrad(
  a: tf.Tensor,
  b: tf.Tensor,
  x: tf.Tensor,
  dx: tf.Tensor,
  lower: boolean,
  adjoint: boolean,
): { matrix: tf.Tensor; rhs: tf.Tensor } {
  const n = a.shape[a.rank - 1]!;
  const gb = triangularSolve(a, dx, { lower, adjoint: !adjoint }); // broadcast batch shape
  // x and gb both have the broadcast batch shape.
  const ga = adjoint ? bmm(x, matrixTranspose(gb)) : bmm(gb, matrixTranspose(x));
  const gaMasked = tf.neg(tf.mul(ga, triMask(n, lower)));
  return { matrix: sumToShape(gaMasked, a.shape), rhs: sumToShape(gb, b.shape) };
}

let gradsRegistered = false;
function registerGrads(): void {
  if (gradsRegistered) return;
  gradsRegistered = true;
  tf.registerGradient({
    kernelName: CHOLESKY,
    outputsToSave: [true],
    gradFunc: (dy, saved) => {
      const g = choleskyGrad(saved[0]!, dy as tf.Tensor);
      return { a: () => g };
    },
  });
  tf.registerGradient({
    kernelName: TRIANGULAR_SOLVE,
    inputsToSave: ['matrix', 'rhs'],
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [a, b, x] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
      const g = triangularSolveGrad(a, b, x, dy as tf.Tensor, attrs['lower'] !== false, attrs['adjoint'] === true);
      return { matrix: () => g.matrix, rhs: () => g.rhs };
    },
  });
}

// ---------------------------------------------------------------- public ops

function checkSquare(t: tf.Tensor, op: string, name: string): number {
  const n = t.shape[t.rank - 1];
  if (t.rank < 2 || n !== t.shape[t.rank - 2]) {
    throw new InvalidArgumentError(`${op}: ${name} must be [..., n, n]; got ${fmtShape(t.shape)}`);
  }
  return n!;
}

/**
 * Cholesky factor L (lower triangular, positive diagonal) of symmetric
 * positive-definite matrices: A = L Lᵀ. Only the lower triangle of `a` is read.
 *
 * @param a `[..., n, n]`.
 * @param options `validateArgs`: on backends without tfjs-probability's kernels (webgl,
 *   webgpu, tensorflow) check the factor, which reads it back synchronously; default false
 *   there, where a matrix that is not positive definite gives NaN (as in TFP). On cpu and
 *   wasm the kernel always checks, at no cost.
 * @returns `[..., n, n]`.
 * @throws InvalidArgumentError naming the batch index of the first matrix that is
 *   not positive definite (or holds a NaN/Infinity), on cpu/wasm or under `validateArgs`.
 *
 * @example
 * ```ts
 * tfp.math.cholesky(tf.tensor2d([[4, 2], [2, 3]])).print(); // [[2, 0], [1, 1.4142]]
 * ```
 */
export function cholesky(a: TensorLike, options: { validateArgs?: boolean } = {}): tf.Tensor {
  return tf.tidy(() => {
    const t = toFloat(a, 'a', 'cholesky');
    const n = checkSquare(t, 'cholesky', 'a');
    const batchShape = t.shape.slice(0, -2);
    if (n === 0 || t.size === 0) return tf.zeros(t.shape);
    registerGrads();
    if (useKernels() && n >= BLOCKED_MIN_N) return choleskyBlockedOp(t, batchShape);
    if (useKernels()) return tf.engine().runKernel(CHOLESKY, { a: t }, {}) as tf.Tensor;
    const op = tf.customGrad(asCustom((x: tf.Tensor, save: tf.GradSaveFunc) => {
      const l = tf.reshape(choleskyComposed(tf.reshape(x, [-1, n, n])), x.shape);
      if (options.validateArgs === true) checkFactor(l, batchShape, x.shape);
      save([l]);
      return { value: l, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => choleskyGrad(saved[0]!, dy) };
    })) as (x: tf.Tensor) => tf.Tensor;
    return op(t);
  });
}

/**
 * Solves op(matrix) · X = rhs for X, with `matrix` triangular and op the
 * identity or (with `adjoint`) the transpose. Batch dimensions of `matrix` and
 * `rhs` broadcast against each other.
 *
 * @param matrix `[..., n, n]`, lower (default) or upper triangular; the other triangle is ignored.
 * @param rhs `[..., n, m]`.
 * @returns `[...broadcast batch, n, m]`.
 *
 * @example
 * ```ts
 * const l = tf.tensor2d([[2, 0], [1, 1]]);
 * tfp.math.triangularSolve(l, tf.tensor2d([[2], [3]])).print(); // [[1], [2]]
 * ```
 */
export function triangularSolve(matrix: TensorLike, rhs: TensorLike, options: TriangularSolveOptions = {}): tf.Tensor {
  const lower = options.lower ?? true;
  const adjoint = options.adjoint ?? false;
  return tf.tidy(() => {
    const a = toFloat(matrix, 'matrix', 'triangularSolve');
    const b = toFloat(rhs, 'rhs', 'triangularSolve');
    const n = checkSquare(a, 'triangularSolve', 'matrix');
    if (b.rank < 2 || b.shape[b.rank - 2] !== n) {
      throw new InvalidArgumentError(
        `triangularSolve: rhs must be [..., ${n}, m] to match matrix ${fmtShape(a.shape)}; got ${fmtShape(b.shape)}`,
      );
    }
    const m = b.shape[b.rank - 1]!;
    const outB = broadcastPair(a.shape.slice(0, -2), b.shape.slice(0, -2));
    if (outB === null) {
      throw new InvalidArgumentError(
        `triangularSolve: batch shapes of matrix ${fmtShape(a.shape)} and rhs ${fmtShape(b.shape)} do not broadcast`,
      );
    }
    if (n === 0 || m === 0 || outB.some((d) => d === 0)) return tf.zeros([...outB, n, m]);
    registerGrads();
    if (useKernels()) {
      return tf.engine().runKernel(TRIANGULAR_SOLVE, { matrix: a, rhs: b }, { lower, adjoint }) as tf.Tensor;
    }
    const op = tf.customGrad(asCustom((am: tf.Tensor, bm: tf.Tensor, save: tf.GradSaveFunc) => {
      const ab = tf.reshape(tf.broadcastTo(am, [...outB, n, n]), [-1, n, n]);
      const bb = tf.reshape(tf.broadcastTo(bm, [...outB, n, m]), [-1, n, m]);
      const x = tf.reshape(triangularSolveComposed(ab, bb, lower, adjoint), [...outB, n, m]);
      save([am, bm, x]);
      return {
        value: x,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [sa, sb, sx] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
          const g = triangularSolveGrad(sa, sb, sx, dy, lower, adjoint);
          return [g.matrix, g.rhs];
        },
      };
    })) as (am: tf.Tensor, bm: tf.Tensor) => tf.Tensor;
    return op(a, b);
  });
}

/** From this size on, cpu and wasm factor with the blocked algorithm (its updates in the SIMD product). */
const BLOCKED_MIN_N = 256;

/** Cholesky of `[..., n, n]` by the blocked factorization of spd_blocked.ts (host memory: cpu, wasm), same gradient. */
function choleskyBlockedOp(t: tf.Tensor, batchShape: number[]): tf.Tensor {
  const n = t.shape[t.rank - 1]!;
  const op = tf.customGrad(asCustom((x: tf.Tensor, save: tf.GradSaveFunc) => {
    const a = x.dataSync() as Float32Array;
    const out = new Float32Array(a.length);
    for (let b = 0; b * n * n < a.length; b++) {
      const failed = choleskyBlocked(a.subarray(b * n * n, (b + 1) * n * n), out.subarray(b * n * n, (b + 1) * n * n), n);
      if (failed >= 0) {
        const where = batchShape.length ? ` at batch index ${b} (${fmtShape(unravel(b, batchShape))} of batch shape ${fmtShape(batchShape)})` : '';
        throw new InvalidArgumentError(`cholesky: matrix is not positive definite${where}; a must be symmetric positive definite [..., n, n] (got ${fmtShape(x.shape)})`);
      }
    }
    const l = tf.tensor(out, x.shape);
    save([l]);
    return { value: l, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => choleskyGrad(saved[0]!, dy) };
  })) as (x: tf.Tensor) => tf.Tensor;
  return op(t);
}

/** Types a custom-gradient body for tf.customGrad (whose parameter type is variadic). */
export function asCustom<A extends unknown[]>(
  f: (...args: A) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[] },
): Parameters<typeof tf.customGrad>[0] {
  return f as unknown as Parameters<typeof tf.customGrad>[0];
}
