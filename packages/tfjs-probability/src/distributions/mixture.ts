import * as tf from '@tensorflow/tfjs';
import type { Bijector } from '../bijectors/bijector.js';
import { Distribution, checkArgsObject, checkDistributionArg, checkSampleOptions, type DistributionInit, type DistributionOptions, type SampleOptions, type TensorLike } from './distribution.js';
import { InvalidArgumentError, NotImplementedError, fmtShape } from '../errors.js';
import {
  mixtureCovariance,
  mixtureLogProb,
  mixtureMoments,
  sampleOneHot,
  selectComponent,
} from '../math/mixture_ops.js';
import { broadcastPair, describeValue, shapesEqual, splitSeed } from '../util.js';

/** Options of a mixture's `sample`: the two knobs of the mixture-density-network recipes. */
export interface MixtureSampleOptions extends SampleOptions {
  /**
   * Divides the mixture logits before the component is drawn (default 1):
   * below 1 sharpens the weights towards the heaviest component, above 1 flattens them.
   */
  temperature?: number;
  /**
   * Multiplies each component's covariance (its standard deviations by the square
   * root) before drawing (default 1): a draw `x` of a component with location
   * `loc` becomes `loc + sqrt(t)·(x - loc)`. Needs location-scale components
   * (Normal, Laplace, StudentT, the multivariate normals, Independent of these).
   */
  scaleTemperature?: number;
}

/** Families for which `loc + sqrt(t)(x - loc)` multiplies the covariance by `t`. */
const LOCATION_SCALE = new Set([
  'Normal',
  'Laplace',
  'StudentT',
  'Logistic',
  'Cauchy',
  'MultivariateNormalDiag',
  'MultivariateNormalTriL',
  'MultivariateNormalFullCovariance',
  'MultivariateNormalLinearOperator',
]);

/**
 * The location of a location-scale distribution broadcast to
 * `[...batchShape, ...eventShape]`, or a NotImplementedError naming `owner`.
 */
export function locationOf(d: Distribution, owner: string): tf.Tensor {
  const full = [...d.batchShape, ...d.eventShape];
  const rec = d as unknown as { loc?: unknown; distribution?: unknown };
  if (LOCATION_SCALE.has(d.className) && rec.loc instanceof tf.Tensor) {
    return tf.broadcastTo(rec.loc, full);
  }
  if (d.className === 'Independent' && rec.distribution instanceof Distribution) {
    return tf.reshape(locationOf(rec.distribution, owner), full);
  }
  throw new NotImplementedError(
    `${owner}.sample: scaleTemperature needs location-scale components (loc + scale·noise); got ${d.className}`,
  );
}

/** The logits `[..., K]` of a Categorical-like distribution (public `.logits`, else `log(.probs)`). */
export function categoricalLogits(cat: Distribution, owner: string, argName: string): tf.Tensor {
  const rec = cat as unknown as { logits?: unknown; probs?: unknown };
  if (rec.logits instanceof tf.Tensor) return rec.logits;
  const p = cat.parameters['logits'];
  if (p) return p;
  if (rec.probs instanceof tf.Tensor) return tf.log(rec.probs);
  const q = cat.parameters['probs'];
  if (q) return tf.log(q);
  throw new InvalidArgumentError(
    `${owner}: ${argName} must be a Categorical (with logits or probs over the components); got ${cat.className}`,
  );
}

/**
 * Shared machinery of `Mixture` and `MixtureSameFamily`: density in log space,
 * moments by the law of total variance, vectorized sampling with temperature
 * and scale temperature. Subclasses provide the per-component pieces stacked
 * along a component axis `K` placed just before the event dims.
 */
export abstract class MixtureBase extends Distribution {
  /** Number of components `K`. */
  readonly numComponents: number;
  private sampleOpts: MixtureSampleOptions = {};

  protected constructor(init: DistributionInit, numComponents: number) {
    super(init);
    this.numComponents = numComponents;
  }

