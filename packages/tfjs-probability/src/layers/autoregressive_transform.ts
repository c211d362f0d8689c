import * as tf from '@tensorflow/tfjs';
import { AutoregressiveNetwork } from '../bijectors/autoregressive_network.js';
import { MaskedAutoregressiveFlow } from '../bijectors/masked_autoregressive_flow.js';
import type { Distribution } from '../distributions/distribution.js';
import { Independent } from '../distributions/independent.js';
import { Normal } from '../distributions/normal.js';
import { TransformedDistribution } from '../distributions/transformed_distribution.js';
import { InvalidArgumentError, fmtShape } from '../errors.js';
import { shapeHandle } from '../util.js';
import { DistributionLayer, type LayerArgs } from './distribution_layer.js';

export interface AutoregressiveTransformArgs extends LayerArgs {
  /**
   * The MADE network of the flow (`tfb.AutoregressiveNetwork({params: 2, ...})`), new and not yet
   * built: its weights become this layer's (named after it, saved and loaded with the model).
   */
  made: AutoregressiveNetwork | { className: string; config: tf.serialization.ConfigDict };
}

/**
 * TFP's `tfpl.AutoregressiveTransform`: puts a masked autoregressive flow on top of a
 * distribution head, so that a normalizing flow sits in a tfjs model and trains with
 * `model.fit` and `tfp.losses.negativeLogLikelihood`.
 *
 * Mathematical details: the output distribution is
 * `TransformedDistribution(base, MaskedAutoregressiveFlow(made))`, with density
 * `log p(y) = log p_base(x) - Σᵢ logScale_i(y)`, `x = (y - shift(y)) · exp(-logScale(y))`.
 * The base is the distribution of the head this layer is applied to (any
 * `tfpl` head with event shape `[D]`, e.g. `IndependentNormal`); applied to a plain
 * tensor `[N, D]` instead, the base is `N(loc = input, I)`, so a constant zero input gives
 * an unconditional flow and a Dense layer in front gives a conditional one.
 *
 * Parameters: input `[N, paramsSize]` (the previous head's output, passed through);
 * the `made` weights are this layer's trainable weights (saved and loaded with the model).
 *
 * @example
 * ```ts
 * const x = tf.input({ shape: [2] });                                 // feed zeros: unconditional
 * const made = new tfb.AutoregressiveNetwork({ params: 2, eventShape: [2], hiddenUnits: [32, 32], activation: 'relu' });
 * const flow = new tfpl.AutoregressiveTransform({ made });
 * const model = tf.model({ inputs: x, outputs: flow.apply(x) as tf.SymbolicTensor });
 * model.compile({ optimizer: tf.train.adam(1e-3), loss: tfp.losses.negativeLogLikelihood(flow) });
 * await model.fit(tf.zeros([n, 2]), points, { epochs: 100, batchSize: 256 });
 * ```
 */
export class AutoregressiveTransform extends DistributionLayer {
  static className = 'AutoregressiveTransform';
  readonly made: AutoregressiveNetwork;
  private baseHead: DistributionLayer | undefined;
  private inputSize: number | undefined;

  constructor(args: AutoregressiveTransformArgs) {
    super(args);
    const m = args?.made;
    if (m instanceof AutoregressiveNetwork) this.made = m;
    else if (m && typeof m === 'object' && (m as { className?: unknown }).className === 'AutoregressiveNetwork') {
      this.made = new AutoregressiveNetwork((m as { config: tf.serialization.ConfigDict }).config as unknown as ConstructorParameters<typeof AutoregressiveNetwork>[0]);
    } else {
      throw new InvalidArgumentError(`AutoregressiveTransform: made must be a tfb.AutoregressiveNetwork; got ${String(m)}`);
    }
    if (this.made.built) {
      throw new InvalidArgumentError(
        'AutoregressiveTransform: made must be a new, not yet built AutoregressiveNetwork: it is built inside this layer, ' +
          'so that its weights are named after the layer and a saved model loads them back',
      );
    }
    if (this.made.params !== 2 && this.made.params !== 1) {
      throw new InvalidArgumentError(`AutoregressiveTransform: made must have params 2 (shift, log scale) or 1 (shift); got ${this.made.params}`);
    }
  }

  /** Remembers the head this layer is applied to (also when a saved model is rebuilt). */
  override apply(inputs: tf.Tensor | tf.Tensor[] | tf.SymbolicTensor | tf.SymbolicTensor[], kwargs?: tf.serialization.ConfigDict): ReturnType<tf.layers.Layer['apply']> {
    const first = Array.isArray(inputs) ? inputs[0] : inputs;
    const src = (first as { sourceLayer?: unknown } | undefined)?.sourceLayer;
    if (src instanceof DistributionLayer) this.baseHead = src;
    return super.apply(inputs, kwargs);
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const last = s[s.length - 1];
    if (typeof last === 'number') this.inputSize = last;
    const d = this.baseHead ? this.baseHead.eventShape : typeof last === 'number' ? [last] : undefined;
    if (d === undefined || d.length !== 1) {
      throw new InvalidArgumentError(
        `AutoregressiveTransform: the base distribution must have event shape [D] (rank 1); got ${d === undefined ? 'an unknown input size' : fmtShape(d)}`,
      );
    }
    if (!this.made.built) this.made.build([null, d[0]!]);
    if (this.made.eventSize !== d[0]) {
      throw new InvalidArgumentError(`AutoregressiveTransform: made has eventShape [${this.made.eventSize}] but the base distribution has event shape ${fmtShape(d)}`);
    }
    this.built = true;
  }

  override get trainableWeights(): tf.LayerVariable[] {
    return this.trainable ? this.made.trainableWeights : [];
  }
  override set trainableWeights(_w: tf.LayerVariable[]) {
    // The weights are the made's; nothing of its own to set.
  }
  override get nonTrainableWeights(): tf.LayerVariable[] {
    return this.trainable ? this.made.nonTrainableWeights : this.made.weights;
  }
  override set nonTrainableWeights(_w: tf.LayerVariable[]) {
    // As above.
  }

  override get paramsSize(): number {
    if (this.baseHead) return this.baseHead.paramsSize;
    if (this.inputSize === undefined) throw new InvalidArgumentError('AutoregressiveTransform: paramsSize is not known before the layer is built');
    return this.inputSize;
  }

  override get eventShape(): number[] {
    return this.made.eventShape;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return shapeHandle(x);
  }

  /** The flow's distribution for a `[N, paramsSize]` tensor of base parameters (this layer's output). */
  override toDistribution(params: tf.Tensor): Distribution {
    const base: Distribution = this.baseHead
      ? this.baseHead.toDistribution(params)
      : new Independent({ distribution: new Normal({ loc: params, scale: 1 }), reinterpretedBatchNdims: 1 });
    return new TransformedDistribution({ distribution: base, bijector: new MaskedAutoregressiveFlow({ shiftAndLogScaleFn: this.made }) });
  }

  /** The base class disposes the made's weights (they are this layer's); the made's masks go with them. */
  override dispose(): ReturnType<tf.layers.Layer['dispose']> {
    const r = super.dispose();
    if (r.refCountAfterDispose === 0) this.made.disposeMasks();
    return r;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), made: { className: 'AutoregressiveNetwork', config: this.made.getConfig() } };
  }
}
