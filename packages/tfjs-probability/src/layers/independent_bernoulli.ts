import * as tf from '@tensorflow/tfjs';
import type { Distribution } from '../distributions/distribution.js';
import { Independent } from '../distributions/independent.js';
import { Bernoulli } from '../distributions/bernoulli.js';
import { DistributionLayer, asEventShape, buildDistribution, eventSizeOf, paramsBatchShape, type LayerArgs } from './distribution_layer.js';

export interface IndependentBernoulliArgs extends LayerArgs {
  /** Shape of one draw: `[]` (scalar, the default), `n` or `[n]`, ... */
  eventShape?: number | number[];
}

/**
 * A head for binary outputs: TFP's `tfpl.IndependentBernoulli`.
 *
 * Mathematical details: with `n = prod(eventShape)` and raw parameters `p (n)`, the
 * distribution is `Independent(Bernoulli(logits = p), reinterpretedBatchNdims = rank(eventShape))`,
 * `p` reshaped to `[...batch, ...eventShape]`; the raw parameters are the logits, exactly TFP's
 * layout (`params_size = n`). Its NLL is the binary cross-entropy with logits, summed over the event.
 *
 * Parameters: input `[...batch, n]`; output the same tensor; `toDistribution(params)` has
 * batch `[...batch]` and event `eventShape`. Targets are natural 0/1 values `[N, ...eventShape]`.
 *
 * @example
 * ```ts
 * const head = new tfpl.IndependentBernoulli({ eventShape: [3] });
 * const model = tf.sequential({ layers: [
 *   tf.layers.dense({ inputShape: [4], units: tfpl.IndependentBernoulli.paramsSize([3]) }),
 *   head,
 * ] });
 * model.compile({ optimizer: 'adam', loss: tfp.losses.negativeLogLikelihood(head) });
 * await model.fit(x, labels);     // labels: [N, 3] of 0/1
 * ```
 */
export class IndependentBernoulli extends DistributionLayer {
  static className = 'IndependentBernoulli';
  private readonly event: number[];

  constructor(args: IndependentBernoulliArgs = {}) {
    super(args);
    this.event = asEventShape(args.eventShape, 'IndependentBernoulli');
  }

  /** Number of raw parameters: `prod(eventShape)`. */
  static paramsSize(eventShape: number | number[] = []): number {
    return eventSizeOf(asEventShape(eventShape, 'IndependentBernoulli.paramsSize'));
  }

  /** TFP's `IndependentBernoulli.new(params, eventShape)` (raw parameters are the logits). */
  static toDistribution(params: tf.Tensor, eventShape: number | number[] = []): Distribution {
    const ev = asEventShape(eventShape, 'IndependentBernoulli');
    const batch = paramsBatchShape(params, eventSizeOf(ev), 'IndependentBernoulli');
    return buildDistribution(
      () => [tf.reshape(params, [...batch, ...ev])] as [tf.Tensor],
      (logits) => new Independent({ distribution: new Bernoulli({ logits }), reinterpretedBatchNdims: ev.length }),
    );
  }

  override get paramsSize(): number {
    return eventSizeOf(this.event);
  }

  override get eventShape(): number[] {
    return [...this.event];
  }

  override toDistribution(params: tf.Tensor): Distribution {
    return IndependentBernoulli.toDistribution(params, this.event);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), eventShape: [...this.event] };
  }
}
