/**
 * Base class of the distribution heads (TFP's `DistributionLambda` family).
 *
 * A tfjs model outputs tensors, not distributions, so a head is a layer whose
 * output is the tensor of raw distribution parameters, `[...batch, paramsSize]`
 * (the identity on its input, which must already have that last dimension,
 * unless a subclass has its own weights), and which knows how to turn that
 * tensor into a distribution with `toDistribution(params)`. The same
 * conversion is available statically on each subclass, as TFP's `Layer.new`.
 *
 * Natural targets: importing this module lets `model.fit(x, y)`,
 * `model.evaluate` and `model.trainOnBatch` take targets `y` in their natural
 * shape `[N, ...eventShape]` for a model whose output layer is a head (see
 * `targets.ts` in src/losses); without it tfjs-layers insists that `y` has the
 * output's shape `[N, paramsSize]`.
 */
import * as tf from '@tensorflow/tfjs';
import type { Distribution } from '../distributions/distribution.js';
import { InvalidArgumentError, fmtShape } from '../errors.js';
import { shapeHandle } from '../util.js';

/**
 * What a head's `call` (so `model.predict`) returns: TFP's `convert_to_tensor_fn` names. Unset
 * (the default here), the head returns its raw parameters, so `fit` and the NLL loss work; set
 * (as in every head loaded from a Keras/TFP model), it returns that tensor of the distribution,
 * `[...batch, ...eventShape]`, as Keras does, and `predictDistribution` reads the head's input.
 */
export type ConvertToTensorFn = 'sample' | 'mean' | 'mode' | 'stddev' | 'variance';
export const CONVERT_TO_TENSOR_FNS: readonly ConvertToTensorFn[] = ['sample', 'mean', 'mode', 'stddev', 'variance'];

export type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]> & {
  /** TFP's `convert_to_tensor_fn`: what the layer outputs (default: its raw parameters). */
  convertToTensorFn?: ConvertToTensorFn | null;
};

export abstract class DistributionLayer extends tf.layers.Layer {
  /** TFP's `convert_to_tensor_fn`, or undefined: the layer outputs its raw parameters. */
  readonly convertToTensorFn: ConvertToTensorFn | undefined;

  constructor(args: LayerArgs = {}) {
    super(args);
    const c = args.convertToTensorFn;
    if (c != null && !CONVERT_TO_TENSOR_FNS.includes(c)) {
      throw new InvalidArgumentError(
        `${(new.target as unknown as { className?: string }).className ?? 'DistributionLayer'}: convertToTensorFn must be one of ${CONVERT_TO_TENSOR_FNS.join(', ')}; got ${JSON.stringify(c)}`,
      );
    }
    if (c != null && ownsCall(new.target.prototype as object)) {
      throw new InvalidArgumentError(
        `${(new.target as unknown as { className?: string }).className}: convertToTensorFn is not supported by a head with its own call (weights of its own)`,
      );
    }
    this.convertToTensorFn = c ?? undefined;
  }

  /** Number of raw parameters this head reads from the last axis of its input. */
  abstract get paramsSize(): number;

  /** Event shape of the distributions this head makes (for `fit` targets and sampling). */
  abstract get eventShape(): number[];

  /** Turns a `[...batch, paramsSize]` tensor of raw parameters (this layer's output) into a distribution. */
  abstract toDistribution(params: tf.Tensor): Distribution;

  /**
   * `[..., ...eventShape]` with a `convertToTensorFn`; otherwise `[..., null]`: the head outputs
   * `paramsSize` raw parameters per row, but declares the width unknown so that tfjs-layers'
   * target check in `fit` / `evaluate` / `trainOnBatch` (targets must match the declared output
   * shape, even with a custom loss) accepts natural targets `[N, ...eventShape]` (rank 2 at most;
   * `[N]` for a scalar event) as well as encoded ones `[N, paramsSize]`;
   * `tfp.losses.negativeLogLikelihood` reads both. The actual width is `paramsSize`.
   */
  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    if (this.convertToTensorFn !== undefined) return [...s.slice(0, -1), ...this.eventShape];
    return [...s.slice(0, -1), null];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[] {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const last = x.shape[x.shape.length - 1];
    if (last !== this.paramsSize) {
      throw new InvalidArgumentError(
        `${this.getClassName()}: input must have last dimension paramsSize = ${this.paramsSize}; got shape ${fmtShape(x.shape)}` +
          ` (put a Dense layer with ${this.paramsSize} units before this head)`,
      );
    }
    const convert = this.convertToTensorFn;
    if (convert !== undefined) {
      return tf.tidy(() => {
        const d = this.toDistribution(x);
        try {
          return d[convert]();
        } finally {
          d.dispose();
        }
      });
    }
    // A new handle on the same memory (tf.clone copies the buffer on wasm, on every forward pass).
    return shapeHandle(x);
  }

  override getConfig(): tf.serialization.ConfigDict {
    const cfg = super.getConfig();
    if (this.convertToTensorFn !== undefined) cfg['convertToTensorFn'] = this.convertToTensorFn;
    return cfg;
  }
}

/** Whether a subclass between `proto` and DistributionLayer overrides `call` (so the base conversion would not run). */
function ownsCall(proto: object): boolean {
  for (let p: object | null = proto; p !== null && p !== DistributionLayer.prototype; p = Object.getPrototypeOf(p) as object | null) {
    if (Object.prototype.hasOwnProperty.call(p, 'call')) return true;
  }
  return false;
}

/** Number of elements of one event of `eventShape` (1 for a scalar event). */
export function eventSizeOf(eventShape: readonly number[]): number {
  let n = 1;
  for (const d of eventShape) n *= d;
  return n;
}

/** Normalizes an `eventShape` config value (`3`, `[3]`, `[2, 2]`, `[]`) and checks it. */
export function asEventShape(value: number | readonly number[] | undefined, owner: string): number[] {
  const s = value === undefined ? [] : typeof value === 'number' ? [value] : [...value];
  for (const d of s) {
    if (!Number.isInteger(d) || d <= 0) {
      throw new InvalidArgumentError(`${owner}: eventShape must be a positive integer or an array of them; got ${JSON.stringify(value)}`);
    }
  }
  return s;
}

/**
 * Checks that `params` has last dimension `paramsSize` and returns its batch
 * shape (everything but the last axis).
 */
export function paramsBatchShape(params: tf.Tensor, paramsSize: number, owner: string): number[] {
  if (params.rank < 1 || params.shape[params.rank - 1] !== paramsSize) {
    throw new InvalidArgumentError(`${owner}: params must be [..., ${paramsSize}]; got ${fmtShape(params.shape)}`);
  }
  return params.shape.slice(0, -1);
}

/**
 * Builds a distribution from tensors computed in a tidy: `compute` runs inside
 * `tf.tidy` and returns the constructor's tensors; `make` builds the
 * distribution (distributions clone what they are given), and the
 * intermediates are released. Leaves nothing behind but the distribution.
 */
export function buildDistribution<T extends tf.Tensor[]>(compute: () => T, make: (...t: T) => Distribution): Distribution {
  const ts = tf.tidy(compute);
  try {
    return make(...ts);
  } finally {
    tf.dispose(ts);
  }
}

