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
import { HALF_LOG_2PI, sigmoid, softplus } from './scalar_fns.js';
import { memFor, wasmHeapOffset } from './backend_memory.js';
import { simdFor } from './wasm_simd.js';
import { registerFusedNll, runFusedNll } from './fused_nll.js';

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

export const MIXTURE_NORMAL_LOGPROB = 'TfpMixtureNormalLogProb';
export const MIXTURE_NORMAL_LOGPROB_GRAD = 'TfpMixtureNormalLogProbGrad';
/**
 * `[-(1/B) Σ log p, ∂/∂params, ∂/∂y]` in one pass (the NLL loss: its gradient costs no more
 * than its value, so the forward launch computes both and the backward pass only scales).
 */
export const MIXTURE_NORMAL_NLL = 'TfpMixtureNormalNll';
/** The upstream gradient 1 that the NLL kernel's single pass differentiates with (see fused_nll.ts). */
const ONE = new Float32Array([1]);

/** Number of raw parameters per row for `K` components of event size `n` (both layouts). */
export function mixtureNormalParamsSize(numComponents: number, eventSize: number): number {
  return numComponents * (2 * eventSize + 1);
}


/**
 * Offsets of a layout within a row: logit k at `lg + k`, μ of component k, coordinate i at
 * `mu + k·stride + i`, σ (or its raw value) at `sg + k·stride + i`. Plain numbers, so the
 * loops below stay monomorphic (no per-element closures).
 */
interface Layout {
  lg: number;
  mu: number;
  sg: number;
  stride: number;
  soft: boolean;
}
function layoutOf(K: number, n: number, layout: MixtureNormalLayout): Layout {
  return layout === 'mdn'
    ? { lg: 2 * K * n, mu: 0, sg: K * n, stride: n, soft: false }
    : { lg: 0, mu: K, sg: K + n, stride: 2 * n, soft: true };
}

/**
 * One row: fills `e[k] = exp(l_k - max l)` and `c[k]` = component log weight + log density,
 * `r[k] = exp(c_k - max c)`; returns `logp` and leaves `lse = logSumExp(l)` in `out2[0]`,
 * `Σ r` in `out2[1]`. 2K + 2 exp/log per row (the backward pass reuses e and r).
 */
function rowTerms(
  p: Float32Array, base: number, y: Float32Array, ybase: number, K: number, n: number, L: Layout,
  e: Float64Array, c: Float64Array, out2: Float64Array,
): number {
  const lgb = base + L.lg;
  let maxl = -Infinity;
  for (let k = 0; k < K; k++) {
    const v = p[lgb + k]!;
    if (v > maxl) maxl = v;
  }
  let sl = 0;
  for (let k = 0; k < K; k++) {
    const ek = Math.exp(p[lgb + k]! - maxl);
    e[k] = ek;
    sl += ek;
  }
  const lse = maxl + Math.log(sl);
  let maxc = -Infinity;
  for (let k = 0; k < K; k++) {
    let ck = p[lgb + k]! - lse;
    const mub = base + L.mu + k * L.stride;
    const sgb = base + L.sg + k * L.stride;
    for (let i = 0; i < n; i++) {
      const raw = p[sgb + i]!;
      const s = L.soft ? softplus(raw) : raw;
      const z = (y[ybase + i]! - p[mub + i]!) / s;
      ck -= 0.5 * z * z + Math.log(s) + HALF_LOG_2PI;
    }
    c[k] = ck;
    if (ck > maxc) maxc = ck;
  }
  let sc = 0;
  for (let k = 0; k < K; k++) {
    const rk = Math.exp(c[k]! - maxc);
    c[k] = rk;
    sc += rk;
  }
  out2[0] = lse;
  out2[1] = sc;
  return maxc + Math.log(sc);
}

/** `out[b] = log p(y_b)`, or with `meanNeg` `out[0] = -(1/B) Σ_b log p(y_b)`. */
function forward(p: Float32Array, y: Float32Array, out: Float32Array, B: number, P: number, a: MixtureNormalAttrs, meanNeg: boolean): void {
  const K = a.numComponents;
  const n = a.eventSize;
  const L = layoutOf(K, n, a.layout);
  const e = new Float64Array(K);
  const c = new Float64Array(K);
  const out2 = new Float64Array(2);
  let total = 0;
  for (let b = 0; b < B; b++) {
    const lp = rowTerms(p, b * P, y, b * n, K, n, L, e, c, out2);
    if (meanNeg) total += lp;
    else out[b] = lp;
  }
  if (meanNeg) out[0] = -total / B;
}

/**
 * Gradients of `Σ_b g_b log p(y_b)` (`g` per row, or with `meanNeg` the scalar upstream
 * gradient g of `-(1/B) Σ log p`, i.e. `g_b = -g/B`) into `dp [B, P]` and `dy [B, n]`.
 */
