/**
 * The regularized incomplete gamma and beta functions in float64 JavaScript
 * (series and Lentz continued fractions carried in log space), and the cpu/wasm
 * kernel 'TfpSpecialHost' that evaluates them over a tensor's memory in place:
 * on those two backends tensors live in host memory, so this is no GPU sync.
 * Other backends use the float32 tensor-op path in src/math/special.ts.
 *
 * The kernel takes `a`, `x` (and `b` for the beta functions), all the same
 * shape and float32, and returns three tensors: log F, d log F / dx and dF/dx
 * (with attribute wrt = 'a' or 'b': the derivatives with respect to a or b),
 * each computed in float64 before rounding (the ratio density / F of two
 * numbers far below float32's range stays right).
 */

import { registerAll } from './register_all.js';

export { SPECIAL_HOST } from './kernel_names.js';
/** The functions the kernel evaluates: F = P, Q (gamma) or I, 1 - I (beta). */
export type SpecialFn = 'igamma' | 'igammac' | 'betainc' | 'betaincc';

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
function gammaLogPQ(a: number, x: number): [number, number, number?] {
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
    return [logP, log1mexp64(logP), logPre - Math.log(x)];
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
  return [log1mexp64(logQ), logQ, logPre - Math.log(x)];
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
function betaLogIC(a: number, b: number, x: number): [number, number, number?] {
  if (Number.isNaN(a) || Number.isNaN(b) || Number.isNaN(x) || a <= 0 || b <= 0 || x < 0 || x > 1) return [NaN, NaN];
  if (x === 0) return [-Infinity, 0];
  if (x === 1) return [0, -Infinity];
  const logBt = a * Math.log(x) + b * Math.log1p(-x) - lbeta64(a, b);
  const logDens = logBt - Math.log(x) - Math.log1p(-x);
  if (x < (a + 1) / (a + b + 2)) {
    const l = Math.min(0, logBt + Math.log(betacf(a, b, x)) - Math.log(a));
    return [l, log1mexp64(l), logDens];
  }
  const l = Math.min(0, logBt + Math.log(betacf(b, a, 1 - x)) - Math.log(b));
  return [log1mexp64(l), l, logDens];
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


/** log F, d log F/dx, dF/dx for one element (float64). */
function evalOne(fn: SpecialFn, a: number, b: number, x: number): [number, number, number] {
  let l: number;
  let ld: number;
  let sign: number;
  if (fn === 'igamma' || fn === 'igammac') {
    const upper = fn === 'igammac';
    const r = gammaLogPQ(a, x);
    l = r[upper ? 1 : 0];
    // the density from the same prefactor (one lgamma per element); edge cases evaluate it directly
    ld = Number.isNaN(l) ? NaN : r[2] ?? logGammaDensity(a, x);
    sign = upper ? -1 : 1;
  } else {
    const upper = fn === 'betaincc';
    const r = betaLogIC(a, b, x);
    l = r[upper ? 1 : 0];
    ld = Number.isNaN(l) ? NaN : r[2] ?? logBetaDensity(a, b, x);
    sign = upper ? -1 : 1;
  }
  const d = sign * Math.exp(ld);
  const dl = ld === -Infinity ? 0 : sign * Math.exp(ld - l);
  return [l, dl, d];
}

/** Which argument the derivatives are taken with respect to. */
export type SpecialWrt = 'x' | 'a' | 'b';

/**
 * log F and its derivative with respect to a or b by a float64 central
 * difference (step 1e-5 · the parameter: truncation and rounding both ~1e-10
 * relative, far below float32), and dF = F · d log F.
 */
function evalParam(fn: SpecialFn, wrt: 'a' | 'b', a: number, b: number, x: number): [number, number, number] {
  const l = evalOne(fn, a, b, x)[0];
  const v = wrt === 'a' ? a : b;
  const h = 1e-5 * v;
  const at = (u: number) => (wrt === 'a' ? evalOne(fn, u, b, x)[0] : evalOne(fn, a, u, x)[0]);
  const lp = at(v + h);
  const lm = at(v - h);
  // where log F is -Infinity or 0 on both sides (F = 0 or 1 to float64), the derivative is 0
  const dl = lp === lm ? 0 : (lp - lm) / (2 * h);
  return [l, dl, Math.exp(l) * dl];
}

/** Elementwise over flat arrays (b may be null for the gamma functions). */
export function specialHostJs(
  fn: SpecialFn,
  a: Float32Array,
  b: Float32Array | null,
  x: Float32Array,
  outLog: Float32Array,
  outDlog: Float32Array,
  outD: Float32Array,
  wrt: SpecialWrt = 'x',
): void {
  for (let i = 0; i < x.length; i++) {
    const ai = a[i]!;
    const bi = b ? b[i]! : 0;
    const [l, dl, d] = wrt === 'x' ? evalOne(fn, ai, bi, x[i]!) : evalParam(fn, wrt, ai, bi, x[i]!);
    outLog[i] = l;
    outDlog[i] = dl;
    outD[i] = d;
  }
}

/**
 * Inverse of the regularized incomplete gamma (`kind` 'igamma': P(a, x) = p) or beta
 * ('betainc': I_x(a, b) = p) function in x, elementwise in float64 on the host: bisection in
 * s = log x (gamma) or s = logit x (beta) over the whole float64 range, on log P (p <= ½) or
 * log(1 - P) (p > ½, with the complement pc given exactly), 90 halvings (s to ~1e-24). Edges:
 * 0 at p = 0, Infinity (gamma) or 1 (beta) at pc = 0, NaN for p outside [0, 1] or a, b <= 0.
 * Used by the quantiles on backends without the host kernel (one read-back per call there).
 */
export function inverseHostJs(kind: 'igamma' | 'betainc', a: ArrayLike<number>, b: ArrayLike<number> | null, p: ArrayLike<number>, pc: ArrayLike<number>): Float32Array {
  const out = new Float32Array(p.length);
  const [lower, upper]: [SpecialFn, SpecialFn] = kind === 'igamma' ? ['igamma', 'igammac'] : ['betainc', 'betaincc'];
  const toX = kind === 'igamma' ? (s: number) => Math.exp(s) : (s: number) => 1 / (1 + Math.exp(-s));
  for (let i = 0; i < p.length; i++) {
    const ai = a[i]!;
    const bi = b ? b[i]! : 1;
    const pi = p[i]!;
    const ci = pc[i]!;
    if (!(ai > 0) || !(bi > 0) || !(pi >= 0 && pi <= 1)) {
      out[i] = NaN;
      continue;
    }
    if (pi === 0) {
      out[i] = 0;
      continue;
    }
    if (ci === 0) {
      out[i] = kind === 'igamma' ? Infinity : 1;
      continue;
    }
    const useLower = pi <= 0.5;
    const tgt = Math.log(useLower ? pi : ci);
    // g increases with s: log P - log p, or log(1 - p) - log Q
    const g = (s: number): number => {
      const x = toX(s);
      return useLower ? evalOne(lower, ai, bi, x)[0] - tgt : tgt - evalOne(upper, ai, bi, x)[0];
    };
    let lo = -746;
    let hi = kind === 'igamma' ? 710 : 746;
    for (let k = 0; k < 90; k++) {
      const mid = 0.5 * (lo + hi);
      if (g(mid) < 0) lo = mid;
      else hi = mid;
    }
    out[i] = toX(0.5 * (lo + hi));
  }
  return out;
}

/** Registers 'TfpSpecialHost' for the cpu and wasm backends (with the library's other kernels). */
export function ensureSpecialKernel(): void {
  registerAll();
}
