import * as tf from '@tensorflow/tfjs';
import type { Distribution } from '../distributions/distribution.js';
import { Independent } from '../distributions/independent.js';
import { Logistic } from '../distributions/logistic.js';
import { DistributionLayer, asEventShape, buildDistribution, eventSizeOf, paramsBatchShape, type LayerArgs } from './distribution_layer.js';

export interface IndependentLogisticArgs extends LayerArgs {
  /** Shape of one draw: `[]` (scalar, the default), `n` or `[n]`, ... */
  eventShape?: number | number[];
}

/** [loc, scale] of TFP's IndependentLogistic/MixtureLogistic block `[a (n), b (n)]`: `a` and `softplus(b)`, reshaped to `shape`. */
export function logisticBlock(block: tf.Tensor, shape: number[]): [tf.Tensor, tf.Tensor] {
  const [a, b] = tf.split(block, 2, -1) as [tf.Tensor, tf.Tensor];
  return [tf.reshape(a, shape), tf.softplus(tf.reshape(b, shape))];
}

/**
 * A head for independent logistic outputs: TFP's `tfpl.IndependentLogistic`.
 *
 * Mathematical details: with `n = prod(eventShape)` and raw parameters `p = [a (n), b (n)]`,
 * the distribution is `Independent(Logistic(loc = a, scale = softplus(b)), rank(eventShape))`,
 * each half reshaped to `[...batch, ...eventShape]` (TFP's `tf.split(params, 2)`, no shift).
 *
 * Parameters: input `[...batch, 2n]`; output the same tensor; `toDistribution(params)` has
 * batch `[...batch]` and event `eventShape`.
 *
 * @example
 * ```ts
 * const head = new tfpl.IndependentLogistic({ eventShape: [2] });
 * const model = tf.sequential({ layers: [
 *   tf.layers.dense({ inputShape: [4], units: tfpl.IndependentLogistic.paramsSize([2]) }),
 *   head,
 * ] });
 * model.compile({ optimizer: 'adam', loss: tfp.losses.negativeLogLikelihood(head) });
 * ```
 */
export class IndependentLogistic extends DistributionLayer {
  static className = 'IndependentLogistic';
  private readonly event: number[];

  constructor(args: IndependentLogisticArgs = {}) {
    super(args);
    this.event = asEventShape(args.eventShape, 'IndependentLogistic');
  }

  /** Number of raw parameters: `2 * prod(eventShape)`. */
  static paramsSize(eventShape: number | number[] = []): number {
    return 2 * eventSizeOf(asEventShape(eventShape, 'IndependentLogistic.paramsSize'));
  }

  /** TFP's `IndependentLogistic.new(params, eventShape)`. */
  static toDistribution(params: tf.Tensor, eventShape: number | number[] = []): Distribution {
    const ev = asEventShape(eventShape, 'IndependentLogistic');
    const batch = paramsBatchShape(params, 2 * eventSizeOf(ev), 'IndependentLogistic');
    return buildDistribution(
      () => logisticBlock(params, [...batch, ...ev]),
      (loc, scale) => new Independent({ distribution: new Logistic({ loc, scale }), reinterpretedBatchNdims: ev.length }),
    );
  }

  override get paramsSize(): number {
    return 2 * eventSizeOf(this.event);
  }

  override get eventShape(): number[] {
    return [...this.event];
  }

  override toDistribution(params: tf.Tensor): Distribution {
    return IndependentLogistic.toDistribution(params, this.event);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), eventShape: [...this.event] };
  }
}
