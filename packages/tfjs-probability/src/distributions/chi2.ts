import * as tf from '@tensorflow/tfjs';
import { Distribution, convertParams, type DistributionOptions, type TensorLike } from './distribution.js';
import { nonNegativeLine, positive } from './constraints.js';
import { registerKL } from './kl.js';
import { randomGammaBatched } from '../math/gamma_sampler.js';
import { igamma, igammac, igammainv, logIgamma, logIgammac } from '../math/special.js';
import { gammaEntropy, gammaKL, gammaLogProb } from './gamma_util.js';

export interface Chi2Args extends DistributionOptions {
  /** Degrees of freedom k > 0, shape `[...B]`. */
  df: TensorLike;
}

/**
 * The chi-squared distribution with `df` degrees of freedom: Gamma(k/2, rate ½).
 *
 * Mathematical details: `p(x; k) = x^(k/2 - 1) e^(-x/2) / (2^(k/2) Γ(k/2))` for
 * x >= 0; `cdf(x) = P(k/2, x/2)` (regularized lower incomplete gamma, float64 on
 * the host; survival the upper one). Mean k, variance 2k, mode `k - 2` for k > 2
 * (NaN otherwise, as this library's Gamma), entropy
 * `k/2 + log 2 + lgamma(k/2) + (1 - k/2) ψ(k/2)`.
 *
 * Sampling (not reparameterized): `2 G` with `G ~ Gamma(k/2, 1)` from the batched
 * gamma sampler.
 *
 * @example
 * ```ts
 * const d = new tfd.Chi2({ df: [1, 4] });
 * d.mean();       // [1, 4]
 * d.cdf([1, 4]);
 * ```
 */
export class Chi2 extends Distribution {
  static override readonly parameterProperties = { df: { constraint: positive } };
  readonly df: tf.Tensor;

  constructor(args: Chi2Args) {
    const params = convertParams('Chi2', args, Chi2.parameterProperties);
    super({ ...args, className: 'Chi2', params, eventShape: [], reparameterized: false, support: nonNegativeLine });
    this.df = params.df.value;
  }


  /** The gamma concentration k/2. */
  private half(): tf.Tensor {
    return tf.mul(this.df, 0.5);
  }

  protected sampleN(n: number, seed?: number): tf.Tensor {
    return tf.mul(2, randomGammaBatched([n], tf.broadcastTo(this.half(), this.batchShape), seed));
  }

  protected override logProbFn(x: tf.Tensor): tf.Tensor {
    return gammaLogProb(this.half(), 0.5, x);
  }
  protected override cdfFn(x: tf.Tensor): tf.Tensor {
    const y = tf.mul(0.5, tf.relu(x));
    return igamma(tf.add(this.half(), tf.zerosLike(y)), y);
  }
  protected override survivalFn(x: tf.Tensor): tf.Tensor {
    const y = tf.mul(0.5, tf.relu(x));
    return igammac(tf.add(this.half(), tf.zerosLike(y)), y);
  }
  protected override logCdfFn(x: tf.Tensor): tf.Tensor {
    const y = tf.mul(0.5, tf.relu(x));
    return logIgamma(tf.add(this.half(), tf.zerosLike(y)), y);
  }
  protected override logSurvivalFn(x: tf.Tensor): tf.Tensor {
    const y = tf.mul(0.5, tf.relu(x));
    return logIgammac(tf.add(this.half(), tf.zerosLike(y)), y);
  }
  protected override quantileFn(p: tf.Tensor): tf.Tensor {
    return tf.mul(2, igammainv(tf.add(this.half(), tf.zerosLike(p)), p));
  }
  protected override meanFn(): tf.Tensor {
    return this.df;
  }
  protected override varianceFn(): tf.Tensor {
    return tf.mul(2, this.df);
  }
  protected override modeFn(): tf.Tensor {
    const m = tf.sub(this.df, 2);
    return tf.where(tf.greater(this.df, 2), m, tf.fill(m.shape, NaN));
  }
  protected override entropyFn(): tf.Tensor {
    return gammaEntropy(this.half(), 0.5);
  }
}

registerKL(Chi2, Chi2, (p, q) => gammaKL(p['half'](), 0.5, q['half'](), 0.5));
