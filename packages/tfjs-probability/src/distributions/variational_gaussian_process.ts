import * as tf from '@tensorflow/tfjs';
import { GaussianProcessBase, addDiagonal, argOf, convertProcessArgs, transposeLast, type GaussianProcessCommonArgs } from './gaussian_process_base.js';
import { InvalidArgumentError, fmtShape } from '../errors.js';
import { cholesky, triangularSolve } from '../math/linalg.js';
import { toFloat, type TensorLike } from '../util.js';

const LOG_2PI = Math.log(2 * Math.PI);

export interface VariationalGaussianProcessArgs extends GaussianProcessCommonArgs {
  /** The inducing index points `Z`, `[...B, M, F]`. */
  inducingIndexPoints: TensorLike;
  /** Mean of the whitened variational posterior `q(v) = N(μᵥ, SSᵀ)`, `[...B, M]`. */
  variationalInducingObservationsLoc: TensorLike;
  /** Its lower-triangular scale S, `[...B, M, M]` (the upper triangle is ignored). */
  variationalInducingObservationsScale: TensorLike;
  /** Variance σ² > 0 of the Gaussian likelihood (default 0), `[...B]`. */
  observationNoiseVariance?: TensorLike;
  /** Noise variance of the predictive distribution; defaults to `observationNoiseVariance` (as TFP). */
  predictiveNoiseVariance?: TensorLike;
}

/** Options of {@link VariationalGaussianProcess.variationalLoss}. */
export interface VariationalLossOptions {
  /** Where `observations` were made, `[..., No, F]`; defaults to the index points. */
  observationIndexPoints?: TensorLike;
  /** Weight of the KL term (for minibatches: batch size / number of training points). Default 1. */
  klWeight?: number;
}

/**
 * The sparse variational Gaussian process (SVGP, Hensman et al. 2013; TFP's
 * `VariationalGaussianProcess`), in the whitened parameterization: the process values at M inducing
 * points are `u = m(Z) + L_z v` with `L_zL_zᵀ = k(Z, Z) + jitter·I` and `q(v) = N(μᵥ, SSᵀ)`, so the prior
 * of v is `N(0, I)`.
 *
 * Mathematical details, with `A = L_z⁻¹ k(Z, X)`: the marginal at the index points has mean
 * `m(X) + Aᵀμᵥ` and covariance `k(X, X) − AᵀA + AᵀSSᵀA + σ²ₚI`. `variationalLoss(y)` is the negative
 * evidence lower bound `−Σᵢ E_q[log N(yᵢ | fᵢ, σ²)] + klWeight · KL(q(v) ‖ N(0, I))`, in closed form:
 * `E_q[log N(yᵢ | fᵢ, σ²)] = log N(yᵢ | μᵢ, σ²) − varᵢ / (2σ²)` with `varᵢ` the latent marginal variance.
 * (TFP parameterizes q over u itself; its whitened form is this one.)
 *
 * @example
 * ```ts
 * const kernel = new tfp.math.psdKernels.ExponentiatedQuadratic({ amplitude: 1, lengthScale: 0.5 });
 * const vgp = new tfd.VariationalGaussianProcess({
 *   kernel, indexPoints: [[0], [0.5], [1]], inducingIndexPoints: [[0], [1]],
 *   variationalInducingObservationsLoc: [0.5, -0.5], variationalInducingObservationsScale: [[0.1, 0], [0, 0.1]],
 *   observationNoiseVariance: 0.05,
 * });
 * vgp.mean().shape;                           // [3]
 * vgp.variationalLoss([0.4, 0, -0.4]);        // scalar: the negative ELBO
 * ```
 */
export class VariationalGaussianProcess extends GaussianProcessBase {
  constructor(args: VariationalGaussianProcessArgs) {
    const cls = 'VariationalGaussianProcess';
    const c = convertProcessArgs(cls, args, {
      points: ['indexPoints', 'inducingIndexPoints'],
      vectors: ['variationalInducingObservationsLoc'],
      matrices: ['variationalInducingObservationsScale'],
      scalars: ['observationNoiseVariance', 'predictiveNoiseVariance'],
    });
    const z = argOf(c, 'inducingIndexPoints');
    const loc = argOf(c, 'variationalInducingObservationsLoc');
    const scale = argOf(c, 'variationalInducingObservationsScale');
    const M = z.shape[z.rank - 2]!;
    const sM = scale.shape.slice(-2);
    if (loc.shape[loc.rank - 1] !== M || sM[0] !== M || sM[1] !== M) {
      for (const p of Object.values(c.params)) p.value.dispose();
      throw new InvalidArgumentError(
        `${cls}: with ${M} inducing points (inducingIndexPoints ${fmtShape(z.shape)}), variationalInducingObservationsLoc must be ` +
          `[..., ${M}] and variationalInducingObservationsScale [..., ${M}, ${M}]; got ${fmtShape(loc.shape)} and ${fmtShape(scale.shape)}`,
      );
    }
    const ip = argOf(c, 'indexPoints');
    super(cls, c, args, ip.shape[ip.rank - 2]!);
  }

  get inducingIndexPoints(): tf.Tensor {
    return this.input('inducingIndexPoints')!;
  }
  get variationalInducingObservationsLoc(): tf.Tensor {
    return this.input('variationalInducingObservationsLoc')!;
  }
  get variationalInducingObservationsScale(): tf.Tensor {
    return this.input('variationalInducingObservationsScale')!;
  }
  get predictiveNoiseVariance(): tf.Tensor | undefined {
    return this.input('predictiveNoiseVariance') ?? this.input('observationNoiseVariance');
  }

