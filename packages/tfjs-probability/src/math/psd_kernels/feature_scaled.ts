import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, fmtShape } from '../../errors.js';
import { POSITIVE, PositiveSemidefiniteKernel, kernelParams, type KernelOptions } from './psd_kernel.js';
import { broadcastPair, describeValue, type TensorLike } from '../../util.js';

export interface FeatureScaledArgs extends KernelOptions {
  /** The kernel applied to the scaled inputs (not owned: keep it alive while this kernel is used). */
  kernel: PositiveSemidefiniteKernel;
  /** Per-feature length scales `[...B, F]`, positive: inputs are divided by them (ARD). */
  scaleDiag: TensorLike;
}

/**
 * A kernel on inputs divided featurewise by `scaleDiag`: `k(x, y) = k₀(x / s, y / s)`
 * (TFP's `FeatureScaled`: automatic relevance determination, one length scale per feature;
 * with an `ExponentiatedQuadratic` of unit length scale, scikit-learn's anisotropic `RBF([ℓ₁, …, ℓ_F])`).
 *
 * @example
 * ```ts
 * const base = new tfp.math.psdKernels.ExponentiatedQuadratic();
 * const k = new tfp.math.psdKernels.FeatureScaled({ kernel: base, scaleDiag: [1, 10] });
 * k.apply([0, 0], [0, 10]);   // e^-0.5
 * ```
 */
export class FeatureScaled extends PositiveSemidefiniteKernel {
  readonly kernel: PositiveSemidefiniteKernel;
  constructor(args: FeatureScaledArgs) {
    const cls = 'FeatureScaled';
    if (!(args?.kernel instanceof PositiveSemidefiniteKernel)) {
      throw new InvalidArgumentError(`${cls}: kernel must be a psd kernel; got ${describeValue(args?.kernel)}`);
    }
    if (args.scaleDiag === undefined) throw new InvalidArgumentError(`${cls}: parameter scaleDiag is missing; expected [..., F] positive`);
    const p = kernelParams(cls, args, { scaleDiag: POSITIVE });
    const s = p['scaleDiag']!;
    if (s.rank < 1) {
      s.dispose();
      throw new InvalidArgumentError(`${cls}: scaleDiag must be [..., F]; got shape ${fmtShape(s.shape)}`);
    }
    const batch = broadcastPair(s.shape.slice(0, -1), args.kernel.batchShape);
    if (batch === null) {
      s.dispose();
      throw new InvalidArgumentError(
        `${cls}: scaleDiag's batch ${fmtShape(s.shape.slice(0, -1))} and the kernel's batch ${fmtShape(args.kernel.batchShape)} do not broadcast`,
      );
    }
    super(cls, args.name, p, batch);
    this.kernel = args.kernel;
  }
  private scaled(x: tf.Tensor, e: number): tf.Tensor {
    const s = this.parameters['scaleDiag']!;
    const lead = s.shape.slice(0, -1);
    const se = tf.reshape(s, [...lead, ...Array<number>(e).fill(1), s.shape[s.rank - 1]!]);
    return tf.div(x, se);
  }
  applyFn(x1: tf.Tensor, x2: tf.Tensor, e: number): tf.Tensor {
    return this.kernel.applyFn(this.scaled(x1, e), this.scaled(x2, e), e);
  }
  override matrixFn(x1: tf.Tensor, x2: tf.Tensor): tf.Tensor {
    return this.kernel.matrixFn(this.scaled(x1, 1), this.scaled(x2, 1));
  }
}

