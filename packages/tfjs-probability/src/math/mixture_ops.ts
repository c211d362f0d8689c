/**
 * Tensor building blocks of mixture distributions, shared by `Mixture`,
 * `MixtureSameFamily` and the mixture layers: the log-space mixture density,
 * moments by the law of total variance, vectorized component selection and
 * index sampling. All functions are differentiable where that makes sense and
 * avoid the ops whose gradients fail in tfjs (gather, gatherND): components are
 * selected with one-hot products.
 */
import * as tf from '@tensorflow/tfjs';
import { randomUniform } from './random.js';

/**
 * `log Σ_k softmax(logits)_k · exp(componentLogProbs_k)` over the last axis,
 * entirely in log space (`logSumExp(logSoftmax(logits) + lp)`), so a point far in
 * the tail where every component density underflows in float32 still gets a
 * finite log density. Inputs `[..., K]` (broadcasting); output `[...]`.
 */
export function mixtureLogProb(logits: tf.Tensor, componentLogProbs: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.logSumExp(tf.add(tf.logSoftmax(logits), componentLogProbs), -1));
}

/** Appends `n` trailing axes of size 1. */
export function expandTrailing(t: tf.Tensor, n: number): tf.Tensor {
  return n === 0 ? t : tf.reshape(t, [...t.shape, ...new Array<number>(n).fill(1)]);
}

/**
 * Weighted sum over the component axis: `Σ_k w_k v_k` with `w [..., K]` and
 * `v [..., K, ...E]` where `E` has `eventRank` dims. Returns `[..., ...E]`.
 */
export function weightedComponentSum(w: tf.Tensor, v: tf.Tensor, eventRank: number): tf.Tensor {
  return tf.tidy(() => tf.sum(tf.mul(expandTrailing(w, eventRank), v), -(eventRank + 1)));
}

/**
 * Mixture mean and elementwise variance by the law of total variance:
 * `m = Σ w_k m_k`, `v = Σ w_k (v_k + (m_k - m)²)` (the centred form avoids the
 * cancellation of `E[x²] - m²`). `means`, `variances`: `[..., K, ...E]`.
 */
export function mixtureMoments(
  weights: tf.Tensor,
  means: tf.Tensor,
  variances: tf.Tensor | null,
  eventRank: number,
): { mean: tf.Tensor; variance: tf.Tensor | null } {
  const mean = weightedComponentSum(weights, means, eventRank);
  if (variances === null) return { mean, variance: null };
  const variance = tf.tidy(() => {
    const d = tf.sub(means, tf.expandDims(mean, -(eventRank + 1)));
    return weightedComponentSum(weights, tf.add(variances, tf.square(d)), eventRank);
  });
  return { mean, variance };
}

/**
 * Mixture covariance of vector components: `Σ w_k (C_k + (m_k - m)(m_k - m)ᵀ)`.
 * `means [..., K, d]`, `covs [..., K, d, d]`; returns `[..., d, d]`.
 */
export function mixtureCovariance(weights: tf.Tensor, means: tf.Tensor, covs: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const mean = weightedComponentSum(weights, means, 1);
    const d = tf.sub(means, tf.expandDims(mean, -2));
    const outer = tf.mul(tf.expandDims(d, -1), tf.expandDims(d, -2));
    return weightedComponentSum(weights, tf.add(covs, outer), 2);
  });
}

/**
 * Draws `n` component indices per batch member from `softmax(logits / temperature)`
 * with the Gumbel-max trick, returned one-hot as float32 `[n, ...B, K]`
 * (vectorized: one uniform draw per sample, batch member and component).
 */
export function sampleOneHot(logits: tf.Tensor, n: number, seed: number | undefined, temperature = 1): tf.Tensor {
  return tf.tidy(() => {
    const k = logits.shape[logits.rank - 1]!;
    const u = randomUniform([n, ...logits.shape], seed);
    const gumbel = tf.neg(tf.log(tf.neg(tf.log(u))));
    const scaled = temperature === 1 ? logits : tf.div(logits, temperature);
    const idx = tf.argMax(tf.add(scaled, gumbel), -1);
    // tf.oneHot with dtype 'float32' returns zeros on the wasm backend (tfjs 4.22): cast instead.
    return tf.cast(tf.oneHot(tf.cast(idx, 'int32'), k), 'float32');
  });
}

/**
 * Selects one component per draw: `oneHot [n, ...B, K]` against
 * `values [n or 1, ...B, K, ...E]`; returns `[n, ...B, ...E]`.
 */
export function selectComponent(oneHot: tf.Tensor, values: tf.Tensor, eventRank: number): tf.Tensor {
  return weightedComponentSum(oneHot, values, eventRank);
}
