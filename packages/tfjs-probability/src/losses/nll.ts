import * as tf from '@tensorflow/tfjs';
import type { Distribution } from '../distributions/distribution.js';
import { InvalidArgumentError, fmtShape } from '../errors.js';
import { decodeTargets, isDistributionHead, type DistributionHead } from './targets.js';

/** A loss for `model.compile({loss})`. */
export type LossFn = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar;

/**
 * The negative log-likelihood loss of a distribution head, for `model.compile`.
 *
 * Mathematical details: for predictions `yPred = [N, paramsSize]` (the head's output) and
 * targets `y`, the loss is `-(1/N) Σᵢ log p(yᵢ | paramsᵢ)` where `p = head.toDistribution(yPred)`
 * has batch shape `[N]`. Each row contributes exactly its own log density, so the value is the
 * mean per-row NLL for any batch size: the mean over mini-batches of 1, 7 or 32 rows equals the
 * loss of the whole set (recipe 004's batch-size failure, where a target broadcast against all
 * rows' parameters, cannot happen: the log density must have the batch shape of the
 * parameters, or the loss throws).
 *
 * `yTrue` may be natural, `[N, ...eventShape]` (`[N]` or `[N, 1]` for a scalar event), or
 * encoded `[N, paramsSize]` (what `model.fit` passes after tfjs-layers' shape check; see
 * `encodeTargets`).
 *
 * @param head the model's distribution head layer (any `DistributionLayer`, or an object with
 *   `paramsSize`, `eventShape` and `toDistribution(params)`).
 *
 * @example
 * ```ts
 * const head = new tfpl.IndependentNormal({ eventShape: [1] });
 * const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: tfpl.IndependentNormal.paramsSize([1]) }), head] });
 * model.compile({ optimizer: tf.train.adam(1e-2), loss: tfp.losses.negativeLogLikelihood(head) });
 * await model.fit(x, y, { batchSize: 32 });   // y: [N, 1]
 * ```
 */
export function negativeLogLikelihood(head: DistributionHead): LossFn {
  if (!isDistributionHead(head)) {
    throw new InvalidArgumentError(
      'negativeLogLikelihood: head must be a distribution layer (tfp.layers.IndependentNormal, MultivariateNormalTriL, ' +
        'a mixture head, DistributionLambda with paramsSize, ...) with paramsSize, eventShape and toDistribution',
    );
  }
  const loss = (yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar =>
    tf.tidy(() => {
      const y = decodeTargets(head, yTrue, yPred);
      // Heads with a fused form (the mixture heads) skip building the distribution's tensors.
      const fast = head.negativeLogLikelihood?.(yPred, y);
      if (fast) return fast;
      const d: Distribution = head.toDistribution(yPred);
      try {
        const lp = d.logProb(y);
        const batch = yPred.shape.slice(0, -1);
        if (lp.shape.length !== batch.length || !lp.shape.every((v, i) => v === batch[i])) {
          throw new InvalidArgumentError(
            `negativeLogLikelihood: log density has shape ${fmtShape(lp.shape)} but the predictions have batch shape ` +
              `${fmtShape(batch)}; the head's distribution must have batch shape [N] (got ${d.toString()})`,
          );
        }
        return tf.neg(tf.mean(lp)) as tf.Scalar;
      } finally {
        d.dispose();
      }
    });
  Object.defineProperty(loss, 'name', { value: 'negativeLogLikelihood' });
  return loss;
}

/**
 * KL divergence of a diagonal Gaussian from the standard normal, the VAE regularizer.
 *
 * Mathematical details: `KL(N(μ, diag(exp(logVar))) ‖ N(0, I)) = -½ Σⱼ (1 + logVarⱼ - μⱼ² - exp(logVarⱼ))`,
 * summed over the last axis.
 *
 * @param mean `[...B, d]`
 * @param logVar `[...B, d]` (log variance)
 * @returns `[...B]`, one value per row.
 *
 * @example
 * ```ts
 * const kl = tfp.losses.klStandardNormal(zMean, zLogVar);   // [N]
 * const klLoss = kl.mean();
 * ```
 */
export function klStandardNormal(mean: tf.Tensor, logVar: tf.Tensor): tf.Tensor {
  if (mean.rank < 1 || mean.rank !== logVar.rank || !mean.shape.every((d, i) => d === logVar.shape[i])) {
    throw new InvalidArgumentError(
      `klStandardNormal: mean and logVar must have the same shape [..., d]; got ${fmtShape(mean.shape)} and ${fmtShape(logVar.shape)}`,
    );
  }
  return tf.tidy(() => {
    const t = tf.sub(tf.add(1, logVar), tf.add(tf.square(mean), tf.exp(logVar)));
    return tf.mul(-0.5, tf.sum(t, -1));
  });
}
