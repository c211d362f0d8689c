import * as tf from '@tensorflow/tfjs';
import { GaussianProcessBase, addDiagonal, argOf, convertProcessArgs, type GaussianProcessCommonArgs } from './gaussian_process_base.js';
import type { TensorLike } from '../util.js';

export interface GaussianProcessArgs extends GaussianProcessCommonArgs {
  /** Variance σ² ≥ 0 of independent normal noise on each value (default 0), `[...B]`. */
  observationNoiseVariance?: TensorLike;
}

/**
 * A Gaussian process at finitely many index points: the multivariate normal of the
 * values `f(x₁), …, f(x_N)` (plus noise) under the prior `f ~ GP(m, k)` (TFP's `GaussianProcess`).
 *
 * Mathematical details: `y ~ N(m(X), K + σ² I)` with `K = k(X, X)`. `logProb(y)` is the log
 * marginal likelihood `−½ rᵀ(K + σ²I)⁻¹r − ½ log|K + σ²I| − (N/2) log 2π`, `r = y − m(X)`,
 * computed through the Cholesky factor of `K + (σ² + jitter) I` and one triangular solve.
 * Every method recomputes from the kernel's current hyperparameters, so
 * `tf.variableGrads(() => tf.neg(gp.logProb(y)))` fits them (or `tfp.optimizer.lbfgsMinimize`).
 *
 * Parameters: `kernel` (batch `[...Bk]`), `indexPoints [...Bx, N, F]`, `observationNoiseVariance [...Bn]`;
 * batch shape: the broadcast of the three; event shape `[N]`.
 *
 * @example
 * ```ts
 * const kernel = new tfp.math.psdKernels.ExponentiatedQuadratic({ amplitude: 1, lengthScale: 0.5 });
 * const gp = new tfd.GaussianProcess({ kernel, indexPoints: [[0], [0.5], [1]], observationNoiseVariance: 0.01 });
 * gp.logProb([0.1, 0.4, 0.2]);   // the log marginal likelihood, a scalar
 * gp.sample(5, { seed: 1 }).shape;   // [5, 3]
 * gp.stddev();   // √(1 + 0.01) at each point
 * ```
 */
export class GaussianProcess extends GaussianProcessBase {
  constructor(args: GaussianProcessArgs) {
    const cls = 'GaussianProcess';
    const c = convertProcessArgs(cls, args, { points: ['indexPoints'], scalars: ['observationNoiseVariance'] });
    const ip = argOf(c, 'indexPoints');
    super(cls, c, args, ip.shape[ip.rank - 2]!);
  }

  /** k(X, X) without a broadcast, and σ² + extra apart (no N×N identity, no N×N broadcast in the gradient). */
  protected override covAndDiagonal(extra: number): [tf.Tensor, tf.Tensor] {
    const noise = this.observationNoiseVariance;
    return [this.kernel.matrix(this.indexPoints, this.indexPoints), noise === undefined ? tf.scalar(extra) : tf.add(noise, extra)];
  }
}
