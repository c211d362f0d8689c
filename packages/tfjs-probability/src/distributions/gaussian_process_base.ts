/**
 * What the Gaussian-process distributions share: a kernel, index points `[..., N, F]` and a
 * mean function give a multivariate normal over the N function values (its `loc [...B, N]` and
 * covariance `[...B, N, N]`), which every method computes afresh from the current hyperparameters,
 * so that `tf.grad` and `tf.variableGrads` reach the kernel's variables. Densities and draws go
 * through the Cholesky factor of the covariance plus `jitter · I` (never an inverse).
 */
import * as tf from '@tensorflow/tfjs';
import { Distribution, type DistributionOptions, type ParamSpec } from './distribution.js';
import { realLine, nonNegative, real } from './constraints.js';
import { InvalidArgumentError, fmtShape } from '../errors.js';
import { PositiveSemidefiniteKernel } from '../math/psd_kernels/psd_kernel.js';
import { cholesky } from '../math/linalg.js';
import { mvnTrilLogProb, mvnTrilSample } from '../math/mvn_ops.js';
import { mvnCovLogProb, mvnCovLogProbRuns } from '../math/mvn_cov_ops.js';
import { randomNormal } from '../math/random.js';
import { broadcastDifferentiable, broadcastShapes, describeValue, toFloat, type TensorLike } from '../util.js';

const LOG_2PI = Math.log(2 * Math.PI);

/** A mean function: index points `[..., N, F]` → means `[..., N]` (or anything broadcasting to it). */
export type MeanFn = (x: tf.Tensor) => tf.Tensor;

/** Arguments every Gaussian-process distribution takes. */
export interface GaussianProcessCommonArgs extends DistributionOptions {
  /** The covariance function (not owned: keep it alive while the distribution is used). */
  kernel: PositiveSemidefiniteKernel;
  /** Where the process is observed (the event): `[...B, N, F]`. */
  indexPoints: TensorLike;
  /** The prior mean function; zero when left out. */
  meanFn?: MeanFn;
  /** Added to the covariance's diagonal before each Cholesky factorization (default 1e-6, as TFP). */
  jitter?: number;
}

/** The converted common arguments. */
export interface ConvertedCommon {
  kernel: PositiveSemidefiniteKernel;
  meanFn: MeanFn | undefined;
  jitter: number;
  params: Record<string, ParamSpec>;
  /** Arguments given as float32 `tf.Variable`s: used as they are (so gradients reach them), never disposed. */
  variables: Record<string, ParamSpec>;
}

/**
 * Checks the common arguments and converts the tensors named in `points` (index-point sets, `[..., N, F]`),
 * `vectors` (`[..., N]`) and `scalars` (elementwise, non-negative); on failure releases what was converted.
 */
export function convertProcessArgs(
  cls: string,
  args: unknown,
  names: { points: string[]; vectors?: string[]; matrices?: string[]; scalars?: string[] },
): ConvertedCommon {
  if (args === null || typeof args !== 'object' || Array.isArray(args)) {
    throw new InvalidArgumentError(`${cls}: expected an argument object {kernel, indexPoints, ...}; got ${describeValue(args)}`);
  }
  const a = args as Record<string, unknown>;
  if (!(a['kernel'] instanceof PositiveSemidefiniteKernel)) {
    throw new InvalidArgumentError(`${cls}: kernel must be a psd kernel (tfp.math.psdKernels); got ${describeValue(a['kernel'])}`);
  }
  if (a['kernel'].isDisposed) throw new InvalidArgumentError(`${cls}: kernel was disposed`);
  if (a['meanFn'] !== undefined && typeof a['meanFn'] !== 'function') {
    throw new InvalidArgumentError(`${cls}: meanFn must be a function of the index points; got ${describeValue(a['meanFn'])}`);
  }
  const jitter = a['jitter'] ?? 1e-6;
  if (typeof jitter !== 'number' || !(jitter >= 0) || !Number.isFinite(jitter)) {
    throw new InvalidArgumentError(`${cls}: jitter must be a finite number ≥ 0; got ${describeValue(jitter)}`);
  }
  const params: Record<string, ParamSpec> = {};
  const variables: Record<string, ParamSpec> = {};
  const nonNeg = { description: 'non-negative (>= 0) and finite', element: (x: number) => x >= 0 && Number.isFinite(x) };
  try {
    const need = (k: string, minRank: number, what: string, optional: boolean, eventRank: number) => {
      const v = a[k];
      if (v === undefined || v === null) {
        if (optional) return;
        throw new InvalidArgumentError(`${cls}: parameter ${k} is missing; expected ${what}`);
      }
      const isVar = v instanceof tf.Variable && v.dtype === 'float32';
      const t = isVar ? (v as tf.Variable) : toFloat(v as TensorLike, k, cls, eventRank === 0 ? nonNeg : undefined);
      (isVar ? variables : params)[k] = { value: t, eventRank, constraint: eventRank === 0 ? nonNegative : real };
      if (t.rank < minRank) throw new InvalidArgumentError(`${cls}: ${k} must be ${what}; got shape ${fmtShape(t.shape)}`);
    };
    for (const k of names.points) need(k, 2, '[..., N, F] (one row per point)', false, 2);
    for (const k of names.vectors ?? []) need(k, 1, '[..., N]', false, 1);
    for (const k of names.matrices ?? []) need(k, 2, '[..., M, M]', false, 2);
    for (const k of names.scalars ?? []) need(k, 0, 'a non-negative number or [...B]', true, 0);
    const all = { ...params, ...variables };
    const F0 = all[names.points[0]!]!.value.shape.at(-1);
    for (const k of names.points) {
      const f = all[k]!.value.shape.at(-1);
      if (f !== F0) {
        throw new InvalidArgumentError(`${cls}: ${k} has ${f} features (shape ${fmtShape(all[k]!.value.shape)}); ${names.points[0]} has ${F0}`);
      }
    }
  } catch (e) {
    for (const p of Object.values(params)) p.value.dispose();
    throw e;
  }
  return { kernel: a['kernel'] as PositiveSemidefiniteKernel, meanFn: a['meanFn'] as MeanFn | undefined, jitter, params, variables };
}

