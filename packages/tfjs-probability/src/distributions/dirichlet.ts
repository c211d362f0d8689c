import * as tf from '@tensorflow/tfjs';
import { Distribution, convertParams, type DistributionOptions, type TensorLike } from './distribution.js';
import { positiveVector, simplex } from './constraints.js';
import { registerKL } from './kl.js';
import { SADDLE_MIN, gammaEntropyStd, gammaKernelLog, lgammaBregman } from '../math/saddle_point.js';
import { maskOf } from '../util.js';
import { randomLogGammaBatched } from '../math/gamma_sampler.js';
import { digamma, lgamma } from '../math/special.js';
import { InvalidArgumentError, fmtShape } from '../errors.js';
import { xlogy } from './continuous_util.js';

export interface DirichletArgs extends DistributionOptions {
  /** Concentrations α > 0, shape `[...B, k]` (k >= 1): one distribution over the (k-1)-simplex per batch index. */
  concentration: TensorLike;
}

/** log B(α) = Σ lgamma(αᵢ) - lgamma(Σ αᵢ) over the last axis. */
function lbetaVec(a: tf.Tensor): tf.Tensor {
  return tf.sub(tf.sum(lgamma(a), -1), lgamma(tf.sum(a, -1)));
}

/**
 * The Dirichlet distribution over probability vectors of length k.
 *
 * Mathematical details: `p(x; α) = Π xᵢ^(αᵢ-1) / B(α)` on the simplex
 * (xᵢ >= 0, Σ xᵢ = 1), with `B(α) = Π Γ(αᵢ) / Γ(Σ αᵢ)`. With α₀ = Σ αᵢ:
 * mean α/α₀, covariance `(diag(m) - m mᵀ) / (α₀ + 1)` for m = α/α₀,
 * mode (α - 1)/(α₀ - k) where every αᵢ > 1.
 *
 * Undefined statistics follow TFP's default `allow_nan_stats=True`: `mode()` is
 * NaN (the whole vector) unless every αᵢ > 1. `logProb` does not check that x
 * sums to 1 (as TFP without validate_args); entries < 0 give -Infinity.
 *
 * Not reparameterized: `X = softmax(log G)` with `log Gᵢ ~ log Gamma(αᵢ, 1)`
 * from the batched gamma sampler; normalizing in log space keeps draws on the
 * simplex (entries >= 0, summing to 1 within float32 rounding) even for tiny αᵢ
 * where every Gᵢ underflows.
 *
 * Support: the probability simplex (entries >= 0 summing to 1). Without `validateArgs`, values outside it are not checked: `logProb` is -Infinity where an entry is negative and otherwise evaluates the density formula even where the entries do not sum to 1 (as TFP).
 * With `validateArgs: true`, `logProb`, `prob`, `cdf`, `logCdf`, `survivalFunction` and
 * `logSurvivalFunction` throw an `InvalidArgumentError` naming the first value outside (a read-back).
 *
 * @example
 * ```ts
 * const d = new tfd.Dirichlet({ concentration: [[1, 2, 3], [0.1, 0.1, 0.1]] });
 * d.sample([5], { seed: 1 }).shape;   // [5, 2, 3]
 * d.covariance().shape;                // [2, 3, 3]
 * ```
 */
export class Dirichlet extends Distribution {
  static override readonly parameterProperties = { concentration: { eventRank: 1, constraint: positiveVector } };
  readonly concentration: tf.Tensor;

  constructor(args: DirichletArgs) {
    const params = convertParams('Dirichlet', args, Dirichlet.parameterProperties);
    const concentration = params.concentration.value;
    if (concentration.rank < 1 || concentration.shape[concentration.rank - 1] === 0) {
      const shape = concentration.shape;
      concentration.dispose();
      throw new InvalidArgumentError(`Dirichlet: concentration must be [..., k] with k >= 1; got ${fmtShape(shape)}`);
    }
    const k = concentration.shape[concentration.rank - 1]!;
    super({
      ...args,
      className: 'Dirichlet',
      params,
      eventShape: [k],
      reparameterized: false,
      support: simplex,
    });
    this.concentration = concentration;
  }

  protected sampleN(n: number, seed?: number): tf.Tensor {
    const logG = randomLogGammaBatched([n], this.concentration, seed);
    return tf.exp(tf.logSoftmax(logG, -1));
  }

