/**
 * Random number sources used by samplers. All take an optional integer seed;
 * the same seed gives the same numbers on every backend, and a call without a
 * seed draws a fresh one.
 *
 * The numbers are made in JavaScript (xoshiro128** generator; normals by
 * Doornik's ZIGNOR variant of the Marsaglia-Tsang ziggurat) into one
 * Float32Array that becomes one tensor, which is several times faster than
 * tf.randomNormal on the cpu and wasm backends (it draws through a seedrandom
 * generator and a Box-Muller-type transform per value) and works on any backend.
 *
 * Seeding: the seed is hashed with splitmix32 into the 128-bit xoshiro state,
 * so consecutive seeds (1, 2, 3, ...) give unrelated streams.
 */
import * as tf from '@tensorflow/tfjs';
import { checkSeed } from '../util.js';
import { memFor } from '../kernels/backend_memory.js';

/** xoshiro128** (Blackman & Vigna 2018): 128-bit state, period 2^128 − 1, 32-bit outputs. */
export class Xoshiro128 {
  /**
   * The state words. An Int32Array, not four number fields: V8 keeps small integers (31 bits)
   * unboxed, and 32-bit state words in plain fields would be boxed on every step (~3x slower).
   */
  readonly s = new Int32Array(4);

  constructor(seed: number) {
    // splitmix32 over the seed (both 32-bit halves of a large or fractional seed count).
    let s = (Math.floor(seed) >>> 0) ^ Math.imul(Math.floor(seed / 4294967296) >>> 0, 0x9e3779b1);
    const next = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    for (let i = 0; i < 4; i++) this.s[i] = next();
    if ((this.s[0]! | this.s[1]! | this.s[2]! | this.s[3]!) === 0) this.s[0] = 1;
  }

  /** Next 32-bit unsigned integer. */
  nextU32(): number {
    const st = this.s;
    const b = st[1]!;
    const r = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    const c = st[2]! ^ st[0]!;
    const d = st[3]! ^ b;
    st[1] = b ^ c;
    st[0] = st[0]! ^ d;
    st[2] = c ^ t;
    st[3] = rotl(d, 11);
    return r;
  }

  /** Uniform on the open interval (0, 1) with 32-bit resolution (as a double). */
  nextOpen01(): number {
    return (this.nextU32() + 0.5) * 2.3283064365386963e-10;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

// ---- ZIGNOR tables (Doornik 2005, "An Improved Ziggurat Method to Generate Normal Random Samples")
const ZIG_C = 128;
const ZIG_R = 3.442619855899;
const ZIG_V = 9.91256303526217e-3;
const zigX = new Float64Array(ZIG_C + 1);
const zigRatio = new Float64Array(ZIG_C);
{
  let f = Math.exp(-0.5 * ZIG_R * ZIG_R);
  zigX[0] = ZIG_V / f; // the bottom block (base strip plus tail) as a box of equal area
  zigX[1] = ZIG_R;
  zigX[ZIG_C] = 0;
  for (let i = 2; i < ZIG_C; i++) {
    zigX[i] = Math.sqrt(-2 * Math.log(ZIG_V / zigX[i - 1]! + f));
    f = Math.exp(-0.5 * zigX[i]! * zigX[i]!);
  }
  for (let i = 0; i < ZIG_C; i++) zigRatio[i] = zigX[i + 1]! / zigX[i]!;
}
// The same tables scaled for a signed 32-bit integer h standing for u = h / 2^31.
const zigK = new Float64Array(ZIG_C);
const zigW = new Float64Array(ZIG_C);
for (let i = 0; i < ZIG_C; i++) {
  zigK[i] = zigRatio[i]! * 2147483648;
  zigW[i] = zigX[i]! / 2147483648;
}

function normalTail(rng: Xoshiro128, negative: boolean): number {
  let x: number;
  let y: number;
  do {
    x = Math.log(rng.nextOpen01()) / ZIG_R;
    y = Math.log(rng.nextOpen01());
  } while (-2 * y < x * x);
  return negative ? x - ZIG_R : ZIG_R - x;
}

/** One standard normal draw (ZIGNOR; ~99% of draws take two 32-bit outputs and one compare). */
export function nextNormal(rng: Xoshiro128): number {
  const u = 2 * rng.nextOpen01() - 1;
  const i = rng.nextU32() & 0x7f;
  if (Math.abs(u) < zigRatio[i]!) return u * zigX[i]!;
  return slowNormal(rng, u, i);
}

/**
 * One standard normal draw from ONE 32-bit output (as `fillNormal`: its low 7 bits pick the
 * ziggurat block, its upper 25 bits give u with float32's resolution), about twice as fast as
 * `nextNormal`; the sampling kernels use it.
 */
export function nextNormalFast(rng: Xoshiro128): number {
  const w = rng.nextU32() | 0;
  const i = w & 0x7f;
  const h = w & -128;
  if (Math.abs(h) < zigK[i]!) return h * zigW[i]!;
  return slowNormal(rng, h * 4.656612873077393e-10, i);
}

/** A fresh 32-bit seed for unseeded calls. */
function freshSeed(): number {
  return Math.floor(Math.random() * 4294967296);
}

function checkShape(shape: number[], what: string): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`${what}: shape must be non-negative integers; got [${shape.join(', ')}]`);
    n *= d;
  }
  return n;
}

