import * as tf from '@tensorflow/tfjs';
import type { Distribution } from '../distributions/distribution.js';
import { Categorical } from '../distributions/categorical.js';
import { MixtureSameFamily as MixtureSameFamilyDistribution, type FusedMixtureParams } from '../distributions/mixture_same_family.js';
import { InvalidArgumentError } from '../errors.js';
import { DistributionLayer, buildDistribution, paramsBatchShape, type LayerArgs } from './distribution_layer.js';

export interface MixtureSameFamilyArgs extends LayerArgs {
  /** Number of mixture components `K`. */
  numComponents: number;
  /**
   * The head that makes one component from its raw parameters (e.g. `new tfpl.IndependentNormal({eventShape: [2]})`);
   * it receives `[...batch, K, componentLayer.paramsSize]` and must return a distribution of batch `[...batch, K]`.
   */
  componentLayer: DistributionLayer;
}

/** A positive integer check shared by the mixture layers. */
export function checkCount(v: unknown, what: string, owner: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw new InvalidArgumentError(`${owner}: ${what} must be a positive integer; got ${JSON.stringify(v)}`);
  }
  return v;
}

/**
 * Assembles a MixtureSameFamily from logits and a component distribution, taking
 * ownership of both (the mixture disposes them).
 */
export function assembleMixture(
  logits: tf.Tensor,
  components: Distribution,
  fused: FusedMixtureParams | undefined,
): MixtureSameFamilyDistribution {
  const cat = new Categorical({ logits });
  return new MixtureSameFamilyDistribution({
    mixtureDistribution: cat,
    componentsDistribution: components,
    ...(fused ? { fusedParams: fused } : {}),
  });
}

/** Resolves a serialized layer `{className, config}` through tfjs' serialization registry. */
function deserializeLayer(v: unknown): DistributionLayer {
  if (v instanceof DistributionLayer) return v;
  const o = v as { className?: string; config?: tf.serialization.ConfigDict } | null;
  if (!o || typeof o.className !== 'string') {
    throw new InvalidArgumentError(
      `MixtureSameFamily: componentLayer must be a distribution layer or its serialized {className, config}; got ${JSON.stringify(v)}`,
    );
  }
  const name = o.className.includes('>') ? o.className.split('>').pop()! : o.className;
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[name];
  if (!entry) {
    throw new InvalidArgumentError(
      `MixtureSameFamily: componentLayer class '${o.className}' is not registered (tf.serialization.registerClass)`,
    );
  }
  const [cls, fromConfig] = entry;
  const layer = fromConfig(cls, o.config ?? {}) as unknown;
  if (!(layer instanceof DistributionLayer)) {
    throw new InvalidArgumentError(`MixtureSameFamily: componentLayer '${o.className}' is not a distribution layer`);
  }
  return layer;
}

/**
 * A mixture head whose components come from another head: TFP's `tfpl.MixtureSameFamily`.
 *
 * Mathematical details: with `K = numComponents` and `c = componentLayer.paramsSize`, the
 * raw parameters `[logits (K), then K blocks of c]` (TFP's exact layout) give
 * `MixtureSameFamily(Categorical(logits), componentLayer.toDistribution(blocks [..., K, c]))`,
 * `p(y) = Σ_k softmax(logits)_k p_k(y)`.
 *
 * Parameters: input `[...batch, K + K·c]` (a `Dense(MixtureSameFamily.paramsSize(K, c))` before
 * it); output the same tensor; `toDistribution(params)` has batch `[...batch]` and the
 * component's event shape. With an `IndependentNormal` component on rank-2 parameters the
 * log density runs through one fused kernel (cpu, wasm).
 *
 * @example
 * ```ts
 * const comp = new tfpl.IndependentNormal({ eventShape: [1] });
 * const head = new tfpl.MixtureSameFamily({ numComponents: 5, componentLayer: comp });
 * const model = tf.sequential({ layers: [
 *   tf.layers.dense({ inputShape: [1], units: 12, activation: 'relu' }),
 *   tf.layers.dense({ units: tfpl.MixtureSameFamily.paramsSize(5, tfpl.IndependentNormal.paramsSize([1])) }),
 *   head,
 * ] });
 * model.compile({ optimizer: tf.train.adam(0.02), loss: tfp.losses.negativeLogLikelihood(head) });
 * ```
 */
export class MixtureSameFamily extends DistributionLayer {
  static className = 'MixtureSameFamily';
  readonly numComponents: number;
  readonly componentLayer: DistributionLayer;

  constructor(args: MixtureSameFamilyArgs) {
    super(args);
    this.numComponents = checkCount(args.numComponents, 'numComponents', 'MixtureSameFamily');
    this.componentLayer = deserializeLayer(args.componentLayer);
  }

  /** TFP's `params_size(num_components, component_params_size)`: `K + K·c`. */
  static paramsSize(numComponents: number, componentParamsSize: number): number {
    const k = checkCount(numComponents, 'numComponents', 'MixtureSameFamily.paramsSize');
    const c = checkCount(componentParamsSize, 'componentParamsSize', 'MixtureSameFamily.paramsSize');
    return k + k * c;
  }

  /** TFP's `MixtureSameFamily.new(params, num_components, component_layer)`. */
  static toDistribution(params: tf.Tensor, numComponents: number, componentLayer: DistributionLayer): MixtureSameFamilyDistribution {
    const K = checkCount(numComponents, 'numComponents', 'MixtureSameFamily');
    const c = componentLayer.paramsSize;
    const batch = paramsBatchShape(params, K + K * c, 'MixtureSameFamily');
    const isNormal = componentLayer.getClassName() === 'IndependentNormal';
    const n = componentLayer.eventShape.reduce((a, b) => a * b, 1);
    const fused: FusedMixtureParams | undefined =
      isNormal && batch.length === 1 ? { params, layout: 'mixtureNormal', numComponents: K, eventSize: n } : undefined;
    return buildDistribution(
      () => {
        const logits = tf.slice(params, new Array<number>(batch.length + 1).fill(0), [...batch, K]);
        const blocks = tf.reshape(
          tf.slice(params, [...new Array<number>(batch.length).fill(0), K], [...batch, K * c]),
          [...batch, K, c],
        );
        return [logits, blocks] as [tf.Tensor, tf.Tensor];
      },
      (logits, blocks) => assembleMixture(logits, componentLayer.toDistribution(blocks), fused),
    ) as MixtureSameFamilyDistribution;
  }

  override get paramsSize(): number {
    return this.numComponents + this.numComponents * this.componentLayer.paramsSize;
  }

  override get eventShape(): number[] {
    return this.componentLayer.eventShape;
  }

  override toDistribution(params: tf.Tensor): MixtureSameFamilyDistribution {
    return MixtureSameFamily.toDistribution(params, this.numComponents, this.componentLayer);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      numComponents: this.numComponents,
      componentLayer: { className: this.componentLayer.getClassName(), config: this.componentLayer.getConfig() },
    };
  }
}
