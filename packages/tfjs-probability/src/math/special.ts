/**
 * Special functions on tensors (`tfp.math`), float32-accurate over the domain
 * distributions use them on, each differentiable with an analytic gradient
 * (`tf.customGrad`), built only from ops that have kernels on every backend
 * (cpu, wasm, webgl). `tf.erf` is not used: its cpu/wasm kernels are the
 * Abramowitz–Stegun 7.1.26 formula (absolute error 1.5e-7, so ~1e-4 relative
 * near 0 and useless in the tails).
 *
 * Elementwise functions (lgamma, digamma, trigamma, erfinv, ndtri, ndtr,
 * logNdtr, log1mexp, softplusInverse, logAddExp) are vectorized tensor ops:
 * every branch is evaluated on a clamped, safe argument and the right one is
 * picked with `tf.where`. The incomplete gamma and beta functions (igamma,
 * igammac, betainc, betaincc and their logs) run, on the cpu and wasm backends,
 * as the kernel 'TfpSpecialHost' (src/kernels/special_js.ts: float64 series /
 * continued fractions in log space over the backend's own host memory, no GPU
 * sync); on every other backend as float32 tensor ops with a fixed 64 terms
 * (relative error ~2e-5 for parameters up to 30, ~1e-3 up to 100; more terms
 * would be needed beyond, where the result degrades).
 *
 * Coefficients: lgamma near 2 is the Taylor series of lgamma(2+e) (exact
 * zeta-function coefficients); digamma near its positive root and the normal
 * Mills ratio are least-squares Chebyshev fits made with mpmath (see
 * test/fixtures/generate_special.py for the reference values they are tested
 * against); erfinv is M. Giles' single-precision approximation ("Approximating
 * the erfinv function", GPU Computing Gems, 2011); the ndtri tails are
 * P. J. Acklam's rational approximation.
 */
import * as tf from '@tensorflow/tfjs';
import { NotImplementedError } from '../errors.js';
import { useKernels } from '../kernels/register.js';
import { SPECIAL_HOST, ensureSpecialKernel, inverseHostJs, type SpecialFn, type SpecialWrt } from '../kernels/special_js.js';

type In = tf.Tensor | number | number[] | Float32Array;

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const SQRT_2PI = Math.sqrt(2 * Math.PI);

function toT(x: In): tf.Tensor {
  if (x instanceof tf.Tensor) return x.dtype === 'float32' ? x : tf.cast(x, 'float32');
  return tf.tensor(x as number[], undefined, 'float32');
}

/** Horner evaluation; `c` is highest degree first. */
function poly(x: tf.Tensor, c: readonly number[]): tf.Tensor {
  let r: tf.Tensor = tf.fill(x.shape, c[0]!);
  for (let i = 1; i < c.length; i++) r = tf.add(tf.mul(r, x), c[i]!);
  return r;
}

/** @internal Sums a broadcast gradient back to `shape` (shared with ./xlogy.ts). */
export function reduceTo(g: tf.Tensor, shape: number[]): tf.Tensor {
  if (g.shape.length === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  const lead = g.shape.length - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.shape.length; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  const s = axes.length ? tf.sum(g, axes, true) : g;
  return tf.reshape(lead ? tf.reshape(s, s.shape.slice(lead)) : s, shape);
}

const unaryGrad = (
  forward: (x: tf.Tensor) => tf.Tensor,
  deriv: (x: tf.Tensor, y: tf.Tensor) => tf.Tensor,
): ((x: tf.Tensor) => tf.Tensor) => {
  const f = tf.customGrad((...args: unknown[]) => {
    const x = args[0] as tf.Tensor;
    const save = args[1] as tf.GradSaveFunc;
    const y = forward(x);
    save([x, y]);
    return { value: y, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, deriv(saved[0]!, saved[1]!)) };
  });
  return (x) => f(x);
};

/** x - round(x) in [-0.5, 0.5], exact in float32: sin/tan(πx) without large-argument loss. */
function frac(x: tf.Tensor): tf.Tensor {
  return tf.sub(x, tf.round(x));
}

// The wasm kernels of log1p (log(1 + x)), sin (absolute error ~3e-7 near 0) and sign (0 for
// |x| < ~1e-5) are not accurate enough; these replacements use only exact or accurate ops.

/**
 * log(1 + x), accurate for small |x| on every backend (the wasm kernel computes
 * log(1 + x) and loses relative accuracy below ~1e-4). Goldberg/Kahan: with
 * u = fl(1 + x), log(u) · x / (u - 1) is exact to rounding because u - 1 is
 * computed exactly. Gradient 1 / (1 + x).
 */
export const log1p = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const x = args[0] as tf.Tensor;
  const save = args[1] as tf.GradSaveFunc;
  const u = tf.add(x, 1);
  const um1 = tf.sub(u, 1);
  const same = tf.equal(um1, 0);
  const ratio = tf.div(x, tf.where(same, tf.onesLike(um1), um1));
  const v = tf.where(same, x, tf.mul(tf.log(u), ratio));
  save([x]);
  return {
    value: tf.where(tf.isInf(x), x, v),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.div(dy, tf.add(saved[0]!, 1)),
  };
}) as (x: tf.Tensor) => tf.Tensor;

function sign(x: tf.Tensor): tf.Tensor {
  return tf.where(tf.greater(x, 0), tf.onesLike(x), tf.where(tf.less(x, 0), tf.fill(x.shape, -1), tf.zerosLike(x)));
}

// sin(πr) = r · S(r²) on |r| <= 0.5 (Taylor, truncation < 1e-9), highest first.
const SINPI = [15, 13, 11, 9, 7, 5, 3, 1].map((n) => {
  let f = 1;
  for (let i = 2; i <= n; i++) f *= i;
  return ((((n - 1) / 2) % 2 === 0 ? 1 : -1) * Math.PI ** n) / f;
});

/** sin(πr) for r in [-0.5, 0.5], relative-accurate. */
function sinpi(r: tf.Tensor): tf.Tensor {
  return tf.mul(r, poly(tf.square(r), SINPI));
}

/** cos(πr) for r in [-0.5, 0.5]: sin(π(0.5 - |r|)), exact argument for |r| >= 0.25. */
function cospi(r: tf.Tensor): tf.Tensor {
  return sinpi(tf.sub(0.5, tf.abs(r)));
}

// ---------------------------------------------------------------- lgamma

// lgamma(2 + e) = e * sum c_k e^k, Taylor coefficients (c_0 = 1 - γ, c_k = (-1)^k (ζ(k+1)-1)/(k+1)),
// highest first; 12 terms give 1.2e-7 relative on |e| <= 0.5 in float32.
const LG2 = [
  2.050721277567069e-5, -4.492623673813314e-5, 9.945751278180853e-5, -2.2315475845357939e-4, 5.096695247430425e-4,
  -1.192753911703261e-3, 2.8905103307415234e-3, -7.385551028673986e-3, 2.0580808427784546e-2, -6.73523010531981e-2,
  0.3224670334241132, 0.42278433509846713,
];
// Stirling series sum B_2k / (2k(2k-1) x^(2k-1)) as r * S(r^2), highest first.
const STIRLING = [-691 / 360360, 1 / 1188, -1 / 1680, 1 / 1260, -1 / 360, 1 / 12];

