import * as tf from '@tensorflow/tfjs';
import { log1p } from '../math/special.js';
import type { DistributionOptions, TensorLike } from './distribution.js';
import { aboveLoc } from './event_space.js';
import { LocationScaleByInversion } from './location_scale.js';

export interface HalfCauchyArgs extends DistributionOptions {
  /** Location μ: the lower end of the support, shape `[...B]`. */
  loc: TensorLike;
  /** Scale γ > 0, shape `[...B]`. */
  scale: TensorLike;
}

/**
 * The half-Cauchy distribution: a Cauchy folded at its location, over x ≥ μ, a common
 * prior for scale parameters (eight schools' τ).
 *
 * Mathematical details: `p(x; μ, γ) = 2 / (πγ (1 + z²))` for `x ≥ μ`, `z = (x - μ)/γ` (−∞
 * below μ); `cdf(x) = (2/π) atan(z)`, survival `(2/π) atan(1/z)`, quantile `μ + γ tan(πp/2)`.
 * Mean and variance are infinite: NaN (as Cauchy); mode μ; entropy `log(2πγ)`.
 * Reparameterized (by inversion). Event space: `μ + softplus(u)`.
 *
 * @example
 * ```ts
 * const d = new tfd.HalfCauchy({ loc: 0, scale: 5 });
 * d.logProb([0, 5]);   // [log(2/(5π)), log(1/(5π))]
 * d.quantile(0.5);     // 5
 * ```
 */
export class HalfCauchy extends LocationScaleByInversion {
  static override readonly eventSpace = aboveLoc;

  constructor(args: HalfCauchyArgs) {
    super('HalfCauchy', args);
  }

  protected override logProbFn(x: tf.Tensor): tf.Tensor {
    const z = this.z(x);
    const lp = tf.sub(Math.log(2 / Math.PI), tf.add(log1p(tf.square(z)), tf.log(this.scale)));
    return tf.where(tf.greaterEqual(z, 0), lp, tf.fill(lp.shape, -Infinity));
  }
  protected override cdfFn(x: tf.Tensor): tf.Tensor {
    return tf.mul(2 / Math.PI, tf.atan(tf.relu(this.z(x))));
  }
  protected override survivalFn(x: tf.Tensor): tf.Tensor {
    // (2/π) atan(1/z) for z ≥ 1 keeps the far tail; 1 - (2/π) atan(z) near the origin.
    const z = tf.relu(this.z(x));
    const big = tf.greaterEqual(z, 1);
    const tail = tf.mul(2 / Math.PI, tf.atan(tf.div(1, tf.where(big, z, tf.onesLike(z)))));
    return tf.where(big, tail, tf.sub(1, tf.mul(2 / Math.PI, tf.atan(z))));
  }
  protected override logSurvivalFn(x: tf.Tensor): tf.Tensor {
    return tf.log(this.survivalFn(x));
  }
  protected override quantileFn(p: tf.Tensor): tf.Tensor {
    return tf.add(this.loc, tf.mul(this.scale, tf.tan(tf.mul(Math.PI / 2, p))));
  }
  protected override meanFn(): tf.Tensor {
    return tf.fill(this.batchShape, NaN);
  }
  protected override varianceFn(): tf.Tensor {
    return tf.fill(this.batchShape, NaN);
  }
  protected override modeFn(): tf.Tensor {
    return tf.add(this.loc, tf.zerosLike(this.scale));
  }
  protected override entropyFn(): tf.Tensor {
    return tf.add(tf.log(this.scale), Math.log(2 * Math.PI));
  }
}