/** The converted argument `name` (an owned handle or the caller's variable). */
export function argOf(c: ConvertedCommon, name: string): tf.Tensor {
  return (c.params[name] ?? c.variables[name])!.value;
}

/** The batch shape from the kernel's and the parameters' batch parts (disposing the parameters if they clash). */
export function processBatchShape(cls: string, kernel: PositiveSemidefiniteKernel, params: Record<string, ParamSpec>, variables: Record<string, ParamSpec> = {}): number[] {
  try {
    return broadcastShapes(cls, [
      ['kernel', kernel.batchShape],
      ...Object.entries({ ...params, ...variables }).map(([k, p]) => [k, p.value.shape.slice(0, p.value.rank - p.eventRank)] as [string, number[]]),
    ]);
  } catch (e) {
    for (const p of Object.values(params)) p.value.dispose();
    throw e;
  }
}

/** `m [...B, N, N] + d [...B] · I` (d broadcast over the diagonal). */
export function addDiagonal(m: tf.Tensor, d: tf.Tensor | number): tf.Tensor {
  const n = m.shape[m.rank - 1]!;
  const dd = typeof d === 'number' ? d : tf.expandDims(tf.expandDims(d, -1), -1);
  return tf.add(m, tf.mul(dd, tf.eye(n)));
}

/** Transposes the last two axes. */
export function transposeLast(m: tf.Tensor): tf.Tensor {
  const perm = m.shape.map((_, i) => i);
  perm[m.rank - 1] = m.rank - 2;
  perm[m.rank - 2] = m.rank - 1;
  return tf.transpose(m, perm);
}

export abstract class GaussianProcessBase extends Distribution {
  /** The covariance function (not owned). */
  readonly kernel: PositiveSemidefiniteKernel;
  /** The prior mean function (TFP's `mean_fn`), or undefined for zero. */
  readonly meanFunction: MeanFn | undefined;
  readonly jitter: number;
  /** Number of index points N (the event size). */
  readonly numIndexPoints: number;

  /** Every tensor argument by name: the owned handles and the caller's variables. */
  private readonly inputs: Record<string, tf.Tensor>;

  protected constructor(cls: string, c: ConvertedCommon, args: DistributionOptions, eventSize: number, owned: tf.Tensor[] = []) {
    const batchShape = processBatchShape(cls, c.kernel, c.params, c.variables);
    super({ ...args, className: cls, params: c.params, batchShape, eventShape: [eventSize], reparameterized: true, support: realLine, owned });
    this.kernel = c.kernel;
    this.meanFunction = c.meanFn;
    this.jitter = c.jitter;
    this.numIndexPoints = eventSize;
    this.inputs = { ...this.parameters };
    for (const [k, p] of Object.entries(c.variables)) this.inputs[k] = p.value;
  }

  /** The tensor argument `name` (a handle owned by the distribution, or the caller's variable). */
  protected input(name: string): tf.Tensor | undefined {
    return this.inputs[name];
  }