function lgammaPos(y: tf.Tensor): tf.Tensor {
  // Regions: y < 0.5 | [0.5, 1.5) | [1.5, 2.5) | [2.5, 3.5) use e = y - k and lgamma(2 + e);
  // y >= 3.5 uses Stirling's series.
  const k = tf.clipByValue(tf.floor(tf.add(y, 0.5)), 0, 3);
  const small = tf.less(y, 3.5);
  const e = tf.where(small, tf.sub(y, k), tf.zerosLike(y));
  const lg2 = tf.mul(e, poly(e, LG2));
  const safeLog = (t: tf.Tensor) => tf.log(tf.maximum(t, 1e-45));
  const corr = tf.where(
    tf.equal(k, 0),
    tf.neg(tf.add(tf.log(y), log1p(y))),
    tf.where(tf.equal(k, 1), tf.neg(log1p(e)), tf.where(tf.equal(k, 2), tf.zerosLike(y), safeLog(tf.sub(y, 1)))),
  );
  const near = tf.add(lg2, corr);
  const z = tf.maximum(y, 3.5);
  const lz = tf.log(z);
  const r = tf.reciprocal(z);
  const series = tf.mul(r, poly(tf.square(r), STIRLING));
  const far = tf.add(tf.add(tf.sub(tf.mul(tf.sub(z, 0.5), lz), z), LOG_SQRT_2PI), series);
  const out = tf.where(small, near, far);
  return tf.where(tf.isInf(y), y, out);
}

function lgammaImpl(x: tf.Tensor): tf.Tensor {
  const neg = tf.less(x, 0);
  const y = tf.where(neg, tf.sub(1, x), x);
  const ly = lgammaPos(y);
  // Reflection: log|Γ(x)| = log(π / |sin(πx)|) - lgamma(1 - x).
  const s = tf.abs(sinpi(frac(x)));
  const refl = tf.sub(tf.sub(Math.log(Math.PI), tf.log(s)), ly);
  const out = tf.where(neg, tf.where(tf.isInf(x), tf.fill(x.shape, Infinity), refl), ly);
  return tf.where(tf.isNaN(x), x, out);
}

// ---------------------------------------------------------------- digamma, trigamma, tetragamma

const DG_ROOT_HI = 1.4616321325302124; // float32 part of the positive root of ψ
const DG_ROOT_LO = 1.2438149843418955e-8;
// ψ(x) / (x - x0) on [1, 2] as a polynomial in z = x - 1.5, highest first (least-squares Chebyshev fit).
const DG_ROOT = [
  -0.007704595909271172, 0.011234535526149676, -0.011090945131649172, 0.016908233381087198, -0.027103134600379584,
  0.040895062119964305, -0.06191263129977379, 0.09498068610527187, -0.14840522466858952, 0.24054265905546704,
  -0.4236274185577516, 0.951055875418283,
];

/** ψ(z) for z >= 1 (z in [1, 2] near the root by a fit, above by recurrence up to 6 and the asymptotic series). */
function digammaGe1(z: tf.Tensor): tf.Tensor {
  const zc = tf.clipByValue(z, 1, 2);
  const root = tf.mul(tf.sub(tf.sub(zc, DG_ROOT_HI), DG_ROOT_LO), poly(tf.sub(zc, 1.5), DG_ROOT));
  let w: tf.Tensor = tf.maximum(z, 2);
  let acc: tf.Tensor = tf.zerosLike(z);
  for (let i = 0; i < 4; i++) {
    const m = tf.less(w, 6);
    acc = tf.add(acc, tf.where(m, tf.reciprocal(w), tf.zerosLike(w)));
    w = tf.where(m, tf.add(w, 1), w);
  }
  const r2 = tf.reciprocal(tf.square(w));
  // log w - 1/(2w) - Σ B_2k / (2k w^2k)
  const asym = tf.sub(
    tf.sub(tf.log(w), tf.div(0.5, w)),
    tf.mul(r2, poly(r2, [1 / 132, -1 / 240, 1 / 252, -1 / 120, 1 / 12])),
  );
  const big = tf.sub(asym, acc);
  return tf.where(tf.lessEqual(z, 2), root, tf.where(tf.isInf(z), z, big));
}

function digammaImpl(x: tf.Tensor): tf.Tensor {
  const neg = tf.less(x, 0);
  const y = tf.where(neg, tf.sub(1, x), x); // y >= 0
  const lt1 = tf.less(y, 1);
  const z = tf.where(lt1, tf.add(y, 1), y);
  let out = digammaGe1(z);
  out = tf.where(lt1, tf.sub(out, tf.reciprocal(y)), out);
  // Reflection: ψ(x) = ψ(1 - x) - π / tan(πx).
  const f = frac(x);
  const refl = tf.sub(out, tf.div(tf.mul(Math.PI, cospi(f)), sinpi(f)));
  out = tf.where(neg, tf.where(tf.equal(frac(x), 0), tf.fill(x.shape, NaN), refl), out);
  return tf.where(tf.isNaN(x), x, out);
}

/** Shared recurrence for polygamma of order n = 1, 2 on y >= 0: ψn(y) = ψn(y + 6 steps) + Σ term(y + i). */
function polygammaPos(y: tf.Tensor, n: 1 | 2): tf.Tensor {
  let w: tf.Tensor = y;
  let acc: tf.Tensor = tf.zerosLike(y);
  for (let i = 0; i < 6; i++) {
    const m = tf.less(w, 6);
    const term = n === 1 ? tf.reciprocal(tf.square(w)) : tf.div(-2, tf.mul(w, tf.square(w)));
    acc = tf.add(acc, tf.where(m, term, tf.zerosLike(w)));
    w = tf.where(m, tf.add(w, 1), w);
  }
  const r = tf.reciprocal(w);
  const r2 = tf.square(r);
  let asym: tf.Tensor;
  if (n === 1) {
    // 1/w + 1/(2w²) + Σ B_2k / w^(2k+1)
    asym = tf.add(tf.add(r, tf.mul(0.5, r2)), tf.mul(tf.mul(r, r2), poly(r2, [5 / 66, -1 / 30, 1 / 42, -1 / 30, 1 / 6])));
  } else {
    // -1/w² - 1/w³ - Σ (2k+1) B_2k / w^(2k+2)
    asym = tf.sub(
      tf.neg(tf.add(r2, tf.mul(r, r2))),
      tf.mul(tf.square(r2), poly(r2, [5 / 6, -3 / 10, 1 / 6, -1 / 6, 1 / 2])),
    );
  }
  return tf.add(asym, acc);
}

function trigammaImpl(x: tf.Tensor): tf.Tensor {
  const neg = tf.less(x, 0);
  const y = tf.where(neg, tf.sub(1, x), x);
  const p = polygammaPos(y, 1);
  // Reflection: ψ1(x) = π² / sin²(πx) - ψ1(1 - x).
  const s = sinpi(frac(x));
  const refl = tf.sub(tf.div(Math.PI * Math.PI, tf.square(s)), p);
  return tf.where(tf.isNaN(x), x, tf.where(neg, refl, p));
}

