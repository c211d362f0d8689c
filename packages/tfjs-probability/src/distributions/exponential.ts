import * as tf from '@tensorflow/tfjs';
import { Distribution, convertParams, type DistributionOptions, type TensorLike } from './distribution.js';
import { nonNegativeLine, positive } from './constraints.js';
import { registerKL } from './kl.js';
import { randomUniform } from '../math/random.js';
import { log1mexp, log1p } from '../math/special.js';

export interface ExponentialArgs extends DistributionOptions {
  /** Rate λ > 0 (inverse mean), shape `[...B]`. */
  rate: TensorLike;
}

/**
 * The exponential distribution over x >= 0.
 *
 * Mathematical details: `p(x; λ) = λ e^(-λx)`, `cdf(x) = 1 - e^(-λx)` (as
 * `-expm1(-λx)`, accurate near 0), `log survival = -λx`, quantile
 * `-log1p(-p)/λ`. Mean 1/λ, variance 1/λ², mode 0, entropy `1 - log λ`.
 * Reparameterized: `x = -log(u)/λ`.
 *
 * @example
 * ```ts
 * const d = new tfd.Exponential({ rate: [1, 4] });
 * d.sample([3], { seed: 1 }).shape;   // [3, 2]
 * d.quantile(0.5);                     // [ln 2, ln 2 / 4]
 * ```
 */
export class Exponential extends Distribution {
  static override readonly parameterProperties = { rate: { constraint: positive } };
  readonly rate: tf.Tensor;

  constructor(args: ExponentialArgs) {
    const params = convertParams('Exponential', args, Exponential.parameterProperties);
    super({ ...args, className: 'Exponential', params, eventShape: [], reparameterized: true, support: nonNegativeLine });
    this.rate = params.rate.value;
  }


  protected sampleN(n: number, seed?: number): tf.Tensor {
    return tf.div(tf.neg(tf.log(randomUniform([n, ...this.batchShape], seed))), this.rate);
  }

  private rx(x: tf.Tensor): tf.Tensor {
    return tf.mul(this.rate, tf.relu(x));
  }
  protected override logProbFn(x: tf.Tensor): tf.Tensor {
    const lp = tf.sub(tf.log(this.rate), tf.mul(this.rate, x));
    return tf.where(tf.greaterEqual(x, 0), lp, tf.fill(lp.shape, -Infinity));
  }
  protected override cdfFn(x: tf.Tensor): tf.Tensor {
    return tf.neg(tf.expm1(tf.neg(this.rx(x))));
  }
  protected override logCdfFn(x: tf.Tensor): tf.Tensor {
    return log1mexp(this.rx(x));
  }
  protected override survivalFn(x: tf.Tensor): tf.Tensor {
    return tf.exp(tf.neg(this.rx(x)));
  }
  protected override logSurvivalFn(x: tf.Tensor): tf.Tensor {
    return tf.neg(this.rx(x));
  }
  protected override quantileFn(p: tf.Tensor): tf.Tensor {
    return tf.div(tf.neg(log1p(tf.neg(p))), this.rate);
  }
  protected override meanFn(): tf.Tensor {
    return tf.reciprocal(this.rate);
  }
  protected override varianceFn(): tf.Tensor {
    return tf.reciprocal(tf.square(this.rate));
  }
  protected override modeFn(): tf.Tensor {
    return tf.zerosLike(this.rate);
  }
  protected override entropyFn(): tf.Tensor {
    return tf.sub(1, tf.log(this.rate));
  }
}

registerKL(Exponential, Exponential, (p, q) => {
  // log(λp/λq) + λq/λp - 1
  const r = tf.div(q.rate, p.rate);
  return tf.sub(tf.sub(r, tf.log(r)), 1);
});
