import * as tf from '@tensorflow/tfjs';
import { positiveByExp } from './event_space.js';
import { Distribution, convertParams, type DistributionOptions, type TensorLike } from './distribution.js';
import { nonNegativeLine, positive, real } from './constraints.js';
import { registerKL } from './kl.js';
import { randomNormal } from '../math/random.js';
import { logNdtr, ndtr, ndtri } from '../math/special.js';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

export interface LogNormalArgs extends DistributionOptions {
  /** Mean μ of log X, shape `[...B]`. */
  loc: TensorLike;
  /** Standard deviation σ > 0 of log X, shape `[...B]`. */
  scale: TensorLike;
}

/**
 * The log-normal distribution: X = exp(Y) with Y ~ Normal(μ, σ).
 *
 * Mathematical details: `p(x; μ, σ) = exp(-½ ((log x - μ)/σ)²) / (x σ √(2π))`
 * for x > 0 (log density -Infinity for x <= 0); `cdf(x) = Φ((log x - μ)/σ)`, with
 * logCdf and survivalFunction through log Φ and Φ(-z) so both tails keep their
 * relative accuracy; `quantile(p) = exp(μ + σ Φ⁻¹(p))`.
 * Reparameterized: `x = exp(μ + σ ε)` with `ε ~ N(0, 1)`.
 *
 * Support: x >= 0. Without `validateArgs`, values outside it are not checked: `logProb` is -Infinity and `cdf` 0 for x <= 0.
 * With `validateArgs: true`, `logProb`, `prob`, `cdf`, `logCdf`, `survivalFunction` and
 * `logSurvivalFunction` throw an `InvalidArgumentError` naming the first value outside (a read-back).
 *
 * @example
 * ```ts
 * const d = new tfd.LogNormal({ loc: [0, 1], scale: [0.5, 1] });
 * d.sample([5], { seed: 1 }).shape;   // [5, 2]
 * d.cdf([1, 1]);                       // [0.5, 0.159]
 * ```
 */
export class LogNormal extends Distribution {
  static override readonly parameterProperties = { loc: { constraint: real }, scale: { constraint: positive } };
  static override readonly eventSpace = positiveByExp;
  readonly loc: tf.Tensor;
  readonly scale: tf.Tensor;

  constructor(args: LogNormalArgs) {
    const params = convertParams('LogNormal', args, LogNormal.parameterProperties);
    super({ ...args, className: 'LogNormal', params, eventShape: [], reparameterized: true, support: nonNegativeLine });
    this.loc = params.loc.value;
    this.scale = params.scale.value;
  }

  protected sampleN(n: number, seed?: number): tf.Tensor {
    const eps = randomNormal([n, ...this.batchShape], seed);
    return tf.exp(tf.add(tf.mul(eps, this.scale), this.loc));
  }

  /** (log x - μ)/σ, with x <= 0 mapped to -Infinity. */
  private z(x: tf.Tensor): tf.Tensor {
    const pos = tf.greaterEqual(tf.neg(x), 0); // x <= 0, written with the comparison that has a gradient
    const logX = tf.log(tf.where(pos, tf.onesLike(x), x));
    const z = tf.div(tf.sub(logX, this.loc), this.scale);
    return tf.where(pos, tf.fill(z.shape, -Infinity), z);
  }

  protected override logProbFn(x: tf.Tensor): tf.Tensor {
    const nonPos = tf.greaterEqual(tf.neg(x), 0);
    const safeX = tf.where(nonPos, tf.onesLike(x), x);
    const logX = tf.log(safeX);
    const z = tf.div(tf.sub(logX, this.loc), this.scale);
    const lp = tf.sub(tf.mul(-0.5, tf.square(z)), tf.add(tf.add(tf.log(this.scale), HALF_LOG_2PI), logX));
    return tf.where(nonPos, tf.fill(lp.shape, -Infinity), lp);
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
    return tf.exp(tf.add(this.loc, tf.mul(this.scale, ndtri(p))));
  }
  protected override meanFn(): tf.Tensor {
    return tf.exp(tf.add(this.loc, tf.mul(0.5, tf.square(this.scale))));
  }
  protected override modeFn(): tf.Tensor {
    return tf.exp(tf.sub(this.loc, tf.square(this.scale)));
  }
  protected override varianceFn(): tf.Tensor {
    // (exp(σ²) - 1) exp(2μ + σ²), with expm1 for small σ
    const s2 = tf.square(this.scale);
    return tf.mul(tf.expm1(s2), tf.exp(tf.add(tf.mul(2, this.loc), s2)));
  }
  protected override entropyFn(): tf.Tensor {
    return tf.add(tf.add(tf.log(this.scale), this.loc), 0.5 + HALF_LOG_2PI);
  }
}

registerKL(LogNormal, LogNormal, (p, q) => {
  // KL is invariant under the bijection exp: the Normal/Normal formula on (loc, scale).
  const ratio = tf.square(tf.div(p.scale, q.scale));
  const diff = tf.square(tf.div(tf.sub(p.loc, q.loc), q.scale));
  return tf.mul(0.5, tf.sub(tf.add(ratio, diff), tf.add(1, tf.log(ratio))));
});
