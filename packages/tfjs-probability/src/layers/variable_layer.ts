import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import type { LayerArgs } from './distribution_layer.js';
import { activationFn } from './variational_fns.js';

/** The initializers a VariableLayer accepts by name (spelled out: a type inferred from tfjs's
 * initializer classes would make the declarations import tfjs-layers' internal paths). */
export type VariableInitializerName = 'zeros' | 'ones' | 'glorotUniform' | 'glorotNormal' | 'randomNormal' | 'randomUniform';
const INITIALIZERS: Record<VariableInitializerName, () => ReturnType<typeof tf.initializers.zeros>> = {
  zeros: () => tf.initializers.zeros(),
  ones: () => tf.initializers.ones(),
  glorotUniform: () => tf.initializers.glorotUniform({}),
  glorotNormal: () => tf.initializers.glorotNormal({}),
  randomNormal: () => tf.initializers.randomNormal({}),
  randomUniform: () => tf.initializers.randomUniform({}),
};

export interface VariableLayerArgs extends LayerArgs {
  /** Shape of the variable (a number for a vector). */
  shape: number | number[];
  /** Initializer name (default `'zeros'`, as TFP). */
  initializer?: VariableInitializerName;
  /** Activation applied to the variable on output (default linear). */
  activation?: string | null;
}

/**
 * A layer whose output is a trainable variable, independent of its input: TFP's
 * `tfpl.VariableLayer`, for learned priors, scales or the parameters of an unconditional
 * distribution.
 *
 * Mathematical details: `call(x) = activation(v)` for a variable `v` of `shape`; the input
 * only places the layer in a graph. As in TFP the output has the variable's shape, without a
 * batch axis: broadcast it (or feed it to a `DistributionLambda`) to use it per example.
 *
 * Parameters: input anything; output `shape`.
 *
 * @example
 * ```ts
 * const x = tf.input({ shape: [3] });
 * const logScale = new tfpl.VariableLayer({ shape: [2], initializer: 'zeros' }).apply(x) as tf.SymbolicTensor;   // [2]
 * ```
 */
export class VariableLayer extends tf.layers.Layer {
  static className = 'VariableLayer';
  readonly shape: number[];
  readonly initializerName: VariableInitializerName;
  private readonly activationName: string | null;
  private readonly act: (x: tf.Tensor) => tf.Tensor;
  private variable: tf.LayerVariable | undefined;

  constructor(args: VariableLayerArgs) {
    super(args);
    const shape = typeof args?.shape === 'number' ? [args.shape] : args?.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d > 0)) {
      throw new InvalidArgumentError(`VariableLayer: shape must be a positive integer or an array of them; got ${JSON.stringify(args?.shape)}`);
    }
    this.shape = [...shape];
    this.initializerName = args.initializer ?? 'zeros';
    if (!(this.initializerName in INITIALIZERS)) {
      throw new InvalidArgumentError(
        `VariableLayer: initializer must be one of ${Object.keys(INITIALIZERS).join(', ')}; got ${JSON.stringify(args.initializer)}`,
      );
    }
    this.activationName = args.activation ?? null;
    this.act = activationFn(this.activationName, 'VariableLayer');
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    void inputShape;
    this.variable = this.addWeight('variable', this.shape, 'float32', INITIALIZERS[this.initializerName]());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    void inputShape;
    return [...this.shape];
  }

  override call(): tf.Tensor {
    return tf.tidy(() => this.act(tf.reshape(this.variable!.read(), this.shape)));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), shape: [...this.shape], initializer: this.initializerName, activation: this.activationName };
  }
}
