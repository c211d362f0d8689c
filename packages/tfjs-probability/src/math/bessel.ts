/**
 * Exponentially scaled modified Bessel functions of the first kind, orders 0
 * and 1, as tensor ops (for VonMises). Internal.
 *
 * Polynomial approximations of Abramowitz & Stegun 9.8.1–9.8.4 (relative error
 * below 2e-7 over the whole real line, below float32 resolution after rounding):
 * for |x| < 3.75 a polynomial in (x/3.75)², above it `e^|x| / √|x|` times a
 * polynomial in 3.75/|x|. Each branch runs on a clamped argument and the right
 * one is picked with `tf.where`, so neither overflows.
 */
import * as tf from '@tensorflow/tfjs';
import { maskOf } from '../util.js';

const I0_SMALL = [0.0045813, 0.0360768, 0.2659732, 1.2067492, 3.0899424, 3.5156229, 1];
const I0_LARGE = [0.00392377, -0.01647633, 0.02635537, -0.02057706, 0.00916281, -0.00157565, 0.00225319, 0.01328592, 0.39894228];
const I1_SMALL = [0.00032411, 0.00301532, 0.02658733, 0.15084934, 0.51498869, 0.87890594, 0.5];
const I1_LARGE = [-0.00420059, 0.01787654, -0.02895312, 0.02282967, -0.01031555, 0.00163801, -0.00362018, -0.03988024, 0.39894228];

function poly(x: tf.Tensor, c: readonly number[]): tf.Tensor {
  let r: tf.Tensor = tf.fill(x.shape, c[0]!);
  for (let i = 1; i < c.length; i++) r = tf.add(tf.mul(r, x), c[i]!);
  return r;
}

/** e^(-|x|) I₀(x). */
export function i0e(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const ax = tf.abs(x);
    const s = tf.minimum(ax, 3.75);
    const small = tf.mul(poly(tf.square(tf.div(s, 3.75)), I0_SMALL), tf.exp(tf.neg(s)));
    const l = tf.maximum(ax, 3.75);
    const large = tf.div(poly(tf.div(3.75, l), I0_LARGE), tf.sqrt(l));
    return tf.where(maskOf((v) => tf.less(v, 3.75), ax), small, large);
  });
}

/** e^(-|x|) I₁(x) (odd in x). */
export function i1e(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const ax = tf.abs(x);
    const s = tf.minimum(ax, 3.75);
    const small = tf.mul(tf.mul(poly(tf.square(tf.div(s, 3.75)), I1_SMALL), s), tf.exp(tf.neg(s)));
    const l = tf.maximum(ax, 3.75);
    const large = tf.div(poly(tf.div(3.75, l), I1_LARGE), tf.sqrt(l));
    const v = tf.where(maskOf((u) => tf.less(u, 3.75), ax), small, large);
    return tf.where(maskOf((u) => tf.less(u, 0), x), tf.neg(v), v);
  });
}

const logI0Op = tf.customGrad((...args: unknown[]) => {
  const x = args[0] as tf.Tensor;
  const save = args[1] as tf.GradSaveFunc;
  save([x]);
  return {
    value: tf.add(tf.log(i0e(x)), tf.abs(x)),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, tf.div(i1e(saved[0]!), i0e(saved[0]!))),
  };
}) as (x: tf.Tensor) => tf.Tensor;

/** log I₀(x), without overflow for large x. Gradient: I₁(x)/I₀(x). */
export function logI0(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => logI0Op(x));
}