function backward(
  p: Float32Array, y: Float32Array, g: Float32Array, dp: Float32Array, dy: Float32Array,
  B: number, P: number, a: MixtureNormalAttrs, meanNeg: boolean,
): number {
  const K = a.numComponents;
  const n = a.eventSize;
  const L = layoutOf(K, n, a.layout);
  const e = new Float64Array(K);
  const r = new Float64Array(K);
  const out2 = new Float64Array(2);
  const dyRow = new Float64Array(n);
  const gAll = meanNeg ? -g[0]! / B : 0;
  let total = 0;
  for (let b = 0; b < B; b++) {
    const base = b * P;
    const ybase = b * n;
    const gb = meanNeg ? gAll : g[b]!;
    total += rowTerms(p, base, y, ybase, K, n, L, e, r, out2);
    // π_k = e_k / Σe and the responsibilities r_k / Σr, without another exp.
    let se = 0;
    for (let k = 0; k < K; k++) se += e[k]!;
    const ie = 1 / se;
    const ir = gb / out2[1]!;
    dyRow.fill(0);
    const lgb = base + L.lg;
    for (let k = 0; k < K; k++) {
      const gr = r[k]! * ir;
      dp[lgb + k] = gr - gb * e[k]! * ie;
      const mub = base + L.mu + k * L.stride;
      const sgb = base + L.sg + k * L.stride;
      for (let i = 0; i < n; i++) {
        const raw = p[sgb + i]!;
        const s = L.soft ? softplus(raw) : raw;
        const inv = 1 / s;
        const z = (y[ybase + i]! - p[mub + i]!) * inv;
        const dmu = gr * z * inv;
        dp[mub + i] = dmu;
        const ds = gr * (z * z - 1) * inv;
        dp[sgb + i] = L.soft ? ds * sigmoid(raw) : ds;
        dyRow[i]! -= dmu;
      }
    }
    for (let i = 0; i < n; i++) dy[ybase + i] = dyRow[i]!;
  }
  return total;
}

// ------------------------------------------------------------------ backend glue

/**
 * The NLL kernel's wasm SIMD path (simd.wat `mdn_nll`: scalar targets, float32 lanes over the
 * components; MixtureNormal rows are converted to the MixtureDensity layout first, in wasm).
 * False when it does not run (no SIMD, or a σ that is not a positive normal float, which the
 * float64 loop then handles).
 */
function simdNll(
  backend: unknown, params: tf.TensorInfo, y: tf.TensorInfo, outs: readonly tf.TensorInfo[], B: number, K: number, layout: MixtureNormalLayout,
): boolean {
  // (simd.wat scratch: 8 blocks of K rounded up to 4 floats, then the f64 total.)
  const simd = simdFor(backend);
  if (simd === null) return false;
  const mem = memFor(backend);
  const K4 = (K + 3) & ~3;
  const temps = [mem.alloc([8 * K4 + 4], false)];
  try {
    const at = (t: tf.TensorInfo) => wasmHeapOffset(backend, t);
    const scratch = temps[0]!;
    // The f64 total goes to the first 8-byte-aligned slot after the 8·K4 floats.
    const totalAt = (at(scratch) + 32 * K4 + 7) & ~7;
    let p = params;
    let dp = outs[1]!;
    if (layout === 'mixtureNormal') {
      // Converted to the MixtureDensity layout (σ = softplus(raw)) and its gradients back, in wasm.
      p = mem.alloc([B, 3 * K], false);
      dp = mem.alloc([B, 3 * K], false);
      temps.push(p, dp);
      simd.mixnormal_to_mdn(at(params), at(p), B, K);
    }
    if (simd.mdn_nll(at(p), at(y), at(dp), at(outs[2]!), B, K, at(scratch), totalAt) !== 0) return false;
    if (layout === 'mixtureNormal') simd.mdn_grad_to_mixnormal(at(params), at(dp), at(outs[1]!), B, K);
    const total = new Float64Array(mem.view(scratch).buffer, totalAt, 1)[0]!;
    mem.view(outs[0]!)[0] = -total / B;
    return true;
  } finally {
    for (const t of temps) mem.free(t);
  }
}

interface CpuLike {
  data: { get(id: object): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: string, values: Float32Array): tf.TensorInfo;
}
interface WasmLike {
  makeOutput(shape: number[], dtype: string): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}
type Attrs = MixtureNormalAttrs & tf.NamedAttrMap;

function attrsOf(a: unknown): MixtureNormalAttrs {
  const r = a as MixtureNormalAttrs;
  return { numComponents: r.numComponents, eventSize: r.eventSize, layout: r.layout, reduction: r.reduction === 'meanNeg' ? 'meanNeg' : 'none' };
}

