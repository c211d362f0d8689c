import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, fmtShape } from '../../errors.js';
import { FINITE, POSITIVE, PositiveSemidefiniteKernel, kernelParams, type KernelOptions } from './psd_kernel.js';
import { broadcastShapes, describeValue, type TensorLike } from '../../util.js';

export interface ChangePointArgs extends KernelOptions {
  /** The kernels `k₁, …, kₙ` (n ≥ 2) the process moves between, left to right (not owned). */
  kernels: PositiveSemidefiniteKernel[];
  /** The n − 1 change points, ascending: `[..., n − 1]`. */
  locs: TensorLike;
  /** The n − 1 sigmoid slopes (> 0; larger is a sharper change): `[..., n − 1]`. */
  slopes: TensorLike;
  /** Maps examples `[..., F]` to the scalar the change points are placed on, `[...]`; default: the sum of the features (the input itself in 1-d). */
  weightFn?: (x: tf.Tensor) => tf.Tensor;
}

/**
 * A smooth switch between kernels at change points (TFP's `ChangePoint`): with
 * `sᵢ(x) = sigmoid(slopesᵢ (w(x) − locsᵢ))`, `s₀ = 1`, `sₙ = 0` and weights `vᵢ(x) = sᵢ₋₁(x)(1 − sᵢ(x))`,
 * `k(x, y) = Σᵢ vᵢ(x) kᵢ(x, y) vᵢ(y)`: a sum of positive semi-definite kernels scaled by a function of
 * each argument, so positive semi-definite. Far left of `locs₁` it is `k₁`, between `locsᵢ₋₁` and `locsᵢ`
 * about `kᵢ`, far right `kₙ`. `w` defaults to the sum of the features (the input itself in 1-d).
 * Batch shape: the broadcast of the kernels' and of `locs`/`slopes` without their last dim.
 *
 * @example
 * ```ts
 * const smooth = new tfp.math.psdKernels.ExponentiatedQuadratic({ lengthScale: 2 });
 * const rough = new tfp.math.psdKernels.MaternOneHalf({ lengthScale: 0.3 });
 * const k = new tfp.math.psdKernels.ChangePoint({ kernels: [smooth, rough], locs: [0], slopes: [5] });
 * k.matrix([[-3], [-2.5], [2.5], [3]], [[-3], [-2.5], [2.5], [3]]);   // ≈ smooth's on the left, rough's on the right
 * ```
 */
export class ChangePoint extends PositiveSemidefiniteKernel {
  readonly kernels: PositiveSemidefiniteKernel[];
  private readonly weightFn: (x: tf.Tensor) => tf.Tensor;

  constructor(args: ChangePointArgs) {
    const cls = 'ChangePoint';
    const ks = args?.kernels;
    if (!Array.isArray(ks) || ks.length < 2 || !ks.every((k) => k instanceof PositiveSemidefiniteKernel)) {
      throw new InvalidArgumentError(`${cls}: kernels must be an array of at least 2 psd kernels; got ${describeValue(ks)}`);
    }
    if (args.weightFn !== undefined && typeof args.weightFn !== 'function') {
      throw new InvalidArgumentError(`${cls}: weightFn must be a function of the examples; got ${describeValue(args.weightFn)}`);
    }
    for (const k of ['locs', 'slopes'] as const) {
      if (args[k] === undefined) throw new InvalidArgumentError(`${cls}: parameter ${k} is missing; expected [..., ${ks.length - 1}]`);
    }
    const p = kernelParams(cls, args, { locs: FINITE, slopes: POSITIVE });
    let batch: number[];
    try {
      for (const k of ['locs', 'slopes'] as const) {
        const t = p[k]!;
        if (t.rank < 1 || t.shape[t.rank - 1] !== ks.length - 1) {
          throw new InvalidArgumentError(`${cls}: ${k} must be [..., ${ks.length - 1}] (one per change between ${ks.length} kernels); got shape ${fmtShape(t.shape)}`);
        }
      }
      batch = broadcastShapes(cls, [
        ...ks.map((k, i) => [`kernels[${i}]`, k.batchShape] as [string, number[]]),
        ['locs', p['locs']!.shape.slice(0, -1)],
        ['slopes', p['slopes']!.shape.slice(0, -1)],
      ]);
    } catch (e) {
      for (const t of Object.values(p)) if (!(t instanceof tf.Variable)) t.dispose();
      throw e;
    }
    super(cls, args.name, p, batch);
    this.kernels = ks;
    this.weightFn = args.weightFn ?? ((x) => tf.sum(x, -1));
  }

  /** The weights `vᵢ(x)` of examples `x [...batch, ...e examples, F]`: `[...batch, ...examples, n]`. */
  private weights(x: tf.Tensor, e: number): tf.Tensor {
    const w = tf.expandDims(this.weightFn(x), -1);
    const at = (name: string) => {
      const t = this.parameters[name]!;
      return tf.reshape(t, [...t.shape.slice(0, -1), ...Array<number>(e).fill(1), t.shape[t.rank - 1]!]);
    };
    const s = tf.sigmoid(tf.mul(at('slopes'), tf.sub(w, at('locs'))));
    const ones = tf.onesLike(tf.slice(s, Array<number>(s.rank).fill(0), [...s.shape.slice(0, -1), 1]));
    return tf.mul(tf.concat([ones, s], -1), tf.concat([tf.sub(1, s), ones], -1));
  }

  applyFn(x1: tf.Tensor, x2: tf.Tensor, e: number): tf.Tensor {
    const v1 = tf.unstack(this.weights(x1, e), -1);
    const v2 = tf.unstack(this.weights(x2, e), -1);
    return tf.addN(this.kernels.map((k, i) => tf.mul(tf.mul(v1[i]!, k.applyFn(x1, x2, e)), v2[i]!)));
  }

  override matrixFn(x1: tf.Tensor, x2: tf.Tensor): tf.Tensor {
    const v1 = tf.unstack(this.weights(x1, 1), -1);
    const v2 = tf.unstack(this.weights(x2, 1), -1);
    return tf.addN(this.kernels.map((k, i) => tf.mul(tf.mul(tf.expandDims(v1[i]!, -1), k.matrixFn(x1, x2)), tf.expandDims(v2[i]!, -2))));
  }
}
