import * as tf from '@tensorflow/tfjs';
import { Distribution, convertParams, type DistributionOptions, type TensorLike } from './distribution.js';
import { positive, real, realLine } from './constraints.js';
import { randomUniform } from '../math/random.js';

/** The parameters of a real-line location–scale family. */
export interface LocationScaleArgs extends DistributionOptions {
  /** Location μ, shape `[...B]`. */
  loc: TensorLike;
  /** Scale > 0, shape `[...B]`. */
  scale: TensorLike;
}

/**
 * What Cauchy, Gumbel and Logistic share: scalar events on the real line, a location `loc` and
 * a positive `scale` (checked and broadcast by the base class), the standardized value
 * `z = (x − loc)/scale`, and reparameterized sampling by inversion (`quantile(U)`, U uniform),
 * so each family only states its density, cdf, quantile and moments.
 */
export abstract class LocationScaleByInversion extends Distribution {
  static override readonly parameterProperties = { loc: { constraint: real }, scale: { constraint: positive } };
  readonly loc: tf.Tensor;
  readonly scale: tf.Tensor;

  protected constructor(className: string, args: LocationScaleArgs) {
    const params = convertParams(className, args, LocationScaleByInversion.parameterProperties);
    super({ ...args, className, params, eventShape: [], reparameterized: true, support: realLine });
    this.loc = params.loc.value;
    this.scale = params.scale.value;
  }

  protected sampleN(n: number, seed?: number): tf.Tensor {
    return this.quantileFn(randomUniform([n, ...this.batchShape], seed));
  }

  /** `(x − loc)/scale`. */
  protected z(x: tf.Tensor): tf.Tensor {
    return tf.div(tf.sub(x, this.loc), this.scale);
  }
}
