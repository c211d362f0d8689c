import * as tf from '@tensorflow/tfjs';
import { maskOf } from '../util.js';
import type { DistributionOptions, TensorLike } from './distribution.js';
import { LocationScaleByInversion } from './location_scale.js';
import { registerKL } from './kl.js';
import { lgamma, log1mexp } from '../math/special.js';

const EULER_GAMMA = 0.5772156649015329;

export interface GumbelArgs extends DistributionOptions {
  /** Location μ (the mode), shape `[...B]`. */
  loc: TensorLike;
  /** Scale β > 0, shape `[...B]`. */
  scale: TensorLike;
}

/**
 * The Gumbel (type I extreme value, maximum) distribution.
 *
 * Mathematical details: with `z = (x - μ)/β`, `p(x) = exp(-(z + e^(-z))) / β`,
 * `cdf = exp(-e^(-z))` (`log cdf = -e^(-z)`), survival `-expm1(-e^(-z))`,
 * quantile `μ - β log(-log p)`. Mean `μ + βγ` (γ the Euler–Mascheroni constant),
 * variance `π²β²/6`, mode μ, entropy `log β + γ + 1`. Reparameterized.
 *
 * @example
 * ```ts
 * const d = new tfd.Gumbel({ loc: 0, scale: [1, 2] });
 * d.mean();   // [0.5772, 1.1544]
 * ```
 */
export class Gumbel extends LocationScaleByInversion {
  constructor(args: GumbelArgs) {
    super('Gumbel', args);
  }

  protected override logProbFn(x: tf.Tensor): tf.Tensor {
    const z = this.z(x);
    return tf.sub(tf.neg(tf.add(z, tf.exp(tf.neg(z)))), tf.log(this.scale));
  }
  protected override logCdfFn(x: tf.Tensor): tf.Tensor {
    return tf.neg(tf.exp(tf.neg(this.z(x))));
  }
  protected override cdfFn(x: tf.Tensor): tf.Tensor {
    return tf.exp(this.logCdfFn(x));
  }
  protected override survivalFn(x: tf.Tensor): tf.Tensor {
    return tf.neg(tf.expm1(this.logCdfFn(x)));
  }
  protected override logSurvivalFn(x: tf.Tensor): tf.Tensor {
    // log(1 - exp(-t)), t = e^(-z); for z > 10 as -z - t/2 + t²/24 (finite where t underflows).
    const z = this.z(x);
    const far = maskOf((v) => tf.greater(v, 10), z);
    const t = tf.exp(tf.neg(z));
    const series = tf.sub(tf.neg(z), tf.mul(t, tf.sub(0.5, tf.div(t, 24))));
    return tf.where(far, series, log1mexp(tf.neg(tf.where(far, tf.onesLike(t), t))));
  }
  protected override quantileFn(p: tf.Tensor): tf.Tensor {
    return tf.sub(this.loc, tf.mul(this.scale, tf.log(tf.neg(tf.log(p)))));
  }
  protected override meanFn(): tf.Tensor {
    return tf.add(this.loc, tf.mul(this.scale, EULER_GAMMA));
  }
  protected override modeFn(): tf.Tensor {
    return tf.add(this.loc, tf.zerosLike(this.scale));
  }
  protected override varianceFn(): tf.Tensor {
    return tf.add(tf.mul(tf.square(this.scale), (Math.PI * Math.PI) / 6), tf.zerosLike(this.loc));
  }
  protected override entropyFn(): tf.Tensor {
    return tf.add(tf.log(this.scale), tf.add(EULER_GAMMA + 1, tf.zerosLike(this.loc)));
  }
}

registerKL(Gumbel, Gumbel, (p, q) => {
  // log(βq/βp) + γ(βp/βq - 1) + expm1((μq - μp)/βq + lgamma(βp/βq + 1)) + (μp - μq)/βq   (TFP's _kl_gumbel_gumbel)
  const r = tf.div(p.scale, q.scale);
  const d = tf.div(tf.sub(p.loc, q.loc), q.scale);
  return tf.add(
    tf.add(tf.neg(tf.log(r)), tf.mul(EULER_GAMMA, tf.sub(r, 1))),
    tf.add(tf.expm1(tf.add(tf.neg(d), lgamma(tf.add(r, 1)))), d),
  );
});
