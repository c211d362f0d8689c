import * as tf from '@tensorflow/tfjs';
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
  protected override cdfFn(x: tf.Tensor): tf.Tensor {
    return tf.sub(1, tf.mul(2, ndtr(tf.neg(this.z(x)))));
  }
  protected override logCdfFn(x: tf.Tensor): tf.Tensor {
    return log1p(tf.mul(-2, ndtr(tf.neg(this.z(x)))));
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
