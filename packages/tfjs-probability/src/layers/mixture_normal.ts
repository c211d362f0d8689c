import * as tf from '@tensorflow/tfjs';
import type { Distribution } from '../distributions/distribution.js';
import { Independent } from '../distributions/independent.js';
import { Normal } from '../distributions/normal.js';
import type { FusedMixtureParams, MixtureSameFamily as MixtureSameFamilyDistribution } from '../distributions/mixture_same_family.js';
import { DistributionLayer, asEventShape, buildDistribution, eventSizeOf, paramsBatchShape, type LayerArgs } from './distribution_layer.js';
import { assembleMixture, checkCount } from './mixture_same_family.js';
import { mixtureNormalNllOrNull } from '../kernels/mixture_normal_logprob.js';

export interface MixtureNormalArgs extends LayerArgs {
  /** Number of mixture components `K`. */
  numComponents: number;
  /** Shape of one draw: `[]` (scalar, the default), `n` or `[n]`, ... */
  eventShape?: number | number[];
}

/**
 * A mixture-of-normals head: TFP's `tfpl.MixtureNormal`.
 *
 * Mathematical details: with `K = numComponents`, `n = prod(eventShape)` and raw
 * parameters in TFP's exact layout `[logits (K), then K blocks of [a (n), b (n)]]`,
 * component `k` is `Independent(Normal(loc = a_k, scale = softplus(b_k)))` over `eventShape`
 * and `p(y) = Σ_k softmax(logits)_k p_k(y)` (a `MixtureSameFamily`).
 *
 * Parameters: input `[...batch, K(1 + 2n)]`; output the same tensor; `toDistribution(params)`
 * has batch `[...batch]` and event `eventShape`. On rank-2 parameters (the usual `[N, P]`)
 * the log density and its gradient run through one fused kernel (cpu, wasm).
 *
 * @example
 * ```ts
 * const head = new tfpl.MixtureNormal({ numComponents: 5, eventShape: [1] });
 * const model = tf.sequential({ layers: [
 *   tf.layers.dense({ inputShape: [1], units: 12, activation: 'relu' }),
 *   tf.layers.dense({ units: tfpl.MixtureNormal.paramsSize(5, [1]) }),
 *   head,
 * ] });
 * model.compile({ optimizer: tf.train.adam(0.02), loss: tfp.losses.negativeLogLikelihood(head) });
 * ```
 */
export class MixtureNormal extends DistributionLayer {
  static className = 'MixtureNormal';
  readonly numComponents: number;
  private readonly event: number[];

  constructor(args: MixtureNormalArgs) {
    super(args);
    this.numComponents = checkCount(args.numComponents, 'numComponents', 'MixtureNormal');
    this.event = asEventShape(args.eventShape, 'MixtureNormal');
  }

  /** TFP's `params_size(num_components, event_shape)`: `K + K·2n`. */
  static paramsSize(numComponents: number, eventShape: number | number[] = []): number {
    const k = checkCount(numComponents, 'numComponents', 'MixtureNormal.paramsSize');
    return k * (1 + 2 * eventSizeOf(asEventShape(eventShape, 'MixtureNormal.paramsSize')));
  }

  /** TFP's `MixtureNormal.new(params, num_components, event_shape)`. */
  static toDistribution(params: tf.Tensor, numComponents: number, eventShape: number | number[] = []): MixtureSameFamilyDistribution {
    const K = checkCount(numComponents, 'numComponents', 'MixtureNormal');
    const ev = asEventShape(eventShape, 'MixtureNormal');
    const n = eventSizeOf(ev);
    const batch = paramsBatchShape(params, K * (1 + 2 * n), 'MixtureNormal');
    const zeros = new Array<number>(batch.length).fill(0);
    const fused: FusedMixtureParams | undefined =
      batch.length === 1 ? { params, layout: 'mixtureNormal', numComponents: K, eventSize: n } : undefined;
    return buildDistribution(
      () => {
        const logits = tf.slice(params, [...zeros, 0], [...batch, K]);
        const blocks = tf.reshape(tf.slice(params, [...zeros, K], [...batch, 2 * K * n]), [...batch, K, 2 * n]);
        const loc = tf.reshape(tf.slice(blocks, [...zeros, 0, 0], [...batch, K, n]), [...batch, K, ...ev]);
        const scale = tf.softplus(tf.reshape(tf.slice(blocks, [...zeros, 0, n], [...batch, K, n]), [...batch, K, ...ev]));
        return [logits, loc, scale] as [tf.Tensor, tf.Tensor, tf.Tensor];
      },
      (logits, loc, scale) =>
        assembleMixture(
          logits,
          new Independent({ distribution: new Normal({ loc, scale }), reinterpretedBatchNdims: ev.length }),
          fused,
        ),
    ) as MixtureSameFamilyDistribution;
  }

  override get paramsSize(): number {
    return MixtureNormal.paramsSize(this.numComponents, this.event);
  }

  override get eventShape(): number[] {
    return [...this.event];
  }

  override toDistribution(params: tf.Tensor): MixtureSameFamilyDistribution {
    return MixtureNormal.toDistribution(params, this.numComponents, this.event);
  }

  /** The NLL loss's fused path (one kernel forward and one backward on cpu/wasm); see `DistributionHead`. */
  negativeLogLikelihood(params: tf.Tensor, y: tf.Tensor): tf.Scalar | null {
    return mixtureNormalNllOrNull(params, y, { numComponents: this.numComponents, eventSize: eventSizeOf(this.event), layout: 'mixtureNormal' });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), numComponents: this.numComponents, eventShape: [...this.event] };
  }
}