  /** Mixture logits `[...B', K]` (broadcastable to `[...batchShape, K]`). Not owned by the caller. */
  protected abstract mixtureLogits(): tf.Tensor;
  /** Component log densities of `x [..., ...batchShape, ...E]`: `[..., ...batchShape, K]`. */
  protected abstract componentLogProbs(x: tf.Tensor): tf.Tensor;
  /** Component log cdfs (scalar events): `[..., ...batchShape, K]`. */
  protected abstract componentLogCdfs(x: tf.Tensor): tf.Tensor;
  /** Component means `[...B', K, ...E]`. */
  protected abstract componentMeans(): tf.Tensor;
  /** Component variances `[...B', K, ...E]`. */
  protected abstract componentVariances(): tf.Tensor;
  /** Component covariances `[...B', K, d, d]` (vector events). */
  protected abstract componentCovariances(): tf.Tensor;
  /**
   * `n` draws of every component, `[n, ...B', K, ...E]`, with the scale
   * temperature `t` applied (`loc + sqrt(t)(x - loc)`).
   */
  protected abstract componentSamples(n: number, seed: number | undefined, scaleTemperature: number): tf.Tensor;

  /**
   * One draw per sample and batch member given one-hot component indices
   * `[n, ...batchShape, K]`. The default draws every component and selects;
   * subclasses with cheaper forms (select the parameters, then draw once) override.
   */
  protected drawSelected(oneHot: tf.Tensor, n: number, seed: number | undefined, scaleTemperature: number): tf.Tensor {
    let xs = this.componentSamples(n, seed, scaleTemperature);
    const full = [n, ...this.batchShape, this.numComponents, ...this.eventShape];
    if (xs.rank < full.length) {
      // Component batch shorter than the mixture's: insert the missing batch axes after the sample axis.
      xs = tf.reshape(xs, [n, ...new Array<number>(full.length - xs.rank).fill(1), ...xs.shape.slice(1)]);
    }
    return selectComponent(oneHot, shapesEqual(xs.shape, full) ? xs : tf.broadcastTo(xs, full), this.eventRank);
  }

  /** Mixture weights `softmax(logits)`, `[...batchShape, K]`. */
  weights(): tf.Tensor {
    return tf.tidy(() => tf.broadcastTo(tf.softmax(this.mixtureLogits()), [...this.batchShape, this.numComponents]));
  }

  /**
   * Draws `[...sampleShape, ...batchShape, ...eventShape]`. Options:
   * `seed`, `temperature` (divides the mixture logits) and `scaleTemperature`
   * (multiplies each component's covariance). Vectorized over samples and batch:
   * the component index is drawn by Gumbel-max and applied by a one-hot product.
   */
  override sample(sampleShape: number | number[] = [], options: MixtureSampleOptions = {}): tf.Tensor {
    checkSampleOptions(`${this.className}.sample`, options);
    for (const k of ['temperature', 'scaleTemperature'] as const) {
      const v = options[k];
      if (v !== undefined && !(Number.isFinite(v) && v > 0)) {
        throw new InvalidArgumentError(`${this.className}.sample: ${k} must be a finite number > 0; got ${typeof v === 'number' ? v : describeValue(v)}`);
      }
    }
    this.sampleOpts = options;
    try {
      return super.sample(sampleShape, options);
    } finally {
      this.sampleOpts = {};
    }
  }

  protected sampleN(n: number, seed: number | undefined): tf.Tensor {
    const [s1, s2] = splitSeed(seed, 2);
    const t = this.sampleOpts.temperature ?? 1;
    const st = this.sampleOpts.scaleTemperature ?? 1;
    const logits = tf.broadcastTo(this.mixtureLogits(), [...this.batchShape, this.numComponents]);
    const oneHot = sampleOneHot(logits, n, s1, t);
    return this.drawSelected(oneHot, n, s2, st);
  }

