import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import { Bijector, bijectorParam, type BijectorOptions, type TensorLike } from './bijector.js';

export interface ScaleArgs extends BijectorOptions {
  /** The scale (nonzero), shape `[...B]`. Give exactly one of `scale` and `logScale`. */
  scale?: TensorLike;
  /** The log of a positive scale, shape `[...B]`. */
  logScale?: TensorLike;
}

/**
 * The scale bijector: `y = scale · x` (or `exp(logScale) · x`).
 *
 * Mathematical details: `x = y / scale`; `log |det J| = log |scale|` per element
 * (`logScale` when given; constant Jacobian, min event ndims 0).
 *
 * @example
 * ```ts
 * const b = new tfb.Scale({ scale: 2 });
 * b.forward([1, 3]);                    // [2, 6]
 * b.forwardLogDetJacobian([1, 3], 1);   // 2 log 2
 * ```
 */
export class Scale extends Bijector {
  readonly scale: tf.Tensor | undefined;
  readonly logScale: tf.Tensor | undefined;
  private readonly sign: boolean | undefined;
  constructor(args: ScaleArgs) {
    if ((args.scale === undefined) === (args.logScale === undefined)) {
      throw new InvalidArgumentError(`Scale: give exactly one of scale and logScale; got ${args.scale === undefined ? 'neither' : 'both'}`);
    }
    const scale = args.scale === undefined ? undefined : bijectorParam(args.scale, 'scale', 'Scale');
    const logScale = args.logScale === undefined ? undefined : bijectorParam(args.logScale, 'logScale', 'Scale');
    super({
      ...args,
      className: 'Scale',
      forwardMinEventNdims: 0,
      isConstantJacobian: true,
      params: scale ? { scale: { value: scale, eventRank: 0 } } : { logScale: { value: logScale!, eventRank: 0 } },
    });
    this.scale = scale;
    this.logScale = logScale;
    this.sign = signOf(args.scale);
    if (this.validateArgs && scale) {
      const bad = tf.tidy(() => tf.any(tf.equal(scale, 0)).dataSync()[0]);
      if (bad) {
        const shown = Array.from(scale.dataSync().slice(0, 16)).join(', ');
        this.dispose();
        throw new InvalidArgumentError(`Scale: scale must be nonzero (the map must be invertible); got [${shown}] (shape [${scale.shape.join(', ')}])`);
      }
    }
  }
  private factor(): tf.Tensor {
    return this.scale ?? tf.exp(this.logScale!);
  }
  protected forwardFn(x: tf.Tensor): tf.Tensor {
    return tf.mul(x, this.factor());
  }
  protected inverseFn(y: tf.Tensor): tf.Tensor {
    return this.scale ? tf.div(y, this.scale) : tf.mul(y, tf.exp(tf.neg(this.logScale!)));
  }
  protected override forwardLdjFn(_x: tf.Tensor): tf.Tensor {
    return this.scale ? tf.log(tf.abs(this.scale)) : tf.reshape(this.logScale!, this.logScale!.shape);
  }
  protected override inverseLdjFn(_y: tf.Tensor): tf.Tensor {
    return tf.neg(this.forwardLdjFn(_y));
  }
  override isIncreasing(): boolean | undefined {
    return this.logScale ? true : this.sign;
  }
}

/** True if a scale given as numbers is all positive, false if all negative, undefined otherwise (tensors are not read). */
function signOf(v: TensorLike | undefined): boolean | undefined {
  if (v === undefined || v instanceof tf.Tensor) return undefined;
  const flat: number[] = typeof v === 'number' ? [v] : Array.from((v as ArrayLike<unknown>) as number[]).flat(Infinity as 1) as number[];
  if (flat.length > 0 && flat.every((d) => d > 0)) return true;
  if (flat.length > 0 && flat.every((d) => d < 0)) return false;
  return undefined;
}
