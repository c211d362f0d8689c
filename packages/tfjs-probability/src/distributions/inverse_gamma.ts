import * as tf from '@tensorflow/tfjs';
import { Distribution, convertParams, type DistributionOptions, type TensorLike } from './distribution.js';
import { nonNegativeLine, positive } from './constraints.js';
import { registerKL } from './kl.js';
import { randomLogGammaBatched } from '../math/gamma_sampler.js';
import { digamma, igamma, igammac, logIgamma, logIgammac } from '../math/special.js';
import { gammaEntropy, gammaKL, gammaLogProb } from './gamma_util.js';

export interface InverseGammaArgs extends DistributionOptions {
  /** Shape α > 0 ("concentration"), shape `[...B]`. */
  concentration: TensorLike;
  /** Scale β > 0, shape `[...B]` (1/X ~ Gamma(α, rate β)). */
  scale: TensorLike;
}

/** Undefined statistic: NaN where `cond` is false (TFP's allow_nan_stats). */
function nanUnless(cond: tf.Tensor, v: tf.Tensor): tf.Tensor {
  return tf.where(cond, v, tf.fill(v.shape, NaN));
}

/**
 * The inverse gamma distribution over x > 0: 1/X for X ~ Gamma(α, rate β).
 *
 * Mathematical details: `p(x; α, β) = β^α / Γ(α) · x^(-α-1) exp(-β/x)`;
 * `cdf(x) = Q(α, β/x)` (regularized upper incomplete gamma), survival
 * `P(α, β/x)` (both float64 on the host). Mean `β/(α-1)` for α > 1, variance
 * `β²/((α-1)²(α-2))` for α > 2 (NaN otherwise), mode `β/(α+1)`, entropy
 * `α + log β + lgamma(α) - (1 + α) ψ(α)`.
 *
 * Sampling (not reparameterized): `β exp(-log G)` with `log G` from the batched
 * gamma sampler (exact for tiny α, where G underflows).
 *
 * @example
 * ```ts
 * const d = new tfd.InverseGamma({ concentration: [3, 5], scale: 2 });
 * d.mean();   // [1, 0.5]
 * ```
 */
export class InverseGamma extends Distribution {
  static override readonly parameterProperties = { concentration: { constraint: positive }, scale: { constraint: positive } };
  readonly concentration: tf.Tensor;
  readonly scale: tf.Tensor;

  constructor(args: InverseGammaArgs) {
    const params = convertParams('InverseGamma', args, InverseGamma.parameterProperties);
    super({ ...args, className: 'InverseGamma', params, eventShape: [], reparameterized: false, support: nonNegativeLine });
    this.concentration = params.concentration.value;
    this.scale = params.scale.value;
  }


  protected sampleN(n: number, seed?: number): tf.Tensor {
    const logG = randomLogGammaBatched([n], tf.broadcastTo(this.concentration, this.batchShape), seed);
    return tf.mul(this.scale, tf.exp(tf.neg(logG)));
  }

  protected override logProbFn(x: tf.Tensor): tf.Tensor {
    // f(x) = β^α x^(-α-1) e^(-β/x) / Γ(α) = Gamma(α, 1) density at β/x, times β/x².
    const outside = tf.greaterEqual(tf.neg(x), 0); // x <= 0
    const safeX = tf.where(outside, tf.onesLike(x), x);
    const lp = tf.sub(tf.add(gammaLogProb(this.concentration, 1, tf.div(this.scale, safeX)), tf.log(this.scale)), tf.mul(2, tf.log(safeX)));
    return tf.where(outside, tf.fill(lp.shape, -Infinity), lp);
  }
  private betaOverX(x: tf.Tensor): tf.Tensor {
    // β/x, +Infinity at x <= 0 (cdf 0 there).
    const pos = tf.greater(x, 0);
    return tf.where(pos, tf.div(this.scale, tf.where(pos, x, tf.onesLike(x))), tf.fill(x.shape, Infinity));
  }
  protected override cdfFn(x: tf.Tensor): tf.Tensor {
    const y = this.betaOverX(x);
    const c = igammac(tf.add(this.concentration, tf.zerosLike(y)), tf.minimum(y, 3.4e38));
    return tf.where(tf.isInf(y), tf.zerosLike(c), c);
  }
  protected override survivalFn(x: tf.Tensor): tf.Tensor {
    const y = this.betaOverX(x);
    const s = igamma(tf.add(this.concentration, tf.zerosLike(y)), tf.minimum(y, 3.4e38));
    return tf.where(tf.isInf(y), tf.onesLike(s), s);
  }
  protected override logCdfFn(x: tf.Tensor): tf.Tensor {
    const y = this.betaOverX(x);
    const c = logIgammac(tf.add(this.concentration, tf.zerosLike(y)), tf.minimum(y, 3.4e38));
    return tf.where(tf.isInf(y), tf.fill(c.shape, -Infinity), c);
  }
  protected override logSurvivalFn(x: tf.Tensor): tf.Tensor {
    const y = this.betaOverX(x);
    const s = logIgamma(tf.add(this.concentration, tf.zerosLike(y)), tf.minimum(y, 3.4e38));
    return tf.where(tf.isInf(y), tf.zerosLike(s), s);
  }
  protected override meanFn(): tf.Tensor {
    const a = this.concentration;
    return nanUnless(tf.greater(a, 1), tf.div(this.scale, tf.sub(a, 1)));
  }
  protected override varianceFn(): tf.Tensor {
    const a = this.concentration;
    const am1 = tf.sub(a, 1);
    return nanUnless(tf.greater(a, 2), tf.div(tf.square(this.scale), tf.mul(tf.square(am1), tf.sub(a, 2))));
  }
  protected override modeFn(): tf.Tensor {
    return tf.div(this.scale, tf.add(this.concentration, 1));
  }
  protected override entropyFn(): tf.Tensor {
    // α + log β + lgamma(α) - (1 + α) ψ(α) = H(Gamma(α, 1)) + log β - 2ψ(α)
    const a = this.concentration;
    return tf.sub(tf.add(gammaEntropy(a, 1), tf.log(this.scale)), tf.mul(2, digamma(a)));
  }
}

registerKL(InverseGamma, InverseGamma, (p, q) => gammaKL(p.concentration, p.scale, q.concentration, q.scale));
