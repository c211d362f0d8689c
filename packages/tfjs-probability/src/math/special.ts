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
 * igammac, betainc) run series / continued fractions in float64 JavaScript
 * over the tensor's data (they are used by cdfs, not on a training hot path).
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

// ---------------------------------------------------------------- incomplete gamma and beta (float64 JS)

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** log|Γ(x)| in float64 (Lanczos, g = 7, n = 9; ~1e-15 relative away from the zeros). */
function lgamma64(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma64(1 - x);
  const z = x - 1;
  let s = LANCZOS[0]!;
  for (let i = 1; i < 9; i++) s += LANCZOS[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(s);
}

/** y · log(x) with 0 · log(0) = 0. */
function xlogy(y: number, x: number): number {
  return y === 0 ? 0 : y * Math.log(x);
}

const TINY = 1e-300;
const EPS64 = 1e-15;
const MAXIT = 100000;

/**
 * [log P(a, x), log Q(a, x)] in float64: the series for P where x < a + 1, the
 * Lentz continued fraction for Q otherwise (Numerical Recipes §6.2), both
 * carried in log space (log of the prefactor x^a e^-x / Γ(a) plus the log of the
 * series or fraction), so the small side never underflows: log P(3.162, 1e-30)
 * = -220.4 and log Q(10, 200) = -165.1 are exact to rounding. The other side is
 * log1p(-exp(small side)).
 */
function gammaLogPQ(a: number, x: number): [number, number] {
  if (Number.isNaN(a) || Number.isNaN(x) || a < 0 || x < 0) return [NaN, NaN];
  if (a === 0) return x > 0 ? [0, -Infinity] : [NaN, NaN];
  if (x === 0) return [-Infinity, 0];
  if (x === Infinity) return [0, -Infinity];
  if (a === Infinity) return [-Infinity, 0];
  const logPre = a * Math.log(x) - x - lgamma64(a);
  if (x < a + 1) {
    let ap = a;
    let del = 1 / a;
    let sum = del;
    for (let n = 0; n < MAXIT; n++) {
      ap += 1;
      del *= x / ap;
      sum += del;
      if (Math.abs(del) < Math.abs(sum) * EPS64) break;
    }
    const logP = Math.min(0, logPre + Math.log(sum));
    return [logP, log1mexp64(logP)];
  }
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAXIT; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS64) break;
  }
  const logQ = Math.min(0, logPre + Math.log(h));
  return [log1mexp64(logQ), logQ];
}

/** log(1 - exp(l)) for l <= 0 in float64 (Mächler 2012). */
function log1mexp64(l: number): number {
  return l > -Math.LN2 ? Math.log(-Math.expm1(l)) : Math.log1p(-Math.exp(l));
}

/** Continued fraction for I_x(a, b) (Numerical Recipes §6.4, modified Lentz). */
function betacf(a: number, b: number, x: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < MAXIT; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS64) break;
  }
  return h;
}

function lbeta64(a: number, b: number): number {
  return lgamma64(a) + lgamma64(b) - lgamma64(a + b);
}

/**
 * [log I_x(a, b), log(1 - I_x(a, b))] in float64, each side from its own
 * continued fraction in log space (the fraction for I_x(a, b) where
 * x < (a + 1)/(a + b + 2), otherwise the one for I_{1-x}(b, a) with 1 - x exact in
 * float64), so neither the far tails nor the complement at tiny x lose accuracy.
 */
function betaLogIC(a: number, b: number, x: number): [number, number] {
  if (Number.isNaN(a) || Number.isNaN(b) || Number.isNaN(x) || a <= 0 || b <= 0 || x < 0 || x > 1) return [NaN, NaN];
  if (x === 0) return [-Infinity, 0];
  if (x === 1) return [0, -Infinity];
  const logBt = a * Math.log(x) + b * Math.log1p(-x) - lbeta64(a, b);
  if (x < (a + 1) / (a + b + 2)) {
    const l = Math.min(0, logBt + Math.log(betacf(a, b, x)) - Math.log(a));
    return [l, log1mexp64(l)];
  }
  const l = Math.min(0, logBt + Math.log(betacf(b, a, 1 - x)) - Math.log(b));
  return [log1mexp64(l), l];
}

