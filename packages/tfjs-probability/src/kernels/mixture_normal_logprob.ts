/**
 * A fused kernel for the log density of a mixture of independent normals read
 * straight from a head's raw parameter tensor, with its closed-form gradient
 * registered as a second kernel. One kernel launch forward and one backward
 * replace the ~40 small ops (slices, reshapes, logSoftmax, logSumExp and their
 * gradients) of the composed form, which is what dominates a mixture density
 * network's training step on the cpu and wasm backends.
 *
 * Kernels `TfpMixtureNormalLogProb` and `TfpMixtureNormalLogProbGrad` are
 * registered for `cpu` and `wasm` (they read and write tensor memory directly:
 * the cpu backend's typed arrays, the wasm heap). On any other backend the same
 * function falls back to the composed tfjs ops, differentiated by autograd.
 *
 * The arithmetic runs in float64 per row: `c_k = logSoftmax(l)_k + Σ_i log N(y_i; μ_ki, σ_ki)`,
 * `logp = logSumExp_k c_k`; with responsibilities `r_k = exp(c_k - logp)` and
 * `π = softmax(l)`: `∂/∂l_k = r_k - π_k`, `∂/∂μ_ki = r_k z/σ`, `∂/∂σ_ki = r_k (z² - 1)/σ`,
 * `∂/∂y_i = -Σ_k r_k z/σ` with `z = (y_i - μ_ki)/σ_ki`. Every term stays finite for
 * targets far in the tails (the log density is then a large negative number).
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, fmtShape } from '../errors.js';
import { mixtureLogProb } from '../math/mixture_ops.js';
import { HALF_LOG_2PI } from './scalar_fns.js';
import { runFusedNll } from './fused_nll.js';
import { MIXTURE_NORMAL_LOGPROB, MIXTURE_NORMAL_NLL } from './kernel_names.js';
import { mixtureNormalParamsSize, type Attrs } from './mixture_normal_js.js';
import { kernelRuns } from './register.js';

export { MIXTURE_NORMAL_LOGPROB, MIXTURE_NORMAL_LOGPROB_GRAD, MIXTURE_NORMAL_NLL } from './kernel_names.js';
export { mixtureNormalParamsSize } from './mixture_normal_js.js';

/**
 * Raw parameter layouts, per row of `P` numbers:
 * - `'mdn'` (the recipe's MixtureDensity layer): `[μ (K·n), σ (K·n, already positive), logits (K)]`,
 *   component `k`'s block of `n` at `k·n`.
 * - `'mixtureNormal'` (TFP's MixtureNormal layer): `[logits (K), then K blocks of [μ (n), raw σ (n)]]`
 *   with `σ = softplus(raw)`.
 */
export type MixtureNormalLayout = 'mdn' | 'mixtureNormal';

export interface MixtureNormalAttrs {
  numComponents: number;
  eventSize: number;
  layout: MixtureNormalLayout;
  /**
   * `'none'` (default): the kernel returns `log p` per row, `[B]`. `'meanNeg'`: the mean
   * negative log density over the rows, a scalar (the NLL loss in one launch forward and one
   * backward, instead of separate Mean and Neg ops and their gradients).
   */
  reduction?: 'none' | 'meanNeg';
}

// ------------------------------------------------------------------ public op

/** The composed-ops form (any backend; differentiated by autograd). `params [B, P]`, `y [B, n]` -> `[B]`. */
export function mixtureNormalLogProbComposite(params: tf.Tensor, y: tf.Tensor, a: MixtureNormalAttrs): tf.Tensor {
  return tf.tidy(() => {
    const K = a.numComponents;
    const n = a.eventSize;
    const B = params.shape[0]!;
    let logits: tf.Tensor;
    let loc: tf.Tensor;
    let scale: tf.Tensor;
    if (n === 1) {
      // Scalar events: [B, K] blocks against y [B, 1] (no event axis to add and sum away: on webgl
      // each is a pass forward and backward).
      if (a.layout === 'mdn') {
        [loc, scale, logits] = tf.split(params, 3, 1) as [tf.Tensor, tf.Tensor, tf.Tensor];
      } else {
        logits = tf.slice(params, [0, 0], [B, K]);
        const blocks = tf.reshape(tf.slice(params, [0, K], [B, 2 * K]), [B, K, 2]);
        loc = tf.reshape(tf.slice(blocks, [0, 0, 0], [B, K, 1]), [B, K]);
        scale = tf.softplus(tf.reshape(tf.slice(blocks, [0, 0, 1], [B, K, 1]), [B, K]));
      }
      const z1 = tf.div(tf.sub(y, loc), scale);
      return mixtureLogProb(logits, tf.sub(tf.mul(-0.5, tf.square(z1)), tf.add(tf.log(scale), HALF_LOG_2PI)));
    }
    if (a.layout === 'mdn') {
      loc = tf.reshape(tf.slice(params, [0, 0], [B, K * n]), [B, K, n]);
      scale = tf.reshape(tf.slice(params, [0, K * n], [B, K * n]), [B, K, n]);
      logits = tf.slice(params, [0, 2 * K * n], [B, K]);
    } else {
      logits = tf.slice(params, [0, 0], [B, K]);
      const blocks = tf.reshape(tf.slice(params, [0, K], [B, 2 * K * n]), [B, K, 2 * n]);
      loc = tf.slice(blocks, [0, 0, 0], [B, K, n]);
      scale = tf.softplus(tf.slice(blocks, [0, 0, n], [B, K, n]));
    }
    const z = tf.div(tf.sub(tf.expandDims(y, 1), loc), scale);
    const clp = tf.sum(tf.sub(tf.mul(-0.5, tf.square(z)), tf.add(tf.log(scale), HALF_LOG_2PI)), -1);
    return mixtureLogProb(logits, clp);
  });
}