/**
 * Fills `out` with standard normal draws from `seed` (a fresh seed when omitted); returns `out`.
 * The hot loop keeps the xoshiro state in locals and uses ONE 32-bit output per draw: its
 * low 7 bits pick the ziggurat block and its upper 25 bits (as a signed number) give
 * u = h / 2^31 in [-1, 1) with 2^-24 resolution (float32's), so block and u are independent.
 */
export function fillNormal(out: Float32Array, seed?: number): Float32Array {
  const rng = new Xoshiro128(checkSeed(seed, 'randomNormal') ?? freshSeed());
  const st = rng.s;
  let a = st[0]!, b = st[1]!, c = st[2]!, d = st[3]!;
  const n = out.length;
  for (let k = 0; k < n; k++) {
    const w = Math.imul(rotl(Math.imul(b, 5), 7), 9);
    const t = b << 9;
    c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = rotl(d, 11);
    const i = w & 0x7f;
    const h = w & -128; // signed: u = h / 2^31 in [-1, 1)
    if (Math.abs(h) < zigK[i]!) {
      out[k] = h * zigW[i]!;
      continue;
    }
    const u = h * 4.656612873077393e-10;
    // Rare path (~1.2%): hand the state to the generator object and back.
    st[0] = a; st[1] = b; st[2] = c; st[3] = d;
    out[k] = slowNormal(rng, u, i);
    a = st[0]!; b = st[1]!; c = st[2]!; d = st[3]!;
  }
  return out;
}

/** The ZIGNOR rejection steps after the first box test failed for (u, i). */
function slowNormal(rng: Xoshiro128, u: number, i: number): number {
  for (;;) {
    if (i === 0) return normalTail(rng, u < 0);
    const xi = zigX[i]!;
    const xi1 = zigX[i + 1]!;
    const x = u * xi;
    const f0 = Math.exp(-0.5 * (xi * xi - x * x));
    const f1 = Math.exp(-0.5 * (xi1 * xi1 - x * x));
    if (f1 + rng.nextOpen01() * (f0 - f1) < 1.0) return x;
    u = 2 * rng.nextOpen01() - 1;
    i = rng.nextU32() & 0x7f;
    if (Math.abs(u) < zigRatio[i]!) return u * zigX[i]!;
  }
}

export const RANDOM_NORMAL = 'TfpRandomNormal';
let normalKernelRegistered = false;

/**
 * `n` standard normal draws of `shape` as a tensor. On cpu and wasm a kernel fills the
 * backend's own buffer (the wasm heap) in place, with no JS array or copy in between;
 * elsewhere a Float32Array is uploaded. The same seed gives the same numbers either way.
 */
function normalTensor(shape: number[], n: number, seed: number | undefined): tf.Tensor {
  const s = seed ?? freshSeed();
  if (n > 0 && (tf.getBackend() === 'cpu' || tf.getBackend() === 'wasm')) {
    if (!normalKernelRegistered) {
      normalKernelRegistered = true;
      for (const backendName of ['cpu', 'wasm']) {
        if (tf.getKernel(RANDOM_NORMAL, backendName)) continue;
        tf.registerKernel({
          kernelName: RANDOM_NORMAL,
          backendName,
          kernelFunc: ({ backend, attrs }) => {
            const { shape: sh, seed: sd } = attrs as unknown as { shape: number[]; seed: number };
            const mem = memFor(backend);
            const out = mem.alloc(sh, false);
            fillNormal(mem.view(out), sd);
            return out;
          },
        });
      }
    }
    return tf.engine().runKernel(RANDOM_NORMAL, {}, { shape, seed: s }) as tf.Tensor;
  }
  return tf.tensor(fillNormal(new Float32Array(n), s), shape, 'float32');
}

const U_MIN = 2 ** -24;
const U_MAX = 1 - 2 ** -24;

/**
 * Fills `out` with uniform draws on (0, 1): 32-bit resolution, clamped to
 * [2^-24, 1 − 2^-24] so that, in float32, neither u, 1 − u nor 2u − 1 reaches 0 or ±1.
 */
export function fillUniform(out: Float32Array, seed?: number): Float32Array {
  const rng = new Xoshiro128(checkSeed(seed, 'randomUniform') ?? freshSeed());
  for (let k = 0; k < out.length; k++) {
    const v = rng.nextOpen01();
    out[k] = v < U_MIN ? U_MIN : v > U_MAX ? U_MAX : v;
  }
  return out;
}

/** Standard normal draws of `shape`. */
export function randomNormal(shape: number[], seed?: number): tf.Tensor {
  const n = checkShape(shape, 'randomNormal');
  return normalTensor(shape, n, seed);
}

/** Uniform draws on the open interval (0, 1) of `shape` (never exactly 0 or 1, so logs are finite). */
export function randomUniform(shape: number[], seed?: number): tf.Tensor {
  const n = checkShape(shape, 'randomUniform');
  return tf.tensor(fillUniform(new Float32Array(n), seed), shape, 'float32');
}
