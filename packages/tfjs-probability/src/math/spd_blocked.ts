/**
 * Dense symmetric positive-definite linear algebra for large matrices (the Gaussian-process
 * marginal likelihood and its gradient): a blocked right-looking Cholesky factorization and the
 * inverse from the factor, K⁻¹ = L⁻ᵀL⁻¹ (the gradient of log|K|; never used for densities).
 *
 * Blocks of NB columns: the diagonal blocks are factored and inverted in float64 loops; everything
 * else (the panel solves, the trailing updates, the triangular inverse and L⁻ᵀL⁻¹) is float32
 * matrix products in the SIMD `gemm` of wasm/simd.wat, on an instance of its own with its own memory,
 * so it runs under any backend that can read its tensors (cpu, wasm). Without WebAssembly SIMD the
 * same blocked algorithm runs with a JS product. About n³ flops for the inverse, n³/3 for the factor.
 */
import { SIMD_PLAIN } from '../kernels/wasm_simd_module.js';

/** Block size: a [NB, NB] operand (64 KB) stays in cache while the SIMD tiles stream over the other one. */
export const NB = 128;
/** Rows per product when forming L⁻ᵀL⁻¹ (keeps the streamed operand in L2). */
const KC = 256;
/** Heaps above this many bytes are dropped after each call (not held between fits). */
const KEEP_BYTES = 32 << 20;

interface Simd {
  gemm(a: number, b: number, c: number, m: number, k: number, n: number, bias: number, relu: number): void;
  transpose_f32(x: number, out: number, m: number, n: number): void;
}

let module: WebAssembly.Module | null | undefined;
let simdEnabled = true;

/** A float32 scratch heap with a bump allocator; offsets are float indices (16-byte aligned). */
class Heap {
  f: Float32Array;
  private memory: WebAssembly.Memory | null = null;
  private simd: Simd | null = null;
  private top = 0;

  constructor(floats: number) {
    if (module === undefined) {
      try {
        const s = atob(SIMD_PLAIN);
        const bytes = new Uint8Array(s.length);
        for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
        module = new WebAssembly.Module(bytes);
      } catch {
        module = null; // no WebAssembly SIMD: the JS product below
      }
    }
    const bytes = floats * 4 + 64;
    if (module !== null && simdEnabled) {
      try {
        this.memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536), maximum: 65536 });
        const inst = new WebAssembly.Instance(module, { env: { memory: this.memory } });
        this.simd = inst.exports as unknown as Simd;
      } catch {
        this.memory = null;
        this.simd = null;
      }
    }
    this.f = this.memory ? new Float32Array(this.memory.buffer) : new Float32Array(floats + 16);
  }

  /** Frees every allocation (one call's scratch at a time). */
  reset(): void {
    this.top = 0;
  }

  get bytes(): number {
    return this.f.byteLength;
  }

  alloc(floats: number): number {
    const at = this.top;
    this.top += (floats + 3) & ~3;
    if (this.top > this.f.length) throw new Error('spd_blocked: scratch heap overflow');
    return at;
  }

  /** C [m, n] = A [m, k] · B [k, n], all row-major and contiguous. */
  gemm(a: number, b: number, c: number, m: number, k: number, n: number): void {
    if (this.simd !== null) {
      this.simd.gemm(a * 4, b * 4, c * 4, m, k, n, 0, 0);
      return;
    }
    const f = this.f;
    for (let i = 0; i < m; i++) {
      const ci = c + i * n;
      f.fill(0, ci, ci + n);
      for (let p = 0; p < k; p++) {
        const aip = f[a + i * k + p]!;
        if (aip === 0) continue;
        const bp = b + p * n;
        for (let j = 0; j < n; j++) f[ci + j]! += aip * f[bp + j]!;
      }
    }
  }

  /** out [n, m] = xᵀ for x [m, n]. */
  transpose(x: number, out: number, m: number, n: number): void {
    if (this.simd !== null) {
      this.simd.transpose_f32(x * 4, out * 4, m, n);
      return;
    }
    const f = this.f;
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) f[out + j * m + i] = f[x + i * n + j]!;
  }
}

let cached: Heap | null = null;

function heapFor(floats: number): Heap {
  if (cached === null || cached.f.length < floats + 16) cached = new Heap(floats + 16);
  cached.reset();
  return cached;
}

function release(h: Heap): void {
  if (h.bytes > KEEP_BYTES && cached === h) cached = null;
}

/** Turns the WebAssembly SIMD product off (tests compare it with the JS product) or back on. */
export function setSpdSimd(on: boolean): void {
  simdEnabled = on;
  cached = null;
}

