import * as tf from '@tensorflow/tfjs';
import { NotImplementedError } from '../errors.js';
import { nonNegative, real, realLine } from './constraints.js';
import { Distribution, convertParams, type DistributionOptions, type TensorLike } from './distribution.js';

export interface DeterministicArgs extends DistributionOptions {
  /** The point that has all the mass, shape `[...B]`. */
  loc: TensorLike;
  /** Absolute tolerance ≥ 0 of the point mass (default 0), shape `[...B]`. */
  atol?: TensorLike;
  /** Relative tolerance ≥ 0 (default 0), shape `[...B]`. */
  rtol?: TensorLike;
}

/**
 * A point mass at `loc` (TFP's `tfd.Deterministic`): a part of a model fixed to a computed
 * value (a transformed parameter, a posterior-predictive mean).
 *
 * Mathematical details: `P(X = loc) = 1`; `prob(x) = 1` when `|x - loc| ≤ atol + rtol |loc|`
 * and 0 otherwise (`logProb` 0 or −∞); `cdf(x) = 1` for `x ≥ loc - tol`. Samples are `loc`;
 * mean and mode `loc`, variance and entropy 0. Reparameterized (the draw is `loc`). It has no
 * event-space bijector (a point is not the image of the reals).
 *
 * @example
 * ```ts
 * const d = new tfd.Deterministic({ loc: [1, 2] });
 * d.sample([3]).shape;   // [3, 2], every row [1, 2]
 * d.prob([1, 0]);        // [1, 0]
 * ```
 */
export class Deterministic extends Distribution {
  static override readonly parameterProperties = {
    loc: { constraint: real },
    atol: { constraint: nonNegative, optional: true },
    rtol: { constraint: nonNegative, optional: true },
  };
  static override readonly eventSpace = (d: Distribution): never => {
    throw new NotImplementedError(`${d.className} does not implement defaultEventSpaceBijector: its support is a single point`);
  };
  readonly loc: tf.Tensor;
  readonly atol: tf.Tensor | undefined;
  readonly rtol: tf.Tensor | undefined;

  constructor(args: DeterministicArgs) {
    const params = convertParams('Deterministic', args, Deterministic.parameterProperties);
    super({ ...args, className: 'Deterministic', params, eventShape: [], reparameterized: true, support: realLine });
    this.loc = params.loc.value;
    this.atol = params.atol?.value;
    this.rtol = params.rtol?.value;
  }

  private tolerance(): tf.Tensor {
    let tol: tf.Tensor = tf.zerosLike(this.loc);
    if (this.atol) tol = tf.add(tol, this.atol);
    if (this.rtol) tol = tf.add(tol, tf.mul(this.rtol, tf.abs(this.loc)));
    return tol;
  }

  protected sampleN(n: number): tf.Tensor {
    return tf.broadcastTo(this.meanFn(), [n, ...this.batchShape]);
  }
  protected override probFn(x: tf.Tensor): tf.Tensor {
    return tf.cast(tf.lessEqual(tf.abs(tf.sub(x, this.loc)), this.tolerance()), 'float32');
  }
  protected override logProbFn(x: tf.Tensor): tf.Tensor {
    const p = this.probFn(x);
    return tf.where(tf.greater(p, 0), tf.zerosLike(p), tf.fill(p.shape, -Infinity));
  }
  protected override cdfFn(x: tf.Tensor): tf.Tensor {
    return tf.cast(tf.greaterEqual(x, tf.sub(this.loc, this.tolerance())), 'float32');
  }
  protected override meanFn(): tf.Tensor {
    return tf.broadcastTo(this.loc, this.batchShape);
  }
  protected override modeFn(): tf.Tensor {
    return this.meanFn();
  }
  protected override varianceFn(): tf.Tensor {
    return tf.zeros(this.batchShape);
  }
  protected override entropyFn(): tf.Tensor {
    return tf.zeros(this.batchShape);
  }
}
