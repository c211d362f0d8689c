import { Convolution2DReparameterization, type Convolution2DReparameterizationArgs } from './conv2d_reparameterization.js';

export type Convolution2DFlipoutArgs = Convolution2DReparameterizationArgs;

/**
 * 2-D convolution with a mean-field normal kernel posterior and the Flipout estimator:
 * TFP's `tfpl.Convolution2DFlipout`.
 *
 * Mathematical details: as `Convolution2DReparameterization`, with the perturbation
 * `ΔK = σ ⊙ ξ` decorrelated across examples by random signs per example and channel,
 * `s_in [B, 1, 1, cIn]`, `s_out [B, 1, 1, filters]` in {±1}:
 * `y = activation(conv2d(x, μ) + conv2d(x ⊙ s_in, ΔK) ⊙ s_out + b)`.
 *
 * Parameters: input `[B, H, W, cIn]`; output `[B, H', W', filters]`.
 *
 * @example
 * ```ts
 * const conv = new tfpl.Convolution2DFlipout({ inputShape: [28, 28, 1], filters: 8, kernelSize: 5, activation: 'relu', klWeight: 1 / n });
 * ```
 */
export class Convolution2DFlipout extends Convolution2DReparameterization {
  static override className = 'Convolution2DFlipout';
  protected override readonly estimator = 'flipout' as const;

  constructor(args: Convolution2DFlipoutArgs) {
    super(args, 'Convolution2DFlipout');
  }
}