  protected override logProbFn(x: tf.Tensor): tf.Tensor {
    return mixtureLogProb(this.mixtureLogits(), this.componentLogProbs(x));
  }

  protected override logCdfFn(x: tf.Tensor): tf.Tensor {
    if (this.eventRank !== 0) throw this.notImplemented('logCdf', 'only for scalar events');
    return mixtureLogProb(this.mixtureLogits(), this.componentLogCdfs(x));
  }

  protected override meanFn(): tf.Tensor {
    return mixtureMoments(this.weights(), this.fullComponents(this.componentMeans()), null, this.eventRank).mean;
  }

  protected override varianceFn(): tf.Tensor {
    const m = mixtureMoments(
      this.weights(),
      this.fullComponents(this.componentMeans()),
      this.fullComponents(this.componentVariances()),
      this.eventRank,
    );
    return m.variance!;
  }

  protected override covarianceFn(): tf.Tensor {
    if (this.eventRank === 0) return this.varianceFn();
    if (this.eventRank !== 1) throw this.notImplemented('covariance', `event shape ${fmtShape(this.eventShape)} is not a vector`);
    const d = this.eventShape[0]!;
    const covs = this.componentCovariances();
    const covFull = [...this.batchShape, this.numComponents, d, d];
    return mixtureCovariance(
      this.weights(),
      this.fullComponents(this.componentMeans()),
      shapesEqual(covs.shape, covFull) ? covs : tf.broadcastTo(covs, covFull),
    );
  }

  protected override entropyFn(): tf.Tensor {
    throw this.notImplemented('entropy', 'a mixture has no closed-form entropy');
  }

  /** Broadcasts a per-component tensor to `[...batchShape, K, ...E]`. */
  private fullComponents(t: tf.Tensor): tf.Tensor {
    const full = [...this.batchShape, this.numComponents, ...this.eventShape];
    return shapesEqual(t.shape, full) ? t : tf.broadcastTo(t, full);
  }
}

export interface MixtureArgs extends DistributionOptions {
  /** A `Categorical` over the `K` components, batch shape broadcastable with theirs. */
  cat: Distribution;
  /** `K` distributions, possibly of different classes, with equal batch and event shapes. */
  components: Distribution[];
}

/**
 * A finite mixture of distributions that may be of different families.
 *
 * Mathematical details: `p(x) = Σ_k π_k p_k(x)` with `π = softmax(cat.logits)`,
 * evaluated in log space as `logSumExp_k(log π_k + log p_k(x))` so points far in
 * the tails keep a finite log density. Mean `Σ π_k μ_k`; variance (covariance)
 * by the law of total variance `Σ π_k (Σ_k + (μ_k - μ)(μ_k - μ)ᵀ)`. No closed-form
 * entropy (`entropy()` throws `NotImplementedError`). Not reparameterized.
 *
 * - `cat`: a `Categorical` with logits `[...B, K]`.
 * - `components`: `K` distributions with batch shape `[...B]` and a common event shape `E`.
 *
 * The mixture owns `cat` and the components: `dispose()` releases them.
 *
 * Support: the components' support (that of the first component). Without `validateArgs`, values outside it are not checked: the components' behaviour.
 * With `validateArgs: true`, `logProb`, `prob`, `cdf`, `logCdf`, `survivalFunction` and
 * `logSurvivalFunction` throw an `InvalidArgumentError` naming the first value outside (a read-back).
 *
 * @example
 * ```ts
 * const mix = new tfd.Mixture({
 *   cat: new tfd.Categorical({ probs: [0.3, 0.7] }),
 *   components: [new tfd.Normal({ loc: -1, scale: 0.5 }), new tfd.Laplace({ loc: 2, scale: 1 })],
 * });
 * mix.logProb([0, 1.5]);                         // shape [2]
 * mix.sample([1000], { seed: 1, temperature: 0.5 }).shape;  // [1000]
 * ```
 */
