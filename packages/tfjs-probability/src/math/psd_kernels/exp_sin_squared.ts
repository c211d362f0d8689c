import * as tf from '@tensorflow/tfjs';
import { PositiveSemidefiniteKernel, POSITIVE, kernelParams } from './psd_kernel.js';
import type { AmplitudeLengthScaleArgs } from './exponentiated_quadratic.js';
import type { TensorLike } from '../../util.js';

export interface ExpSinSquaredArgs extends AmplitudeLengthScaleArgs {
  /** The period `p > 0` (1 when left out), shape `[...B]`. */
  period?: TensorLike;
}

/**
 * The periodic (exp-sine-squared) kernel `k(x, y) = a² exp(−2 Σₖ sin²(π |xₖ − yₖ| / p) / ℓ²)`
 * (TFP's `ExpSinSquared`; for one feature, scikit-learn's `ExpSineSquared(ℓ, p)`).
 *
 * @example
 * ```ts
 * const k = new tfp.math.psdKernels.ExpSinSquared({ amplitude: 1, lengthScale: 1, period: 2 });
 * k.apply([0], [2]);   // 1 (one full period apart)
 * ```
 */
export class ExpSinSquared extends PositiveSemidefiniteKernel {
  constructor(args: ExpSinSquaredArgs = {}) {
    const p = kernelParams('ExpSinSquared', args, { amplitude: POSITIVE, lengthScale: POSITIVE, period: POSITIVE });
    super('ExpSinSquared', args.name, p);
  }
  applyFn(x1: tf.Tensor, x2: tf.Tensor, e: number): tf.Tensor {
    // sin² is even: the difference's sign does not matter (and |·| would break the gradient at 0).
    const period = this.param('period', e);
    let u = tf.mul(Math.PI, tf.sub(x1, x2));
    if (period !== undefined) u = tf.div(u, tf.expandDims(period, -1));
    let s = tf.sum(tf.square(tf.sin(u)), -1);
    const l = this.param('lengthScale', e);
    if (l !== undefined) s = tf.div(s, tf.square(l));
    const k = tf.exp(tf.mul(-2, s));
    const a = this.param('amplitude', e);
    return a === undefined ? k : tf.mul(tf.square(a), k);
  }
}
