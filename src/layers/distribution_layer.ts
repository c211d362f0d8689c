/**
 * Base class of the distribution heads (TFP's `DistributionLambda` family).
 *
 * A tfjs model outputs tensors, not distributions, so a head is a layer whose
 * output is the tensor of raw distribution parameters, `[...batch, paramsSize]`
 * (the identity on its input, which must already have that last dimension,
 * unless a subclass has its own weights), and which knows how to turn that
 * tensor into a distribution with `toDistribution(params)`. The same
 * conversion is available statically on each subclass, as TFP's `Layer.new`.
 */
import * as tf from '@tensorflow/tfjs';
import type { Distribution } from '../distributions/distribution.js';

export type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

export abstract class DistributionLayer extends tf.layers.Layer {
  /** Number of raw parameters this head reads from the last axis of its input. */
  abstract get paramsSize(): number;

  /** Event shape of the distributions this head makes (for `fit` targets and sampling). */
  abstract get eventShape(): number[];

  /** Turns a `[...batch, paramsSize]` tensor of raw parameters (this layer's output) into a distribution. */
  abstract toDistribution(params: tf.Tensor): Distribution;

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [...s.slice(0, -1), this.paramsSize];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[] {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const last = x.shape[x.shape.length - 1];
    if (last !== this.paramsSize) {
      throw new Error(
        `${this.getClassName()}: input must have last dimension paramsSize = ${this.paramsSize}; got shape [${x.shape.join(', ')}]`,
      );
    }
    return tf.clone(x);
  }
}
