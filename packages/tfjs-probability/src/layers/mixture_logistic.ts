import * as tf from '@tensorflow/tfjs';
import { Independent } from '../distributions/independent.js';
import { Logistic } from '../distributions/logistic.js';
import type { MixtureSameFamily as MixtureSameFamilyDistribution } from '../distributions/mixture_same_family.js';
import { DistributionLayer, asEventShape, buildDistribution, eventSizeOf, paramsBatchShape, type LayerArgs } from './distribution_layer.js';
import { logisticBlock } from './independent_logistic.js';
import { assembleMixture, checkCount } from './mixture_same_family.js';

export interface MixtureLogisticArgs extends LayerArgs {
  /** Number of mixture components `K`. */
  numComponents: number;
  /** Shape of one draw: `[]` (scalar, the default), `n` or `[n]`, ... */
  eventShape?: number | number[];
}

/**
 * A mixture-of-logistics head: TFP's `tfpl.MixtureLogistic`.
 *
 * Mathematical details: with `K = numComponents`, `n = prod(eventShape)` and raw parameters
 * in TFP's layout (`MixtureSameFamily.new(params, K, IndependentLogistic(eventShape))`)
 * `[logits (K), then K blocks of [a (n), b (n)]]`, component `k` is
 * `Independent(Logistic(loc = a_k, scale = softplus(b_k)))` over `eventShape` and
 * `p(y) = Σ_k softmax(logits)_k p_k(y)`.
 *
 * Parameters: input `[...batch, K(1 + 2n)]`; output the same tensor; `toDistribution(params)`
 * has batch `[...batch]` and event `eventShape`.
 *
 * @example
 * ```ts
 * const head = new tfpl.MixtureLogistic({ numComponents: 3, eventShape: [1] });
 * const model = tf.sequential({ layers: [
 *   tf.layers.dense({ inputShape: [1], units: tfpl.MixtureLogistic.paramsSize(3, [1]) }),
 *   head,
 * ] });
 * model.compile({ optimizer: tf.train.adam(0.02), loss: tfp.losses.negativeLogLikelihood(head) });
 * ```
 */
export class MixtureLogistic extends DistributionLayer {
  static className = 'MixtureLogistic';
  readonly numComponents: number;
  private readonly event: number[];

  constructor(args: MixtureLogisticArgs) {
    super(args);
    this.numComponents = checkCount(args.numComponents, 'numComponents', 'MixtureLogistic');
    this.event = asEventShape(args.eventShape, 'MixtureLogistic');
  }

  /** TFP's `params_size(num_components, event_shape)`: `K + K·2n`. */
  static paramsSize(numComponents: number, eventShape: number | number[] = []): number {
    const k = checkCount(numComponents, 'numComponents', 'MixtureLogistic.paramsSize');
    return k * (1 + 2 * eventSizeOf(asEventShape(eventShape, 'MixtureLogistic.paramsSize')));
  }

  /** TFP's `MixtureLogistic.new(params, num_components, event_shape)`. */
  static toDistribution(params: tf.Tensor, numComponents: number, eventShape: number | number[] = []): MixtureSameFamilyDistribution {
    const K = checkCount(numComponents, 'numComponents', 'MixtureLogistic');
    const ev = asEventShape(eventShape, 'MixtureLogistic');
    const n = eventSizeOf(ev);
    const batch = paramsBatchShape(params, K * (1 + 2 * n), 'MixtureLogistic');
    const zeros = new Array<number>(batch.length).fill(0);
    return buildDistribution(
      () => {
        const logits = tf.slice(params, [...zeros, 0], [...batch, K]);
        const blocks = tf.reshape(tf.slice(params, [...zeros, K], [...batch, 2 * K * n]), [...batch, K, 2 * n]);
        return [logits, ...logisticBlock(blocks, [...batch, K, ...ev])] as [tf.Tensor, tf.Tensor, tf.Tensor];
      },
      (logits, loc, scale) =>
        assembleMixture(logits, new Independent({ distribution: new Logistic({ loc, scale }), reinterpretedBatchNdims: ev.length }), undefined),
    ) as MixtureSameFamilyDistribution;
  }

  override get paramsSize(): number {
    return MixtureLogistic.paramsSize(this.numComponents, this.event);
  }

  override get eventShape(): number[] {
    return [...this.event];
  }

  override toDistribution(params: tf.Tensor): MixtureSameFamilyDistribution {
    return MixtureLogistic.toDistribution(params, this.numComponents, this.event);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), numComponents: this.numComponents, eventShape: [...this.event] };
  }
}
