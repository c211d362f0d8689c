import * as tf from '@tensorflow/tfjs';
import { intervalBetween } from './event_space.js';
import { Distribution, checkLowBelowHigh, convertParams, type DistributionOptions, type TensorLike } from './distribution.js';
import { real, realLine } from './constraints.js';
import { registerKL } from './kl.js';
import { randomUniform } from '../math/random.js';
import { maskOf } from '../util.js';

export interface UniformArgs extends DistributionOptions {
  /** Lower bound a, shape `[...B]`. */
  low: TensorLike;
  /** Upper bound b > a, shape `[...B]`. */
  high: TensorLike;
}

/**
 * The continuous uniform distribution on [low, high).
 *
 * Mathematical details: `p(x) = 1/(b - a)` on [a, b] (0 outside, log-density −∞),
 * `cdf(x) = clip((x - a)/(b - a), 0, 1)`, quantile `a + p (b - a)`. Mean
 * `(a + b)/2`, variance `(b - a)²/12`, entropy `log(b - a)`; no mode (every point
 * of the interval is one: NotImplementedError, as TFP). Reparameterized:
 * `x = a + u (b - a)`. Under `validateArgs` the constructor checks `low < high`.
 *
 * @example
 * ```ts
 * const d = new tfd.Uniform({ low: [0, -1], high: [1, 3] });
 * d.sample([2], { seed: 1 }).shape;   // [2, 2]
 * d.logProb([0.5, 0]);                 // [0, -log 4]
 * ```
 */
export class Uniform extends Distribution {
  static override readonly parameterProperties = { low: { constraint: real }, high: { constraint: real } };
  static override readonly eventSpace = intervalBetween('low', 'high');
  readonly low: tf.Tensor;
  readonly high: tf.Tensor;

  constructor(args: UniformArgs) {
    const params = convertParams('Uniform', args, Uniform.parameterProperties);
    const low = params.low.value;
    const high = params.high.value;
    super({ ...args, className: 'Uniform', params, eventShape: [], reparameterized: true, support: realLine });
    this.low = low;
    this.high = high;
    checkLowBelowHigh(this, 'Uniform', low, high);
  }

  private range(): tf.Tensor {
    return tf.sub(this.high, this.low);
  }

  protected sampleN(n: number, seed?: number): tf.Tensor {
    return tf.add(this.low, tf.mul(randomUniform([n, ...this.batchShape], seed), this.range()));
  }

  protected override logProbFn(x: tf.Tensor): tf.Tensor {
    const lp = tf.neg(tf.log(this.range()));
    const inside = maskOf((v, lo, hi) => tf.logicalAnd(tf.greaterEqual(v, lo), tf.greaterEqual(hi, v)), x, this.low, this.high);
    return tf.where(inside, tf.add(lp, tf.zerosLike(x)), tf.fill(inside.shape, -Infinity));
  }
  protected override cdfFn(x: tf.Tensor): tf.Tensor {
    return tf.clipByValue(tf.div(tf.sub(x, this.low), this.range()), 0, 1);
  }
  protected override survivalFn(x: tf.Tensor): tf.Tensor {
    return tf.clipByValue(tf.div(tf.sub(this.high, x), this.range()), 0, 1);
  }
  protected override quantileFn(p: tf.Tensor): tf.Tensor {
    return tf.add(this.low, tf.mul(p, this.range()));
  }
  protected override meanFn(): tf.Tensor {
    return tf.mul(0.5, tf.add(this.low, this.high));
  }
  protected override varianceFn(): tf.Tensor {
    return tf.div(tf.square(this.range()), 12);
  }
  protected override entropyFn(): tf.Tensor {
    return tf.log(this.range());
  }
}

registerKL(Uniform, Uniform, (p, q) => {
  // log((bq - aq)/(bp - ap)) when [ap, bp] ⊆ [aq, bq], else +∞.
  const kl = tf.sub(tf.log(q['range']()), tf.log(p['range']()));
  const inside = tf.logicalAnd(tf.greaterEqual(p.low, q.low), tf.greaterEqual(q.high, p.high));
  return tf.where(inside, kl, tf.fill(kl.shape, Infinity));
});