function tetragammaImpl(x: tf.Tensor): tf.Tensor {
  const neg = tf.less(x, 0);
  const y = tf.where(neg, tf.sub(1, x), x);
  const p = polygammaPos(y, 2);
  // Reflection: ψ2(x) = ψ2(1 - x) - 2π³ cos(πx) / sin³(πx).
  const f = frac(x);
  const s = sinpi(f);
  const c = cospi(f);
  const refl = tf.sub(p, tf.div(tf.mul(2 * Math.PI ** 3, c), tf.mul(s, tf.square(s))));
  return tf.where(tf.isNaN(x), x, tf.where(neg, refl, p));
}

const tetragammaOp = unaryGrad(tetragammaImpl, () => {
  throw new NotImplementedError('tfp.math: the gradient of tetragamma (the third derivative of trigamma) is not implemented');
});
const trigammaOp = unaryGrad(trigammaImpl, (x) => tetragammaOp(x));
const digammaOp = unaryGrad(digammaImpl, (x) => trigammaOp(x));
const lgammaOp = unaryGrad(lgammaImpl, (x) => digammaOp(x));

/**
 * log|Γ(x)|, elementwise. Defined for all real x (+Infinity at 0 and the
 * negative integers). Relative error < 3e-7 for x > 0 (measured against
 * scipy.special.gammaln), including the zeros at 1 and 2. For x < 0 (by
 * reflection) the error is absolute, ~1.2e-6 · max(1, |lgamma(x)|), so
 * relative accuracy is lost next to the negative zeros. Gradient: digamma(x).
 */
export function lgamma(x: In): tf.Tensor {
  return tf.tidy(() => lgammaOp(toT(x)));
}

/**
 * ψ(x) = d/dx log Γ(x), elementwise (-Infinity at 0, NaN at the negative
 * integers). Relative error < 5e-7 for x > 0 (the root at 1.4616 uses a fit
 * around it); absolute ~1e-6 · max(1, |ψ(x)|) for x < 0. Gradient: trigamma(x).
 */
export function digamma(x: In): tf.Tensor {
  return tf.tidy(() => digammaOp(toT(x)));
}

/** ψ₁(x) = d²/dx² log Γ(x), elementwise; relative error < 5e-7. Gradient: the tetragamma function ψ₂(x) (whose own gradient throws). */
export function trigamma(x: In): tf.Tensor {
  return tf.tidy(() => trigammaOp(toT(x)));
}

// ---------------------------------------------------------------- erfinv, ndtri

// M. Giles, single precision: w = -log((1-x)(1+x)); w < 5: P1(w - 2.5) x; else P2(√w - 3) x.
const GILES1 = [
  2.81022636e-8, 3.43273939e-7, -3.5233877e-6, -4.39150654e-6, 0.00021858087, -0.00125372503, -0.00417768164,
  0.246640727, 1.50140941,
];
const GILES2 = [
  -0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047,
  1.00167406, 2.83297682,
];

function erfinvFromW(w: tf.Tensor): tf.Tensor {
  const p1 = poly(tf.sub(tf.minimum(w, 5), 2.5), GILES1);
  const p2 = poly(tf.sub(tf.sqrt(tf.maximum(w, 5)), 3), GILES2);
  return tf.where(tf.less(w, 5), p1, p2);
}

function erfinvImpl(x: tf.Tensor): tf.Tensor {
  const ax = tf.abs(x);
  const w = tf.neg(tf.log(tf.mul(tf.sub(1, ax), tf.add(1, ax))));
  const y = tf.mul(erfinvFromW(w), x);
  const edge = tf.where(tf.equal(ax, 1), tf.mul(x, Infinity), tf.fill(x.shape, NaN));
  return tf.where(tf.less(ax, 1), y, edge);
}

const erfinvOp = unaryGrad(erfinvImpl, (_x, y) => tf.mul(Math.sqrt(Math.PI) / 2, tf.exp(tf.square(y))));

/** Inverse error function on [-1, 1] (±Infinity at ±1, NaN outside). Relative error ~3e-7. Gradient: √π/2 · exp(erfinv(x)²). */
export function erfinv(x: In): tf.Tensor {
  return tf.tidy(() => erfinvOp(toT(x)));
}

// Acklam's tail: x = C(q)/D(q), q = √(-2 log p), for p < 0.02425.
const ACK_C = [
  -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
];
const ACK_D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416, 1];
const ACK_LOW = 0.02425;

function ndtriImpl(p: tf.Tensor): tf.Tensor {
  // Central: Φ⁻¹(p) = -√2 erfinv(1 - 2p) with Giles' w = -log(4p(1-p)) formed from p (no cancellation).
  const pc = tf.clipByValue(p, ACK_LOW, 1 - ACK_LOW);
  const w = tf.neg(tf.log(tf.mul(tf.mul(4, pc), tf.sub(1, pc))));
  const central = tf.mul(tf.mul(poly(tf.sub(tf.minimum(w, 5), 2.5), GILES1), tf.sub(1, tf.mul(2, pc))), -Math.SQRT2);
  // Tails: Acklam on min(p, 1 - p) (1 - p is exact for p >= 0.5).
  const pl = tf.clipByValue(tf.minimum(p, tf.sub(1, p)), 1e-45, ACK_LOW);
  const q = tf.sqrt(tf.mul(-2, tf.log(pl)));
  const tail = tf.div(poly(q, ACK_C), poly(q, ACK_D));
  const tails = tf.where(tf.greater(p, 0.5), tf.neg(tail), tail);
  const inner = tf.where(tf.logicalAnd(tf.greaterEqual(p, ACK_LOW), tf.lessEqual(p, 1 - ACK_LOW)), central, tails);
  const edge = tf.where(tf.equal(p, 0), tf.fill(p.shape, -Infinity), tf.where(tf.equal(p, 1), tf.fill(p.shape, Infinity), tf.fill(p.shape, NaN)));
  return tf.where(tf.logicalAnd(tf.greater(p, 0), tf.less(p, 1)), inner, edge);
}

const ndtriOp = unaryGrad(ndtriImpl, (_p, x) => tf.mul(SQRT_2PI, tf.exp(tf.mul(0.5, tf.square(x)))));

/**
 * Inverse of the standard normal cdf, Φ⁻¹(p), elementwise on [0, 1]
 * (-Infinity at 0, +Infinity at 1, NaN outside). Relative error ~4e-7 down to
 * p = 1e-37 and below. Gradient: √(2π) exp(ndtri(p)² / 2).
 */
export function ndtri(p: In): tf.Tensor {
  return tf.tidy(() => ndtriOp(toT(p)));
}

// ---------------------------------------------------------------- ndtr, logNdtr

// Mills ratio R(t) = Φ(-t)/φ(t) = s exp(M(s)), s = 3/(3 + t), t >= 0; highest first (Chebyshev fit, 5e-9).
const MILLS = [
  -0.06220241570820888, 0.22647660511730106, -0.07703351086191557, -0.789770669218715, 1.4824767594548394,
  -1.0179665374950244, 0.3325058211182417, -0.23431125042666534, -0.034136276894592935, 0.10939594143946609,
  0.38897067639688493, 0.9999984890905317, -1.0986122841238903,
];

