import { DenseReparameterization, type DenseReparameterizationArgs } from './dense_reparameterization.js';

export type DenseFlipoutArgs = DenseReparameterizationArgs;

/**
 * Dense layer with a mean-field normal kernel posterior and the Flipout estimator
 * (Wen et al. 2018): TFP's `tfpl.DenseFlipout`.
 *
 * Mathematical details: as `DenseReparameterization` (posterior `∏ N(μ, ε + softplus(ρ))`,
 * prior `∏ N(0, 1)`, loss `klWeight · kernelDivergenceFn(q, p, K)`), but the kernel
 * perturbation `ΔK = σ ⊙ ξ` is decorrelated across the examples of a batch with random signs
 * `s_in ∈ {±1}^d`, `s_out ∈ {±1}^units` per example:
 * `y = activation(x μ + ((x ⊙ s_in) ΔK) ⊙ s_out + b)`. Each example sees a pseudo-independent
 * kernel draw, which lowers the variance of the gradients (the Bayes-by-backprop network of the
 * UCI benchmark).
 *
 * Parameters: input `[..., d]`; kernel `[d, units]`; output `[..., units]`.
 *
 * @example
 * ```ts
 * const model = tf.sequential({ layers: [
 *   new tfpl.DenseFlipout({ inputShape: [8], units: 50, activation: 'relu', klWeight: 1 / n }),
 *   new tfpl.DenseFlipout({ units: 2, klWeight: 1 / n }),
 *   new tfpl.IndependentNormal(),
 * ] });
 * ```
 */
export class DenseFlipout extends DenseReparameterization {
  static override className = 'DenseFlipout';
  protected override readonly estimator = 'flipout' as const;

  constructor(args: DenseFlipoutArgs) {
    super(args, 'DenseFlipout');
  }
}
