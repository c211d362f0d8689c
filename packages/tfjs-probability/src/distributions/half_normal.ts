import * as tf from '@tensorflow/tfjs';
import { maskOf } from '../util.js';
import { Distribution, convertParams, type DistributionOptions, type TensorLike } from './distribution.js';
import { nonNegativeLine, positive } from './constraints.js';
import { registerKL } from './kl.js';
import { randomNormal } from '../math/random.js';
import { erfinv, log1p, logNdtr, ndtr } from '../math/special.js';

export interface HalfNormalArgs extends DistributionOptions {
  /** Scale σ > 0 (the scale of the normal that is folded), shape `[...B]`. */
  scale: TensorLike;
}

/**
 * The half-normal distribution: |Y| for Y ~ N(0, σ²), over x >= 0.
 *
 * Mathematical details: `p(x; σ) = √(2/π) / σ · exp(-x²/(2σ²))`,
 * `cdf(x) = erf(x/(σ√2)) = 1 - 2Φ(-x/σ)`, survival `2Φ(-x/σ)` (log survival
 * `log 2 + logΦ(-x/σ)`, accurate far out), quantile `σ√2 erfinv(p)`.
 * Mean `σ√(2/π)`, variance `σ²(1 - 2/π)`, mode 0, entropy `½ log(πσ²/2) + ½`.
 * Reparameterized: `x = σ|ε|`.
 *
 * @example
 * ```ts
 * const d = new tfd.HalfNormal({ scale: [1, 2] });
 * d.mean();          // [0.798, 1.596]
 * d.cdf([1, 1]);
 * ```
 */
/** Taylor coefficients of erf(y)/y in y²: 2/√π · (-1)^n / (n! (2n + 1)). */
const ERF_TAYLOR = Array.from({ length: 9 }, (_, n) => {
  let f = 1;
  for (let i = 2; i <= n; i++) f *= i;
  return ((n % 2 === 0 ? 1 : -1) * 2) / Math.sqrt(Math.PI) / (f * (2 * n + 1));
});

export class HalfNormal extends Distribution {
  static override readonly parameterProperties = { scale: { constraint: positive } };
  readonly scale: tf.Tensor;

  constructor(args: HalfNormalArgs) {
    const params = convertParams('HalfNormal', args, HalfNormal.parameterProperties);
    super({ ...args, className: 'HalfNormal', params, eventShape: [], reparameterized: true, support: nonNegativeLine });
    this.scale = params.scale.value;
  }


  protected sampleN(n: number, seed?: number): tf.Tensor {
    return tf.mul(tf.abs(randomNormal([n, ...this.batchShape], seed)), this.scale);
  }

  private z(x: tf.Tensor): tf.Tensor {
    return tf.div(tf.relu(x), this.scale);
  }
  protected override logProbFn(x: tf.Tensor): tf.Tensor {
    const z = tf.div(x, this.scale);
    const lp = tf.sub(tf.mul(-0.5, tf.square(z)), tf.sub(tf.log(this.scale), 0.5 * Math.log(2 / Math.PI)));
    return tf.where(tf.greaterEqual(x, 0), lp, tf.fill(lp.shape, -Infinity));
  }
  /** [small-z mask, erf(z/√2) by its Taylor series (z < ½), 2Φ(-z)] for the cdf forms below. */
  private cdfParts(x: tf.Tensor): [tf.Tensor, tf.Tensor, tf.Tensor] {
    const z = this.z(x);
    const small = maskOf((v) => tf.less(v, 0.5), z);
    const y = tf.mul(tf.where(small, z, tf.zerosLike(z)), Math.SQRT1_2);
    const y2 = tf.square(y);
    // erf(y) = 2/√π Σ (-1)^n y^(2n+1) / (n! (2n + 1)), 9 terms (y² <= 1/8)
    let sum: tf.Tensor = tf.fill(y.shape, ERF_TAYLOR[ERF_TAYLOR.length - 1]!);
    for (let i = ERF_TAYLOR.length - 2; i >= 0; i--) sum = tf.add(tf.mul(sum, y2), ERF_TAYLOR[i]!);
    return [small, tf.mul(y, sum), tf.mul(2, ndtr(tf.neg(z)))];
  }
  protected override cdfFn(x: tf.Tensor): tf.Tensor {
    // erf(z/√2): near 0 by the series (1 - 2Φ(-z) keeps nothing of HalfNormal(1).cdf(1e-7) = 8e-8)
    const [small, series, tail] = this.cdfParts(x);
    return tf.where(small, series, tf.sub(1, tail));
  }
  protected override logCdfFn(x: tf.Tensor): tf.Tensor {
    const [small, series, tail] = this.cdfParts(x);
    return tf.where(small, tf.log(series), log1p(tf.neg(tail)));
  }
  protected override survivalFn(x: tf.Tensor): tf.Tensor {
    return tf.mul(2, ndtr(tf.neg(this.z(x))));
  }
  protected override logSurvivalFn(x: tf.Tensor): tf.Tensor {
    return tf.add(logNdtr(tf.neg(this.z(x))), Math.LN2);
  }
  protected override quantileFn(p: tf.Tensor): tf.Tensor {
    return tf.mul(tf.mul(this.scale, Math.SQRT2), erfinv(p));
  }
  protected override meanFn(): tf.Tensor {
    return tf.mul(this.scale, Math.sqrt(2 / Math.PI));
  }
  protected override varianceFn(): tf.Tensor {
    return tf.mul(tf.square(this.scale), 1 - 2 / Math.PI);
  }
  protected override modeFn(): tf.Tensor {
    return tf.zerosLike(this.scale);
  }
  protected override entropyFn(): tf.Tensor {
    return tf.add(tf.log(this.scale), 0.5 * Math.log(Math.PI / 2) + 0.5);
  }
}

registerKL(HalfNormal, HalfNormal, (p, q) => {
  // log(σq/σp) + (σp² - σq²)/(2σq²)
  const r = tf.square(tf.div(p.scale, q.scale));
  return tf.mul(0.5, tf.sub(tf.sub(r, 1), tf.log(r)));
});