function millsS(t: tf.Tensor): tf.Tensor {
  return tf.div(3, tf.add(3, t));
}

/** exp(-t²/2) for 0 <= t, with t² split so that the exponent carries no rounding error (t clamped to 40). */
function expHalfSq(t: tf.Tensor): tf.Tensor {
  const tc = tf.minimum(t, 40);
  const th = tf.div(tf.floor(tf.mul(tc, 256)), 256);
  const d = tf.sub(tc, th);
  return tf.mul(tf.exp(tf.mul(-0.5, tf.square(th))), tf.exp(tf.mul(-0.5, tf.mul(d, tf.add(tc, th)))));
}

/** Φ(-t) = φ(t) R(t) for t >= 0, relative-accurate. */
function upperTail(t: tf.Tensor): tf.Tensor {
  const s = millsS(t);
  return tf.mul(tf.mul(expHalfSq(t), 1 / SQRT_2PI), tf.mul(s, tf.exp(poly(s, MILLS))));
}

function ndtrImpl(x: tf.Tensor): tf.Tensor {
  const tail = upperTail(tf.abs(x));
  return tf.where(tf.less(x, 0), tail, tf.sub(1, tail));
}

function normPdf(x: tf.Tensor): tf.Tensor {
  return tf.mul(expHalfSq(tf.abs(x)), 1 / SQRT_2PI);
}

function logNdtrImpl(x: tf.Tensor): tf.Tensor {
  const t = tf.abs(x);
  const s = millsS(t);
  // x < 0: log Φ(x) = -x²/2 - log √(2π) + log s + M(s)
  const left = tf.add(tf.sub(tf.mul(tf.mul(t, -0.5), t), LOG_SQRT_2PI), tf.add(tf.log(s), poly(s, MILLS)));
  const right = log1p(tf.neg(upperTail(t)));
  return tf.where(tf.less(x, 0), left, tf.where(tf.isNaN(x), x, right));
}

/** d/dx log Φ(x) = φ(x)/Φ(x): 1/R(-x) on the left (no underflow), φ/Φ on the right. */
function logNdtrDeriv(x: tf.Tensor): tf.Tensor {
  const t = tf.abs(x);
  const s = millsS(t);
  const left = tf.div(tf.exp(tf.neg(poly(s, MILLS))), s);
  const right = tf.div(normPdf(t), tf.sub(1, upperTail(t)));
  return tf.where(tf.less(x, 0), left, right);
}

const ndtrOp = unaryGrad(ndtrImpl, (x) => normPdf(x));
const logNdtrOp = unaryGrad(logNdtrImpl, (x) => logNdtrDeriv(x));

/** Standard normal cdf Φ(x), relative error ~4e-7 in the left tail (down to the float32 underflow at x ≈ -14). Gradient: φ(x). */
export function ndtr(x: In): tf.Tensor {
  return tf.tidy(() => ndtrOp(toT(x)));
}

/** log Φ(x), relative error ~3e-7 for all x < 0 (x = -38 and far beyond); log1p(-Φ(-x)) for x >= 0. Gradient: φ(x)/Φ(x). */
export function logNdtr(x: In): tf.Tensor {
  return tf.tidy(() => logNdtrOp(toT(x)));
}

// ---------------------------------------------------------------- softplusInverse, logAddExp, log1mexp

const softplusInverseOp = unaryGrad(
  // log(expm1(x)) = x + log(-expm1(-x)): exact for tiny x (-expm1(-x) ≈ x) and no overflow for large x.
  (x) => tf.add(x, tf.log(tf.neg(tf.expm1(tf.neg(x))))),
  (x) => tf.reciprocal(tf.neg(tf.expm1(tf.neg(x)))),
);

/** Inverse of softplus: log(exp(x) - 1), stable for tiny and large x > 0. Gradient: 1 / (1 - exp(-x)). */
export function softplusInverse(x: In): tf.Tensor {
  return tf.tidy(() => softplusInverseOp(toT(x)));
}

const log1mexpOp = unaryGrad(
  (x) => {
    const a = tf.abs(x);
    // Mächler (2012): log(-expm1(-a)) for a <= log 2, log1p(-exp(-a)) above.
    return tf.where(tf.lessEqual(a, Math.LN2), tf.log(tf.neg(tf.expm1(tf.neg(a)))), log1p(tf.neg(tf.exp(tf.neg(a)))));
  },
  (x) => tf.div(sign(x), tf.expm1(tf.abs(x))),
);

/** log(1 - exp(-|x|)), stable for small and large |x|. Gradient: sign(x) / expm1(|x|). */
export function log1mexp(x: In): tf.Tensor {
  return tf.tidy(() => log1mexpOp(toT(x)));
}

const logAddExpOp = tf.customGrad((...args: unknown[]) => {
  const a = args[0] as tf.Tensor;
  const b = args[1] as tf.Tensor;
  const save = args[2] as tf.GradSaveFunc;
  const m = tf.maximum(a, b);
  const d = tf.neg(tf.abs(tf.sub(a, b)));
  // Equal infinities give d = NaN: the result is m itself.
  const value = tf.where(tf.isNaN(d), m, tf.add(m, log1p(tf.exp(d))));
  save([a, b]);
  return {
    value,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor, tf.Tensor];
      const diff = tf.sub(sa, sb);
      const wa = tf.where(tf.isNaN(diff), tf.fill(diff.shape, 0.5), tf.sigmoid(diff));
      const ga = tf.mul(dy, wa);
      const gb = tf.mul(dy, tf.sub(1, wa));
      return [reduceTo(ga, sa.shape), reduceTo(gb, sb.shape)];
    },
  };
});

/** log(exp(a) + exp(b)) without overflow, broadcasting; -Infinity inputs are fine. Gradients: softmax weights. */
export function logAddExp(a: In, b: In): tf.Tensor {
  return tf.tidy(() => logAddExpOp(toT(a), toT(b)));
}

// ---------------------------------------------------------------- incomplete gamma and beta

/** Identity whose gradient throws: marks an argument the gradient is not implemented for. */
function noGrad(t: tf.Tensor, fn: string, arg: string): tf.Tensor {
  const op = tf.customGrad((...args: unknown[]) => ({
    value: tf.clone(args[0] as tf.Tensor),
    gradFunc: (): tf.Tensor => {
      throw new NotImplementedError(`tfp.math.${fn}: the gradient with respect to ${arg} is not implemented (only with respect to x)`);
    },
  }));
  return op(t);
}

/** Broadcasts float32 tensors to their common shape. */
function broadcastAll(ts: tf.Tensor[]): tf.Tensor[] {
  let shape: number[] = [];
  for (const t of ts) shape = tf.backend_util.assertAndGetBroadcastShape(shape, t.shape);
  return ts.map((t) => (t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i]) ? t : tf.broadcastTo(t, shape)));
}

/** Fixed number of series terms / continued-fraction steps on the tensor-op path. */
const FALLBACK_TERMS = 64;
const TINY32 = 1e-30;

/** log(1 - exp(l)) for l <= 0 (0 -> -Infinity, -Infinity -> 0), float32 tensors. */
function log1mexpT(l: tf.Tensor): tf.Tensor {
  return tf.where(tf.equal(l, -Infinity), tf.zerosLike(l), log1mexpOp(l));
}

