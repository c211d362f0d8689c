/**
 * The base class of positive semi-definite kernels (TFP's
 * `tfp.math.psd_kernels.PositiveSemidefiniteKernel`), with one feature
 * dimension: an example is a vector `[F]`.
 *
 * A kernel holds its hyperparameters as tensors (handles on what the user
 * passed, so gradients flow to a `tf.Variable` or to any tensor computed under
 * `tf.grad`); their shapes broadcast to the kernel's `batchShape`. Two entry
 * points:
 * - `apply(x1, x2)`: `x1 [..., F]`, `x2 [..., F]` (broadcasting) → `k(x1, x2)` of shape `[...]`,
 *   the kernel's batch broadcast against the leading dims;
 * - `matrix(x1, x2)`: `x1 [..., N, F]`, `x2 [..., M, F]` → `[...batch, N, M]`.
 *
 * Sums and products of kernels (`k1.add(k2)`, `k1.multiply(k2)`) are kernels.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, fmtShape } from '../../errors.js';
import { asCustom } from '../linalg.js';
import { broadcastPair, broadcastShapes, describeValue, toFloat, type HostCheck, type TensorLike } from '../../util.js';

/** Options shared by the kernel constructors. */
export interface KernelOptions {
  /** A name for messages. Defaults to the class name. */
  name?: string;
}

/** Positive and finite, for host values. */
export const POSITIVE: HostCheck = { description: 'positive (> 0) and finite', element: (x) => x > 0 && Number.isFinite(x) };
/** Finite, for host values. */
export const FINITE: HostCheck = { description: 'real and finite', element: (x) => Number.isFinite(x) };

/** Pairwise-difference tensors up to this many elements are formed exactly; beyond, ‖x‖² + ‖y‖² − 2xᵀy. */
const EXACT_DISTANCE_LIMIT = 1 << 23;

export abstract class PositiveSemidefiniteKernel {
  readonly className: string;
  readonly name: string;
  /** Number of trailing dims of one example (always 1 here: examples are vectors). */
  readonly featureNdims = 1;
  /** The hyperparameters by TFP's names (camelCase), as handles owned by the kernel. */
  readonly parameters: Record<string, tf.Tensor>;
  /** The broadcast shape of the hyperparameters: one kernel per batch member. */
  readonly batchShape: number[];
  private disposed = false;

