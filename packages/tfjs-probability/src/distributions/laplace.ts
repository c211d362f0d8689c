import * as tf from '@tensorflow/tfjs';
import { Distribution, convertParams, type DistributionOptions, type TensorLike } from './distribution.js';
import { realLine, positive, real } from './constraints.js';
import { registerKL } from './kl.js';
import { randomUniform } from '../math/random.js';
import { log1p } from './continuous_util.js';

export interface LaplaceArgs extends DistributionOptions {
  /** Location μ (mean, median and mode), shape `[...B]`. */
  loc: TensorLike;
  /** Scale b > 0, shape `[...B]`; the standard deviation is b√2. */
  scale: TensorLike;
}

/**
 * The Laplace (double exponential) distribution.
 *
 * Mathematical details: `p(x; μ, b) = exp(-|x - μ| / b) / (2b)`, with
 * `cdf(x) = ½ exp(z)` for `z = (x - μ)/b < 0` and `1 - ½ exp(-z)` otherwise.
 * The cdf, log cdf, survival function and quantile are evaluated in the form
 * that keeps relative accuracy in each tail.
 * Reparameterized: `x = μ - b · sign(u) · log1p(-|u|)` with `u ~ U(-1, 1)`.
 *
 * Support: the real line. Without `validateArgs`, values outside it are not checked: NaN gives NaN.
 * With `validateArgs: true`, `logProb`, `prob`, `cdf`, `logCdf`, `survivalFunction` and
 * `logSurvivalFunction` throw an `InvalidArgumentError` naming the first value outside (a read-back).
 *
 * @example
 * ```ts
 * const d = new tfd.Laplace({ loc: [0, 1], scale: [1, 2] });
 * d.sample([5], { seed: 1 }).shape;   // [5, 2]
 * d.logProb([0.5, 0.5]);               // shape [2]
 * ```
 */
export class Laplace extends Distribution {
  static override readonly parameterProperties = { loc: { constraint: real }, scale: { constraint: positive } };
  readonly loc: tf.Tensor;
  readonly scale: tf.Tensor;

  constructor(args: LaplaceArgs) {
    const params = convertParams('Laplace', args, Laplace.parameterProperties);
    super({ ...args, className: 'Laplace', params, eventShape: [], reparameterized: true, support: realLine });
    this.loc = params.loc.value;
    this.scale = params.scale.value;
  }

  protected sampleN(n: number, seed?: number): tf.Tensor {
    // u in (-1, 1) strictly (randomUniform never returns 0 or 1), so log1p(-|u|) is finite.
    const u = tf.sub(tf.mul(randomUniform([n, ...this.batchShape], seed), 2), 1);
    const e = tf.mul(tf.neg(tf.sign(u)), log1p(tf.neg(tf.abs(u))));
    return tf.add(tf.mul(e, this.scale), this.loc);
  }

  private z(x: tf.Tensor): tf.Tensor {
    return tf.div(tf.sub(x, this.loc), this.scale);
  }

  protected override logProbFn(x: tf.Tensor): tf.Tensor {
    return tf.sub(tf.neg(tf.abs(this.z(x))), tf.log(tf.mul(2, this.scale)));
  }
  // Each tail is computed on its own clamped z, so the branch not taken never
  // produces Inf/NaN (which would poison gradients through tf.where); conditions
  // use greaterEqual, the one comparison with a gradient (see continuous_util.ts).
  protected override cdfFn(x: tf.Tensor): tf.Tensor {
    const z = this.z(x);
    const left = tf.mul(0.5, tf.exp(tf.minimum(z, 0)));
    const right = tf.sub(1, tf.mul(0.5, tf.exp(tf.neg(tf.maximum(z, 0)))));
    return tf.where(tf.greaterEqual(z, 0), right, left);
  }
  protected override logCdfFn(x: tf.Tensor): tf.Tensor {
    const z = this.z(x);
    const left = tf.sub(tf.minimum(z, 0), Math.LN2);
    const right = log1p(tf.mul(-0.5, tf.exp(tf.neg(tf.maximum(z, 0)))));
    return tf.where(tf.greaterEqual(z, 0), right, left);
  }
  protected override survivalFn(x: tf.Tensor): tf.Tensor {
    return this.cdfFn(tf.sub(tf.mul(2, this.loc), x));
  }
  protected override logSurvivalFn(x: tf.Tensor): tf.Tensor {
    return this.logCdfFn(tf.sub(tf.mul(2, this.loc), x));
  }
  protected override quantileFn(p: tf.Tensor): tf.Tensor {
    // p < ½: μ + b log(2p);  p >= ½: μ - b log(2(1 - p)) = μ - b log1p(1 - 2p).
    const lower = tf.log(tf.mul(2, tf.minimum(p, 0.5)));
    const upper = tf.neg(log1p(tf.sub(1, tf.mul(2, tf.maximum(p, 0.5)))));
    const q = tf.where(tf.greaterEqual(p, 0.5), upper, lower);
    return tf.add(this.loc, tf.mul(this.scale, q));
  }
  protected override meanFn(): tf.Tensor {
    return tf.add(this.loc, tf.zerosLike(this.scale));
  }
  protected override modeFn(): tf.Tensor {
    return this.meanFn();
  }
  protected override varianceFn(): tf.Tensor {
    return tf.add(tf.mul(2, tf.square(this.scale)), tf.zerosLike(this.loc));
  }
  protected override stddevFn(): tf.Tensor {
    return tf.add(tf.mul(Math.SQRT2, this.scale), tf.zerosLike(this.loc));
  }
  protected override entropyFn(): tf.Tensor {
    return tf.add(tf.log(tf.mul(2, this.scale)), tf.add(1, tf.zerosLike(this.loc)));
  }
}

registerKL(Laplace, Laplace, (p, q) => {
  // KL = log(b_q/b_p) + |μ_p - μ_q|/b_q + (b_p/b_q) exp(-|μ_p - μ_q|/b_p) - 1
  const d = tf.abs(tf.sub(p.loc, q.loc));
  const ratio = tf.div(p.scale, q.scale);
  return tf.add(
    tf.sub(tf.add(tf.neg(tf.log(ratio)), tf.div(d, q.scale)), 1),
    tf.mul(ratio, tf.exp(tf.neg(tf.div(d, p.scale)))),
  );
});
