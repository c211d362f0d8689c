import * as tf from '@tensorflow/tfjs';
import type { Bijector } from '../bijectors/bijector.js';
import { Distribution, checkArgsObject, checkDistributionArg, type DistributionOptions } from './distribution.js';
import { InvalidArgumentError, fmtShape } from '../errors.js';
import { MixtureBase, categoricalLogits, locationOf } from './mixture.js';
import { randomNormal } from '../math/random.js';
import { selectComponent } from '../math/mixture_ops.js';
import {
  mixtureNormalLogProbFromParams,
  type MixtureNormalLayout,
} from '../kernels/mixture_normal_logprob.js';
import { broadcastPair, shapesEqual } from '../util.js';

/**
 * Raw head parameters from which `logProb` can be computed by one fused kernel
 * (set by the mixture layers; see `tfp.layers.MixtureDensity`). Advanced use.
 */
export interface FusedMixtureParams {
  /** `[...B, paramsSize]` raw parameters in `layout`. */
  params: tf.Tensor;
  layout: MixtureNormalLayout;
  numComponents: number;
  eventSize: number;
}

export interface MixtureSameFamilyArgs extends DistributionOptions {
  /** A `Categorical` with logits `[...B, K]` choosing the component. */
  mixtureDistribution: Distribution;
  /** Any distribution with batch shape `[...B, K]`: component `k` is batch member `[..., k]`. */
  componentsDistribution: Distribution;
  /**
   * Optional raw parameters describing the same mixture of (independent) normals,
   * used by `logProb` for a fused kernel with a closed-form gradient. The
   * mixture layers set this; users normally leave it out.
   */
  fusedParams?: FusedMixtureParams;
}

/**
 * A mixture whose `K` components are the last batch dimension of one distribution.
 *
 * Mathematical details: `p(x) = Σ_k π_k p(x | component k)` with
 * `π = softmax(mixtureDistribution.logits)`, evaluated in log space as
 * `logSumExp_k(logSoftmax(logits)_k + log p_k(x))`, so points where every
 * component density underflows (50 standard deviations out) keep a finite log
 * density and gradient. Mean `Σ π_k μ_k`; variance / covariance by the law of
 * total variance. `entropy()` throws `NotImplementedError` (no closed form).
 * `sample` takes `{seed, temperature, scaleTemperature}` (see `MixtureSampleOptions`).
 *
 * - `mixtureDistribution`: `Categorical`, logits `[...B, K]`.
 * - `componentsDistribution`: batch `[...B, K]`, event `E` (Normal, Independent(Normal),
 *   the multivariate normals, Laplace, StudentT, ...).
 *
 * Batch shape `[...B]`, event shape `E`. Owns both distributions (`dispose()` releases them).
 *
 * Support: the components' support. Without `validateArgs`, values outside it are not checked: the components' behaviour.
 * With `validateArgs: true`, `logProb`, `prob`, `cdf`, `logCdf`, `survivalFunction` and
 * `logSurvivalFunction` throw an `InvalidArgumentError` naming the first value outside (a read-back).
 *
 * @example
 * ```ts
 * const gm = new tfd.MixtureSameFamily({
 *   mixtureDistribution: new tfd.Categorical({ probs: [0.2, 0.8] }),
 *   componentsDistribution: new tfd.Normal({ loc: [-1, 1], scale: [0.1, 0.5] }),
 * });
 * gm.logProb([0, 60]);                                            // finite, shape [2]
 * gm.sample([500], { seed: 2, temperature: 0.25, scaleTemperature: 4 }).shape;  // [500]
 * ```
 */
export class MixtureSameFamily extends MixtureBase {
  readonly mixtureDistribution: Distribution;
  readonly componentsDistribution: Distribution;
  private readonly fused: FusedMixtureParams | null;

  constructor(args: MixtureSameFamilyArgs) {
    checkArgsObject('MixtureSameFamily', args, ['mixtureDistribution', 'componentsDistribution']);
    const { mixtureDistribution: cat, componentsDistribution: comp } = args;
    checkDistributionArg('MixtureSameFamily', 'mixtureDistribution', cat, 'a Categorical distribution');
    checkDistributionArg('MixtureSameFamily', 'componentsDistribution', comp);
    const cb = comp.batchShape;
    if (cb.length === 0) {
      throw new InvalidArgumentError(
        `MixtureSameFamily: componentsDistribution must have batch shape [..., K] (components on the last batch axis); got ${fmtShape(cb)}`,
      );
    }
    const k = cb[cb.length - 1]!;
    const logits = categoricalLogits(cat, 'MixtureSameFamily', 'mixtureDistribution');
    const lk = logits.shape[logits.rank - 1];
    if (cat.eventShape.length !== 0 || (lk !== k && lk !== 1)) {
      throw new InvalidArgumentError(
        `MixtureSameFamily: mixtureDistribution must be a Categorical over K = ${k} components (logits [..., ${k}]); got logits ${fmtShape(logits.shape)}`,
      );
    }
    const batch = broadcastPair(cat.batchShape, cb.slice(0, -1));
    if (batch === null) {
      throw new InvalidArgumentError(
        `MixtureSameFamily: mixtureDistribution batch shape ${fmtShape(cat.batchShape)} does not broadcast with componentsDistribution batch shape ${fmtShape(cb.slice(0, -1))} (without the component axis)`,
      );
    }
    super(
      { ...args, className: 'MixtureSameFamily', batchShape: batch, eventShape: comp.eventShape, reparameterized: false, support: comp.support },
      k,
    );
    this.mixtureDistribution = cat;
    this.componentsDistribution = comp;
    this.fused = args.fusedParams ? { ...args.fusedParams, params: tf.clone(args.fusedParams.params) } : null;
  }