function clampTiny(t: tf.Tensor): tf.Tensor {
  return tf.where(tf.less(tf.abs(t), TINY32), tf.fill(t.shape, TINY32), t);
}

/** [log P, log Q] in float32 tensor ops: 64 series terms (x < a + 1) or 64 Lentz steps (otherwise). */
function gammaLogPQTensor(a: tf.Tensor, x: tf.Tensor): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const bad = tf.logicalOr(tf.logicalOr(tf.isNaN(a), tf.isNaN(x)), tf.logicalOr(tf.lessEqual(a, 0), tf.less(x, 0)));
  const zero = tf.equal(x, 0);
  const inf = tf.equal(x, Infinity);
  const aS = tf.where(bad, tf.onesLike(a), a);
  const xS = tf.where(tf.logicalOr(tf.logicalOr(bad, zero), inf), tf.onesLike(x), x);
  const series = tf.less(xS, tf.add(aS, 1));
  const logPre = tf.sub(tf.sub(tf.mul(aS, tf.log(xS)), xS), lgammaOp(aS));
  // series for P
  let term: tf.Tensor = tf.reciprocal(aS);
  let sum: tf.Tensor = term;
  let ap: tf.Tensor = aS;
  for (let n = 1; n < FALLBACK_TERMS; n++) {
    ap = tf.add(ap, 1);
    term = tf.mul(term, tf.div(xS, ap));
    sum = tf.add(sum, term);
  }
  const lpS = tf.minimum(tf.add(logPre, tf.log(sum)), 0);
  // continued fraction for Q
  let b: tf.Tensor = tf.add(tf.sub(xS, aS), 1);
  let c: tf.Tensor = tf.fill(xS.shape, 1 / TINY32);
  let d: tf.Tensor = tf.reciprocal(clampTiny(b));
  let h: tf.Tensor = d;
  for (let i = 1; i < FALLBACK_TERMS; i++) {
    const an = tf.mul(tf.sub(aS, i), i); // -i (i - a)
    b = tf.add(b, 2);
    d = tf.reciprocal(clampTiny(tf.add(tf.mul(an, d), b)));
    c = clampTiny(tf.add(b, tf.div(an, c)));
    h = tf.mul(h, tf.mul(d, c));
  }
  const lqC = tf.minimum(tf.add(logPre, tf.log(h)), 0);
  let logP = tf.where(series, lpS, log1mexpT(lqC));
  let logQ = tf.where(series, log1mexpT(lpS), lqC);
  const nan = tf.fill(x.shape, NaN);
  logP = tf.where(bad, nan, tf.where(zero, tf.fill(x.shape, -Infinity), tf.where(inf, tf.zerosLike(x), logP)));
  logQ = tf.where(bad, nan, tf.where(zero, tf.zerosLike(x), tf.where(inf, tf.fill(x.shape, -Infinity), logQ)));
  // log density x^(a-1) e^-x / Γ(a)
  const logDens = tf.sub(tf.sub(tf.mul(tf.sub(aS, 1), tf.log(xS)), xS), lgammaOp(aS));
  return [logP, logQ, tf.where(zero, tf.where(tf.greater(aS, 1), tf.fill(x.shape, -Infinity), tf.where(tf.equal(aS, 1), tf.zerosLike(x), tf.fill(x.shape, Infinity))), logDens)];
}

/** log I_x(a, b) for x below the switch point, float32: 64 steps of the Numerical Recipes continued fraction. */
function betaLogSmall(a: tf.Tensor, b: tf.Tensor, x: tf.Tensor): tf.Tensor {
  const qab = tf.add(a, b);
  const qap = tf.add(a, 1);
  const qam = tf.sub(a, 1);
  let c: tf.Tensor = tf.onesLike(x);
  let d: tf.Tensor = tf.reciprocal(clampTiny(tf.sub(1, tf.div(tf.mul(qab, x), qap))));
  let h: tf.Tensor = d;
  for (let m = 1; m <= FALLBACK_TERMS; m++) {
    const m2 = 2 * m;
    let aa = tf.div(tf.mul(tf.mul(tf.sub(b, m), x), m), tf.mul(tf.add(qam, m2), tf.add(a, m2)));
    d = tf.reciprocal(clampTiny(tf.add(1, tf.mul(aa, d))));
    c = clampTiny(tf.add(1, tf.div(aa, c)));
    h = tf.mul(h, tf.mul(d, c));
    aa = tf.neg(tf.div(tf.mul(tf.mul(tf.add(a, m), tf.add(qab, m)), x), tf.mul(tf.add(a, m2), tf.add(qap, m2))));
    d = tf.reciprocal(clampTiny(tf.add(1, tf.mul(aa, d))));
    c = clampTiny(tf.add(1, tf.div(aa, c)));
    h = tf.mul(h, tf.mul(d, c));
  }
  const lbeta = tf.sub(tf.add(lgammaOp(a), lgammaOp(b)), lgammaOp(qab));
  const logBt = tf.sub(tf.add(tf.mul(a, tf.log(x)), tf.mul(b, log1p(tf.neg(x)))), lbeta);
  return tf.minimum(tf.sub(tf.add(logBt, tf.log(h)), tf.log(a)), 0);
}

/** [log I, log(1 - I), log density] in float32 tensor ops. */
function betaLogICTensor(a: tf.Tensor, b: tf.Tensor, x: tf.Tensor): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const bad = tf.logicalOr(
    tf.logicalOr(tf.logicalOr(tf.isNaN(a), tf.isNaN(b)), tf.isNaN(x)),
    tf.logicalOr(tf.logicalOr(tf.lessEqual(a, 0), tf.lessEqual(b, 0)), tf.logicalOr(tf.less(x, 0), tf.greater(x, 1))),
  );
  const zero = tf.equal(x, 0);
  const one = tf.equal(x, 1);
  const aS = tf.where(bad, tf.onesLike(a), a);
  const bS = tf.where(bad, tf.onesLike(b), b);
  const xS = tf.where(tf.logicalOr(tf.logicalOr(bad, zero), one), tf.fill(x.shape, 0.5), x);
  const swap = tf.greaterEqual(xS, tf.div(tf.add(aS, 1), tf.add(tf.add(aS, bS), 2)));
  const small = betaLogSmall(tf.where(swap, bS, aS), tf.where(swap, aS, bS), tf.where(swap, tf.sub(1, xS), xS));
  let logI = tf.where(swap, log1mexpT(small), small);
  let logC = tf.where(swap, small, log1mexpT(small));
  const nan = tf.fill(x.shape, NaN);
  logI = tf.where(bad, nan, tf.where(zero, tf.fill(x.shape, -Infinity), tf.where(one, tf.zerosLike(x), logI)));
  logC = tf.where(bad, nan, tf.where(zero, tf.zerosLike(x), tf.where(one, tf.fill(x.shape, -Infinity), logC)));
  const lbeta = tf.sub(tf.add(lgammaOp(aS), lgammaOp(bS)), lgammaOp(tf.add(aS, bS)));
  const xr = tf.where(bad, tf.fill(x.shape, 0.5), x);
  const logDens = tf.sub(tf.add(xlogyOp(tf.sub(aS, 1), xr), xlog1pyOp(tf.sub(bS, 1), tf.neg(xr))), lbeta);
  return [logI, logC, logDens];
}