function register(): void {
  for (const backendName of ['cpu', 'wasm']) {
    const isWasm = backendName === 'wasm';
    if (!tf.getKernel(MIXTURE_NORMAL_LOGPROB, backendName)) {
      tf.registerKernel({
        kernelName: MIXTURE_NORMAL_LOGPROB,
        backendName,
        kernelFunc: ({ inputs, backend, attrs }) => {
          const { params, y } = inputs as { params: tf.TensorInfo; y: tf.TensorInfo };
          const [B, P] = params.shape as [number, number];
          const a = attrsOf(attrs);
          const meanNeg = a.reduction === 'meanNeg';
          const shape = meanNeg ? [] : [B];
          if (isWasm) {
            const w = backend as unknown as WasmLike;
            const out = w.makeOutput(shape, 'float32');
            forward(w.typedArrayFromHeap(params), w.typedArrayFromHeap(y), w.typedArrayFromHeap(out), B, P, a, meanNeg);
            return out;
          }
          const cb = backend as unknown as CpuLike;
          const out = new Float32Array(meanNeg ? 1 : B);
          forward(cb.data.get(params.dataId).values as Float32Array, cb.data.get(y.dataId).values as Float32Array, out, B, P, a, meanNeg);
          return cb.makeTensorInfo(shape, 'float32', out);
        },
      });
    }
    if (!tf.getKernel(MIXTURE_NORMAL_LOGPROB_GRAD, backendName)) {
      tf.registerKernel({
        kernelName: MIXTURE_NORMAL_LOGPROB_GRAD,
        backendName,
        kernelFunc: ({ inputs, backend, attrs }) => {
          const { params, y, dy } = inputs as { params: tf.TensorInfo; y: tf.TensorInfo; dy: tf.TensorInfo };
          const [B, P] = params.shape as [number, number];
          const n = y.shape[1]!;
          const a = attrsOf(attrs);
          const meanNeg = a.reduction === 'meanNeg';
          if (isWasm) {
            const w = backend as unknown as WasmLike;
            const dpOut = w.makeOutput([B, P], 'float32');
            const dyOut = w.makeOutput([B, n], 'float32');
            // Views are taken after every allocation: growing the heap detaches older views.
            backward(
              w.typedArrayFromHeap(params),
              w.typedArrayFromHeap(y),
              w.typedArrayFromHeap(dy),
              w.typedArrayFromHeap(dpOut),
              w.typedArrayFromHeap(dyOut),
              B,
              P,
              a,
              meanNeg,
            );
            return [dpOut, dyOut];
          }
          const cb = backend as unknown as CpuLike;
          const dp = new Float32Array(B * P);
          const dyv = new Float32Array(B * n);
          backward(
            cb.data.get(params.dataId).values as Float32Array,
            cb.data.get(y.dataId).values as Float32Array,
            cb.data.get(dy.dataId).values as Float32Array,
            dp,
            dyv,
            B,
            P,
            a,
            meanNeg,
          );
          return [cb.makeTensorInfo([B, P], 'float32', dp), cb.makeTensorInfo([B, n], 'float32', dyv)];
        },
      });
    }
  }
  registerFusedNll(
    MIXTURE_NORMAL_NLL,
    (p, y, dp, dy, B, attrs) => {
      const a = attrsOf(attrs);
      return -backward(p, y, ONE, dp, dy, B, mixtureNormalParamsSize(a.numComponents, a.eventSize), a, true) / B;
    },
    (backend, params, y, outs, attrs) => {
      const [B] = params.shape as [number];
      const a = attrsOf(attrs);
      return y.shape[1] === 1 && B > 0 && simdNll(backend, params, y, outs, B, a.numComponents, a.layout);
    },
  );
  tf.registerGradient({
    kernelName: MIXTURE_NORMAL_LOGPROB,
    inputsToSave: ['params', 'y'],
    gradFunc: (dy, saved, attrs) => {
      const [params, y] = saved as [tf.Tensor, tf.Tensor];
      const [dp, dyy] = tf.engine().runKernel(
        MIXTURE_NORMAL_LOGPROB_GRAD,
        { params, y, dy: dy as tf.Tensor },
        attrs as tf.NamedAttrMap,
      ) as unknown as [tf.Tensor, tf.Tensor];
      return { params: () => dp, y: () => dyy };
    },
  });
}
register();

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
    if (tf.getKernel(MIXTURE_NORMAL_LOGPROB, tf.getBackend()) === undefined) {
      const lp = mixtureNormalLogProbComposite(p, yy, attrs);
      return meanNeg ? tf.neg(tf.mean(lp)) : lp;
    }
    if (meanNeg && tf.getKernel(MIXTURE_NORMAL_NLL, tf.getBackend()) !== undefined) return runFusedNll(MIXTURE_NORMAL_NLL, p, yy, attrs);
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
