import * as tf from '@tensorflow/tfjs';
import { Bijector, type BijectorOptions } from './bijector.js';

/**
 * Maps ℝᴷ onto increasing vectors (TFP's `tfb.Ascending`): ordered parameters, such as
 * the means of a mixture whose components must not swap labels.
 *
 * Mathematical details: `y₀ = x₀`, `yᵢ = yᵢ₋₁ + exp(xᵢ)` (a cumulative sum of
 * `[x₀, exp(x₁), ..., exp(x_{K-1})]`); `xᵢ = log(yᵢ - yᵢ₋₁)`;
 * `log |det J| = Σ_{i≥1} xᵢ` (min event ndims 1).
 *
 * @example
 * ```ts
 * const b = new tfb.Ascending();
 * b.forward([1, 0, Math.log(2)]);   // [1, 2, 4]
 * ```
 */
export class Ascending extends Bijector {
  constructor(args: BijectorOptions = {}) {
    super({ ...args, className: 'Ascending', forwardMinEventNdims: 1 });
  }
  private split(v: tf.Tensor): [tf.Tensor, tf.Tensor] {
    const k = v.shape[v.rank - 1]!;
    const [head, rest] = tf.split(v, [1, k - 1], -1);
    return [head!, rest!];
  }
  protected forwardFn(x: tf.Tensor): tf.Tensor {
    if (x.shape[x.rank - 1]! < 2) return tf.reshape(x, x.shape);
    const [head, rest] = this.split(x);
    // The cumulative sum as a product with an upper-triangular matrix of ones (no tf.cumsum,
    // which some backends lack or mishandle on the last axis).
    const k = x.shape[x.rank - 1]!;
    const z = tf.concat([head, tf.exp(rest)], -1);
    const upper = tf.linalg.bandPart(tf.ones([k, k]), 0, -1);
    return tf.reshape(tf.matMul(tf.reshape(z, [-1, k]), upper), x.shape);
  }
  protected inverseFn(y: tf.Tensor): tf.Tensor {
    const k = y.shape[y.rank - 1]!;
    if (k < 2) return tf.reshape(y, y.shape);
    const head = tf.slice(y, new Array<number>(y.rank).fill(0), [...y.shape.slice(0, -1), 1]);
    const diff = tf.sub(
      tf.slice(y, [...new Array<number>(y.rank - 1).fill(0), 1], [...y.shape.slice(0, -1), k - 1]),
      tf.slice(y, new Array<number>(y.rank).fill(0), [...y.shape.slice(0, -1), k - 1]),
    );
    return tf.concat([head, tf.log(diff)], -1);
  }
  protected override forwardLdjFn(x: tf.Tensor): tf.Tensor {
    const k = x.shape[x.rank - 1]!;
    if (k < 2) return tf.zeros(x.shape.slice(0, -1));
    return tf.sum(tf.slice(x, [...new Array<number>(x.rank - 1).fill(0), 1], [...x.shape.slice(0, -1), k - 1]), -1);
  }
}
