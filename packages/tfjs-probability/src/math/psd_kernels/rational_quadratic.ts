import * as tf from '@tensorflow/tfjs';
import { IsotropicKernel, POSITIVE, kernelParams } from './psd_kernel.js';
import type { AmplitudeLengthScaleArgs } from './exponentiated_quadratic.js';
import type { TensorLike } from '../../util.js';

export interface RationalQuadraticArgs extends AmplitudeLengthScaleArgs {
  /** The scale-mixture rate `α > 0` (1 when left out), shape `[...B]`. */
  scaleMixtureRate?: TensorLike;
}

/**
 * The rational-quadratic kernel `k(x, y) = a² (1 + ‖x − y‖² / (2αℓ²))^(−α)`, a scale mixture of
 * exponentiated quadratics (TFP's `RationalQuadratic`; scikit-learn's `RationalQuadratic(ℓ, α)`).
 *
 * @example
 * ```ts
 * const k = new tfp.math.psdKernels.RationalQuadratic({ amplitude: 1, lengthScale: 1, scaleMixtureRate: 2 });
 * k.apply([0], [2]);   // (1 + 4/4)^-2 = 0.25
 * ```
 */
export class RationalQuadratic extends IsotropicKernel {
  constructor(args: RationalQuadraticArgs = {}) {
    const p = kernelParams('RationalQuadratic', args, { amplitude: POSITIVE, lengthScale: POSITIVE, scaleMixtureRate: POSITIVE });
    super('RationalQuadratic', args.name, p);
  }
  fromSquaredDistance(d2: tf.Tensor, e: number): tf.Tensor {
    const alpha = this.param('scaleMixtureRate', e);
    const r2 = this.scaledSquaredDistance(d2, e);
    const inner = alpha === undefined ? tf.mul(0.5, r2) : tf.div(r2, tf.mul(2, alpha));
    // (1 + u)^-α = exp(−α log1p(u)).
    const logBase = tf.log1p(inner);
    return this.scaleByAmplitude(tf.exp(tf.neg(alpha === undefined ? logBase : tf.mul(alpha, logBase))), e);
  }
}
