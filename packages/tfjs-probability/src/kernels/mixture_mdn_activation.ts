/**
 * The mixture-density-network head activation as one kernel each way (cpu, wasm):
 * columns `[start, end)` of `z [B, P]` (the σ block) become `elu(z) + 1 + ε`, the other
 * columns pass through. Forward `TfpMdnActivation(z) -> out`; backward
 * `TfpMdnActivationGrad(dy, out) -> dz` with `d out/d z = 1` for `z > 0` and `exp(z) = out - ε`
 * otherwise. On other backends `mdnActivation` composes tfjs ops (same values up to
 * float32 rounding: the kernel evaluates `exp(z) + ε` for `z ≤ 0` directly, where the
 * composed form computes `(exp(z) - 1) + 1 + ε`).
 */
import * as tf from '@tensorflow/tfjs';
import { MDN_ACTIVATION, MDN_ACTIVATION_GRAD } from './kernel_names.js';
import { kernelRuns } from './register.js';

export { MDN_ACTIVATION, MDN_ACTIVATION_GRAD } from './kernel_names.js';

/**
 * `out[..., j] = elu(z) + 1 + ε` for `start ≤ j < end`, `z` elsewhere; differentiable.
 * One kernel forward and one backward on cpu and wasm.
 */
export function mdnActivation(z: tf.Tensor, start: number, end: number, epsilon: number): tf.Tensor {
  const attrs = { start, end, epsilon };
  if (z.dtype === 'float32' && kernelRuns(MDN_ACTIVATION)) {
    return tf.engine().runKernel(MDN_ACTIVATION, { z }, attrs) as tf.Tensor;
  }
  return mdnActivationComposite(z, start, end, epsilon);
}

/** Columns of `t [..., P]` split at `start` and `end` (empty blocks allowed). */
function blocks(t: tf.Tensor, start: number, end: number): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const P = t.shape[t.rank - 1]!;
  return tf.split(t, [start, end - start, P - end], -1) as [tf.Tensor, tf.Tensor, tf.Tensor];
}

/**
 * `mdnActivation` as tfjs ops (backends without the kernel): split, elu + 1 + ε on the σ block,
 * concat. On webgl this is the shortest form (a mask-and-blend version costs two more passes).
 */
export function mdnActivationComposite(z: tf.Tensor, start: number, end: number, epsilon: number): tf.Tensor {
  return tf.tidy(() => {
    const [a, s, b] = blocks(z, start, end);
    return tf.concat([a, tf.add(tf.elu(s), 1 + epsilon), b], -1);
  });
}

/** The backward pass of `mdnActivation` given the upstream gradient `dy` and the forward output `out`. */
export function mdnActivationGrad(dy: tf.Tensor, out: tf.Tensor, start: number, end: number, epsilon: number): tf.Tensor {
  const attrs = { start, end, epsilon };
  if (dy.dtype === 'float32' && kernelRuns(MDN_ACTIVATION_GRAD)) {
    return tf.engine().runKernel(MDN_ACTIVATION_GRAD, { dy, out }, attrs) as tf.Tensor;
  }
  return mdnActivationGradComposite(dy, out, start, end, epsilon);
}

/** `mdnActivationGrad` as tfjs ops: dy passes through outside the σ block, is scaled by min(out - ε, 1) inside. */
export function mdnActivationGradComposite(dy: tf.Tensor, out: tf.Tensor, start: number, end: number, epsilon: number): tf.Tensor {
  return tf.tidy(() => {
    const [a, s, b] = blocks(dy, start, end);
    const o = blocks(out, start, end)[1];
    return tf.concat([a, tf.mul(s, tf.minimum(tf.sub(o, epsilon), 1)), b], -1);
  });
}
