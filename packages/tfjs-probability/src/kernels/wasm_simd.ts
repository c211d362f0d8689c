/**
 * The hand-written SIMD kernels of wasm/simd.wat, instantiated on the tfjs wasm backend's own
 * memory (imported, so they read and write tensors in the heap without copies). One instance
 * per memory; `null` where they cannot run (another backend, no wasm SIMD, turned off), and
 * the callers then use their JS loops. The module (~6 KB) is compiled asynchronously by
 * `tfp.ready()`; without it the first kernel compiles it synchronously (allowed in Node and
 * current browsers).
 */
import { SIMD_PLAIN, SIMD_SHARED } from './wasm_simd_module.js';
import { wasmHeapMemory } from './backend_memory.js';

export interface SimdKernels {
  /** See simd.wat: log-density pieces for one lower-triangular scale per row. */
  mvn_tril_logprob(
    x: number, xs: number, loc: number, ms: number, l: number, ls: number,
    res: number, batch: number, d: number, z: number, c: number,
  ): void;
  /** See simd.wat: tf.train.adam's update, rounded as tfjs rounds it. */
  adam_tf(
    x: number, g: number, m: number, v: number, xo: number, mo: number, vo: number, n: number,
    b1: number, b2: number, c1: number, c2: number, oma1: number, oma2: number, eps: number, nlr: number,
  ): void;
  /** out = xᵀ for a float32 matrix [m, n]. */
  transpose_f32(x: number, out: number, m: number, n: number): void;
  /** Column sums of a float32 matrix [m, n] (float64 accumulators). */
  sum_rows_f32(x: number, out: number, m: number, n: number): void;
  /** out = dy · step(y) for n float32 values. */
  relu_mask_f32(dy: number, y: number, out: number, n: number): void;
  /** e^x and ln x over n float32 values (n a multiple of 4; for tests of the two routines). */
  exp_f32(x: number, out: number, n: number): void;
  log_f32(x: number, out: number, n: number): void;
  /** Mean NLL of scalar targets under MixtureDensity rows and its gradient; 1 = a σ was not a positive normal float (nothing done). */
  mdn_nll(p: number, y: number, dp: number, dy: number, B: number, K: number, scratch: number, total: number): number;
  /** The MixtureDensity activation (columns [start, end) to elu + 1 + ε) and its gradient from the output. */
  mdn_act(z: number, out: number, rows: number, P: number, start: number, end: number, eps: number): void;
  mdn_act_grad(dy: number, out: number, dz: number, rows: number, P: number, start: number, end: number, eps: number): void;
  /** MixtureNormal rows (scalar events) to the MixtureDensity layout (σ = softplus(raw)), and gradients back. */
  mixnormal_to_mdn(p: number, out: number, B: number, K: number): void;
  mdn_grad_to_mixnormal(p: number, d: number, dp: number, B: number, K: number): void;
  /** C = A·B (+ bias, relu) for row-major float32 matrices; bias 0 for none. */
  gemm(a: number, b: number, c: number, m: number, k: number, n: number, bias: number, relu: number): void;
}

let enabled = true;
const instances = new WeakMap<WebAssembly.Memory, SimdKernels | null>();

/** The module's bytes for `memory`: the variant that imports a shared memory when it is one. */
function moduleBytes(memory: WebAssembly.Memory): Uint8Array<ArrayBuffer> {
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  const s = atob(shared ? SIMD_SHARED : SIMD_PLAIN);
  const out = new Uint8Array(new ArrayBuffer(s.length));
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/**
 * Instantiates the kernels for `backend`'s heap asynchronously (what `tfp.ready()` does once the
 * wasm backend runs): browsers that refuse synchronous compilation of modules over 4 KB on the
 * main thread (older Chrome) still get them. Later `simdFor` calls return the cached instance.
 */
export async function prepareSimd(backend: unknown): Promise<void> {
  const memory = wasmHeapMemory(backend);
  if (memory === null || instances.has(memory)) return;
  try {
    const { instance } = await WebAssembly.instantiate(moduleBytes(memory), { env: { memory } });
    instances.set(memory, instance.exports as unknown as SimdKernels);
  } catch {
    instances.set(memory, null); // no wasm SIMD: the JS loops run
  }
}

/** The SIMD kernels bound to `backend`'s heap, or null (not the wasm backend, no SIMD, or turned off). */
export function simdFor(backend: unknown): SimdKernels | null {
  if (!enabled) return null;
  const memory = wasmHeapMemory(backend);
  if (memory === null) return null;
  let k = instances.get(memory);
  if (k !== undefined) return k;
  try {
    k = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes(memory)), { env: { memory } }).exports as unknown as SimdKernels;
  } catch {
    k = null; // no wasm SIMD (or a memory this module cannot import): the JS loops run
  }
  instances.set(memory, k);
  return k;
}

/** Turns the SIMD kernels off (tests compare them with the JS loops) or back on. */
export function setWasmSimd(on: boolean): void {
  enabled = on;
}