/** log of the Beta(a, b) density at x in float64 (-Infinity outside [0, 1]). */
function logBetaDensity(a: number, b: number, x: number): number {
  if (x < 0 || x > 1) return -Infinity;
  return xlogy(a - 1, x) + (b === 1 ? 0 : (b - 1) * Math.log1p(-x)) - lbeta64(a, b);
}

/** log of the Gamma(a, 1) density at x in float64 (-Infinity for x < 0). */
function logGammaDensity(a: number, x: number): number {
  if (x < 0) return -Infinity;
  return xlogy(a - 1, x) - x - lgamma64(a);
}

/** Elementwise float64 evaluation of `fn` over broadcast float32 tensors (reads the data back). */
function elementwise(fn: (...v: number[]) => number, ts: tf.Tensor[]): tf.Tensor {
  let shape: number[] = [];
  for (const t of ts) shape = tf.backend_util.assertAndGetBroadcastShape(shape, t.shape);
  const data = ts.map((t) => (t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i]) ? t : tf.broadcastTo(t, shape)).dataSync());
  const n = data[0]?.length ?? 0;
  const out = new Float32Array(n);
  const args = new Array<number>(ts.length);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < ts.length; j++) args[j] = data[j]![i]!;
    out[i] = fn(...args);
  }
  return tf.tensor(out, shape, 'float32');
}

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

type Scalar = (...v: number[]) => number;

/**
 * A differentiable op over broadcast float32 tensors whose last argument is x:
 * value and d/dx evaluated elementwise in float64 by `value` and `dx`.
 */
function hostOp(value: Scalar, dx: Scalar) {
  return tf.customGrad((...args: unknown[]) => {
    const ts = args.slice(0, -1) as tf.Tensor[];
    const save = args[args.length - 1] as tf.GradSaveFunc;
    save(ts);
    return {
      value: elementwise(value, ts),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const sx = saved[saved.length - 1]!;
        const d = elementwise(dx, saved);
        return [...saved.slice(0, -1).map((t) => tf.zerosLike(t)), reduceTo(tf.mul(dy, d), sx.shape)];
      },
    };
  });
}

const logPQ = (a: number, x: number, upper: boolean): number => gammaLogPQ(a, x)[upper ? 1 : 0];
const logIC = (a: number, b: number, x: number, upper: boolean): number => betaLogIC(a, b, x)[upper ? 1 : 0];

const igammaOp = hostOp(
  (a, x) => Math.exp(logPQ(a!, x!, false)),
  (a, x) => Math.exp(logGammaDensity(a!, x!)),
);
const igammacOp = hostOp(
  (a, x) => Math.exp(logPQ(a!, x!, true)),
  (a, x) => -Math.exp(logGammaDensity(a!, x!)),
);
const logIgammaOp = hostOp(
  (a, x) => logPQ(a!, x!, false),
  (a, x) => Math.exp(logGammaDensity(a!, x!) - logPQ(a!, x!, false)),
);
const logIgammacOp = hostOp(
  (a, x) => logPQ(a!, x!, true),
  (a, x) => -Math.exp(logGammaDensity(a!, x!) - logPQ(a!, x!, true)),
);
const betaincOp = hostOp(
  (a, b, x) => Math.exp(logIC(a!, b!, x!, false)),
  (a, b, x) => Math.exp(logBetaDensity(a!, b!, x!)),
);
const betainccOp = hostOp(
  (a, b, x) => Math.exp(logIC(a!, b!, x!, true)),
  (a, b, x) => -Math.exp(logBetaDensity(a!, b!, x!)),
);
const logBetaincOp = hostOp(
  (a, b, x) => logIC(a!, b!, x!, false),
  (a, b, x) => Math.exp(logBetaDensity(a!, b!, x!) - logIC(a!, b!, x!, false)),
);
const logBetainccOp = hostOp(
  (a, b, x) => logIC(a!, b!, x!, true),
  (a, b, x) => -Math.exp(logBetaDensity(a!, b!, x!) - logIC(a!, b!, x!, true)),
);