function xlogyOp(x: tf.Tensor, y: tf.Tensor): tf.Tensor {
  return tf.where(tf.equal(x, 0), tf.zerosLike(x), tf.mul(x, tf.log(tf.where(tf.equal(x, 0), tf.onesLike(y), y))));
}
function xlog1pyOp(x: tf.Tensor, y: tf.Tensor): tf.Tensor {
  return tf.where(tf.equal(x, 0), tf.zerosLike(x), tf.mul(x, log1p(tf.where(tf.equal(x, 0), tf.zerosLike(y), y))));
}

/**
 * [log F, d log F/dx, dF/dx] for F = igamma, igammac, betainc or betaincc:
 * the float64 'TfpSpecialHost' kernel on cpu/wasm (tensors in host memory),
 * else float32 tensor ops with a fixed number of terms.
 */
function special(fn: SpecialFn, args: tf.Tensor[], wrt: SpecialWrt = 'x'): tf.Tensor[] {
  const ts = broadcastAll(args);
  if (useKernels() && !forceTensorPath) {
    ensureSpecialKernel();
    const inputs: tf.NamedTensorMap = ts.length === 2 ? { a: ts[0]!, x: ts[1]! } : { a: ts[0]!, b: ts[1]!, x: ts[2]! };
    return tf.engine().runKernel(SPECIAL_HOST, inputs, { fn, wrt }) as tf.Tensor[];
  }
  if (wrt !== 'x') {
    // float32 central difference in the parameter, step 1e-3 · its value (relative error ~1e-4)
    const k = wrt === 'a' ? 0 : 1;
    const v = ts[k]!;
    const h = tf.mul(v, 1e-3);
    const at = (u: tf.Tensor) => special(fn, ts.map((t, i) => (i === k ? u : t)))[0]!;
    const lp = at(tf.add(v, h));
    const lm = at(tf.sub(v, h));
    const logF = special(fn, ts)[0]!;
    const dl = tf.where(tf.equal(lp, lm), tf.zerosLike(lp), tf.div(tf.sub(lp, lm), tf.mul(2, h)));
    return [logF, dl, tf.mul(tf.exp(logF), dl)];
  }
  const [l, lc, logDens] = ts.length === 2 ? gammaLogPQTensor(ts[0]!, ts[1]!) : betaLogICTensor(ts[0]!, ts[1]!, ts[2]!);
  const upper = fn === 'igammac' || fn === 'betaincc';
  const logF = upper ? lc : l;
  const sign = upper ? -1 : 1;
  const d = tf.mul(sign, tf.exp(logDens));
  const dl = tf.where(tf.equal(logDens, -Infinity), tf.zerosLike(d), tf.mul(sign, tf.exp(tf.sub(logDens, logF))));
  return [logF, dl, d];
}

let forceTensorPath = false;

/** @internal Tests and benchmarks: run the float32 tensor-op path of the incomplete gamma/beta functions on cpu/wasm too. */
export function setSpecialTensorPath(on: boolean): void {
  forceTensorPath = on;
}

/**
 * A differentiable op for F (log F when `log`), last argument x; the other
 * arguments carry no gradient here (noGrad wraps them where it is called).
 */
function specialOp(fn: SpecialFn, log: boolean) {
  return tf.customGrad((...args: unknown[]) => {
    const ts = args.slice(0, -1) as tf.Tensor[];
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const [logF, dl, d] = special(fn, ts) as [tf.Tensor, tf.Tensor, tf.Tensor];
    const deriv = log ? dl : d;
    save([...ts, deriv]);
    return {
      value: log ? logF : tf.exp(logF),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const inputs = saved.slice(0, -1);
        const sx = inputs[inputs.length - 1]!;
        // 0 where dy = 0: an unused branch of a tf.where (e.g. x = 0 where the density is infinite) must not give NaN
        const g = tf.where(tf.equal(dy, 0), tf.zerosLike(dy), tf.mul(dy, saved[saved.length - 1]!));
        // parameters a (and b): derivatives from the kernel (float64 differences) or the tensor path
        const params = inputs.slice(0, -1).map((t, i) => {
          const dp = special(fn, inputs, i === 0 ? 'a' : 'b')[log ? 1 : 2]!;
          return reduceTo(tf.where(tf.equal(dy, 0), tf.zerosLike(dy), tf.mul(dy, dp)), t.shape);
        });
        return [...params, reduceTo(g, sx.shape)];
      },
    };
  });
}

const igammaOp = specialOp('igamma', false);
const igammacOp = specialOp('igammac', false);
const logIgammaOp = specialOp('igamma', true);
const logIgammacOp = specialOp('igammac', true);
const betaincOp = specialOp('betainc', false);
const betainccOp = specialOp('betaincc', false);
const logBetaincOp = specialOp('betainc', true);
const logBetainccOp = specialOp('betaincc', true);

/**
 * Regularized lower incomplete gamma P(a, x) = γ(a, x)/Γ(a), broadcasting a
 * against x (a > 0, x >= 0; NaN outside). Float64 series / continued fraction
 * in a cpu/wasm kernel, float32 tensor ops elsewhere (see the module comment).
 * Gradient with respect to x: x^(a-1) e^(-x) / Γ(a); with respect to a: a
 * central difference in float64 inside the cpu/wasm kernel (~1e-10 relative),
 * in float32 on the tensor-op path (~1e-3). The same holds for igammac,
 * logIgamma, logIgammac and the four incomplete beta functions (a and b).
 */
export function igamma(a: In, x: In): tf.Tensor {
  return tf.tidy(() => igammaOp(toT(a), toT(x)));
}

/** Regularized upper incomplete gamma Q(a, x) = 1 - P(a, x), accurate where Q is small. Gradient in x: -x^(a-1) e^(-x) / Γ(a). */
export function igammac(a: In, x: In): tf.Tensor {
  return tf.tidy(() => igammacOp(toT(a), toT(x)));
}

/**
 * log P(a, x), the log of the regularized lower incomplete gamma function,
 * finite wherever the true value is (log P(3.162, 1e-30) = -220.4, far below
 * float32's underflow of P itself); 0 at x = Infinity, -Infinity at x = 0.
 * Computed like igamma. Gradient in x: x^(a-1) e^(-x) / (Γ(a) P(a, x)).
 *
 * @example
 * ```ts
 * tfp.math.logIgamma(3.162, 1e-30);   // -220.42
 * ```
 */
export function logIgamma(a: In, x: In): tf.Tensor {
  return tf.tidy(() => logIgammaOp(toT(a), toT(x)));
}

/**
 * log Q(a, x) = log(1 - P(a, x)), finite far into the right tail
 * (log Q(10, 200) = -165.1). Gradient in x: -x^(a-1) e^(-x) / (Γ(a) Q(a, x)).
 *
 * @example
 * ```ts
 * tfp.math.logIgammac(10, 200);   // -165.07
 * ```
 */
export function logIgammac(a: In, x: In): tf.Tensor {
  return tf.tidy(() => logIgammacOp(toT(a), toT(x)));
}