  protected constructor(className: string, name: string | undefined, parameters: Record<string, tf.Tensor>, batchShape?: number[]) {
    this.className = className;
    this.name = name ?? className;
    this.parameters = parameters;
    try {
      this.batchShape =
        batchShape ?? broadcastShapes(className, Object.entries(parameters).map(([k, v]) => [k, v.shape] as [string, number[]]));
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  /**
   * The kernel at pairs of examples: `x1 [..., F]` and `x2 [..., F]` broadcast against each other; returns `[...]`.
   * With `exampleNdims = e`, the last `e` dims before the feature dim are examples and the kernel's batch
   * aligns with the dims before them (TFP's `example_ndims`): `apply(x [..., N, F], x, 1)` is the diagonal
   * of `matrix(x, x)`.
   */
  apply(x1: TensorLike, x2: TensorLike, exampleNdims = 0): tf.Tensor {
    this.assertAlive('apply');
    if (!Number.isInteger(exampleNdims) || exampleNdims < 0) {
      throw new InvalidArgumentError(`${this.className}.apply: exampleNdims must be an integer ≥ 0; got ${describeValue(exampleNdims)}`);
    }
    return tf.tidy(() => {
      const [a, b] = this.convertPair('apply', x1, x2, 1 + exampleNdims);
      this.checkBatch('apply', a.shape.slice(0, -1 - exampleNdims), b.shape.slice(0, -1 - exampleNdims));
      return this.applyFn(a, b, exampleNdims);
    });
  }

  /**
   * The kernel matrix `K[..., i, j] = k(x1[..., i, :], x2[..., j, :])`: `x1 [..., N, F]`, `x2 [..., M, F]`
   * → `[...batch, N, M]`, where the leading dims of `x1`, `x2` and the kernel's batch broadcast.
   */
  matrix(x1: TensorLike, x2: TensorLike): tf.Tensor {
    this.assertAlive('matrix');
    return tf.tidy(() => {
      const [a, b] = this.convertPair('matrix', x1, x2, 2);
      this.checkBatch('matrix', a.shape.slice(0, -2), b.shape.slice(0, -2));
      return this.matrixFn(a, b);
    });
  }

  /** `k1 + k2` (a kernel). Neither kernel is copied or owned: keep both alive while the sum is used. */
  add(other: PositiveSemidefiniteKernel): PositiveSemidefiniteKernel {
    return new SumKernel([this, other]);
  }

  /** `k1 · k2` (a kernel). Neither kernel is copied or owned: keep both alive while the product is used. */
  multiply(other: PositiveSemidefiniteKernel): PositiveSemidefiniteKernel {
    return new ProductKernel([this, other]);
  }

  /** Releases the hyperparameter handles (the user's tensors and variables stay alive). Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const t of Object.values(this.parameters)) if (!t.isDisposed && !(t instanceof tf.Variable)) t.dispose();
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  toString(): string {
    return `${this.className}(batchShape=${fmtShape(this.batchShape)})`;
  }

  /**
   * `k` on broadcast pairs whose last `exampleNdims` leading dims (before the feature dim) are example
   * dims: hyperparameters are read with {@link param}, which appends that many unit dims.
   */
  abstract applyFn(x1: tf.Tensor, x2: tf.Tensor, exampleNdims: number): tf.Tensor;

  /** The kernel matrix of `[..., N, F]` and `[..., M, F]`; the default applies {@link applyFn} to all pairs. */
  matrixFn(x1: tf.Tensor, x2: tf.Tensor): tf.Tensor {
    return this.applyFn(tf.expandDims(x1, -2), tf.expandDims(x2, -3), 2);
  }

  /** Hyperparameter `name` with `exampleNdims` unit dims appended (undefined when not given). */
  protected param(name: string, exampleNdims: number): tf.Tensor | undefined {
    const p = this.parameters[name];
    if (p === undefined) return undefined;
    return exampleNdims === 0 ? p : tf.reshape(p, [...p.shape, ...Array<number>(exampleNdims).fill(1)]);
  }

  protected assertAlive(method: string): void {
    if (this.disposed) throw new InvalidArgumentError(`${this.className}: ${method}() called on a disposed kernel`);
  }

  private convertPair(method: string, x1: TensorLike, x2: TensorLike, minRank: number): [tf.Tensor, tf.Tensor] {
    const owner = `${this.className}.${method}`;
    const a = toFloat(x1, 'x1', owner);
    const b = toFloat(x2, 'x2', owner);
    const what = minRank === 1 ? '[..., F]' : minRank === 2 ? '[..., N, F]' : `[..., ${minRank - 1} example dims, F]`;
    for (const [n, t] of [['x1', a], ['x2', b]] as const) {
      if (t.rank < minRank) throw new InvalidArgumentError(`${owner}: ${n} must be ${what}; got shape ${fmtShape(t.shape)}`);
    }
    if (a.shape[a.rank - 1] !== b.shape[b.rank - 1]) {
      throw new InvalidArgumentError(
        `${owner}: x1 and x2 must have the same number of features; got x1 ${fmtShape(a.shape)} and x2 ${fmtShape(b.shape)}`,
      );
    }
    return [a, b];
  }

  private checkBatch(method: string, b1: number[], b2: number[]): void {
    const ab = broadcastPair(b1, b2);
    if (ab === null || broadcastPair(ab, this.batchShape) === null) {
      throw new InvalidArgumentError(
        `${this.className}.${method}: the leading dims of x1 ${fmtShape(b1)}, x2 ${fmtShape(b2)} and the kernel's batch ` +
          `${fmtShape(this.batchShape)} do not broadcast`,
      );
    }
  }
}

/** Converts an optional hyperparameter (undefined stays undefined), naming the kernel in errors. */
export function kernelParams(
  className: string,
  args: unknown,
  decl: Record<string, HostCheck | null>,
): Record<string, tf.Tensor> {
  if (args === null || typeof args !== 'object' || Array.isArray(args) || args instanceof tf.Tensor) {
    throw new InvalidArgumentError(`${className}: expected an argument object {${Object.keys(decl).join(', ')}}; got ${describeValue(args)}`);
  }
  const a = args as Record<string, unknown>;
  const out: Record<string, tf.Tensor> = {};
  try {
    for (const [k, check] of Object.entries(decl)) {
      const v = a[k];
      if (v === undefined || v === null) continue;
      // A float32 variable is kept as is (not a handle on it), so that gradients computed later with
      // tf.variableGrads / optimizer.minimize reach it; it stays the caller's (never disposed here).
      out[k] = v instanceof tf.Variable && v.dtype === 'float32' ? v : toFloat(v as TensorLike, k, className, check ?? undefined);
    }
  } catch (e) {
    for (const t of Object.values(out)) if (!(t instanceof tf.Variable)) t.dispose();
    throw e;
  }
  return out;
}

/** Squared Euclidean distance of broadcast pairs `[..., F]` → `[...]`. */
export function squaredDistance(x1: tf.Tensor, x2: tf.Tensor): tf.Tensor {
  return tf.sum(tf.square(tf.sub(x1, x2)), -1);
}

/**
 * Pairwise squared distances of `[..., N, F]` and `[..., M, F]` → `[..., N, M]`. Exact differences while
 * the `[N, M, F]` tensor is small enough; beyond, `‖a‖² + ‖b‖² − 2abᵀ` on centred points (clamped at 0).
 */
export function pairwiseSquaredDistance(x1: tf.Tensor, x2: tf.Tensor): tf.Tensor {
  const N = x1.shape[x1.rank - 2]!, M = x2.shape[x2.rank - 2]!, F = x1.shape[x1.rank - 1]!;
  const batch = broadcastPair(x1.shape.slice(0, -2), x2.shape.slice(0, -2))!;
  const size = batch.reduce((p, d) => p * d, 1) * N * M * F;
  if (size <= EXACT_DISTANCE_LIMIT) return squaredDistance(tf.expandDims(x1, -2), tf.expandDims(x2, -3));
  const mu = tf.mean(x1, -2, true);
  const a = tf.add(tf.sub(x1, mu), tf.zeros([...batch, N, F]));
  const b = tf.add(tf.sub(x2, mu), tf.zeros([...batch, M, F]));
  const aa = tf.expandDims(tf.sum(tf.square(a), -1), -1);
  const bb = tf.expandDims(tf.sum(tf.square(b), -1), -2);
  const ab = tf.matMul(a, b, false, true);
  return tf.relu(tf.sub(tf.add(aa, bb), tf.mul(2, ab)));
}

/** √d² with a finite gradient at d² = 0 (zero there, where the distance itself is 0). */
export function safeSqrt(d2: tf.Tensor): tf.Tensor {
  const op = tf.customGrad(asCustom((x: tf.Tensor, save: tf.GradSaveFunc) => {
    const r = tf.sqrt(tf.relu(x));
    save([r]);
    return {
      value: r,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const s = saved[0]!;
        const pos = tf.greater(s, 0);
        return tf.where(pos, tf.div(tf.mul(0.5, dy), tf.where(pos, s, tf.onesLike(s))), tf.zerosLike(s));
      },
    };
  })) as (x: tf.Tensor) => tf.Tensor;
  return op(d2);
}

/** Kernels that depend on the pair only through the (scaled) Euclidean distance. */
export abstract class IsotropicKernel extends PositiveSemidefiniteKernel {
  /** `k` from the squared distance `d2` of shape `[..., ...examples]`. */
  abstract fromSquaredDistance(d2: tf.Tensor, exampleNdims: number): tf.Tensor;

