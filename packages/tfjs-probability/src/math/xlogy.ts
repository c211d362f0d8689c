/**
 * `xlogy(x, y) = x · log(y)` and `xlog1py(x, y) = x · log(1 + y)` with the
 * convention 0 · log(0) = 0 (scipy.special.xlogy, tf.math.xlogy), and a
 * gradient that is correct in both arguments at x = 0.
 *
 * Why not `x · log(where(x == 0, 1, y))`: that gets the value right but makes
 * d/dx = log(1) = 0 wherever x = 0, which is exactly where densities such as
 * Gamma, Beta and Dirichlet evaluate `(α - 1) · log x` at α = 1, so the
 * gradient of their logProb with respect to the concentration silently lost
 * its `log x` term. tf.math.xlogy's registered gradient has the same flaw
 * (TensorFlow's `_XLogyGrad` uses `xlogy(x != 0, y)` for d/dx).
 *
 * Gradients (both broadcast back to the argument shapes):
 * - d/dx xlogy = log(y) (−Infinity at y = 0, the true one-sided derivative;
 *   where the incoming gradient is 0 the contribution is 0, never NaN);
 * - d/dy xlogy = x / y, and 0 where x = 0 (TensorFlow's `xdivy`);
 * - d/dx xlog1py = log1p(y), d/dy xlog1py = x / (1 + y), 0 where x = 0.
 */
import * as tf from '@tensorflow/tfjs';
import { log1p, reduceTo } from './special.js';

type In = tf.Tensor | number | number[];

function toT(v: In): tf.Tensor {
  if (v instanceof tf.Tensor) return v.dtype === 'float32' ? v : tf.cast(v, 'float32');
  return tf.tensor(v, undefined, 'float32');
}

/** dy · d, with 0 where dy = 0 (so an unused −Infinity partial does not give NaN). */
function scaled(dy: tf.Tensor, d: tf.Tensor): tf.Tensor {
  const p = tf.mul(dy, d);
  return tf.where(tf.equal(dy, 0), tf.zerosLike(p), p);
}

function makeOp(logFn: (y: tf.Tensor) => tf.Tensor, dLog: (y: tf.Tensor) => tf.Tensor, zeroY: number) {
  return tf.customGrad((...args: unknown[]) => {
    const x = args[0] as tf.Tensor;
    const y = args[1] as tf.Tensor;
    const save = args[2] as tf.GradSaveFunc;
    save([x, y]);
    const shape = tf.broadcast_util.assertAndGetBroadcastShape(x.shape, y.shape);
    const xb = tf.broadcastTo(x, shape);
    const xZero = tf.equal(xb, 0);
    // y where x = 0 is replaced by a point with a finite log, so 0 · log(0) and 0 · log(-1) are 0.
    const safeY = tf.where(xZero, tf.fill(shape, zeroY), tf.broadcastTo(y, shape));
    const v = tf.mul(xb, logFn(safeY));
    const value = tf.where(xZero, tf.zerosLike(v), v);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sy] = saved as [tf.Tensor, tf.Tensor];
        const xb = tf.broadcastTo(sx, dy.shape);
        const yb = tf.broadcastTo(sy, dy.shape);
        const xZero = tf.equal(xb, 0);
        const gx = scaled(dy, logFn(yb));
        const ratio = tf.mul(xb, dLog(tf.where(xZero, tf.fill(dy.shape, zeroY), yb)));
        const gy = scaled(dy, tf.where(xZero, tf.zerosLike(ratio), ratio));
        return [reduceTo(gx, sx.shape), reduceTo(gy, sy.shape)];
      },
    };
  });
}

const xlogyOp = makeOp(tf.log, tf.reciprocal, 1);
const xlog1pyOp = makeOp(log1p, (y) => tf.reciprocal(tf.add(y, 1)), 0);

/**
 * x · log(y), elementwise with broadcasting; 0 where x = 0 (whatever y is,
 * as scipy.special.xlogy). Gradients: log(y) with respect to x (also at
 * x = 0) and x / y with respect to y (0 where x = 0).
 *
 * @example
 * ```ts
 * tfp.math.xlogy([0, 2], [0, Math.E]);   // [0, 2]
 * ```
 */
export function xlogy(x: In, y: In): tf.Tensor {
  return tf.tidy(() => xlogyOp(toT(x), toT(y)));
}

/**
 * x · log(1 + y), elementwise with broadcasting, accurate for small |y|
 * (tfp.math.log1p); 0 where x = 0 (as scipy.special.xlog1py). Gradients:
 * log1p(y) with respect to x (also at x = 0), x / (1 + y) with respect to y
 * (0 where x = 0).
 *
 * @example
 * ```ts
 * tfp.math.xlog1py([0, 3], [-1, 1e-8]);   // [0, 3e-8]
 * ```
 */
export function xlog1py(x: In, y: In): tf.Tensor {
  return tf.tidy(() => xlog1pyOp(toT(x), toT(y)));
}