  /** What is added to the diagonal of `k(Z, Z)` before its factorization (`jitter`; a subclass may scale it). */
  protected inducingJitter(): number | tf.Tensor {
    return this.jitter;
  }

  /** The lower triangle of S. */
  private scaleS(): tf.Tensor {
    const M = this.inducingIndexPoints.shape.at(-2)!;
    return tf.mul(this.variationalInducingObservationsScale, tf.linalg.bandPart(tf.ones([M, M]), -1, 0));
  }

  /** Latent mean `[..., N]`, `A [..., M, N]` and `SᵀA` at the points `x [..., N, F]`. */
  private latent(x: tf.Tensor): { mean: tf.Tensor; A: tf.Tensor; SA: tf.Tensor } {
    const z = this.inducingIndexPoints;
    const Lz = cholesky(addDiagonal(this.kernel.matrix(z, z), this.inducingJitter()));
    const A = triangularSolve(Lz, this.kernel.matrix(z, x), { lower: true });
    const mean = tf.add(this.priorMean(x), tf.sum(tf.mul(A, tf.expandDims(this.variationalInducingObservationsLoc, -1)), -2));
    const SA = tf.matMul(transposeLast(this.scaleS()), A);
    return { mean, A, SA };
  }

  /** Latent marginal variances `k(x, x) − ‖Aᵢ‖² + ‖SᵀAᵢ‖²`. */
  private latentVariance(x: tf.Tensor, A: tf.Tensor, SA: tf.Tensor): tf.Tensor {
    const kxx = this.kernel.apply(x, x, 1);
    return tf.add(tf.relu(tf.sub(kxx, tf.sum(tf.square(A), -2))), tf.sum(tf.square(SA), -2));
  }

  protected override locFn(): tf.Tensor {
    return this.fullBatch(this.latent(this.indexPoints).mean, [this.numIndexPoints]);
  }

  protected override covFn(extra: number): tf.Tensor {
    const { A, SA } = this.latent(this.indexPoints);
    const x = this.indexPoints;
    const K = tf.add(tf.sub(this.kernel.matrix(x, x), tf.matMul(transposeLast(A), A)), tf.matMul(transposeLast(SA), SA));
    const p = this.predictiveNoiseVariance;
    const N = this.numIndexPoints;
    return this.fullBatch(addDiagonal(K, p === undefined ? extra : tf.add(p, extra)), [N, N]);
  }

  protected override marginalVarianceFn(): tf.Tensor {
    const { A, SA } = this.latent(this.indexPoints);
    const v = this.latentVariance(this.indexPoints, A, SA);
    const p = this.predictiveNoiseVariance;
    return this.fullBatch(p === undefined ? v : tf.add(v, tf.expandDims(p, -1)), [this.numIndexPoints]);
  }

  /** `KL(q(v) ‖ N(0, I)) = ½(‖S‖²_F + ‖μᵥ‖² − M) − Σ log|Sᵢᵢ|`, `[...B]`. */
  surrogatePosteriorKlDivergencePrior(): tf.Tensor {
    return tf.tidy(() => {
      const S = this.scaleS();
      const M = S.shape.at(-1)!;
      const mu = this.variationalInducingObservationsLoc;
      const logDiag = tf.sum(tf.log(tf.abs(tf.sum(tf.mul(S, tf.eye(M)), -1))), -1);
      const kl = tf.sub(tf.mul(0.5, tf.sub(tf.add(tf.sum(tf.square(S), [-2, -1]), tf.sum(tf.square(mu), -1)), M)), logDiag);
      return this.fullBatch(kl, []);
    });
  }

  /**
   * The negative evidence lower bound for `observations [..., No]` (at `observationIndexPoints`, by
   * default the index points): `−Σᵢ E_q[log N(yᵢ | fᵢ, σ²)] + klWeight · KL`, shape `[...B]`.
   */
  variationalLoss(observations: TensorLike, options: VariationalLossOptions = {}): tf.Tensor {
    const cls = `${this.className}.variationalLoss`;
    const klWeight = options.klWeight ?? 1;
    if (typeof klWeight !== 'number' || !(klWeight >= 0)) throw new InvalidArgumentError(`${cls}: klWeight must be a number ≥ 0; got ${String(klWeight)}`);
    const noise = this.observationNoiseVariance;
    if (noise === undefined) throw new InvalidArgumentError(`${cls}: needs an observationNoiseVariance > 0 (the Gaussian likelihood's variance)`);
    return tf.tidy(() => {
      const y = toFloat(observations, 'observations', cls);
      const x = options.observationIndexPoints === undefined ? this.indexPoints : toFloat(options.observationIndexPoints, 'observationIndexPoints', cls);
      if (x.rank < 2 || (y.shape.at(-1) !== x.shape.at(-2) && y.shape.at(-1) !== 1)) {
        throw new InvalidArgumentError(`${cls}: observations ${fmtShape(y.shape)} must be [..., No] for observation index points ${fmtShape(x.shape)}`);
      }
      const { mean, A, SA } = this.latent(x);
      const v = this.latentVariance(x, A, SA);
      const s2 = tf.expandDims(noise, -1);
      const ell = tf.sub(tf.mul(-0.5, tf.add(LOG_2PI, tf.log(s2))), tf.div(tf.add(tf.square(tf.sub(y, mean)), v), tf.mul(2, s2)));
      const recon = tf.sum(ell, -1);
      return tf.add(tf.neg(recon), tf.mul(klWeight, this.surrogatePosteriorKlDivergencePrior()));
    });
  }
}
