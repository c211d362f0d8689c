import * as tf from '@tensorflow/tfjs';
import type { DistributionOptions, TensorLike } from './distribution.js';
import { LocationScaleByInversion } from './location_scale.js';
import { log1p } from '../math/special.js';

export interface LogisticArgs extends DistributionOptions {
  /** Location μ (mean, median, mode), shape `[...B]`. */
  loc: TensorLike;
  /** Scale s > 0, shape `[...B]`; the standard deviation is sπ/√3. */
  scale: TensorLike;
}

/**
 * The logistic distribution.
 *
 * Mathematical details: with `z = (x - μ)/s`, `p(x) = e^(-z) / (s (1 + e^(-z))²)`,
 * `log p = -z - 2 softplus(-z) - log s`; `cdf = sigmoid(z)`, `log cdf = -softplus(-z)`,
 * `log survival = -softplus(z)`, quantile `μ + s (log p - log1p(-p))`.
 * Mean and mode μ, variance `s²π²/3`, entropy `log s + 2`. Reparameterized.
 *
 * @example
 * ```ts
 * const d = new tfd.Logistic({ loc: [0, 1], scale: [1, 0.5] });
 * d.cdf([0, 1]);   // [0.5, 0.5]
 * ```
 */
export class Logistic extends LocationScaleByInversion {
  constructor(args: LogisticArgs) {
    super('Logistic', args);
  }

  protected override logProbFn(x: tf.Tensor): tf.Tensor {
    const z = this.z(x);
    return tf.sub(tf.sub(tf.neg(z), tf.mul(2, tf.softplus(tf.neg(z)))), tf.log(this.scale));
  }
  protected override cdfFn(x: tf.Tensor): tf.Tensor {
    return tf.sigmoid(this.z(x));
  }
  protected override logCdfFn(x: tf.Tensor): tf.Tensor {
    return tf.neg(tf.softplus(tf.neg(this.z(x))));
  }
  protected override survivalFn(x: tf.Tensor): tf.Tensor {
    return tf.sigmoid(tf.neg(this.z(x)));
  }
  protected override logSurvivalFn(x: tf.Tensor): tf.Tensor {
    return tf.neg(tf.softplus(this.z(x)));
  }
  protected override quantileFn(p: tf.Tensor): tf.Tensor {
    return tf.add(this.loc, tf.mul(this.scale, tf.sub(tf.log(p), log1p(tf.neg(p)))));
  }
  protected override meanFn(): tf.Tensor {
    return tf.add(this.loc, tf.zerosLike(this.scale));
  }
  protected override modeFn(): tf.Tensor {
    return this.meanFn();
  }
  protected override varianceFn(): tf.Tensor {
    return tf.add(tf.mul(tf.square(this.scale), (Math.PI * Math.PI) / 3), tf.zerosLike(this.loc));
  }
  protected override entropyFn(): tf.Tensor {
    return tf.add(tf.log(this.scale), tf.add(2, tf.zerosLike(this.loc)));
  }
}
