/**
 * Internal numerics shared by the continuous distributions (Laplace, StudentT,
 * LogNormal, Gamma, Beta, Dirichlet). Not part of the public API.
 *
 * Two measured tfjs facts motivate it:
 * - `tf.log1p` on the wasm backend is computed as log(1 + x): for x = -2.27e-5
 *   it is off by 4e-4 relative (cpu is exact). The accurate `log1p` of
 *   src/math/special.ts is re-exported here.
 * - Less, Greater, Equal, LessEqual, NotEqual and the logical ops have no
 *   gradient, so `tf.where(tf.less(z, 0), ...)` throws "gradient function not
 *   found for Less" under `tf.grad` whenever z depends on a watched tensor.
 *   GreaterEqual, IsNan, IsFinite, IsInf, Step and Sign do have (zero) gradients:
 *   conditions on differentiated values are written with `tf.greaterEqual` only
 *   (swapping the branches of `tf.where` instead of negating), and `isZero` below.
 */
import * as tf from '@tensorflow/tfjs';
import { log1p } from '../math/special.js';

/** log(1 + x), accurate on every backend (shared with tfp.math; see special.ts). */
export { log1p };

/** Boolean mask `t == 0` that is safe on a differentiated path. */
export function isZero(t: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.greaterEqual(tf.neg(tf.abs(t)), 0));
}

/** x · log(y) and x · log1p(y) with 0 where x = 0 and correct gradients in both arguments (tfp.math). */
export { xlogy, xlog1py } from '../math/xlogy.js';