  override dispose(): void {
    if (this.fused && !this.fused.params.isDisposed) this.fused.params.dispose();
    super.dispose();
  }

  protected override eventSpaceBijectorFn(): Bijector {
    return this.componentsDistribution.defaultEventSpaceBijector();
  }

  protected override ownedDistributions(): Distribution[] {
    return [this.mixtureDistribution, this.componentsDistribution];
  }

  protected mixtureLogits(): tf.Tensor {
    return categoricalLogits(this.mixtureDistribution, 'MixtureSameFamily', 'mixtureDistribution');
  }

  protected override logProbFn(x: tf.Tensor): tf.Tensor {
    const f = this.fused;
    if (f && f.params.rank === 2) {
      // The fused kernel takes x exactly [B, n] (or [B] for n = 1 with event shape []).
      const b = f.params.shape[0]!;
      const want = this.eventRank === 0 ? [b] : [b, f.eventSize];
      if (shapesEqual(x.shape, want)) {
        return mixtureNormalLogProbFromParams(f.params, tf.reshape(x, [b, f.eventSize]), f);
      }
    }
    return super.logProbFn(x);
  }

  protected componentLogProbs(x: tf.Tensor): tf.Tensor {
    // x [..., ...B, ...E] -> [..., ...B, 1, ...E] against component batch [...B, K].
    const xk = tf.expandDims(x, x.rank - this.eventRank);
    return this.componentsDistribution.logProb(xk);
  }
  protected componentLogCdfs(x: tf.Tensor): tf.Tensor {
    return this.componentsDistribution.logCdf(tf.expandDims(x, x.rank));
  }
  protected componentMeans(): tf.Tensor {
    return this.componentsDistribution.mean();
  }
  protected componentVariances(): tf.Tensor {
    return this.componentsDistribution.variance();
  }
  protected componentCovariances(): tf.Tensor {
    return this.componentsDistribution.covariance();
  }
  protected componentSamples(n: number, seed: number | undefined, scaleTemperature: number): tf.Tensor {
    const x = this.componentsDistribution.sample([n], seed === undefined ? {} : { seed });
    if (scaleTemperature === 1) return x;
    const loc = locationOf(this.componentsDistribution, 'MixtureSameFamily');
    return tf.add(loc, tf.mul(Math.sqrt(scaleTemperature), tf.sub(x, loc)));
  }

  /**
   * Normal-family components (Normal, Independent(Normal), MultivariateNormalDiag):
   * select loc and scale with the one-hot indices, then draw one standard normal
   * per sample; costs O(n·B·E) instead of drawing all K components.
   */
  protected override drawSelected(
    oneHot: tf.Tensor,
    n: number,
    seed: number | undefined,
    scaleTemperature: number,
  ): tf.Tensor {
    const parts = normalParts(this.componentsDistribution);
    if (parts === null) return super.drawSelected(oneHot, n, seed, scaleTemperature);
    const full = [...this.batchShape, this.numComponents, ...this.eventShape];
    const loc = selectComponent(oneHot, tf.broadcastTo(parts.loc, full), this.eventRank);
    let scale = selectComponent(oneHot, tf.broadcastTo(parts.scale, full), this.eventRank);
    if (scaleTemperature !== 1) scale = tf.mul(scale, Math.sqrt(scaleTemperature));
    const eps = randomNormal([n, ...this.batchShape, ...this.eventShape], seed);
    return tf.add(loc, tf.mul(scale, eps));
  }
}

/** loc and scale of normal-family components, shaped `[...batch, ...event]`, or null. */
function normalParts(d: Distribution): { loc: tf.Tensor; scale: tf.Tensor } | null {
  const full = [...d.batchShape, ...d.eventShape];
  const rec = d as unknown as { loc?: unknown; scale?: unknown; scaleDiag?: unknown; distribution?: unknown; reinterpretedBatchNdims?: unknown };
  if (d.className === 'Normal' && rec.loc instanceof tf.Tensor && rec.scale instanceof tf.Tensor) {
    return { loc: tf.broadcastTo(rec.loc, full), scale: tf.broadcastTo(rec.scale, full) };
  }
  if (d.className === 'MultivariateNormalDiag' && rec.loc instanceof tf.Tensor && rec.scaleDiag instanceof tf.Tensor) {
    return { loc: tf.broadcastTo(rec.loc, full), scale: tf.broadcastTo(rec.scaleDiag, full) };
  }
  if (d.className === 'Independent' && rec.distribution instanceof Distribution) {
    const inner = normalParts(rec.distribution);
    if (inner === null) return null;
    return { loc: tf.reshape(inner.loc, full), scale: tf.reshape(inner.scale, full) };
  }
  return null;
}