  /** The index points `[...B, N, F]`. */
  get indexPoints(): tf.Tensor {
    return this.input('indexPoints')!;
  }

  /** The prior mean at `x [..., N, F]` → `[..., N]` (zeros without a mean function). */
  protected priorMean(x: tf.Tensor): tf.Tensor {
    if (this.meanFunction === undefined) return tf.zeros(x.shape.slice(0, -1));
    const m = this.meanFunction(x);
    if (!(m instanceof tf.Tensor)) throw new InvalidArgumentError(`${this.className}: meanFn must return a tensor; got ${describeValue(m)}`);
    return m;
  }

  /** The noise variance σ² added to each value (undefined when none was given: 0). */
  get observationNoiseVariance(): tf.Tensor | undefined {
    return this.input('observationNoiseVariance');
  }

  // The three below are the prior at the index points, with the observation noise on the diagonal
  // (GaussianProcess, StudentTProcess); posterior forms override them.

  /** The mean of the N values, `[...B, N]` (broadcast to the full batch). */
  protected locFn(): tf.Tensor {
    return this.fullBatch(this.priorMean(this.indexPoints), [this.numIndexPoints]);
  }

  /** Their covariance `[...B, N, N]` with `extra · I` added to the diagonal. */
  protected covFn(extra: number): tf.Tensor {
    const K = this.kernel.matrix(this.indexPoints, this.indexPoints);
    const noise = this.observationNoiseVariance;
    const N = this.numIndexPoints;
    return this.fullBatch(addDiagonal(K, noise === undefined ? extra : tf.add(noise, extra)), [N, N]);
  }

  /**
   * The covariance plus `extra · I` as a matrix `[..., N, N]` and a diagonal addition `[...]` (batch shapes
   * broadcasting to the distribution's), for the dense log density; the prior's form keeps the noise apart.
   */
  protected covAndDiagonal(extra: number): [tf.Tensor, tf.Tensor] {
    return [this.covFn(extra), tf.scalar(0)];
  }

  /** Their marginal variances, `[...B, N]`. */
  protected marginalVarianceFn(): tf.Tensor {
    const v = this.kernel.apply(this.indexPoints, this.indexPoints, 1);
    const noise = this.observationNoiseVariance;
    return this.fullBatch(noise === undefined ? v : tf.add(v, tf.expandDims(noise, -1)), [this.numIndexPoints]);
  }

  /** The Cholesky factor of the covariance plus jitter, `[...B, N, N]`. */
  protected scaleTrilFn(): tf.Tensor {
    return cholesky(this.covFn(this.jitter));
  }

  protected fullBatch(t: tf.Tensor, event: number[]): tf.Tensor {
    return broadcastDifferentiable(t, [...this.batchShape, ...event]);
  }

  protected override logProbFn(x: tf.Tensor): tf.Tensor {
    const loc = this.fullBatch(this.locFn(), [this.numIndexPoints]);
    // Large N on cpu/wasm: the blocked factorization and the dedicated gradient ½(ααᵀ − K⁻¹).
    if (mvnCovLogProbRuns(this.numIndexPoints)) {
      const [cov, diag] = this.covAndDiagonal(this.jitter);
      return mvnCovLogProb(tf.sub(x, loc), cov, diag, this.className);
    }
    return mvnTrilLogProb(x, loc, this.scaleTrilFn());
  }

  protected override sampleN(n: number, seed: number | undefined): tf.Tensor {
    const N = this.numIndexPoints;
    const eps = randomNormal([n, ...this.batchShape, N], seed);
    return mvnTrilSample(this.fullBatch(this.locFn(), [N]), this.scaleTrilFn(), eps);
  }

  protected override meanFn(): tf.Tensor {
    return this.locFn();
  }
  protected override modeFn(): tf.Tensor {
    return this.locFn();
  }
  protected override varianceFn(): tf.Tensor {
    return this.marginalVarianceFn();
  }
  protected override stddevFn(): tf.Tensor {
    return tf.sqrt(tf.relu(this.marginalVarianceFn()));
  }
  protected override covarianceFn(): tf.Tensor {
    return this.covFn(0);
  }
  protected override entropyFn(): tf.Tensor {
    const L = this.scaleTrilFn();
    const N = this.numIndexPoints;
    const logDiag = tf.sum(tf.log(tf.sum(tf.mul(L, tf.eye(N)), -1)), -1);
    return tf.add(logDiag, 0.5 * N * (1 + LOG_2PI));
  }
}
