import * as tf from '@tensorflow/tfjs';
import { toFloat, type TensorLike } from '../util.js';

/**
 * `[f(x), ∇f(x)]` for a function of one tensor (TFP's `tfp.math.value_and_gradient`). When `f`
 * returns a batch of values (one per leading index of `x`), the gradient is that of their sum,
 * which is each member's own gradient when the members are independent: the form the
 * optimizers' `valueAndGradientsFn` takes.
 *
 * @example
 * ```ts
 * const [v, g] = tfp.math.valueAndGradient((x) => tf.sum(tf.square(x)), [1, 2]);
 * v;   // 5
 * g;   // [2, 4]
 * ```
 */
export function valueAndGradient(f: (x: tf.Tensor) => tf.Tensor, x: TensorLike): [tf.Tensor, tf.Tensor] {
  let values: tf.Tensor | undefined;
  const out = tf.tidy(() => {
    const xt = toFloat(x, 'x', 'valueAndGradient');
    const { value, grad } = tf.valueAndGrad((v: tf.Tensor) => {
      values = tf.keep(f(v));
      return tf.sum(values);
    })(xt);
    value.dispose();
    return grad;
  });
  return [values!, out];
}
