import * as tf from '@tensorflow/tfjs';
import { Distribution, convertParams, type DistributionOptions, type TensorLike } from './distribution.js';
import { nonNegativeLine, positive } from './constraints.js';
import { registerKL } from './kl.js';
import { randomGammaBatched } from '../math/gamma_sampler.js';
import { igamma, igammac, igammainv, logIgamma, logIgammac } from '../math/special.js';
import { gammaEntropy, gammaKL, gammaLogProb } from './gamma_util.js';

export interface GammaArgs extends DistributionOptions {
  /** Shape parameter α > 0 ("concentration"), shape `[...B]`. */
  concentration: TensorLike;
  /** Inverse scale β > 0 ("rate"), shape `[...B]`. */
  rate: TensorLike;
}

/**
 * The Gamma distribution over positive reals.
 *
 * Mathematical details: `p(x; α, β) = β^α x^(α-1) exp(-β x) / Γ(α)` for x > 0;
 * `cdf(x) = P(α, βx)`, the regularized lower incomplete gamma function
 * (survivalFunction uses the upper one, Q(α, βx), for right-tail accuracy;
 * logCdf and logSurvivalFunction are computed in log space, finite far into
 * both tails, e.g. logCdf(1e-30) = -220.4 at α = 3.162, β = 1).
 * `quantile(p)` = P⁻¹(α, p)/β (tfp.math.igammainv).
 * Mean α/β, variance α/β², mode (α-1)/β for α > 1.
 *
 * Undefined statistics follow TFP's default `allow_nan_stats=True`: `mode()`
 * is NaN where α <= 1 (for α < 1 the density is unbounded at 0; TFP's rule
 * `where(α > 1, (α-1)/β, NaN)` also gives NaN at α = 1, and so does this one).
 *
 * Not reparameterized: samples come from the batched Marsaglia–Tsang sampler
 * (`randomGammaBatched`), one concentration per element, and carry no gradient
 * with respect to α or β. Draws below float32's smallest normal (tiny α)
 * are clamped to 1.18e-38, as in TFP.
 *
 * Support: x >= 0. Without `validateArgs`, values outside it are not checked: `logProb` is -Infinity and `cdf` 0 for x < 0.
 * With `validateArgs: true`, `logProb`, `prob`, `cdf`, `logCdf`, `survivalFunction` and
 * `logSurvivalFunction` throw an `InvalidArgumentError` naming the first value outside (a read-back).
 *
 * @example
 * ```ts
 * const d = new tfd.Gamma({ concentration: [0.5, 2], rate: [1, 3] });
 * d.sample([5], { seed: 1 }).shape;   // [5, 2]
 * d.mean();                            // [0.5, 0.667]
 * ```
 */
export class Gamma extends Distribution {
  static override readonly parameterProperties = { concentration: { constraint: positive }, rate: { constraint: positive } };
  readonly concentration: tf.Tensor;
  readonly rate: tf.Tensor;

  constructor(args: GammaArgs) {
    const params = convertParams('Gamma', args, Gamma.parameterProperties);
    super({ ...args, className: 'Gamma', params, eventShape: [], reparameterized: false, support: nonNegativeLine });
    this.concentration = params.concentration.value;
    this.rate = params.rate.value;
  }

  protected sampleN(n: number, seed?: number): tf.Tensor {
    const a = tf.broadcastTo(this.concentration, this.batchShape);
    const g = randomGammaBatched([n], a, seed);
    return tf.div(g, this.rate);
  }

  protected override logProbFn(x: tf.Tensor): tf.Tensor {
    return gammaLogProb(this.concentration, this.rate, x);
  }
  protected override cdfFn(x: tf.Tensor): tf.Tensor {
    return igamma(this.concentration, tf.mul(this.rate, tf.relu(x)));
  }
  protected override survivalFn(x: tf.Tensor): tf.Tensor {
    return igammac(this.concentration, tf.mul(this.rate, tf.relu(x)));
  }
  protected override logCdfFn(x: tf.Tensor): tf.Tensor {
    return logIgamma(this.concentration, tf.mul(this.rate, tf.relu(x)));
  }
  protected override logSurvivalFn(x: tf.Tensor): tf.Tensor {
    return logIgammac(this.concentration, tf.mul(this.rate, tf.relu(x)));
  }
  protected override quantileFn(p: tf.Tensor): tf.Tensor {
    return tf.div(igammainv(this.concentration, p), this.rate);
  }
  protected override meanFn(): tf.Tensor {
    return tf.div(this.concentration, this.rate);
  }
  protected override modeFn(): tf.Tensor {
    const m = tf.div(tf.sub(this.concentration, 1), this.rate);
    return tf.where(tf.greaterEqual(tf.sub(1, this.concentration), 0), tf.fill(m.shape, NaN), m);
  }
  protected override varianceFn(): tf.Tensor {
    return tf.div(this.concentration, tf.square(this.rate));
  }
  protected override entropyFn(): tf.Tensor {
    return gammaEntropy(this.concentration, this.rate);
  }
}

registerKL(Gamma, Gamma, (p, q) => gammaKL(p.concentration, p.rate, q.concentration, q.rate));
