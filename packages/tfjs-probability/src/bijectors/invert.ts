import type * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import { Bijector, type BijectorOptions } from './bijector.js';

export interface InvertArgs extends BijectorOptions {
  /** The bijector to invert (owned: disposing the Invert disposes it). */
  bijector: Bijector;
}

/**
 * The inverse of a bijector: `forward` is `bijector.inverse` and vice versa.
 *
 * Mathematical details: `forwardLogDetJacobian(x) = bijector.inverseLogDetJacobian(x)`;
 * min event ndims are swapped. Owns `bijector`.
 *
 * @example
 * ```ts
 * const log = new tfb.Invert({ bijector: new tfb.Exp() });
 * log.forward([1, Math.E]);   // [0, 1]
 * ```
 */
export class Invert extends Bijector {
  readonly bijector: Bijector;
  constructor(args: InvertArgs, className = 'Invert') {
    if (!(args?.bijector instanceof Bijector)) {
      throw new InvalidArgumentError(`${className}: bijector must be a tfp.bijectors Bijector; got ${String(args?.bijector)}`);
    }
    const b = args.bijector;
    super({
      ...args,
      className,
      forwardMinEventNdims: b.inverseMinEventNdims,
      inverseMinEventNdims: b.forwardMinEventNdims,
      isConstantJacobian: b.isConstantJacobian,
      cache: b.cacheEnabled,
    });
    this.bijector = b;
  }
  protected forwardFn(x: tf.Tensor): tf.Tensor {
    return this.bijector.inverse(x);
  }
  protected inverseFn(y: tf.Tensor): tf.Tensor {
    return this.bijector.forward(y);
  }
  override forwardLdjAt(x: tf.Tensor, eventNdims: number): tf.Tensor {
    return this.bijector.inverseLdjAt(x, eventNdims);
  }
  override inverseLdjAt(y: tf.Tensor, eventNdims: number): tf.Tensor {
    return this.bijector.forwardLdjAt(y, eventNdims);
  }
  override inverseAndLdjAt(y: tf.Tensor, eventNdims: number): [tf.Tensor, tf.Tensor] {
    return [this.bijector.forward(y), this.bijector.forwardLdjAt(y, eventNdims)];
  }
  protected override forwardEventShapeFn(shape: number[]): number[] {
    return this.bijector.inverseEventShape(shape);
  }
  protected override inverseEventShapeFn(shape: number[]): number[] {
    return this.bijector.forwardEventShape(shape);
  }
  protected override innerBijectors(): Record<string, Bijector> {
    return { bijector: this.bijector };
  }
  protected override innerBatchShapes(xEventNdims: number): Array<[string, number[]]> {
    const n = Math.max(xEventNdims, this.forwardMinEventNdims);
    return [['bijector', this.bijector.experimentalBatchShape(this.bijector.inverseEventNdims(n))]];
  }
  override isIncreasing(): boolean | undefined {
    return this.bijector.isIncreasing();
  }
}