/** Factors the b×b block at f[o] (row stride s) in place in float64; false when not positive definite. */
function cholDiag(f: Float32Array, o: number, s: number, b: number, l: Float64Array): boolean {
  for (let j = 0; j < b; j++) {
    let d = f[o + j * s + j]!;
    const rj = j * b;
    for (let k = 0; k < j; k++) d -= l[rj + k]! * l[rj + k]!;
    if (!(d > 0) || !Number.isFinite(d)) return false;
    const ljj = Math.sqrt(d);
    l[rj + j] = ljj;
    const inv = 1 / ljj;
    for (let i = j + 1; i < b; i++) {
      const ri = i * b;
      let v = f[o + i * s + j]!;
      for (let k = 0; k < j; k++) v -= l[ri + k]! * l[rj + k]!;
      l[ri + j] = v * inv;
    }
  }
  for (let i = 0; i < b; i++) {
    for (let j = 0; j <= i; j++) {
      const v = l[i * b + j]!;
      if (!Number.isFinite(v)) return false;
      f[o + i * s + j] = v;
    }
  }
  return true;
}

/** out [b, b] (row-major, contiguous) = L⁻¹ for the lower b×b block at f[o] (row stride s), float64. */
function invLower(f: Float32Array, o: number, s: number, b: number, out: number, x: Float64Array): void {
  x.fill(0, 0, b * b);
  for (let j = 0; j < b; j++) {
    // column j of L⁻¹ by forward substitution
    x[j * b + j] = 1 / f[o + j * s + j]!;
    for (let i = j + 1; i < b; i++) {
      let v = 0;
      for (let k = j; k < i; k++) v -= f[o + i * s + k]! * x[k * b + j]!;
      x[i * b + j] = v / f[o + i * s + i]!;
    }
  }
  for (let i = 0; i < b * b; i++) f[out + i] = x[i]!;
}

/**
 * Lower Cholesky factor of the symmetric n×n matrix `a + shift·I` (row-major; the lower triangle of
 * `a` is read): `out` gets L with zeros above the diagonal. Returns -1, or the first row of the block
 * where the matrix was found not positive definite.
 */
export function choleskyBlocked(a: Float32Array, out: Float32Array, n: number, shift = 0): number {
  const h = heapFor(n * n + 4 * n * NB + 2 * NB * NB);
  try {
    const A = h.alloc(n * n);
    const S = h.alloc(n * NB), P = h.alloc(n * NB), C = h.alloc(n * NB), T = h.alloc(NB * NB), LI = h.alloc(NB * NB);
    const f = h.f;
    f.set(a.subarray(0, n * n), A);
    if (shift !== 0) for (let i = 0; i < n; i++) f[A + i * n + i]! += shift;
    const failed = factorInPlace(h, A, n, S, P, C, T, LI);
    if (failed >= 0) return failed;
    for (let i = 0; i < n; i++) {
      out.set(f.subarray(A + i * n, A + i * n + i + 1), i * n);
      out.fill(0, i * n + i + 1, (i + 1) * n);
    }
    return -1;
  } finally {
    release(h);
  }
}

function factorInPlace(h: Heap, A: number, n: number, S: number, P: number, C: number, T: number, LI: number): number {
  const f = h.f;
  const l64 = new Float64Array(NB * NB);
  for (let j0 = 0; j0 < n; j0 += NB) {
    const b = Math.min(NB, n - j0);
    const d = A + j0 * n + j0;
    if (!cholDiag(f, d, n, b, l64)) return j0;
    const rem = n - j0 - b;
    if (rem === 0) break;
    // Panel: L21 = A21 L11⁻ᵀ.
    invLower(f, d, n, b, LI, l64);
    h.transpose(LI, T, b, b);
    for (let r = 0; r < rem; r++) f.copyWithin(S + r * b, A + (j0 + b + r) * n + j0, A + (j0 + b + r) * n + j0 + b);
    h.gemm(S, T, P, rem, b, b);
    for (let r = 0; r < rem; r++) f.copyWithin(A + (j0 + b + r) * n + j0, P + r * b, P + r * b + b);
    // Trailing update of the lower triangle, one column block at a time: A22 −= L21 L21ᵀ.
    for (let c0 = j0 + b; c0 < n; c0 += NB) {
      const cb = Math.min(NB, n - c0);
      const pr = c0 - (j0 + b);
      const m = n - c0;
      h.transpose(P + pr * b, T, cb, b);
      h.gemm(P + pr * b, T, C, m, b, cb);
      for (let i = 0; i < m; i++) {
        const ro = A + (c0 + i) * n + c0;
        const co = C + i * cb;
        const w = i < cb ? i + 1 : cb;
        for (let jj = 0; jj < w; jj++) f[ro + jj]! -= f[co + jj]!;
      }
    }
  }
  return -1;
}