  applyFn(x1: tf.Tensor, x2: tf.Tensor, exampleNdims: number): tf.Tensor {
    return this.fromSquaredDistance(squaredDistance(x1, x2), exampleNdims);
  }

  override matrixFn(x1: tf.Tensor, x2: tf.Tensor): tf.Tensor {
    return this.fromSquaredDistance(pairwiseSquaredDistance(x1, x2), 2);
  }

  /** `amplitude² · v` (v unchanged when no amplitude was given). */
  protected scaleByAmplitude(v: tf.Tensor, exampleNdims: number): tf.Tensor {
    const a = this.param('amplitude', exampleNdims);
    return a === undefined ? v : tf.mul(tf.square(a), v);
  }

  /** `d2 / lengthScale²` (d2 unchanged when no length scale was given). */
  protected scaledSquaredDistance(d2: tf.Tensor, exampleNdims: number): tf.Tensor {
    const l = this.param('lengthScale', exampleNdims);
    return l === undefined ? d2 : tf.div(d2, tf.square(l));
  }
}

/** Combines kernels elementwise; owns none of them. */
abstract class CombinedKernel extends PositiveSemidefiniteKernel {
  readonly kernels: PositiveSemidefiniteKernel[];
  constructor(className: string, kernels: PositiveSemidefiniteKernel[], name?: string) {
    if (!Array.isArray(kernels) || kernels.length === 0 || !kernels.every((k) => k instanceof PositiveSemidefiniteKernel)) {
      throw new InvalidArgumentError(`${className}: kernels must be a non-empty array of psd kernels; got ${describeValue(kernels)}`);
    }
    super(className, name, {}, broadcastShapes(className, kernels.map((k, i) => [`kernels[${i}]`, k.batchShape] as [string, number[]])));
    this.kernels = kernels;
  }
  protected abstract combine(a: tf.Tensor, b: tf.Tensor): tf.Tensor;
  applyFn(x1: tf.Tensor, x2: tf.Tensor, exampleNdims: number): tf.Tensor {
    return this.kernels.map((k) => k.applyFn(x1, x2, exampleNdims)).reduce((a, b) => this.combine(a, b));
  }
  override matrixFn(x1: tf.Tensor, x2: tf.Tensor): tf.Tensor {
    return this.kernels.map((k) => k.matrixFn(x1, x2)).reduce((a, b) => this.combine(a, b));
  }
}

/**
 * The sum `Σᵢ kᵢ(x, y)` of kernels (a kernel); `k1.add(k2)` builds one. It does not own its kernels.
 *
 * @example
 * ```ts
 * const k = new tfp.math.psdKernels.SumKernel([
 *   new tfp.math.psdKernels.ExponentiatedQuadratic({ amplitude: 1, lengthScale: 0.5 }),
 *   new tfp.math.psdKernels.Linear({ slopeAmplitude: 0.1 }),
 * ]);
 * k.matrix([[0], [1]], [[0], [1]]).shape; // [2, 2]
 * ```
 */
export class SumKernel extends CombinedKernel {
  constructor(kernels: PositiveSemidefiniteKernel[], options: KernelOptions = {}) {
    super('SumKernel', kernels, options.name);
  }
  protected combine(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
    return tf.add(a, b);
  }
}

/**
 * The product `Πᵢ kᵢ(x, y)` of kernels (a kernel); `k1.multiply(k2)` builds one. It does not own its kernels.
 *
 * @example
 * ```ts
 * const k = new tfp.math.psdKernels.ProductKernel([
 *   new tfp.math.psdKernels.ExpSinSquared({ period: 1 }),
 *   new tfp.math.psdKernels.ExponentiatedQuadratic({ lengthScale: 5 }),
 * ]);
 * k.apply([0.5], [1.5]).shape; // []
 * ```
 */
export class ProductKernel extends CombinedKernel {
  constructor(kernels: PositiveSemidefiniteKernel[], options: KernelOptions = {}) {
    super('ProductKernel', kernels, options.name);
  }
  protected combine(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
    return tf.mul(a, b);
  }
}
