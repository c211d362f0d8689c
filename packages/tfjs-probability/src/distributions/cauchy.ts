import * as tf from '@tensorflow/tfjs';
import { maskOf } from '../util.js';
import type { DistributionOptions, TensorLike } from './distribution.js';
import { LocationScaleByInversion } from './location_scale.js';
import { log1p } from '../math/special.js';

export interface CauchyArgs extends DistributionOptions {
  /** Location μ (median and mode), shape `[...B]`. */
  loc: TensorLike;
  /** Scale γ > 0 (half width at half maximum), shape `[...B]`. */
  scale: TensorLike;
}

/**
 * The Cauchy (Lorentz) distribution.
 *
 * Mathematical details: `p(x; μ, γ) = 1 / (πγ (1 + z²))` with `z = (x - μ)/γ`;
 * `cdf(x) = ½ + atan(z)/π` (the tails as `atan(1/|z|)/π`, no cancellation),
 * quantile `μ + γ tan(π(p - ½))` (as `∓1/tan(π min(p, 1-p))`). Mean and variance are undefined: NaN (TFP's
 * `allow_nan_stats`); mode μ, entropy `log(4πγ)`. Reparameterized.
 *
 * @example
 * ```ts
 * const d = new tfd.Cauchy({ loc: 0, scale: [1, 2] });
 * d.quantile(0.75);   // [1, 2]
 * ```
 */
export class Cauchy extends LocationScaleByInversion {
  constructor(args: CauchyArgs) {
    super('Cauchy', args);
  }

  protected override logProbFn(x: tf.Tensor): tf.Tensor {
    // log(1 + z²), for |z| > 1e4 as 2 log|z| + log1p(1/z²) (z² overflows at |z| = 1.8e19)
    const z = this.z(x);
    const far = maskOf((v) => tf.greater(tf.abs(v), 1e4), z);
    const zf = tf.where(far, z, tf.fill(z.shape, 1e4));
    const farL = tf.add(tf.mul(2, tf.log(tf.abs(zf))), log1p(tf.reciprocal(tf.square(zf))));
    const nearL = log1p(tf.square(tf.where(far, tf.zerosLike(z), z)));
    return tf.neg(tf.add(tf.where(far, farL, nearL), tf.add(tf.log(this.scale), Math.log(Math.PI))));
  }
  /** P(Z > z) for the standard Cauchy: atan(1/z)/π for z > 0 (accurate tail), ½ - atan(z)/π otherwise. */
  private upper(z: tf.Tensor): tf.Tensor {
    const pos = tf.greaterEqual(z, 1);
    const tail = tf.div(tf.atan(tf.div(1, tf.where(pos, z, tf.onesLike(z)))), Math.PI);
    const mid = tf.sub(0.5, tf.div(tf.atan(z), Math.PI));
    return tf.where(pos, tail, mid);
  }
  protected override cdfFn(x: tf.Tensor): tf.Tensor {
    return this.upper(tf.neg(this.z(x)));
  }
  protected override survivalFn(x: tf.Tensor): tf.Tensor {
    return this.upper(this.z(x));
  }
  protected override logSurvivalFn(x: tf.Tensor): tf.Tensor {
    return tf.log(this.survivalFn(x));
  }
  protected override quantileFn(p: tf.Tensor): tf.Tensor {
    // tan(π(p - ½)) = -1/tan(πp), from the nearer end (p - ½ would lose a small p in float32).
    const lower = tf.less(p, 0.5);
    const t = tf.tan(tf.mul(Math.PI, tf.where(lower, p, tf.sub(1, p))));
    const z = tf.where(lower, tf.neg(tf.reciprocal(t)), tf.reciprocal(t));
    return tf.add(this.loc, tf.mul(this.scale, z));
  }
  protected override meanFn(): tf.Tensor {
    return tf.fill(this.batchShape, NaN);
  }
  protected override varianceFn(): tf.Tensor {
    return this.meanFn();
  }
  protected override modeFn(): tf.Tensor {
    return tf.add(this.loc, tf.zerosLike(this.scale));
  }
  protected override entropyFn(): tf.Tensor {
    return tf.add(tf.log(this.scale), Math.log(4 * Math.PI));
  }
}