/**
 * K⁻¹ = L⁻ᵀL⁻¹ (full, symmetric, row-major n×n into `out`) from the lower Cholesky factor `l`
 * (row-major n×n; only its lower triangle is read).
 */
export function inverseFromCholesky(l: Float32Array, out: Float32Array, n: number): void {
  const nBlocks = Math.ceil(n / NB);
  // L's column panels below the diagonal blocks, the diagonal blocks' inverses, L⁻¹'s column panels.
  let panelFloats = 0;
  for (let k = 0; k < nBlocks; k++) panelFloats += (n - k * NB) * NB;
  const h = heapFor(2 * panelFloats + nBlocks * NB * NB + 3 * n * NB + 2 * NB * NB);
  try {
    const f = h.f;
    const l64 = new Float64Array(NB * NB);
    const LP: number[] = [], LI: number[] = [], XP: number[] = [];
    for (let k = 0; k < nBlocks; k++) {
      const k0 = k * NB, b = Math.min(NB, n - k0), below = n - k0 - b;
      LP.push(h.alloc(below * b));
      LI.push(h.alloc(b * b));
      XP.push(h.alloc((n - k0) * b));
    }
    const C = h.alloc(n * NB), TMP = h.alloc(NB * NB), XT = h.alloc(KC * NB), D = h.alloc(n * NB);
    // Copy L's blocks in: diagonal blocks into D (to invert), panels contiguous.
    for (let k = 0; k < nBlocks; k++) {
      const k0 = k * NB, b = Math.min(NB, n - k0), below = n - k0 - b;
      for (let i = 0; i < b; i++) f.set(l.subarray((k0 + i) * n + k0, (k0 + i) * n + k0 + b), D + i * b);
      invLower(f, D, b, b, LI[k]!, l64);
      for (let r = 0; r < below; r++) f.set(l.subarray((k0 + b + r) * n + k0, (k0 + b + r) * n + k0 + b), LP[k]! + r * b);
    }
    // X = L⁻¹ one column block at a time by blocked forward substitution (X's rows from j0 on).
    for (let j = 0; j < nBlocks; j++) {
      const j0 = j * NB, bj = Math.min(NB, n - j0);
      const R = XP[j]!;
      f.fill(0, R, R + (n - j0) * bj);
      f.copyWithin(R, LI[j]!, LI[j]! + bj * bj); // X_jj = L_jj⁻¹
      for (let k = j; k < nBlocks; k++) {
        const k0 = k * NB, bk = Math.min(NB, n - k0), below = n - k0 - bk;
        const Rk = R + (k0 - j0) * bj;
        if (k > j) {
          h.gemm(LI[k]!, Rk, TMP, bk, bk, bj); // X_kj = L_kk⁻¹ (right side so far)
          f.copyWithin(Rk, TMP, TMP + bk * bj);
        }
        if (below === 0) break;
        h.gemm(LP[k]!, Rk, C, below, bk, bj);
        const Rb = Rk + bk * bj;
        for (let t = 0; t < below * bj; t++) f[Rb + t]! -= f[C + t]!;
      }
    }
    // W = XᵀX by blocks: W[I, J] = Σ_{rows r ≥ I0} X[r, I]ᵀ X[r, J], in chunks of KC rows.
    out.fill(0, 0, n * n);
    for (let i = 0; i < nBlocks; i++) {
      const i0 = i * NB, bi = Math.min(NB, n - i0);
      for (let r0 = 0; r0 < n - i0; r0 += KC) {
        const kc = Math.min(KC, n - i0 - r0);
        h.transpose(XP[i]! + r0 * bi, XT, kc, bi); // [bi, kc]
        for (let j = 0; j <= i; j++) {
          const j0 = j * NB, bj = Math.min(NB, n - j0);
          h.gemm(XT, XP[j]! + (i0 - j0 + r0) * bj, C, bi, kc, bj);
          for (let r = 0; r < bi; r++) {
            const o = (i0 + r) * n + j0, c = C + r * bj;
            for (let cc = 0; cc < bj; cc++) out[o + cc]! += f[c + cc]!;
          }
        }
      }
    }
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) out[i * n + j] = out[j * n + i]!;
  } finally {
    release(h);
  }
}
