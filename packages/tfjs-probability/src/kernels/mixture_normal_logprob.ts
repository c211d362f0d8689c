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
}

export const MIXTURE_NORMAL_LOGPROB = 'TfpMixtureNormalLogProb';
export const MIXTURE_NORMAL_LOGPROB_GRAD = 'TfpMixtureNormalLogProbGrad';
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** Number of raw parameters per row for `K` components of event size `n` (both layouts). */
export function mixtureNormalParamsSize(numComponents: number, eventSize: number): number {
  return numComponents * (2 * eventSize + 1);
}

function softplus(x: number): number {
  return x > 20 ? x : x < -20 ? Math.exp(x) : Math.log1p(Math.exp(x));
}
function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

interface Index {
  mu: (k: number, i: number) => number;
  sg: (k: number, i: number) => number;
  lg: (k: number) => number;
  soft: boolean;
}
function indexFor(K: number, n: number, layout: MixtureNormalLayout): Index {
  if (layout === 'mdn') {
    return { mu: (k, i) => k * n + i, sg: (k, i) => K * n + k * n + i, lg: (k) => 2 * K * n + k, soft: false };
  }
  return { mu: (k, i) => K + 2 * n * k + i, sg: (k, i) => K + 2 * n * k + n + i, lg: (k) => k, soft: true };
}

/** Per-row component log weights `c` (into `c`), returns `[logp, lseLogits]`. */
function rowTerms(p: ArrayLike<number>, base: number, y: ArrayLike<number>, ybase: number, K: number, n: number, ix: Index, c: Float64Array): [number, number] {
  let maxl = -Infinity;
  for (let k = 0; k < K; k++) maxl = Math.max(maxl, p[base + ix.lg(k)]!);
  let sl = 0;
  for (let k = 0; k < K; k++) sl += Math.exp(p[base + ix.lg(k)]! - maxl);
  const lse = maxl + Math.log(sl);
  let maxc = -Infinity;
  for (let k = 0; k < K; k++) {
    let ck = p[base + ix.lg(k)]! - lse;
    for (let i = 0; i < n; i++) {
      const raw = p[base + ix.sg(k, i)]!;
      const s = ix.soft ? softplus(raw) : raw;
      const z = (y[ybase + i]! - p[base + ix.mu(k, i)]!) / s;
      ck += -0.5 * z * z - Math.log(s) - HALF_LOG_2PI;
    }
    c[k] = ck;
    if (ck > maxc) maxc = ck;
  }
  let sc = 0;
  for (let k = 0; k < K; k++) sc += Math.exp(c[k]! - maxc);
  return [maxc + Math.log(sc), lse];
}

function forward(p: ArrayLike<number>, y: ArrayLike<number>, out: Float32Array, B: number, P: number, a: MixtureNormalAttrs): void {
  const K = a.numComponents;
  const n = a.eventSize;
  const ix = indexFor(K, n, a.layout);
  const c = new Float64Array(K);
  for (let b = 0; b < B; b++) out[b] = rowTerms(p, b * P, y, b * n, K, n, ix, c)[0];
}

function backward(
  p: ArrayLike<number>,
  y: ArrayLike<number>,
  g: ArrayLike<number>,
  dp: Float32Array,
  dy: Float32Array,
  B: number,
  P: number,
  a: MixtureNormalAttrs,
): void {
  const K = a.numComponents;
  const n = a.eventSize;
  const ix = indexFor(K, n, a.layout);
  const c = new Float64Array(K);
  const dyRow = new Float64Array(n);
  for (let b = 0; b < B; b++) {
    const base = b * P;
    const gb = g[b]!;
    const [lp, lse] = rowTerms(p, base, y, b * n, K, n, ix, c);
    dyRow.fill(0);
    for (let k = 0; k < K; k++) {
      const r = Math.exp(c[k]! - lp);
      const pi = Math.exp(p[base + ix.lg(k)]! - lse);
      dp[base + ix.lg(k)] = gb * (r - pi);
      const gr = gb * r;
      for (let i = 0; i < n; i++) {
        const raw = p[base + ix.sg(k, i)]!;
        const s = ix.soft ? softplus(raw) : raw;
        const inv = 1 / s;
        const z = (y[b * n + i]! - p[base + ix.mu(k, i)]!) * inv;
        const dmu = gr * z * inv;
        dp[base + ix.mu(k, i)] = dmu;
        const ds = gr * (z * z - 1) * inv;
        dp[base + ix.sg(k, i)] = ix.soft ? ds * sigmoid(raw) : ds;
        dyRow[i]! -= dmu;
      }
    }
    for (let i = 0; i < n; i++) dy[b * n + i] = dyRow[i]!;
  }
}

// ------------------------------------------------------------------ backend glue

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
  return { numComponents: r.numComponents, eventSize: r.eventSize, layout: r.layout };
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
          if (isWasm) {
            const w = backend as unknown as WasmLike;
            const out = w.makeOutput([B], 'float32');
            forward(w.typedArrayFromHeap(params), w.typedArrayFromHeap(y), w.typedArrayFromHeap(out), B, P, a);
            return out;
          }
          const cb = backend as unknown as CpuLike;
          const out = new Float32Array(B);
          forward(cb.data.get(params.dataId).values as Float32Array, cb.data.get(y.dataId).values as Float32Array, out, B, P, a);
          return cb.makeTensorInfo([B], 'float32', out);
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
          );
          return [cb.makeTensorInfo([B, P], 'float32', dp), cb.makeTensorInfo([B, n], 'float32', dyv)];
        },
      });
    }
  }
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
 * normals whose raw parameters are the rows of `params [B, P]` in `layout`.
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
  const attrs: Attrs = { numComponents: K, eventSize: n, layout: a.layout };
  return tf.tidy(() => {
    const p = params.dtype === 'float32' ? params : tf.cast(params, 'float32');
    const yy = y.dtype === 'float32' ? y : tf.cast(y, 'float32');
    if (tf.getKernel(MIXTURE_NORMAL_LOGPROB, tf.getBackend()) === undefined) {
      return mixtureNormalLogProbComposite(p, yy, attrs);
    }
    return tf.engine().runKernel(MIXTURE_NORMAL_LOGPROB, { params: p, y: yy }, attrs) as tf.Tensor;
  });
}
