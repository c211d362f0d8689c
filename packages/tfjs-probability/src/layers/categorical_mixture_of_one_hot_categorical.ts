import * as tf from '@tensorflow/tfjs';
import type { MixtureSameFamily as MixtureSameFamilyDistribution } from '../distributions/mixture_same_family.js';
import { OneHotCategorical } from '../distributions/one_hot_categorical.js';
import { DistributionLayer, buildDistribution, paramsBatchShape, type LayerArgs } from './distribution_layer.js';
import { assembleMixture, checkCount } from './mixture_same_family.js';

export interface CategoricalMixtureOfOneHotCategoricalArgs extends LayerArgs {
  /** Number of classes `d` of each one-hot component. */
  eventSize: number;
  /** Number of mixture components `K`. */
  numComponents: number;
}

/**
 * A mixture of one-hot categoricals: TFP's `tfpl.CategoricalMixtureOfOneHotCategorical`.
 *
 * Mathematical details: raw parameters `[mixture logits (K), then K blocks of d logits]`
 * (TFP's `MixtureSameFamily` layout) give
 * `p(y) = Σ_k softmax(m)_k Π_j softmax(l_k)_j^{y_j}`, a `MixtureSameFamily(Categorical(m), OneHotCategorical(l))`;
 * its mean is `Σ_k softmax(m)_k softmax(l_k)`, the probability of each one-hot vector (as TFP's).
 *
 * Parameters: input `[...batch, K(1 + d)]`; output the same tensor; `toDistribution(params)`
 * has batch `[...batch]` and event `[d]`.
 *
 * @example
 * ```ts
 * const head = new tfpl.CategoricalMixtureOfOneHotCategorical({ eventSize: 4, numComponents: 2 });
 * const model = tf.sequential({ layers: [
 *   tf.layers.dense({ inputShape: [3], units: tfpl.CategoricalMixtureOfOneHotCategorical.paramsSize(4, 2) }),
 *   head,
 * ] });
 * ```
 */
export class CategoricalMixtureOfOneHotCategorical extends DistributionLayer {
  static className = 'CategoricalMixtureOfOneHotCategorical';
  readonly eventSize: number;
  readonly numComponents: number;

  constructor(args: CategoricalMixtureOfOneHotCategoricalArgs) {
    super(args);
    this.eventSize = checkCount(args?.eventSize, 'eventSize', 'CategoricalMixtureOfOneHotCategorical');
    this.numComponents = checkCount(args?.numComponents, 'numComponents', 'CategoricalMixtureOfOneHotCategorical');
  }

  /** TFP's `params_size(event_size, num_components)`: `K(1 + d)`. */
  static paramsSize(eventSize: number, numComponents: number): number {
    const d = checkCount(eventSize, 'eventSize', 'CategoricalMixtureOfOneHotCategorical.paramsSize');
    return checkCount(numComponents, 'numComponents', 'CategoricalMixtureOfOneHotCategorical.paramsSize') * (1 + d);
  }

  /** TFP's `CategoricalMixtureOfOneHotCategorical.new(params, event_size, num_components)`. */
  static toDistribution(params: tf.Tensor, eventSize: number, numComponents: number): MixtureSameFamilyDistribution {
    const owner = 'CategoricalMixtureOfOneHotCategorical';
    const d = checkCount(eventSize, 'eventSize', owner);
    const K = checkCount(numComponents, 'numComponents', owner);
    const batch = paramsBatchShape(params, K * (1 + d), owner);
    const zeros = new Array<number>(batch.length).fill(0);
    return buildDistribution(
      () =>
        [
          tf.slice(params, [...zeros, 0], [...batch, K]),
          tf.reshape(tf.slice(params, [...zeros, K], [...batch, K * d]), [...batch, K, d]),
        ] as [tf.Tensor, tf.Tensor],
      (mix, logits) => assembleMixture(mix, new OneHotCategorical({ logits }), undefined),
    ) as MixtureSameFamilyDistribution;
  }

  override get paramsSize(): number {
    return this.numComponents * (1 + this.eventSize);
  }

  override get eventShape(): number[] {
    return [this.eventSize];
  }

  override toDistribution(params: tf.Tensor): MixtureSameFamilyDistribution {
    return CategoricalMixtureOfOneHotCategorical.toDistribution(params, this.eventSize, this.numComponents);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), eventSize: this.eventSize, numComponents: this.numComponents };
  }
}
