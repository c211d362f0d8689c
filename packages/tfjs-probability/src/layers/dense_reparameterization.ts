import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, fmtShape } from '../errors.js';
import { BayesianKernelLayer, type BayesianKernelLayerArgs } from './bayesian_kernel_layer.js';

export interface DenseReparameterizationArgs extends BayesianKernelLayerArgs {
  /** Number of output units. */
  units: number;
}

/**
 * Dense layer with a mean-field normal kernel posterior, one kernel draw per call:
 * TFP's `tfpl.DenseReparameterization`.
 *
 * Mathematical details: kernel posterior `q(K) = ∏ N(μ_ij, σ_ij)` with
 * `σ = ε + softplus(ρ)` (μ initialized from N(0, 0.1²), ρ from N(−3, 0.1²), as TFP), prior
 * `p(K) = ∏ N(0, 1)`, a deterministic bias `b`. Each call draws `K = μ + σ ⊙ ξ`,
 * `ξ ~ N(0, I)` (shared by the batch) and returns `activation(x K + b)`. The layer's loss is
 * `klWeight · kernelDivergenceFn(q, p, K)` (default the exact KL), which `model.fit` adds to
 * the mean NLL: use `klWeight = 1 / numTrainingExamples` for the negative ELBO per example.
 *
 * Parameters: input `[..., d]`; kernel `[d, units]`; output `[..., units]`.
 *
 * @example
 * ```ts
 * const model = tf.sequential({ layers: [
 *   new tfpl.DenseReparameterization({ inputShape: [8], units: 50, activation: 'relu', klWeight: 1 / n }),
 *   new tfpl.DenseReparameterization({ units: 2, klWeight: 1 / n }),
 *   new tfpl.IndependentNormal(),
 * ] });
 * ```
 */
export class DenseReparameterization extends BayesianKernelLayer {
  static className = 'DenseReparameterization';
  readonly units: number;
  protected readonly estimator: 'reparameterization' | 'flipout' = 'reparameterization';
  private inputDim = 0;

  constructor(args: DenseReparameterizationArgs, owner = 'DenseReparameterization') {
    super(args, owner);
    if (!Number.isInteger(args?.units) || args.units <= 0) {
      throw new InvalidArgumentError(`${owner}: units must be a positive integer; got ${JSON.stringify(args?.units)}`);
    }
    this.units = args.units;
  }

  protected kernelShape(inputShape: tf.Shape): number[] {
    const d = inputShape[inputShape.length - 1];
    if (typeof d !== 'number') {
      throw new InvalidArgumentError(`${this.owner}: the last input dimension must be known; got input shape ${JSON.stringify(inputShape)}`);
    }
    this.inputDim = d;
    return [d, this.units];
  }

  protected get outputChannels(): number {
    return this.units;
  }

  protected linear(x: tf.Tensor, kernel: tf.Tensor): tf.Tensor {
    if (x.shape[x.rank - 1] !== this.inputDim) {
      throw new InvalidArgumentError(`${this.owner} '${this.name}': input must be [..., ${this.inputDim}]; got ${fmtShape(x.shape)}`);
    }
    if (x.rank === 2) return tf.matMul(x, kernel);
    const y = tf.matMul(tf.reshape(x, [-1, this.inputDim]), kernel);
    return tf.reshape(y, [...x.shape.slice(0, -1), this.units]);
  }

  protected signShapes(x: tf.Tensor): [number[], number[]] {
    const batch = x.shape.slice(0, -1);
    return [[...batch, this.inputDim], [...batch, this.units]];
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [...s.slice(0, -1), this.units];
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units };
  }
}