/**
 * Regularized lower incomplete gamma P(a, x) = γ(a, x)/Γ(a), broadcasting a
 * against x (a > 0, x >= 0; NaN outside). Computed in float64 on the host
 * (series / continued fraction), so it reads the tensors back (not for a
 * training hot path). Gradient with respect to x: x^(a-1) e^(-x) / Γ(a); the
 * gradient with respect to a throws NotImplementedError.
 */
export function igamma(a: In, x: In): tf.Tensor {
  return tf.tidy(() => igammaOp(noGrad(toT(a), 'igamma', 'a'), toT(x)));
}

/** Regularized upper incomplete gamma Q(a, x) = 1 - P(a, x), accurate where Q is small. Gradient in x: -x^(a-1) e^(-x) / Γ(a). */
export function igammac(a: In, x: In): tf.Tensor {
  return tf.tidy(() => igammacOp(noGrad(toT(a), 'igammac', 'a'), toT(x)));
}

/**
 * log P(a, x), the log of the regularized lower incomplete gamma function,
 * finite wherever the true value is (log P(3.162, 1e-30) = -220.4, far below
 * float32's underflow of P itself); 0 at x = Infinity, -Infinity at x = 0.
 * Float64 on the host, like igamma. Gradient in x: x^(a-1) e^(-x) / (Γ(a) P(a, x)).
 *
 * @example
 * ```ts
 * tfp.math.logIgamma(3.162, 1e-30);   // -220.42
 * ```
 */
export function logIgamma(a: In, x: In): tf.Tensor {
  return tf.tidy(() => logIgammaOp(noGrad(toT(a), 'logIgamma', 'a'), toT(x)));
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
  return tf.tidy(() => logIgammacOp(noGrad(toT(a), 'logIgammac', 'a'), toT(x)));
}

/**
 * Regularized incomplete beta I_x(a, b), broadcasting (a, b > 0, 0 <= x <= 1;
 * NaN outside). Float64 continued fraction on the host. Gradient with respect
 * to x: x^(a-1) (1-x)^(b-1) / B(a, b); with respect to a or b it throws
 * NotImplementedError.
 */
export function betainc(a: In, b: In, x: In): tf.Tensor {
  return tf.tidy(() => betaincOp(noGrad(toT(a), 'betainc', 'a'), noGrad(toT(b), 'betainc', 'b'), toT(x)));
}

/**
 * The complement 1 - I_x(a, b) = I_{1-x}(b, a) (scipy.special.betaincc), with
 * 1 - x formed in float64 so that tiny x keeps its information
 * (betaincc(0.1, 1e4, 1e-7) = 0.4732, where float32 1 - 1e-7 would round).
 * Gradient in x: -x^(a-1) (1-x)^(b-1) / B(a, b).
 *
 * @example
 * ```ts
 * tfp.math.betaincc(0.1, 1e4, 1e-7);   // 0.4732
 * ```
 */
export function betaincc(a: In, b: In, x: In): tf.Tensor {
  return tf.tidy(() => betainccOp(noGrad(toT(a), 'betaincc', 'a'), noGrad(toT(b), 'betaincc', 'b'), toT(x)));
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
  return tf.tidy(() => logBetaincOp(noGrad(toT(a), 'logBetainc', 'a'), noGrad(toT(b), 'logBetainc', 'b'), toT(x)));
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
  return tf.tidy(() => logBetainccOp(noGrad(toT(a), 'logBetaincc', 'a'), noGrad(toT(b), 'logBetaincc', 'b'), toT(x)));
}
