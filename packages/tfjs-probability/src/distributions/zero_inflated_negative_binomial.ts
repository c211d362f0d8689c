import type * as tf from '@tensorflow/tfjs';
import { checkArgsObject, type DistributionOptions, type TensorLike } from './distribution.js';
import { Inflated } from './inflated.js';
import { InvalidArgumentError } from '../errors.js';
import { NegativeBinomial } from './negative_binomial.js';

export interface ZeroInflatedNegativeBinomialArgs extends DistributionOptions {
  /** Log-odds of a structural zero, shape `[...B]`. Give exactly one of `inflatedLocLogits` and `inflatedLocProbs`. */
  inflatedLocLogits?: TensorLike;
  /** Probability π of a structural zero, shape `[...B]`. */
  inflatedLocProbs?: TensorLike;
  /** NegativeBinomial's number of failures r > 0, shape `[...B]`. */
  totalCount: TensorLike;
  /** NegativeBinomial's success log-odds, shape `[...B]`. Give exactly one of `logits` and `probs`. */
  logits?: TensorLike;
  /** NegativeBinomial's success probability, shape `[...B]`. */
  probs?: TensorLike;
}

/**
 * The zero-inflated negative binomial (ZINB): TFP's `ZeroInflatedNegativeBinomial`,
 * `Inflated(NegativeBinomial(totalCount, logits | probs), inflatedLoc = 0)`.
 *
 * Mathematical details: `P(0) = π + (1 - π) (1 - p)^r`, `P(k) = (1 - π) NB(k; r, p)` for
 * k > 0; mean `(1 - π) r p/(1-p)`; the variance follows from the inner mean and variance as for
 * any `Inflated`. The count model of
 * overdispersed data with excess zeros.
 *
 * @example
 * ```ts
 * const d = new tfd.ZeroInflatedNegativeBinomial({ inflatedLocProbs: 0.3, totalCount: 2, logits: 1 });
 * d.mean();                 // 0.7 · 2e
 * d.logProb([0, 4]);
 * ```
 */
export class ZeroInflatedNegativeBinomial extends Inflated {
  constructor(args: ZeroInflatedNegativeBinomialArgs) {
    checkArgsObject('ZeroInflatedNegativeBinomial', args, ['inflatedLocLogits', 'inflatedLocProbs', 'totalCount', 'logits', 'probs']);
    let nb: NegativeBinomial;
    try {
      nb = new NegativeBinomial({
        totalCount: args.totalCount,
        ...(args.logits !== undefined ? { logits: args.logits } : {}),
        ...(args.probs !== undefined ? { probs: args.probs } : {}),
        ...(args.validateArgs !== undefined ? { validateArgs: args.validateArgs } : {}),
      });
    } catch (e) {
      // Name this class in the message (the parameters are this constructor's own).
      if (e instanceof InvalidArgumentError) throw new InvalidArgumentError(e.message.replace(/^NegativeBinomial\b/, 'ZeroInflatedNegativeBinomial'));
      throw e;
    }
    try {
      super(
        {
          distribution: nb,
          ...(args.inflatedLocLogits !== undefined ? { inflatedLocLogits: args.inflatedLocLogits } : {}),
          ...(args.inflatedLocProbs !== undefined ? { inflatedLocProbs: args.inflatedLocProbs } : {}),
          ...(args.validateArgs !== undefined ? { validateArgs: args.validateArgs } : {}),
          ...(args.name !== undefined ? { name: args.name } : {}),
        },
        'ZeroInflatedNegativeBinomial',
      );
    } catch (e) {
      nb.dispose();
      throw e;
    }
  }

  /** The inner NegativeBinomial's totalCount. */
  get totalCount(): tf.Tensor {
    return (this.distribution as NegativeBinomial).totalCount;
  }
  /** The inner NegativeBinomial's logits. */
  get logits(): tf.Tensor {
    return (this.distribution as NegativeBinomial).logits;
  }
  /** The inner NegativeBinomial's probs. */
  get probs(): tf.Tensor {
    return (this.distribution as NegativeBinomial).probs;
  }
}
