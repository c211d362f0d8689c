import * as tf from '@tensorflow/tfjs';
import { IsotropicKernel, POSITIVE, kernelParams, type KernelOptions } from './psd_kernel.js';
import type { TensorLike } from '../../util.js';

/** Hyperparameters shared by the stationary kernels (each optional: 1 when left out). */
export interface AmplitudeLengthScaleArgs extends KernelOptions {
  /** Amplitude `a > 0`, the standard deviation of the process: `k(x, x) = a²`. Shape `[...B]`. */
  amplitude?: TensorLike;
  /** Length scale `ℓ > 0`, shape `[...B]`. */
  lengthScale?: TensorLike;
}

/**
 * The exponentiated-quadratic (squared-exponential, RBF) kernel
 * `k(x, y) = a² exp(−‖x − y‖² / (2ℓ²))` (TFP's `ExponentiatedQuadratic`;
 * scikit-learn's `ConstantKernel(a²) * RBF(ℓ)`).
 *
 * @example
 * ```ts
 * const k = new tfp.math.psdKernels.ExponentiatedQuadratic({ amplitude: 2, lengthScale: 0.5 });
 * k.matrix([[0], [1]], [[0], [0.5]]);   // [[4, 4·e^-0.5], [4·e^-2, 4·e^-0.5]]
 * k.apply([0, 0], [0, 1]);              // 4·e^-2
 * ```
 */
export class ExponentiatedQuadratic extends IsotropicKernel {
  constructor(args: AmplitudeLengthScaleArgs = {}) {
    const p = kernelParams('ExponentiatedQuadratic', args, { amplitude: POSITIVE, lengthScale: POSITIVE });
    super('ExponentiatedQuadratic', args.name, p);
  }
  get amplitude(): tf.Tensor | undefined {
    return this.parameters['amplitude'];
  }
  get lengthScale(): tf.Tensor | undefined {
    return this.parameters['lengthScale'];
  }
  fromSquaredDistance(d2: tf.Tensor, e: number): tf.Tensor {
    return this.scaleByAmplitude(tf.exp(tf.mul(-0.5, this.scaledSquaredDistance(d2, e))), e);
  }
}
