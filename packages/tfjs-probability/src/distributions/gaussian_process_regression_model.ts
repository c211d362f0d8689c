import * as tf from '@tensorflow/tfjs';
import { GaussianProcessBase, addDiagonal, argOf, convertProcessArgs, transposeLast, type GaussianProcessCommonArgs } from './gaussian_process_base.js';
import { InvalidArgumentError, fmtShape } from '../errors.js';
import { cholesky, triangularSolve } from '../math/linalg.js';
import type { TensorLike } from '../util.js';

export interface GaussianProcessRegressionModelArgs extends GaussianProcessCommonArgs {
  /** Where the observations were made, `[...B, No, F]`. */
  observationIndexPoints: TensorLike;
  /** The observed values `[...B, No]`. */
  observations: TensorLike;
  /** Variance σ² ≥ 0 of the observation noise (default 0), `[...B]`. */
  observationNoiseVariance?: TensorLike;
  /** Noise variance added to the predictive distribution; defaults to `observationNoiseVariance` (as TFP). */
  predictiveNoiseVariance?: TensorLike;
}

/**
 * The posterior predictive of a Gaussian process given noisy observations (TFP's
 * `GaussianProcessRegressionModel`): the multivariate normal of new values at `indexPoints`.
 *
 * Mathematical details, with `Kₒₒ = k(Xₒ, Xₒ) + σ²I = LLᵀ`, `A = L⁻¹ k(Xₒ, X)`, `v = L⁻¹(y − m(Xₒ))`:
 * mean `m(X) + Aᵀv`, covariance `k(X, X) − AᵀA + σ²ₚ I` (σ²ₚ the predictive noise variance, by default σ²,
 * so `stddev()` is that of a new noisy observation; pass `predictiveNoiseVariance: 0` for the latent
 * function). One Cholesky factorization of the No×No matrix (of `N×N` only for `logProb` and `sample`).
 *
 * `GaussianProcessRegressionModel.precomputeRegressionModel(args)` factors `Kₒₒ` once and keeps `L` and `v`,
 * for repeated predictions with fixed hyperparameters (gradients then reach only the index points).
 *
 * @example
 * ```ts
 * const kernel = new tfp.math.psdKernels.ExponentiatedQuadratic({ amplitude: 1, lengthScale: 0.3 });
 * const gprm = new tfd.GaussianProcessRegressionModel({
 *   kernel, indexPoints: [[0.25], [0.75]],
 *   observationIndexPoints: [[0], [0.5], [1]], observations: [0, 1, 0], observationNoiseVariance: 0.01,
 * });
 * gprm.mean();     // ≈ [0.6, 0.6]: between the observations
 * gprm.stddev();   // includes the noise √0.01
 * ```
 */
export class GaussianProcessRegressionModel extends GaussianProcessBase {
  private readonly pre: { L: tf.Tensor; v: tf.Tensor } | undefined;

  constructor(args: GaussianProcessRegressionModelArgs, precompute = false) {
    const cls = 'GaussianProcessRegressionModel';
    const c = convertProcessArgs(cls, args, {
      points: ['indexPoints', 'observationIndexPoints'],
      vectors: ['observations'],
      scalars: ['observationNoiseVariance', 'predictiveNoiseVariance'],
    });
    const oip = argOf(c, 'observationIndexPoints'), y = argOf(c, 'observations');
    const No = oip.shape[oip.rank - 2]!;
    if (y.shape[y.rank - 1] !== No && y.shape[y.rank - 1] !== 1) {
      for (const p of Object.values(c.params)) p.value.dispose();
      throw new InvalidArgumentError(
        `${cls}: observations must be [..., ${No}] (one per observation index point); got ${fmtShape(y.shape)} for observationIndexPoints ${fmtShape(oip.shape)}`,
      );
    }
    const ip = argOf(c, 'indexPoints');
    super(cls, c, args, ip.shape[ip.rank - 2]!);
    if (precompute) this.pre = tf.tidy(() => this.conditioning());
  }

  /** A regression model whose conditioning on the observations is computed once (TFP's name). */
  static precomputeRegressionModel(args: GaussianProcessRegressionModelArgs): GaussianProcessRegressionModel {
    return new GaussianProcessRegressionModel(args, true);
  }

  get observationIndexPoints(): tf.Tensor {
    return this.input('observationIndexPoints')!;
  }
  get observations(): tf.Tensor {
    return this.input('observations')!;
  }
  /** The predictive noise variance (the observation noise variance unless given). */
  get predictiveNoiseVariance(): tf.Tensor | undefined {
    return this.input('predictiveNoiseVariance') ?? this.input('observationNoiseVariance');
  }

  /** `L` (Cholesky factor of `Kₒₒ + (σ² + jitter) I`) and `v = L⁻¹(y − m(Xₒ))` as `[..., No, 1]`. */
  private conditioning(): { L: tf.Tensor; v: tf.Tensor } {
    if (this.pre) return this.pre;
    const oip = this.observationIndexPoints;
    const noise = this.observationNoiseVariance;
    const Koo = addDiagonal(this.kernel.matrix(oip, oip), noise === undefined ? this.jitter : tf.add(noise, this.jitter));
    const L = cholesky(Koo);
    const r = tf.sub(this.observations, this.priorMean(oip));
    const v = triangularSolve(L, tf.expandDims(r, -1), { lower: true });
    return { L, v };
  }

  /** `A = L⁻¹ k(Xₒ, X)`, `[..., No, N]`, with `v`. */
  private projected(): { A: tf.Tensor; v: tf.Tensor } {
    const { L, v } = this.conditioning();
    const A = triangularSolve(L, this.kernel.matrix(this.observationIndexPoints, this.indexPoints), { lower: true });
    return { A, v };
  }

  protected override locFn(): tf.Tensor {
    const { A, v } = this.projected();
    const m = tf.add(this.priorMean(this.indexPoints), tf.sum(tf.mul(A, v), -2));
    return this.fullBatch(m, [this.numIndexPoints]);
  }

  protected override covFn(extra: number): tf.Tensor {
    const { A } = this.projected();
    const N = this.numIndexPoints;
    const K = tf.sub(this.kernel.matrix(this.indexPoints, this.indexPoints), tf.matMul(transposeLast(A), A));
    const p = this.predictiveNoiseVariance;
    return this.fullBatch(addDiagonal(K, p === undefined ? extra : tf.add(p, extra)), [N, N]);
  }

  protected override marginalVarianceFn(): tf.Tensor {
    const { A } = this.projected();
    const v = tf.sub(this.kernel.apply(this.indexPoints, this.indexPoints, 1), tf.sum(tf.square(A), -2));
    const p = this.predictiveNoiseVariance;
    return this.fullBatch(tf.add(tf.relu(v), p === undefined ? 0 : tf.expandDims(p, -1)), [this.numIndexPoints]);
  }

  override dispose(): void {
    if (this.isDisposed) return;
    super.dispose();
    if (this.pre) tf.dispose([this.pre.L, this.pre.v]);
  }
}