/**
 * Regularized incomplete beta I_x(a, b), broadcasting (a, b > 0, 0 <= x <= 1;
 * NaN outside). Float64 continued fraction in a cpu/wasm kernel, float32
 * tensor ops elsewhere (see the module comment). Gradient with respect
 * to x: x^(a-1) (1-x)^(b-1) / B(a, b); with respect to a and b by central
 * differences (see igamma).
 */
export function betainc(a: In, b: In, x: In): tf.Tensor {
  return tf.tidy(() => betaincOp(toT(a), toT(b), toT(x)));
}

/**
 * The complement 1 - I_x(a, b) = I_{1-x}(b, a) (scipy.special.betaincc), with
 * 1 - x formed in float64 (on cpu/wasm) so that tiny x keeps its information
 * (betaincc(0.1, 1e4, 1e-7) = 0.4732, where float32 1 - 1e-7 would round).
 * Gradient in x: -x^(a-1) (1-x)^(b-1) / B(a, b).
 *
 * @example
 * ```ts
 * tfp.math.betaincc(0.1, 1e4, 1e-7);   // 0.4732
 * ```
 */
export function betaincc(a: In, b: In, x: In): tf.Tensor {
  return tf.tidy(() => betainccOp(toT(a), toT(b), toT(x)));
}

/**
 * log I_x(a, b), finite wherever the true value is (log I_{1e-20}(2, 3) = -90.3).
 * Gradient in x: x^(a-1) (1-x)^(b-1) / (B(a, b) I_x(a, b)).
 *
 * @example
 * ```ts
 * tfp.math.logBetainc(2, 3, 1e-20);   // -90.31
 * ```
 */
export function logBetainc(a: In, b: In, x: In): tf.Tensor {
  return tf.tidy(() => logBetaincOp(toT(a), toT(b), toT(x)));
}

/**
 * log(1 - I_x(a, b)), finite far into the right tail
 * (log(1 - I_{1-2⁻²⁴}(2, 3)) = -48.5). Gradient in x: -x^(a-1) (1-x)^(b-1) / (B(a, b) (1 - I_x(a, b))).
 *
 * @example
 * ```ts
 * tfp.math.logBetaincc(2, 3, 1 - 2 ** -24);   // -48.52
 * ```
 */
export function logBetaincc(a: In, b: In, x: In): tf.Tensor {
  return tf.tidy(() => logBetainccOp(toT(a), toT(b), toT(x)));
}

// ---------------------------------------------------------------- inverses (quantiles)

/** Newton steps of the inverses below (quadratic convergence from the starting points; 16 leave margin). */
const NEWTON_STEPS = 16;

/**
 * Solves F(x) = p by Newton's method in a transformed variable s (x = toX(s)),
 * on log F for p <= ½ and on log(1 - F) = log pc above (F the lower function
 * `lower`, its complement `upper`; pc = 1 - p, passed separately so a caller
 * can give a tiny complement exactly), from the candidate start nearest the
 * target, each step clipped to ±2 in s. `dxds` is dx/ds.
 */
function newtonInverse(
  lower: SpecialFn,
  upper: SpecialFn,
  params: tf.Tensor[],
  p: tf.Tensor,
  pc: tf.Tensor,
  starts: tf.Tensor[],
  toX: (s: tf.Tensor) => tf.Tensor,
  dxds: (s: tf.Tensor, x: tf.Tensor) => tf.Tensor,
): tf.Tensor {
  const useLower = tf.lessEqual(p, 0.5);
  const tgt = tf.where(useLower, tf.log(tf.clipByValue(p, 1e-45, 1)), tf.log(tf.clipByValue(pc, 1e-45, 1)));
  const miss = (s: tf.Tensor) => {
    const x = toX(s);
    const lo = special(lower, [...params, x])[0]!;
    const up = special(upper, [...params, x])[0]!;
    const f = tf.abs(tf.sub(tf.where(useLower, lo, up), tgt));
    return tf.where(tf.isNaN(f), tf.fill(f.shape, Infinity), f);
  };
  // the candidate start whose log F (or log(1 - F)) is nearest the target
  let s = starts[0]!;
  let best = miss(s);
  for (const c of starts.slice(1)) {
    const m = miss(c);
    const better = tf.less(m, best);
    s = tf.where(better, c, s);
    best = tf.where(better, m, best);
  }
  for (let i = 0; i < NEWTON_STEPS; i++) {
    const x = toX(s);
    const lo = special(lower, [...params, x]) as [tf.Tensor, tf.Tensor, tf.Tensor];
    const up = special(upper, [...params, x]) as [tf.Tensor, tf.Tensor, tf.Tensor];
    const f = tf.sub(tf.where(useLower, lo[0], up[0]), tgt);
    const slope = tf.mul(tf.where(useLower, lo[1], up[1]), dxds(s, x));
    const step = tf.clipByValue(tf.div(f, slope), -2, 2);
    s = tf.where(tf.isFinite(step), tf.sub(s, step), s);
  }
  // Where even the smallest normal float32 x has F above p, the answer underflows: 0.
  const floor = tf.fill(p.shape, FLOAT32_MIN_NORMAL);
  const fFloor = special(lower, broadcastAll([...params, floor]))[0]!;
  const under = tf.logicalAnd(useLower, tf.less(tgt, fFloor));
  const x = toX(s);
  return tf.where(under, tf.zerosLike(x), x);
}

const FLOAT32_MIN_NORMAL = 1.1754943508222875e-38;

/** at0 where p = 0, at1 where the complement pc = 0, NaN for bad parameters or p outside [0, 1]. */
function edges(p: tf.Tensor, pc: tf.Tensor, value: tf.Tensor, at0: number, at1: number, bad: tf.Tensor): tf.Tensor {
  const out = tf.where(tf.equal(p, 0), tf.fill(p.shape, at0), tf.where(tf.equal(pc, 0), tf.fill(p.shape, at1), value));
  return tf.where(tf.logicalOr(bad, tf.logicalOr(tf.isNaN(p), tf.logicalOr(tf.less(p, 0), tf.greater(p, 1)))), tf.fill(p.shape, NaN), out);
}

/**
 * Backends without the host kernel (webgl, webgpu): the Newton iteration over the float32
 * tensor-op series is thousands of small kernels whose first call compiles hundreds of shaders
 * (StudentT.quantile took 367 s on SwiftShader), so the quantiles read their arguments back once
 * and invert in float64 on the host instead (`setSpecialTensorPath(true)` selects this path on
 * cpu/wasm too, for tests).
 */
function invertOnHost(): boolean {
  return !useKernels() || forceTensorPath;
}

function hostInverse(kind: 'igamma' | 'betainc', a: tf.Tensor, b: tf.Tensor | null, p: tf.Tensor, pc: tf.Tensor): tf.Tensor {
  const read = (t: tf.Tensor) => t.dataSync() as Float32Array;
  return tf.tensor(inverseHostJs(kind, read(a), b ? read(b) : null, read(p), read(pc)), p.shape);
}

