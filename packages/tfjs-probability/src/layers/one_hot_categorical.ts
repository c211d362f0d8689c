import * as tf from '@tensorflow/tfjs';
import type { Distribution } from '../distributions/distribution.js';
import { OneHotCategorical as OneHotCategoricalDistribution } from '../distributions/one_hot_categorical.js';
import { DistributionLayer, buildDistribution, paramsBatchShape, type LayerArgs } from './distribution_layer.js';
import { checkCount } from './mixture_same_family.js';

export interface OneHotCategoricalArgs extends LayerArgs {
  /** Number of classes `d` (length of the one-hot event). */
  eventSize: number;
}

/**
 * A head for one-hot class labels: TFP's `tfpl.OneHotCategorical`.
 *
 * Mathematical details: the `d` raw parameters are the logits,
 * `P(Y = e_k) = softmax(p)_k`, `log p(y) = Σ_k y_k logSoftmax(p)_k` (TFP's layout: `logits = params`).
 *
 * Parameters: input `[...batch, d]`; output the same tensor; `toDistribution(params)` has batch
 * `[...batch]` and event `[d]`.
 *
 * @example
 * ```ts
 * const head = new tfpl.OneHotCategorical({ eventSize: 3 });
 * const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3 }), head] });
 * model.compile({ optimizer: 'adam', loss: tfp.losses.negativeLogLikelihood(head) });   // y: [N, 3] one-hot
 * ```
 */
export class OneHotCategorical extends DistributionLayer {
  static className = 'OneHotCategorical';
  readonly eventSize: number;

  constructor(args: OneHotCategoricalArgs) {
    super(args);
    this.eventSize = checkCount(args?.eventSize, 'eventSize', 'OneHotCategorical');
  }

  /** TFP's `params_size(event_size)`: `d`. */
  static paramsSize(eventSize: number): number {
    return checkCount(eventSize, 'eventSize', 'OneHotCategorical.paramsSize');
  }

  /** TFP's `OneHotCategorical.new(params, event_size)`. */
  static toDistribution(params: tf.Tensor, eventSize: number): Distribution {
    paramsBatchShape(params, checkCount(eventSize, 'eventSize', 'OneHotCategorical'), 'OneHotCategorical');
    return buildDistribution(
      () => [tf.cast(params, 'float32')] as [tf.Tensor],
      (logits) => new OneHotCategoricalDistribution({ logits }),
    );
  }

  override get paramsSize(): number {
    return this.eventSize;
  }

  override get eventShape(): number[] {
    return [this.eventSize];
  }

  override toDistribution(params: tf.Tensor): Distribution {
    return OneHotCategorical.toDistribution(params, this.eventSize);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), eventSize: this.eventSize };
  }
}
