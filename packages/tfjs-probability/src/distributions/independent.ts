import * as tf from '@tensorflow/tfjs';
import { Distribution, checkArgsObject, checkDistributionArg, type DistributionOptions } from './distribution.js';
import type { Bijector } from '../bijectors/bijector.js';
import { klDivergence, registerKL } from './kl.js';
import { InvalidArgumentError, NotImplementedError, fmtShape } from '../errors.js';
import { describeValue } from '../util.js';

export interface IndependentArgs extends DistributionOptions {
  /** The inner distribution, batch shape `[...B, ...R]`. Owned by the Independent from then on. */
  distribution: Distribution;
  /**
   * How many trailing batch dims `R` of the inner distribution become event
   * dims. Default: all of them (TFP's behaviour).
   */
  reinterpretedBatchNdims?: number;
}

/** Sum over the last `k` axes (identity for k = 0). */
function sumLast(t: tf.Tensor, k: number): tf.Tensor {
  if (k === 0) return t;
  const axes = Array.from({ length: k }, (_, i) => t.rank - k + i);
  return tf.sum(t, axes);
}

/**
 * Reinterprets trailing batch dims of a distribution as event dims: the
 * joint distribution of independent components.
 *
 * Mathematical details: with inner batch shape `[...B, ...R]` and `k = |R|`,
 * `log p(x) = Σ_{r ∈ R} log p_inner(x)_r`; the batch shape is `B` and the
 * event shape is `[...R, ...innerEvent]`. Entropy sums likewise; mean, mode,
 * variance and stddev are the inner ones; for a scalar inner event and k = 1
 * the covariance is `diag(variance)`. Reparameterized when the inner one is;
 * `sample` is the inner sample.
 *
 * Ownership: the Independent owns its inner distribution: `dispose()`
 * disposes it too. Do not dispose the inner one separately while the
 * Independent is in use.
 *
 * @param args.distribution inner distribution with batch shape `[...B, ...R]`
 * @param args.reinterpretedBatchNdims `k = |R|`, default all inner batch dims
 *
 * Support: the inner distribution's support. Without `validateArgs`, values outside it are not checked: the inner distribution's behaviour.
 * With `validateArgs: true`, `logProb`, `prob`, `cdf`, `logCdf`, `survivalFunction` and
 * `logSurvivalFunction` throw an `InvalidArgumentError` naming the first value outside (a read-back).
 *
 * @example
 * ```ts
 * const d = new tfd.Independent({
 *   distribution: new tfd.Normal({ loc: [[0, 1, 2]], scale: 1 }),
 *   reinterpretedBatchNdims: 1,
 * });
 * d.batchShape; d.eventShape;           // [1], [3]
 * d.logProb([0, 1, 2]).shape;           // [1]: sum of the three normal log densities
 * ```
 */
export class Independent extends Distribution {
  /** The inner distribution (owned). */
  readonly distribution: Distribution;
  /** Number of inner batch dims reinterpreted as event dims. */
  readonly reinterpretedBatchNdims: number;

  constructor(args: IndependentArgs) {
    checkArgsObject('Independent', args, ['distribution', 'reinterpretedBatchNdims']);
    const inner = args.distribution;
    checkDistributionArg('Independent', 'distribution', inner);
    const nb = inner.batchShape.length;
    const k = args.reinterpretedBatchNdims ?? nb;
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 0 || k > nb) {
      throw new InvalidArgumentError(
        `Independent: reinterpretedBatchNdims must be an integer in [0, ${nb}] (the rank of the inner batch shape ` +
          `${fmtShape(inner.batchShape)} of ${inner.className}); got ${typeof k === 'number' ? k : describeValue(k)}`,
      );
    }
    super({
      ...args,
      className: 'Independent',
      batchShape: inner.batchShape.slice(0, nb - k),
      eventShape: [...inner.batchShape.slice(nb - k), ...inner.eventShape],
      reparameterized: inner.reparameterized,
      support: inner.support,
    });
    this.distribution = inner;
    this.reinterpretedBatchNdims = k;
  }

  protected override ownedDistributions(): Distribution[] {
    return [this.distribution];
  }

  protected override eventSpaceBijectorFn(): Bijector {
    return this.distribution.defaultEventSpaceBijector();
  }

  protected sampleN(n: number, seed?: number): tf.Tensor {
    return this.distribution.sample([n], seed === undefined ? {} : { seed });
  }

  protected override logProbFn(x: tf.Tensor): tf.Tensor {
    return sumLast(this.distribution.logProb(x), this.reinterpretedBatchNdims);
  }
  protected override entropyFn(): tf.Tensor {
    return sumLast(this.distribution.entropy(), this.reinterpretedBatchNdims);
  }
  protected override meanFn(): tf.Tensor {
    return this.distribution.mean();
  }
  protected override modeFn(): tf.Tensor {
    return this.distribution.mode();
  }
  protected override varianceFn(): tf.Tensor {
    return this.distribution.variance();
  }
  protected override stddevFn(): tf.Tensor {
    return this.distribution.stddev();
  }
  protected override covarianceFn(): tf.Tensor {
    const k = this.reinterpretedBatchNdims;
    const innerRank = this.distribution.eventShape.length;
    if (k === 0) return this.distribution.covariance();
    if (k === 1 && innerRank === 0) {
      const v = this.distribution.variance(); // [...B, d]
      const d = this.eventShape[0]!;
      return tf.mul(tf.expandDims(v, -1), tf.eye(d));
    }
    throw this.notImplemented(
      'covariance',
      `only for an event of rank 1 (got event shape ${fmtShape(this.eventShape)} from ${k} reinterpreted dims of ${this.distribution.className})`,
    );
  }
}

registerKL(Independent, Independent, (p, q) => {
  if (p.reinterpretedBatchNdims !== q.reinterpretedBatchNdims) {
    throw new NotImplementedError(
      `klDivergence: KL(Independent || Independent) needs equal reinterpretedBatchNdims; got ` +
        `${p.reinterpretedBatchNdims} (Independent of ${p.distribution.className}) and ` +
        `${q.reinterpretedBatchNdims} (Independent of ${q.distribution.className})`,
    );
  }
  return sumLast(klDivergence(p.distribution, q.distribution), p.reinterpretedBatchNdims);
});