function igammainvImpl(a: tf.Tensor, p: tf.Tensor): tf.Tensor {
  [a, p] = broadcastAll([a, p]) as [tf.Tensor, tf.Tensor];
  if (invertOnHost()) return hostInverse('igamma', a, null, p, tf.sub(1, p));
  const bad = tf.logicalOr(tf.isNaN(a), tf.lessEqual(a, 0));
  const aS = tf.where(bad, tf.onesLike(a), a);
  const pS = tf.clipByValue(p, 1e-37, 1 - 2 ** -24);
  // Start: Wilson–Hilferty, x = a (1 - 1/(9a) + z/(3√a))³, where positive; else the small-x
  // series P ≈ x^a / (a Γ(a)): log x = (log p + log a + lgamma(a)) / a.
  const z = ndtriImpl(pS);
  const inner = tf.add(tf.sub(1, tf.div(1, tf.mul(9, aS))), tf.div(z, tf.mul(3, tf.sqrt(aS))));
  const wh = tf.add(tf.log(aS), tf.mul(3, tf.log(tf.maximum(inner, 1e-30))));
  const smallX = tf.div(tf.add(tf.add(tf.log(pS), tf.log(aS)), lgammaOp(aS)), aS);
  const whOk = tf.greater(inner, 0.1);
  const s0 = tf.where(whOk, tf.where(tf.greaterEqual(aS, 1), wh, tf.minimum(smallX, wh)), smallX);
  const pc = tf.sub(1, p);
  const x = newtonInverse('igamma', 'igammac', [aS], p, pc, [s0, smallX, tf.log(aS)], tf.exp, (_s, xx) => xx);
  return edges(p, pc, x, 0, Infinity, bad);
}

/** @internal The x with I_x(a, b) = p, where the complement pc = 1 - p is given too (exact when tiny). */
export function betaincinvImpl(a: tf.Tensor, b: tf.Tensor, p: tf.Tensor, pc: tf.Tensor = tf.sub(1, p)): tf.Tensor {
  [a, b, p, pc] = broadcastAll([a, b, p, pc]) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
  if (invertOnHost()) return hostInverse('betainc', a, b, p, pc);
  const bad = tf.logicalOr(tf.logicalOr(tf.isNaN(a), tf.isNaN(b)), tf.logicalOr(tf.lessEqual(a, 0), tf.lessEqual(b, 0)));
  const aS = tf.where(bad, tf.onesLike(a), a);
  const bS = tf.where(bad, tf.onesLike(b), b);
  const pS = tf.clipByValue(p, 1e-37, 1 - 2 ** -24);
  const lbeta = tf.sub(tf.add(lgammaOp(aS), lgammaOp(bS)), lgammaOp(tf.add(aS, bS)));
  // Starts in s = logit(x): the tails I ≈ x^a / (a B) (p <= ½), 1 - I ≈ (1-x)^b / (b B) (p > ½);
  // for a, b > 1 the normal approximation around the mean.
  const logXl = tf.minimum(tf.div(tf.add(tf.add(tf.log(pS), tf.log(aS)), lbeta), aS), -1e-6);
  const sLower = tf.sub(logXl, log1mexpOp(logXl));
  const log1mXu = tf.minimum(tf.div(tf.add(tf.add(tf.log(tf.clipByValue(pc, 1e-37, 1)), tf.log(bS)), lbeta), bS), -1e-6);
  const sUpper = tf.sub(log1mexpOp(log1mXu), log1mXu);
  const sum = tf.add(aS, bS);
  const m = tf.div(aS, sum);
  const sd = tf.sqrt(tf.div(tf.mul(m, tf.sub(1, m)), tf.add(sum, 1)));
  const z = tf.where(tf.lessEqual(p, 0.5), ndtriImpl(pS), tf.neg(ndtriImpl(tf.clipByValue(pc, 1e-37, 0.5))));
  const xn = tf.clipByValue(tf.add(m, tf.mul(z, sd)), 1e-6, 1 - 1e-6);
  const sNormal = tf.sub(tf.log(xn), log1p(tf.neg(xn)));
  const both = tf.logicalAnd(tf.greater(aS, 1), tf.greater(bS, 1));
  const s0 = tf.where(both, sNormal, tf.where(tf.lessEqual(p, 0.5), sLower, sUpper));
  const starts = [s0, sLower, sUpper, tf.sub(tf.log(m), log1p(tf.neg(m)))];
  const x = newtonInverse('betainc', 'betaincc', [aS, bS], p, pc, starts, tf.sigmoid, (_s, xx) => tf.mul(xx, tf.sub(1, xx)));
  return edges(p, pc, x, 0, 1, bad);
}

const igammainvOp = tf.customGrad((...args: unknown[]) => {
  const [a, p] = args as [tf.Tensor, tf.Tensor];
  const save = args[2] as tf.GradSaveFunc;
  const x = igammainvImpl(a, p);
  save([a, p, x]);
  return {
    value: x,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sp, sx] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
      const dens = special('igamma', [sa, sx])[2]!;
      return [tf.zerosLike(sa), reduceTo(tf.div(dy, dens), sp.shape)];
    },
  };
});

const betaincinvOp = tf.customGrad((...args: unknown[]) => {
  const [a, b, p] = args as [tf.Tensor, tf.Tensor, tf.Tensor];
  const save = args[3] as tf.GradSaveFunc;
  const x = betaincinvImpl(a, b, p);
  save([a, b, p, x]);
  return {
    value: x,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb, sp, sx] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      const dens = special('betainc', [sa, sb, sx])[2]!;
      return [tf.zerosLike(sa), tf.zerosLike(sb), reduceTo(tf.div(dy, dens), sp.shape)];
    },
  };
});

/**
 * Inverse of the regularized lower incomplete gamma function in x: the x >= 0
 * with P(a, x) = p (0 at p = 0, Infinity at p = 1, NaN outside [0, 1] or for
 * a <= 0). Newton's method in log x on log P (p <= ½) or log Q (p > ½), from a
 * Wilson–Hilferty start, 16 steps, over the float64 host kernel (cpu, wasm); on other
 * backends (webgl, webgpu) it reads its arguments back once and inverts by float64 bisection
 * on the host. Gradient with respect to p: 1 / P'(x); with respect to a it throws
 * NotImplementedError. Gamma.quantile uses it.
 *
 * @example
 * ```ts
 * tfp.math.igammainv(3, 0.5);   // 2.674
 * ```
 */
export function igammainv(a: In, p: In): tf.Tensor {
  return tf.tidy(() => igammainvOp(noGrad(toT(a), 'igammainv', 'a'), toT(p)));
}

/**
 * Inverse of the regularized incomplete beta function in x: the x in [0, 1]
 * with I_x(a, b) = p. Newton's method in logit(x) on log I (p <= ½) or
 * log(1 - I) (p > ½), 16 steps (on webgl/webgpu: one read-back and float64 bisection on the
 * host, as igammainv). Gradient with respect to p: 1 / I'(x); with
 * respect to a or b it throws NotImplementedError. Beta.quantile and
 * StudentT.quantile use it.
 *
 * @example
 * ```ts
 * tfp.math.betaincinv(2, 3, 0.5);   // 0.3857
 * ```
 */
export function betaincinv(a: In, b: In, p: In): tf.Tensor {
  return tf.tidy(() => betaincinvOp(noGrad(toT(a), 'betaincinv', 'a'), noGrad(toT(b), 'betaincinv', 'b'), toT(p)));
}
