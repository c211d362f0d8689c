import * as tf from '@tensorflow/tfjs';
import { Distribution, checkArgsObject, checkDistributionArg, convertParams, type DistributionOptions, type TensorLike } from './distribution.js';
import { real } from './constraints.js';
import { randomUniform } from '../math/random.js';
import { logAddExp } from '../math/special.js';
import { InvalidArgumentError } from '../errors.js';
import { broadcastShapes, splitSeed } from '../util.js';
import { logProbPair, logitsProbsParams, logitsProbsSpecs, type LogitsProbs } from './discrete_util.js';

export interface InflatedArgs extends DistributionOptions {
  /** The inflated distribution (scalar events), batch shape `[...B]`. Owned by the Inflated from then on. */
  distribution: Distribution;
  /** Log-odds of the extra point mass, shape `[...B]`. Give exactly one of `inflatedLocLogits` and `inflatedLocProbs`. */
  inflatedLocLogits?: TensorLike;
  /** Probability π of the extra point mass, shape `[...B]`. Give exactly one of the two. */
  inflatedLocProbs?: TensorLike;
  /** Where the point mass sits (default 0), shape `[...B]`. */
  inflatedLoc?: TensorLike;
}

/**
 * A distribution with extra probability mass at one point: TFP's `Inflated`,
 * the mixture `π δ(inflatedLoc) + (1 - π) distribution`.
 *
 * Mathematical details: for a count (or any discrete) inner distribution `p`,
 * `P(X = x) = π [x = loc] + (1 - π) p(x)`, so
 * `log P = logAddExp(log π, log(1-π) + log p(x))` at `x = loc` and
 * `log(1-π) + log p(x)` elsewhere (log π, log(1-π) from softplus of the logits).
 * `cdf(x) = π [x >= loc] + (1 - π) F(x)`. Mean `(1-π) μ + π loc`, variance
 * `(1-π)(σ² + μ²) + π loc² - mean²`. For a continuous inner distribution the same
 * formulas mix a point mass's probability with a density (as TFP does); use it
 * with discrete ones. `logProb` is differentiable in the inflation logits and the
 * inner distribution's parameters.
 *
 * Sampling: a draw of the inner distribution replaced by `loc` with probability π.
 * Ownership: the Inflated disposes its inner distribution.
 *
 * @example
 * ```ts
 * const d = new tfd.Inflated({ distribution: new tfd.Poisson({ rate: 3 }), inflatedLocProbs: 0.2 });
 * d.logProb([0, 2]);   // [log(0.2 + 0.8 e^-3), log(0.8 · P(2))]
 * ```
 */
export class Inflated extends Distribution {
  /** The inner distribution (owned). */
  readonly distribution: Distribution;
  readonly inflatedLocLogits: tf.Tensor;
  readonly inflatedLocProbs: tf.Tensor;
  readonly inflatedLoc: tf.Tensor;
  private readonly lp: LogitsProbs;

  constructor(args: InflatedArgs, className = 'Inflated') {
    checkArgsObject(className, args, ['distribution', 'inflatedLocLogits', 'inflatedLocProbs', 'inflatedLoc']);
    const inner = args.distribution;
    checkDistributionArg(className, 'distribution', inner);
    if (inner.eventShape.length !== 0) {
      throw new InvalidArgumentError(
        `${className}: distribution must have scalar events; got ${inner.className} with event shape [${inner.eventShape.join(', ')}]`,
      );
    }
    const lp = logitsProbsParams(className, args, ['inflatedLocLogits', 'inflatedLocProbs']);
    let loc: tf.Tensor;
    try {
      loc = convertParams(className, { inflatedLoc: args.inflatedLoc ?? 0 }, { inflatedLoc: { constraint: real } }).inflatedLoc.value;
    } catch (e) {
      tf.dispose([lp.logits, lp.probs]);
      throw e;
    }
    let batchShape: number[];
    try {
      batchShape = broadcastShapes(className, [
        ['distribution', inner.batchShape],
        ['inflatedLocLogits', lp.logits.shape],
        ['inflatedLoc', loc.shape],
      ]);
    } catch (e) {
      tf.dispose([lp.logits, lp.probs, loc]);
      throw e;
    }
    super({
      ...args,
      className,
      batchShape,
      params: {
        ...logitsProbsSpecs(lp, ['inflatedLocLogits', 'inflatedLocProbs']),
        inflatedLoc: { value: loc, eventRank: 0, constraint: real },
      },
      eventShape: [],
      reparameterized: false,
      ...(inner.support ? { support: inner.support } : {}),
    });
    this.distribution = inner;
    this.inflatedLocLogits = lp.logits;
    this.inflatedLocProbs = lp.probs;
    this.inflatedLoc = loc;
    this.lp = lp;
  }

  protected override ownedDistributions(): Distribution[] {
    return [this.distribution];
  }

  protected sampleN(n: number, seed?: number): tf.Tensor {
    const [s1, s2] = splitSeed(seed, 2);
    const inner = this.distribution.batchShape;
    const pad = new Array<number>(this.batchShape.length - inner.length).fill(1);
    const x = tf.reshape(this.distribution.sample([n], s1 === undefined ? {} : { seed: s1 }), [n, ...pad, ...inner]);
    const u = randomUniform([n, ...this.batchShape], s2);
    return tf.where(tf.less(u, this.inflatedLocProbs), tf.add(this.inflatedLoc, tf.zerosLike(u)), tf.add(x, tf.zerosLike(u)));
  }

  protected override logProbFn(x: tf.Tensor): tf.Tensor {
    const [logPi, log1mPi] = logProbPair(this.lp);
    const rest = tf.add(log1mPi, this.distribution.logProb(x));
    const atLoc = logAddExp(tf.add(logPi, tf.zerosLike(rest)), rest);
    return tf.where(tf.equal(x, this.inflatedLoc), atLoc, rest);
  }
  protected override cdfFn(x: tf.Tensor): tf.Tensor {
    const pi = this.inflatedLocProbs;
    const step = tf.cast(tf.greaterEqual(x, this.inflatedLoc), 'float32');
    return tf.add(tf.mul(pi, step), tf.mul(tf.sub(1, pi), this.distribution.cdf(x)));
  }
  protected override meanFn(): tf.Tensor {
    const pi = this.inflatedLocProbs;
    return tf.add(tf.mul(tf.sub(1, pi), this.distribution.mean()), tf.mul(pi, this.inflatedLoc));
  }
  protected override varianceFn(): tf.Tensor {
    // the mixture's law of total variance, (1 - π) σ² + π (1 - π) (μ - loc)²: the second-moment
    // form E[X²] - E[X]² cancels to nothing in float32 where μ² >> σ² (μ = 1e6 and up)
    const pi = this.inflatedLocProbs;
    const gap = tf.sub(this.distribution.mean(), this.inflatedLoc);
    const onePi = tf.sub(1, pi);
    return tf.add(tf.mul(onePi, this.distribution.variance()), tf.mul(tf.mul(pi, onePi), tf.square(gap)));
  }

}
