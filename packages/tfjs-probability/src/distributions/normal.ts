import * as tf from '@tensorflow/tfjs';
import { Distribution, convertParams, type DistributionOptions, type TensorLike } from './distribution.js';
import { realLine, positive, real } from './constraints.js';
import { registerKL } from './kl.js';
import { randomNormal } from '../math/random.js';
import { logNdtr, ndtr, ndtri } from '../math/special.js';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

export interface NormalArgs extends DistributionOptions {
  /** Mean μ, shape `[...B]`. */
  loc: TensorLike;
  /** Standard deviation σ > 0, shape `[...B]`. */
  scale: TensorLike;
}

/**
 * The univariate normal (Gaussian) distribution.
 *
 * Mathematical details: `p(x; μ, σ) = exp(-½ ((x - μ)/σ)²) / (σ √(2π))`.
 * Reparameterized: `x = μ + σ ε` with `ε ~ N(0, 1)`.
 *
 * Support: the real line. Without `validateArgs`, values outside it are not checked: NaN gives NaN.
 * With `validateArgs: true`, `logProb`, `prob`, `cdf`, `logCdf`, `survivalFunction` and
 * `logSurvivalFunction` throw an `InvalidArgumentError` naming the first value outside (a read-back).
 *
 * @example
 * ```ts
 * const d = new tfd.Normal({ loc: [0, 1], scale: [1, 2] });
 * d.sample([5], { seed: 1 }).shape;   // [5, 2]
 * d.logProb([0.5, 0.5]);               // shape [2]
 * ```
 */
export class Normal extends Distribution {
  static override readonly parameterProperties = { loc: { constraint: real }, scale: { constraint: positive } };
  readonly loc: tf.Tensor;
  readonly scale: tf.Tensor;

  constructor(args: NormalArgs) {
    const params = convertParams('Normal', args, Normal.parameterProperties);
    super({ ...args, className: 'Normal', params, eventShape: [], reparameterized: true, support: realLine });
    this.loc = params.loc.value;
    this.scale = params.scale.value;
  }

  protected sampleN(n: number, seed?: number): tf.Tensor {
    const eps = randomNormal([n, ...this.batchShape], seed);
    return tf.add(tf.mul(eps, this.scale), this.loc);
  }

  private z(x: tf.Tensor): tf.Tensor {
    return tf.div(tf.sub(x, this.loc), this.scale);
  }

  protected override logProbFn(x: tf.Tensor): tf.Tensor {
    return tf.sub(tf.mul(-0.5, tf.square(this.z(x))), tf.add(tf.log(this.scale), HALF_LOG_2PI));
  }
  protected override cdfFn(x: tf.Tensor): tf.Tensor {
    return ndtr(this.z(x));
  }
  protected override logCdfFn(x: tf.Tensor): tf.Tensor {
    return logNdtr(this.z(x));
  }
  protected override survivalFn(x: tf.Tensor): tf.Tensor {
    return ndtr(tf.neg(this.z(x)));
  }
  protected override logSurvivalFn(x: tf.Tensor): tf.Tensor {
    return logNdtr(tf.neg(this.z(x)));
  }
  protected override quantileFn(p: tf.Tensor): tf.Tensor {
    // ndtri is accurate in both tails (p down to 1e-37), unlike √2 erfinv(2p - 1).
    return tf.add(this.loc, tf.mul(this.scale, ndtri(p)));
  }
  protected override meanFn(): tf.Tensor {
    return tf.add(this.loc, tf.zerosLike(this.scale));
  }
  protected override modeFn(): tf.Tensor {
    return this.meanFn();
  }
  protected override stddevFn(): tf.Tensor {
    return tf.add(this.scale, tf.zerosLike(this.loc));
  }
  protected override entropyFn(): tf.Tensor {
    return tf.add(tf.log(this.scale), 0.5 + HALF_LOG_2PI);
  }
}

registerKL(Normal, Normal, (p, q) => {
  // KL = log(σq/σp) + (σp² + (μp-μq)²)/(2σq²) - ½
  const ratio = tf.square(tf.div(p.scale, q.scale));
  const diff = tf.square(tf.div(tf.sub(p.loc, q.loc), q.scale));
  return tf.mul(0.5, tf.sub(tf.add(ratio, diff), tf.add(1, tf.log(ratio))));
});