/**
 * Log density `[B]` of targets `y [B, n]` under the mixture of `K` independent
 * normals whose raw parameters are the rows of `params [B, P]` in `layout`; with
 * `reduction: 'meanNeg'` the scalar `-(1/B) Σ_b log p(y_b)` (the NLL loss).
 * Differentiable in both arguments; fused kernels on cpu and wasm.
 */
export function mixtureNormalLogProbFromParams(params: tf.Tensor, y: tf.Tensor, a: MixtureNormalAttrs): tf.Tensor {
  const K = a.numComponents;
  const n = a.eventSize;
  const P = mixtureNormalParamsSize(K, n);
  if (params.rank !== 2 || params.shape[1] !== P) {
    throw new InvalidArgumentError(
      `mixtureNormalLogProbFromParams: params must be [batch, ${P}] for ${K} components of size ${n}; got ${fmtShape(params.shape)}`,
    );
  }
  if (y.rank !== 2 || y.shape[0] !== params.shape[0] || y.shape[1] !== n) {
    throw new InvalidArgumentError(
      `mixtureNormalLogProbFromParams: y must be [${params.shape[0]}, ${n}]; got ${fmtShape(y.shape)}`,
    );
  }
  const meanNeg = a.reduction === 'meanNeg';
  const attrs: Attrs = { numComponents: K, eventSize: n, layout: a.layout, reduction: meanNeg ? 'meanNeg' : 'none' };
  return tf.tidy(() => {
    const p = params.dtype === 'float32' ? params : tf.cast(params, 'float32');
    const yy = y.dtype === 'float32' ? y : tf.cast(y, 'float32');
    if (!kernelRuns(MIXTURE_NORMAL_LOGPROB)) {
      const lp = mixtureNormalLogProbComposite(p, yy, attrs);
      return meanNeg ? tf.neg(tf.mean(lp)) : lp;
    }
    if (meanNeg && kernelRuns(MIXTURE_NORMAL_NLL)) return runFusedNll(MIXTURE_NORMAL_NLL, p, yy, attrs);
    return tf.engine().runKernel(MIXTURE_NORMAL_LOGPROB, { params: p, y: yy }, attrs) as tf.Tensor;
  });
}

/**
 * The mean negative log density of a head's raw `params [B, P]` for targets `y` (`[B, n]`, or
 * `[B]` when `n = 1`) as one fused op (`reduction: 'meanNeg'`), or `null` when the shapes are
 * not that simple case (the caller then goes through the distribution). What mixture heads'
 * `negativeLogLikelihood` hook returns to `tfp.losses.negativeLogLikelihood`.
 */
export function mixtureNormalNllOrNull(params: tf.Tensor, y: tf.Tensor, a: MixtureNormalAttrs): tf.Scalar | null {
  const n = a.eventSize;
  if (params.rank !== 2 || params.shape[1] !== mixtureNormalParamsSize(a.numComponents, n)) return null;
  const B = params.shape[0]!;
  const simple = (y.rank === 2 && y.shape[0] === B && y.shape[1] === n) || (n === 1 && y.rank === 1 && y.shape[0] === B);
  if (!simple) return null;
  return tf.tidy(() =>
    mixtureNormalLogProbFromParams(params, y.rank === 2 ? y : tf.reshape(y, [B, 1]), { ...a, reduction: 'meanNeg' }),
  ) as tf.Scalar;
}
