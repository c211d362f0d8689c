/**
 * The float64 loops (and the wasm SIMD NLL path) of the mixture-of-normals kernels
 * (MixtureNormalLogProb.ts, MixtureNormalLogProbGrad.ts, MixtureNormalNll.ts), read straight from a
 * head's raw parameter rows.
 */
import type * as tf from '@tensorflow/tfjs';
import type { MixtureNormalAttrs, MixtureNormalLayout } from './mixture_normal_logprob.js';
import { HALF_LOG_2PI, sigmoid, softplus } from './scalar_fns.js';
import { memFor, wasmHeapOffset } from './backend_memory.js';
import { simdFor } from './wasm_simd.js';

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
export function forward(p: Float32Array, y: Float32Array, out: Float32Array, B: number, P: number, a: MixtureNormalAttrs, meanNeg: boolean): void {
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
export function backward(
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
export function simdNll(
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

export interface CpuLike {
  data: { get(id: object): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: string, values: Float32Array): tf.TensorInfo;
}
export interface WasmLike {
  makeOutput(shape: number[], dtype: string): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}
export type Attrs = MixtureNormalAttrs & tf.NamedAttrMap;

export function attrsOf(a: unknown): MixtureNormalAttrs {
  const r = a as MixtureNormalAttrs;
  return { numComponents: r.numComponents, eventSize: r.eventSize, layout: r.layout, reduction: r.reduction === 'meanNeg' ? 'meanNeg' : 'none' };
}

