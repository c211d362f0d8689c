import * as tf from '@tensorflow/tfjs';
import { maskOf } from '../util.js';
import { Distribution, convertParams, type DistributionOptions, type TensorLike } from './distribution.js';
import { nonNegativeLine, positive } from './constraints.js';
import { registerKL } from './kl.js';
import { randomUniform } from '../math/random.js';
import { FLOAT32_TINY } from '../math/sampler_kernels.js';
import { lgamma, log1mexp, log1p } from '../math/special.js';
import { xlogy } from './continuous_util.js';

const EULER_GAMMA = 0.5772156649015329;

export interface WeibullArgs extends DistributionOptions {
  /** Shape k > 0 ("concentration"), shape `[...B]`. */
  concentration: TensorLike;
  /** Scale λ > 0, shape `[...B]`. */
  scale: TensorLike;
}

/**
 * The Weibull distribution over x >= 0.
 *
 * Mathematical details: `p(x; k, λ) = (k/λ) (x/λ)^(k-1) exp(-(x/λ)^k)`;
 * `cdf = -expm1(-(x/λ)^k)`, `log survival = -(x/λ)^k`, quantile
 * `λ (-log1p(-p))^(1/k)`. Mean `λ Γ(1 + 1/k)`, variance `λ² (Γ(1 + 2/k) - Γ(1 + 1/k)²)`,
 * mode `λ ((k-1)/k)^(1/k)` for k > 1 else 0, entropy `γ(1 - 1/k) + log(λ/k) + 1`.
 * Reparameterized (inverse cdf of a uniform); draws that would underflow float32
 * are clamped to its smallest normal number, 1.18e-38.
 *
 * @example
 * ```ts
 * const d = new tfd.Weibull({ concentration: [0.5, 2], scale: 1 });
 * d.mean();   // [2, 0.886]
 * ```
 */
export class Weibull extends Distribution {
  static override readonly parameterProperties = { concentration: { constraint: positive }, scale: { constraint: positive } };
  readonly concentration: tf.Tensor;
  readonly scale: tf.Tensor;

  constructor(args: WeibullArgs) {
    const params = convertParams('Weibull', args, Weibull.parameterProperties);
    super({ ...args, className: 'Weibull', params, eventShape: [], reparameterized: true, support: nonNegativeLine });
    this.concentration = params.concentration.value;
    this.scale = params.scale.value;
  }


  protected sampleN(n: number, seed?: number): tf.Tensor {
    // Draws below float32's smallest normal number are clamped to it (as for Gamma): at k = 0.05 about
    // 1.3% of the exact draws are below it and would otherwise be exactly 0.
    return tf.maximum(this.quantileFn(randomUniform([n, ...this.batchShape], seed)), FLOAT32_TINY);
  }

  /** (x/λ)^k for x >= 0 (0 below). */
  private zk(x: tf.Tensor): tf.Tensor {
    const z = tf.div(tf.relu(x), this.scale);
    return tf.exp(xlogy(this.concentration, z));
  }
  protected override logProbFn(x: tf.Tensor): tf.Tensor {
    const k = this.concentration;
    const inSupport = tf.greaterEqual(x, 0);
    const z = tf.div(tf.where(inSupport, x, tf.onesLike(x)), this.scale);
    const lp = tf.sub(
      tf.add(tf.sub(tf.log(k), tf.log(this.scale)), xlogy(tf.sub(k, 1), z)),
      tf.exp(tf.mul(k, tf.log(z))),
    );
    return tf.where(inSupport, lp, tf.fill(lp.shape, -Infinity));
  }
  protected override cdfFn(x: tf.Tensor): tf.Tensor {
    return tf.neg(tf.expm1(tf.neg(this.zk(x))));
  }
  protected override logCdfFn(x: tf.Tensor): tf.Tensor {
    // log(1 - e^(-u)), u = (x/λ)^k; for u < 1e-3 as log u - u/2 + u²/24 with log u = k log(x/λ), finite
    // where u itself underflows (Weibull(50, 1).logCdf(1e-6) = -690.8).
    const logU = xlogy(this.concentration, tf.div(tf.relu(x), this.scale));
    const small = maskOf((v) => tf.less(v, Math.log(1e-3)), logU);
    const u = tf.exp(logU);
    const series = tf.add(logU, tf.mul(u, tf.add(-0.5, tf.div(u, 24))));
    const direct = log1mexp(tf.where(small, tf.onesLike(u), u));
    return tf.where(small, series, direct);
  }
  protected override survivalFn(x: tf.Tensor): tf.Tensor {
    return tf.exp(tf.neg(this.zk(x)));
  }
  protected override logSurvivalFn(x: tf.Tensor): tf.Tensor {
    return tf.neg(this.zk(x));
  }
  protected override quantileFn(p: tf.Tensor): tf.Tensor {
    const e = tf.neg(log1p(tf.neg(p)));
    return tf.mul(this.scale, tf.pow(e, tf.reciprocal(this.concentration)));
  }
  protected override meanFn(): tf.Tensor {
    return tf.mul(this.scale, tf.exp(lgamma(tf.add(1, tf.reciprocal(this.concentration)))));
  }
  protected override varianceFn(): tf.Tensor {
    const k = this.concentration;
    const g1 = tf.exp(lgamma(tf.add(1, tf.reciprocal(k))));
    const g2 = tf.exp(lgamma(tf.add(1, tf.div(2, k))));
    return tf.mul(tf.square(this.scale), tf.sub(g2, tf.square(g1)));
  }
  protected override modeFn(): tf.Tensor {
    const k = this.concentration;
    const m = tf.mul(this.scale, tf.pow(tf.div(tf.relu(tf.sub(k, 1)), k), tf.reciprocal(k)));
    return tf.where(tf.greater(k, 1), m, tf.zerosLike(m));
  }
  protected override entropyFn(): tf.Tensor {
    const k = this.concentration;
    return tf.add(tf.mul(EULER_GAMMA, tf.sub(1, tf.reciprocal(k))), tf.add(tf.log(tf.div(this.scale, k)), 1));
  }
}

registerKL(Weibull, Weibull, (p, q) => {
  // log(k1/λ1^k1) - log(k2/λ2^k2) + (k1 - k2)(log λ1 - γ/k1) + (λ1/λ2)^k2 Γ(k2/k1 + 1) - 1
  const k1 = p.concentration;
  const k2 = q.concentration;
  const l1 = tf.log(p.scale);
  const l2 = tf.log(q.scale);
  const a = tf.sub(tf.sub(tf.log(k1), tf.mul(k1, l1)), tf.sub(tf.log(k2), tf.mul(k2, l2)));
  const b = tf.mul(tf.sub(k1, k2), tf.sub(l1, tf.div(EULER_GAMMA, k1)));
  const c = tf.exp(tf.add(tf.mul(k2, tf.sub(l1, l2)), lgamma(tf.add(tf.div(k2, k1), 1))));
  return tf.sub(tf.add(tf.add(a, b), c), 1);
});