  protected override logProbFn(x: tf.Tensor): tf.Tensor {
    const a = this.concentration;
    // -Infinity where an entry is negative (greaterEqual/min keep the path differentiable)
    const inSupport = tf.greaterEqual(tf.min(x, -1), 0);
    const safeX = tf.where(tf.greaterEqual(x, 0), x, tf.onesLike(x));
    const direct = tf.sub(tf.sum(xlogy(tf.sub(a, 1), safeX), -1), lbetaVec(a));
    const lp = tf.where(maskOf((v) => tf.greaterEqual(tf.min(v, -1), SADDLE_MIN), a), this.saddleLogProb(safeX), direct);
    return tf.where(inSupport, lp, tf.fill(lp.shape, -Infinity));
  }
  /**
   * The log-density for every αᵢ >= 2 without the cancelling lgamma terms of B(α) (which lose
   * whole nats in float32 at α ~ 1e6): with s = α₀ - k and gK(a, λ) = log(λ^(a-1) e^(-λ) / Γ(a))
   * (Loader's form), log p(x) = Σ gK(αᵢ, s xᵢ) + s (Σ xᵢ - 1) + Σ_{j<k} log(α₀ - j) - gK(α₀ - k + 1, s).
   */
  private saddleLogProb(x: tf.Tensor): tf.Tensor {
    const k = this.eventShape[0]!;
    const a = tf.maximum(this.concentration, SADDLE_MIN);
    const a0 = tf.sum(a, -1, true);
    const s = tf.sub(a0, k);
    const kernels = tf.sum(gammaKernelLog(a, tf.mul(s, x)), -1);
    const slack = tf.mul(tf.squeeze(s, [-1]), tf.sub(tf.sum(x, -1), 1));
    const steps = k > 1 ? tf.sum(tf.log(tf.sub(a0, tf.range(1, k))), -1) : tf.zeros(slack.shape);
    const last = gammaKernelLog(tf.squeeze(tf.add(s, 1), [-1]), tf.squeeze(s, [-1]));
    return tf.sub(tf.add(tf.add(kernels, slack), steps), last);
  }
  private total(): tf.Tensor {
    return tf.sum(this.concentration, -1, true);
  }
  protected override meanFn(): tf.Tensor {
    return tf.div(this.concentration, this.total());
  }
  protected override modeFn(): tf.Tensor {
    const a = this.concentration;
    const k = this.eventShape[0]!;
    const m = tf.div(tf.sub(a, 1), tf.sub(this.total(), k));
    const undefinedMode = tf.greaterEqual(tf.sub(1, tf.min(a, -1, true)), 0); // some αᵢ <= 1
    return tf.where(tf.broadcastTo(undefinedMode, m.shape), tf.fill(m.shape, NaN), m);
  }
  protected override varianceFn(): tf.Tensor {
    const a0 = this.total();
    const m = tf.div(this.concentration, a0);
    return tf.div(tf.mul(m, tf.sub(1, m)), tf.add(a0, 1));
  }
  protected override covarianceFn(): tf.Tensor {
    const k = this.eventShape[0]!;
    const a0 = this.total();
    const m = tf.div(this.concentration, a0); // [...B, k]
    const outer = tf.mul(tf.expandDims(m, -1), tf.expandDims(m, -2)); // [...B, k, k]
    const diag = tf.mul(tf.expandDims(m, -2), tf.eye(k)); // diag(m)
    return tf.div(tf.sub(diag, outer), tf.expandDims(tf.add(a0, 1), -1));
  }
  protected override entropyFn(): tf.Tensor {
    // log B(α) + (α₀ - k) ψ(α₀) - Σ (αᵢ - 1) ψ(αᵢ) = Σ G(αᵢ) - G(α₀) - (k - 1) ψ(α₀), with
    // G(a) = a + lgamma(a) + (1 - a) ψ(a) the entropy of Gamma(a, 1) (stable at large a): the
    // α-sized terms cancel exactly instead of in float32.
    const a = this.concentration;
    const k = this.eventShape[0]!;
    const a0 = tf.sum(a, -1);
    return tf.sub(tf.sub(tf.sum(gammaEntropyStd(a), -1), gammaEntropyStd(a0)), tf.mul(k - 1, digamma(a0)));
  }
}

registerKL(Dirichlet, Dirichlet, (p, q) => {
  // lgamma(α₀) - Σ lgamma(αᵢ) - lgamma(β₀) + Σ lgamma(βᵢ) + Σ (αᵢ - βᵢ)(ψ(αᵢ) - ψ(α₀))
  // = Σ G(αᵢ, βᵢ) - G(α₀, β₀), G the Bregman divergence of lgamma (no cancelling lgamma terms).
  const a = p.concentration;
  const b = q.concentration;
  const shape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
  const [ab, bb] = [a, b].map((t) => tf.broadcastTo(t, shape));
  const d = tf.sub(bb!, ab!);
  const g0 = lgammaBregman(tf.sum(ab!, -1), tf.sum(bb!, -1), tf.sum(d, -1));
  return tf.sub(tf.sum(lgammaBregman(ab!, bb!, d), -1), g0);
});
