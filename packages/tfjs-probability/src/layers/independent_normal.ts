import * as tf from '@tensorflow/tfjs';
import type { Distribution } from '../distributions/distribution.js';
import { Independent } from '../distributions/independent.js';
import { Normal } from '../distributions/normal.js';
import {
  DistributionLayer,
  asEventShape,
  buildDistribution,
  eventSizeOf,
  paramsBatchShape,
  type LayerArgs,
} from './distribution_layer.js';
import { independentNormalNllOrNull } from '../kernels/independent_normal_nll.js';

export interface IndependentNormalArgs extends LayerArgs {
  /** Shape of one draw: `[]` (scalar, the default), `n` or `[n]`, `[h, w]`, ... */
  eventShape?: number | number[];
}

/**
 * A head for independent normal outputs: TFP's `tfpl.IndependentNormal`.
 *
 * Mathematical details: with `n = prod(eventShape)` and raw parameters
 * `p = [a (n), b (n)]`, the distribution is
 * `Independent(Normal(loc = a, scale = softplus(b)), reinterpretedBatchNdims = rank(eventShape))`,
 * each half reshaped to `[...batch, ...eventShape]`; the log density of an event is the sum
 * of the `n` normal log densities. Exactly TFP's layout and transform (`tf.split(params, 2)`,
 * `scale = tf.math.softplus(scale_params)`, no shift).
 *
 * Parameters: input `[...batch, 2n]` (from a `Dense(IndependentNormal.paramsSize(eventShape))`);
 * output the same tensor; `toDistribution(params)` has batch shape `[...batch]` and event
 * shape `eventShape`.
 *
 * @example
 * ```ts
 * const head = new tfpl.IndependentNormal({ eventShape: [3] });
 * const model = tf.sequential({ layers: [
 *   tf.layers.dense({ inputShape: [4], units: tfpl.IndependentNormal.paramsSize([3]) }),
 *   head,
 * ] });
 * model.compile({ optimizer: 'adam', loss: tfp.losses.negativeLogLikelihood(head) });
 * await model.fit(x, y);                         // y: [N, 3]
 * const d = tfp.predictDistribution(model, x);   // batchShape [N], eventShape [3]
 * ```
 */
export class IndependentNormal extends DistributionLayer {
  static className = 'IndependentNormal';
  private readonly event: number[];

  constructor(args: IndependentNormalArgs = {}) {
    super(args);
    this.event = asEventShape(args.eventShape, 'IndependentNormal');
  }

  /** Number of raw parameters for `eventShape`: `2 * prod(eventShape)`. */
  static paramsSize(eventShape: number | number[] = []): number {
    return 2 * eventSizeOf(asEventShape(eventShape, 'IndependentNormal.paramsSize'));
  }

  /** TFP's `IndependentNormal.new(params, eventShape)`. */
  static toDistribution(params: tf.Tensor, eventShape: number | number[] = []): Distribution {
    const ev = asEventShape(eventShape, 'IndependentNormal');
    const n = eventSizeOf(ev);
    const batch = paramsBatchShape(params, 2 * n, 'IndependentNormal');
    return buildDistribution(
      () => {
        const [a, b] = tf.split(params, 2, -1) as [tf.Tensor, tf.Tensor];
        return [tf.reshape(a, [...batch, ...ev]), tf.softplus(tf.reshape(b, [...batch, ...ev]))] as [tf.Tensor, tf.Tensor];
      },
      (loc, scale) => new Independent({ distribution: new Normal({ loc, scale }), reinterpretedBatchNdims: ev.length }),
    );
  }

  override get paramsSize(): number {
    return 2 * eventSizeOf(this.event);
  }

  override get eventShape(): number[] {
    return [...this.event];
  }

  override toDistribution(params: tf.Tensor): Distribution {
    return IndependentNormal.toDistribution(params, this.event);
  }

  /** The NLL loss's fused path (one kernel forward and one backward on cpu/wasm); see `DistributionHead`. */
  negativeLogLikelihood(params: tf.Tensor, y: tf.Tensor): tf.Scalar | null {
    return independentNormalNllOrNull(params, y, eventSizeOf(this.event));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), eventShape: [...this.event] };
  }
}
