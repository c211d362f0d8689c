import * as tf from '@tensorflow/tfjs';
import { FINITE, POSITIVE, PositiveSemidefiniteKernel, kernelParams, type KernelOptions } from './psd_kernel.js';
import type { TensorLike } from '../../util.js';
import { broadcastPair } from '../../util.js';

export interface LinearArgs extends KernelOptions {
  /** `σ_b > 0`: the constant term is `σ_b²` (0 when left out), shape `[...B]`. */
  biasAmplitude?: TensorLike;
  /** `σ_s > 0`: the dot product is scaled by `σ_s²` (1 when left out), shape `[...B]`. */
  slopeAmplitude?: TensorLike;
  /** Shift `c` of the inputs (0 when left out), shape `[...B]`. */
  shift?: TensorLike;
}

export interface PolynomialArgs extends LinearArgs {
  /** Exponent `d > 0` (1 when left out), shape `[...B]`. */
  exponent?: TensorLike;
}

/**
 * The polynomial kernel `k(x, y) = σ_b² + σ_s² ((x − c)ᵀ(y − c))^d` (TFP's `Polynomial`).
 *
 * @example
 * ```ts
 * const k = new tfp.math.psdKernels.Polynomial({ biasAmplitude: 1, slopeAmplitude: 1, exponent: 2 });
 * k.apply([1, 2], [3, 1]);   // 1 + 5² = 26
 * ```
 */
export class Polynomial extends PositiveSemidefiniteKernel {
  constructor(args: PolynomialArgs = {}, className = 'Polynomial') {
    const p = kernelParams(className, args, { biasAmplitude: POSITIVE, slopeAmplitude: POSITIVE, shift: FINITE, exponent: POSITIVE });
    super(className, args.name, p);
  }

  private fromDot(dot: tf.Tensor, e: number): tf.Tensor {
    const d = this.param('exponent', e);
    let k = d === undefined ? dot : tf.pow(dot, d);
    const s = this.param('slopeAmplitude', e);
    if (s !== undefined) k = tf.mul(tf.square(s), k);
    const b = this.param('biasAmplitude', e);
    return b === undefined ? k : tf.add(tf.square(b), k);
  }

  private shifted(x: tf.Tensor, e: number): tf.Tensor {
    const c = this.param('shift', e);
    return c === undefined ? x : tf.sub(x, tf.expandDims(c, -1));
  }

  applyFn(x1: tf.Tensor, x2: tf.Tensor, e: number): tf.Tensor {
    return this.fromDot(tf.sum(tf.mul(this.shifted(x1, e), this.shifted(x2, e)), -1), e);
  }

  override matrixFn(x1: tf.Tensor, x2: tf.Tensor): tf.Tensor {
    // One batched matMul over the broadcast batch: (x1 − c)(x2 − c)ᵀ.
    let a = this.shifted(x1, 1);
    let b = this.shifted(x2, 1);
    const batch = broadcastPair(a.shape.slice(0, -2), b.shape.slice(0, -2))!;
    a = tf.add(a, tf.zeros([...batch, ...a.shape.slice(-2)]));
    b = tf.add(b, tf.zeros([...batch, ...b.shape.slice(-2)]));
    return this.fromDot(tf.matMul(a, b, false, true), 2);
  }
}

/**
 * The linear kernel `k(x, y) = σ_b² + σ_s² (x − c)ᵀ(y − c)` (TFP's `Linear`: the polynomial of degree 1;
 * a GP with it is Bayesian linear regression).
 *
 * @example
 * ```ts
 * const k = new tfp.math.psdKernels.Linear({ biasAmplitude: 0.5, slopeAmplitude: 2 });
 * k.apply([1], [3]);   // 0.25 + 4·3 = 12.25
 * ```
 */
export class Linear extends Polynomial {
  constructor(args: LinearArgs = {}) {
    super({ ...args, exponent: undefined }, 'Linear');
  }
}
