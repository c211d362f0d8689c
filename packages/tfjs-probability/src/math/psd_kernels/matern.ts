/**
 * The Matérn kernels of smoothness ν = 1/2, 3/2 and 5/2 (TFP's `MaternOneHalf`,
 * `MaternThreeHalves`, `MaternFiveHalves`; scikit-learn's `Matern(nu=...)`),
 * functions of `r = ‖x − y‖ / ℓ`.
 */
import * as tf from '@tensorflow/tfjs';
import { IsotropicKernel, POSITIVE, kernelParams, safeSqrt } from './psd_kernel.js';
import type { AmplitudeLengthScaleArgs } from './exponentiated_quadratic.js';

abstract class Matern extends IsotropicKernel {
  constructor(className: string, args: AmplitudeLengthScaleArgs) {
    super(className, args.name, kernelParams(className, args, { amplitude: POSITIVE, lengthScale: POSITIVE }));
  }
  get amplitude(): tf.Tensor | undefined {
    return this.parameters['amplitude'];
  }
  get lengthScale(): tf.Tensor | undefined {
    return this.parameters['lengthScale'];
  }
  /** The kernel's shape as a function of `r = ‖x − y‖/ℓ ≥ 0` (and `r²`). */
  protected abstract ofDistance(r: tf.Tensor, r2: tf.Tensor): tf.Tensor;
  fromSquaredDistance(d2: tf.Tensor, e: number): tf.Tensor {
    const r2 = this.scaledSquaredDistance(d2, e);
    return this.scaleByAmplitude(this.ofDistance(safeSqrt(r2), r2), e);
  }
}

/**
 * Matérn ν = 1/2 (the exponential, Ornstein–Uhlenbeck kernel): `k = a² exp(−r)`, `r = ‖x − y‖/ℓ`.
 *
 * @example
 * ```ts
 * const k = new tfp.math.psdKernels.MaternOneHalf({ amplitude: 1, lengthScale: 2 });
 * k.apply([0], [2]);   // e^-1
 * ```
 */
export class MaternOneHalf extends Matern {
  constructor(args: AmplitudeLengthScaleArgs = {}) {
    super('MaternOneHalf', args);
  }
  protected ofDistance(r: tf.Tensor): tf.Tensor {
    return tf.exp(tf.neg(r));
  }
}

/**
 * Matérn ν = 3/2: `k = a² (1 + √3 r) exp(−√3 r)`, `r = ‖x − y‖/ℓ`.
 *
 * @example
 * ```ts
 * const k = new tfp.math.psdKernels.MaternThreeHalves({ lengthScale: 0.5 });
 * k.matrix([[0], [1]], [[0], [1]]).shape;   // [2, 2]
 * ```
 */
export class MaternThreeHalves extends Matern {
  constructor(args: AmplitudeLengthScaleArgs = {}) {
    super('MaternThreeHalves', args);
  }
  protected ofDistance(r: tf.Tensor): tf.Tensor {
    const s = tf.mul(Math.sqrt(3), r);
    return tf.mul(tf.add(1, s), tf.exp(tf.neg(s)));
  }
}

/**
 * Matérn ν = 5/2: `k = a² (1 + √5 r + 5r²/3) exp(−√5 r)`, `r = ‖x − y‖/ℓ`.
 *
 * @example
 * ```ts
 * const k = new tfp.math.psdKernels.MaternFiveHalves({ amplitude: 2, lengthScale: 0.5 });
 * k.apply([1, 1], [1, 1]);   // 4
 * ```
 */
export class MaternFiveHalves extends Matern {
  constructor(args: AmplitudeLengthScaleArgs = {}) {
    super('MaternFiveHalves', args);
  }
  protected ofDistance(r: tf.Tensor, r2: tf.Tensor): tf.Tensor {
    const s = tf.mul(Math.sqrt(5), r);
    return tf.mul(tf.add(tf.add(1, s), tf.mul(5 / 3, r2)), tf.exp(tf.neg(s)));
  }
}
