import * as tf from '@tensorflow/tfjs';
import type { Distribution } from '../distributions/distribution.js';
import { Independent } from '../distributions/independent.js';
import { Poisson } from '../distributions/poisson.js';
import { DistributionLayer, asEventShape, buildDistribution, eventSizeOf, paramsBatchShape, type LayerArgs } from './distribution_layer.js';

export interface IndependentPoissonArgs extends LayerArgs {
  /** Shape of one draw: `[]` (scalar, the default), `n` or `[n]`, ... */
  eventShape?: number | number[];
}

/**
 * A head for count outputs: TFP's `tfpl.IndependentPoisson`.
 *
 * Mathematical details: with `n = prod(eventShape)` and raw parameters `p (n)`,
 * the distribution is `Independent(Poisson(logRate = p), reinterpretedBatchNdims = rank(eventShape))`,
 * `p` reshaped to `[...batch, ...eventShape]`: the raw parameter is the log rate, exactly
 * TFP's layout (`params_size = n`). The loss of a row is `-Σ (y log λ - λ - lgamma(y + 1))`
 * over its event: Poisson regression with a log link.
 *
 * Parameters: input `[...batch, n]`; output the same tensor; `toDistribution(params)` has
 * batch `[...batch]` and event `eventShape`. Targets are natural counts `[N, ...eventShape]`
 * (float or int32).
 *
 * @example
 * ```ts
 * const head = new tfpl.IndependentPoisson({ eventShape: [1] });
 * const model = tf.sequential({ layers: [
 *   tf.layers.dense({ inputShape: [4], units: tfpl.IndependentPoisson.paramsSize([1]) }),
 *   head,
 * ] });
 * model.compile({ optimizer: tf.train.adam(0.05), loss: tfp.losses.negativeLogLikelihood(head) });
 * await model.fit(x, counts);     // counts: [N, 1]
 * ```
 */
export class IndependentPoisson extends DistributionLayer {
  static className = 'IndependentPoisson';
  private readonly event: number[];

  constructor(args: IndependentPoissonArgs = {}) {
    super(args);
    this.event = asEventShape(args.eventShape, 'IndependentPoisson');
  }

  /** Number of raw parameters: `prod(eventShape)`. */
  static paramsSize(eventShape: number | number[] = []): number {
    return eventSizeOf(asEventShape(eventShape, 'IndependentPoisson.paramsSize'));
  }

  /** TFP's `IndependentPoisson.new(params, eventShape)`. */
  static toDistribution(params: tf.Tensor, eventShape: number | number[] = []): Distribution {
    const ev = asEventShape(eventShape, 'IndependentPoisson');
    const batch = paramsBatchShape(params, eventSizeOf(ev), 'IndependentPoisson');
    return buildDistribution(
      () => [tf.reshape(params, [...batch, ...ev])] as [tf.Tensor],
      (logRate) => new Independent({ distribution: new Poisson({ logRate }), reinterpretedBatchNdims: ev.length }),
    );
  }

  override get paramsSize(): number {
    return eventSizeOf(this.event);
  }

  override get eventShape(): number[] {
    return [...this.event];
  }

  override toDistribution(params: tf.Tensor): Distribution {
    return IndependentPoisson.toDistribution(params, this.event);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), eventShape: [...this.event] };
  }
}