export class Mixture extends MixtureBase {
  readonly cat: Distribution;
  readonly components: readonly Distribution[];

  constructor(args: MixtureArgs) {
    checkArgsObject('Mixture', args, ['cat', 'components']);
    const { cat, components } = args;
    checkDistributionArg('Mixture', 'cat', cat, 'a Categorical distribution');
    if (!Array.isArray(components) || components.length === 0) {
      throw new InvalidArgumentError(`Mixture: components must be a non-empty array of distributions; got ${Array.isArray(components) ? 'an empty array' : describeValue(components)}`);
    }
    components.forEach((c, i) => checkDistributionArg('Mixture', `components[${i}]`, c));
    const logits = categoricalLogits(cat, 'Mixture', 'cat');
    const k = logits.shape[logits.rank - 1];
    if (cat.eventShape.length !== 0 || k !== components.length) {
      throw new InvalidArgumentError(
        `Mixture: cat must be a Categorical over the ${components.length} components (logits [..., ${components.length}]); got logits ${fmtShape(logits.shape)}`,
      );
    }
    const c0 = components[0]!;
    components.forEach((c, i) => {
      if (!shapesEqual(c.eventShape, c0.eventShape) || !shapesEqual(c.batchShape, c0.batchShape)) {
        throw new InvalidArgumentError(
          `Mixture: components must share batch and event shapes; component 0 is ${c0.toString()} but component ${i} is ${c.toString()}`,
        );
      }
    });
    const batch = broadcastPair(cat.batchShape, c0.batchShape);
    if (batch === null) {
      throw new InvalidArgumentError(
        `Mixture: cat batch shape ${fmtShape(cat.batchShape)} does not broadcast with component batch shape ${fmtShape(c0.batchShape)}`,
      );
    }
    super(
      { ...args, className: 'Mixture', batchShape: batch, eventShape: c0.eventShape, reparameterized: false, support: c0.support },
      components.length,
    );
    this.cat = cat;
    this.components = [...components];
  }

  protected override eventSpaceBijectorFn(): Bijector {
    return this.components[0]!.defaultEventSpaceBijector();
  }

  protected override ownedDistributions(): Distribution[] {
    return [this.cat, ...this.components];
  }

  protected mixtureLogits(): tf.Tensor {
    return categoricalLogits(this.cat, 'Mixture', 'cat');
  }

  private stack(f: (c: Distribution) => tf.Tensor, axisFromEnd: number): tf.Tensor {
    const parts = this.components.map(f);
    const rank = parts[0]!.rank;
    return tf.stack(parts, rank - axisFromEnd);
  }

  protected componentLogProbs(x: tf.Tensor): tf.Tensor {
    return this.stack((c) => c.logProb(x), 0);
  }
  protected componentLogCdfs(x: tf.Tensor): tf.Tensor {
    return this.stack((c) => c.logCdf(x), 0);
  }
  protected componentMeans(): tf.Tensor {
    return this.stack((c) => c.mean(), this.eventRank);
  }
  protected componentVariances(): tf.Tensor {
    return this.stack((c) => c.variance(), this.eventRank);
  }
  protected componentCovariances(): tf.Tensor {
    return this.stack((c) => c.covariance(), 2);
  }
  protected componentSamples(n: number, seed: number | undefined, scaleTemperature: number): tf.Tensor {
    const seeds = splitSeed(seed, this.numComponents);
    return this.stack((c) => {
      const s = seeds[this.components.indexOf(c)];
      const x = c.sample([n], s === undefined ? {} : { seed: s });
      if (scaleTemperature === 1) return x;
      const loc = locationOf(c, 'Mixture');
      return tf.add(loc, tf.mul(Math.sqrt(scaleTemperature), tf.sub(x, loc)));
    }, this.eventRank);
  }
}

export type { TensorLike };
