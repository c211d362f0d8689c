/**
 * One draw at a time, in float64: the per-element samplers behind the cpu and
 * wasm sampling kernels (./sampler_kernels.ts). Each loops until it accepts, so
 * it cannot run out of rounds, and each branches on its own parameters:
 *
 * - Poisson(λ): sequential inversion of the cdf for λ < 10 (about λ + 1 steps),
 *   Hörmann's PTRS ("The transformed rejection method for generating Poisson
 *   random variables", 1993) above, acceptance > 0.87 per proposal.
 * - Binomial(n, p): the count of the rarer outcome (q = min(p, 1 - p)),
 *   sequential inversion for n q < 10, Hörmann's BTRS ("The generation of
 *   binomial random variates", 1993) above, acceptance > 0.84.
 * - Gamma(a, 1): Marsaglia & Tsang (2000) for a >= 1 (acceptance >= 0.95),
 *   the boost G(a) = G(a + 1) U^(1/a) in log space below 1.
 * - Normal truncated to [a, b] (standardized): normal rejection when the
 *   window holds 0 and at least 30% of the mass, uniform rejection with the Gaussian ratio when
 *   it is narrow, Robert's exponential rejection ("Simulation of truncated
 *   normal variables", 1995) in a tail (window reflected to the right of 0).
 *
 * Each sampler comes as `prepare*` (the constants that depend only on the
 * parameters, written into a Float64Array at an offset, so a kernel computes
 * them once per distinct parameter and not once per draw) and `*Draw` (one draw
 * from those constants).
 *
 * The acceptance tests use the log-pmf in float64 (Stirling's series with the
 * remainder, `log1p` of the relative deviation), so they keep their accuracy
 * at λ or n up to 2^53; float32 would lose whole nats there.
 * Random numbers: the xoshiro128** stream of ./random.js.
 */
import { nextNormalFast, type Xoshiro128 } from './random.js';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
const LF_TABLE_SIZE = 256;
/** log k! for k < 256: exact float64 sums of logs. */
const LF = new Float64Array(LF_TABLE_SIZE);
for (let k = 2; k < LF_TABLE_SIZE; k++) LF[k] = LF[k - 1]! + Math.log(k);

/** Stirling's remainder log k! - (k + ½) log k + k - ½ log 2π for k >= 256 (series error < 1e-19). */
function stirlerr(k: number): number {
  const r = 1 / k;
  const r2 = r * r;
  return r * (1 / 12 - r2 * (1 / 360 - r2 * (1 / 1260 - r2 / 1680)));
}

/** log k! for an integer k >= 0. */
export function logFactorial(k: number): number {
  if (k < LF_TABLE_SIZE) return LF[k]!;
  return (k + 0.5) * Math.log(k) - k + HALF_LOG_2PI + stirlerr(k);
}

/** log P(X = k) of Poisson(λ), integer k >= 0, λ > 0: Loader's form above the table (no cancellation). */
export function poissonLogPmf(k: number, lam: number): number {
  if (k < LF_TABLE_SIZE) return k * Math.log(lam) - lam - LF[k]!;
  // -λ + k log λ - log k! = -stirlerr(k) - ½ log(2πk) - [k log(k/λ) + λ - k]
  const bd0 = k * Math.log1p((k - lam) / lam) - (k - lam);
  return -stirlerr(k) - HALF_LOG_2PI - 0.5 * Math.log(k) - bd0;
}

/** Below this mean the count samplers invert the cdf. */
export const INVERSION_MEAN = 10;

/** Constants per Poisson parameter: [kind, λ, e^-λ, b, a, log(1/α), v_r]; kind 0 NaN, 1 zero, 2 inversion, 3 PTRS. */
export const POISSON_STRIDE = 7;

export function preparePoisson(c: Float64Array, o: number, lam: number): void {
  c[o + 1] = lam;
  if (!(lam >= 0) || lam === Infinity) c[o] = 0;
  else if (lam === 0) c[o] = 1;
  else if (lam < INVERSION_MEAN) {
    c[o] = 2;
    c[o + 2] = Math.exp(-lam);
  } else {
    c[o] = 3;
    const b = 0.931 + 2.53 * Math.sqrt(lam);
    c[o + 3] = b;
    c[o + 4] = -0.059 + 0.02483 * b;
    c[o + 5] = Math.log(1.1239 + 1.1328 / (b - 3.4));
    c[o + 6] = 0.9277 - 3.6224 / (b - 2);
  }
}

/** One Poisson draw from the constants at `o` (NaN for λ < 0, NaN or Infinity). */
export function poissonDraw(rng: Xoshiro128, c: Float64Array, o: number): number {
  const kind = c[o]!;
  if (kind < 2) return kind === 0 ? NaN : 0;
  const lam = c[o + 1]!;
  if (kind === 2) {
    const u = rng.nextOpen01();
    let pk = c[o + 2]!;
    let cdf = pk;
    let k = 0;
    // P(X > 200 | λ < 10) < 1e-200: the cap only guards against a cdf that rounds below u.
    while (u > cdf && k < 200) {
      k++;
      pk *= lam / k;
      cdf += pk;
    }
    return k;
  }
  const b = c[o + 3]!;
  const a = c[o + 4]!;
  const logInvAlpha = c[o + 5]!;
  const vr = c[o + 6]!;
  for (;;) {
    const u = rng.nextOpen01() - 0.5;
    const v = rng.nextOpen01();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor((2 * a / us + b) * u + lam + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (Math.log(v) + logInvAlpha - Math.log(a / (us * us) + b) <= poissonLogPmf(k, lam)) return k;
  }
}

/**
 * Constants per Binomial parameter pair: [kind, n, flip, q, q^n or b, q/(1-q) or a, c, v_r, log α, log(q/(1-q)), m, h];
 * kind 0 NaN, 1 constant 0 (before the flip), 2 inversion, 3 BTRS; q = min(p, 1 - p).
 */
export const BINOMIAL_STRIDE = 12;

export function prepareBinomial(c: Float64Array, o: number, n: number, p: number): void {
  c[o + 1] = n;
  if (!(p >= 0 && p <= 1) || !(n >= 0) || n === Infinity || Math.floor(n) !== n) {
    c[o] = 0;
    return;
  }
  const flip = p > 0.5;
  const q = flip ? 1 - p : p;
  c[o + 2] = flip ? 1 : 0;
  c[o + 3] = q;
  if (n === 0 || q === 0) c[o] = 1;
  else if (n * q < INVERSION_MEAN) {
    c[o] = 2;
    c[o + 4] = Math.exp(n * Math.log1p(-q));
    c[o + 5] = q / (1 - q);
  } else {
    c[o] = 3;
    const spq = Math.sqrt(n * q * (1 - q));
    const b = 1.15 + 2.53 * spq;
    const m = Math.floor((n + 1) * q);
    c[o + 4] = b;
    c[o + 5] = -0.0873 + 0.0248 * b + 0.01 * q;
    c[o + 6] = n * q + 0.5;
    c[o + 7] = 0.92 - 4.2 / b;
    c[o + 8] = Math.log((2.83 + 5.1 / b) * spq);
    c[o + 9] = Math.log(q / (1 - q));
    c[o + 10] = m;
    c[o + 11] = logFactorial(m) + logFactorial(n - m);
  }
}

/** One Binomial draw from the constants at `o` (NaN for p outside [0, 1] or n not a non-negative integer). */
export function binomialDraw(rng: Xoshiro128, c: Float64Array, o: number): number {
  const kind = c[o]!;
  if (kind === 0) return NaN;
  const n = c[o + 1]!;
  const k = kind === 1 ? 0 : kind === 2 ? binomialInversion(rng, n, c[o + 4]!, c[o + 5]!) : btrs(rng, n, c, o);
  return c[o + 2] === 1 ? n - k : k;
}

function binomialInversion(rng: Xoshiro128, n: number, p0: number, r: number): number {
  const u = rng.nextOpen01();
  let pk = p0;
  let cdf = pk;
  let k = 0;
  while (u > cdf && k < n && k < 200) {
    pk *= ((n - k) / (k + 1)) * r;
    k++;
    cdf += pk;
  }
  return k;
}

/** BTRS for n q >= 10, q <= 1/2. */
function btrs(rng: Xoshiro128, n: number, cs: Float64Array, o: number): number {
  const b = cs[o + 4]!;
  const a = cs[o + 5]!;
  const c = cs[o + 6]!;
  const vr = cs[o + 7]!;
  const logAlpha = cs[o + 8]!;
  const lpq = cs[o + 9]!;
  const m = cs[o + 10]!;
  const h = cs[o + 11]!;
  for (;;) {
    const u = rng.nextOpen01() - 0.5;
    const v = rng.nextOpen01();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor((2 * a / us + b) * u + c);
    if (k < 0 || k > n) continue;
    if (us >= 0.07 && v <= vr) return k;
    const lhs = Math.log(v) + logAlpha - Math.log(a / (us * us) + b);
    if (lhs <= h - logFactorial(k) - logFactorial(n - k) + (k - m) * lpq) return k;
  }
}

/** Constants per Gamma concentration: [kind, d, c, 1/a]; kind 0 NaN, 1 Marsaglia–Tsang (a >= 1), 2 boosted (a < 1, on a + 1). */
export const GAMMA_STRIDE = 4;

export function prepareGamma(c: Float64Array, o: number, a: number): void {
  if (!(a > 0) || a === Infinity) {
    c[o] = 0;
    return;
  }
  c[o] = a < 1 ? 2 : 1;
  const d = (a < 1 ? a + 1 : a) - 1 / 3;
  c[o + 1] = d;
  c[o + 2] = 1 / Math.sqrt(9 * d);
  c[o + 3] = 1 / a;
}

/** d v of one accepted Marsaglia–Tsang proposal (v = (1 + c z)³). */
function marsagliaTsang(rng: Xoshiro128, d: number, c: number): number {
  for (;;) {
    const z = nextNormalFast(rng);
    const t = 1 + c * z;
    if (t <= 0) continue;
    const v = t * t * t;
    const u = rng.nextOpen01();
    const z2 = z * z;
    // The squeeze u < 1 - 0.0331 z⁴ accepts ~92% without a log; float64 keeps the full test exact enough
    // at any a that float32 can hold (d (1 - v + log v) loses ~1e-16 d).
    if (u < 1 - 0.0331 * z2 * z2 || Math.log(u) < 0.5 * z2 + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** One Gamma(a, 1) draw from the constants at `o` (underflows to 0 for a below ~0.01; NaN for a <= 0, NaN, Infinity). */
export function gammaDraw(rng: Xoshiro128, c: Float64Array, o: number): number {
  const kind = c[o]!;
  if (kind === 0) return NaN;
  const g = marsagliaTsang(rng, c[o + 1]!, c[o + 2]!);
  return kind === 1 ? g : g * Math.pow(rng.nextOpen01(), c[o + 3]!);
}

/** log of one Gamma(a, 1) draw: finite even where the draw underflows (tiny a). */
export function logGammaDraw(rng: Xoshiro128, c: Float64Array, o: number): number {
  const kind = c[o]!;
  if (kind === 0) return NaN;
  const lg = Math.log(marsagliaTsang(rng, c[o + 1]!, c[o + 2]!));
  return kind === 1 ? lg : lg + Math.log(rng.nextOpen01()) * c[o + 3]!;
}

/**
 * Φ(x), to ~1e-7 (Abramowitz & Stegun 7.1.26): only used to choose between rejection methods, which
 * are all exact; the choice only changes the speed.
 */
function roughNdtr(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erfc = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-z * z);
  return x >= 0 ? 1 - 0.5 * erfc : 0.5 * erfc;
}

/**
 * Constants per standardized window [a, b]: [kind, a, b, flip, λ]; kind 0 NaN (a > b or NaN), 1 normal
 * rejection, 2 uniform rejection around 0, 3 uniform rejection in a tail, 4 exponential rejection.
 * The window is reflected so that its larger part lies right of 0 (then a >= -b).
 */
export const TRUNCATED_NORMAL_STRIDE = 5;

export function prepareTruncatedNormal(c: Float64Array, o: number, a: number, b: number): void {
  if (!(a <= b) || a === Infinity || b === -Infinity) {
    c[o] = 0;
    return;
  }
  const flip = a + b < 0;
  if (flip) [a, b] = [-b, -a];
  c[o + 1] = a;
  c[o + 2] = b;
  c[o + 3] = flip ? 1 : 0;
  const w = b - a;
  if (a <= 0) {
    // Normal rejection accepts Z = Φ(b) - Φ(a) at ~1.5 ziggurat draws per proposal; uniform rejection
    // accepts Z √(2π) / w but pays a log per proposal: normal rejection from Z = 0.3 on.
    c[o] = roughNdtr(b) - roughNdtr(a) >= 0.3 ? 1 : 2;
    return;
  }
  // The optimal exponential rate (a + √(a² + 4))/2 of Robert (1995), written to stay finite for huge a.
  const lam = a > 1e8 ? a + 1 / a : 0.5 * (a + Math.sqrt(a * a + 4));
  c[o + 4] = lam;
  // Narrow windows: the density ratio exp((a² - x²)/2) >= exp(-λ w (1 + w/(2λ))) keeps uniform rejection above ~0.5.
  c[o] = w * lam < 1 ? 3 : 4;
}

/** One standard normal draw truncated to the prepared window (NaN for an empty or NaN window). */
export function truncatedNormalDraw(rng: Xoshiro128, c: Float64Array, o: number): number {
  const kind = c[o]!;
  if (kind === 0) return NaN;
  const a = c[o + 1]!;
  const b = c[o + 2]!;
  let x: number;
  if (kind === 1) {
    do x = nextNormalFast(rng);
    while (x < a || x > b);
  } else if (kind === 2) {
    // Accept x ~ U(a, b) with probability exp(-x²/2).
    const w = b - a;
    do x = a + w * rng.nextOpen01();
    while (-2 * Math.log(rng.nextOpen01()) < x * x);
  } else if (kind === 3) {
    // Accept x ~ U(a, b) with probability exp((a² - x²)/2).
    const w = b - a;
    do x = Math.min(a + w * rng.nextOpen01(), b);
    while (-2 * Math.log(rng.nextOpen01()) < (x - a) * (x + a));
  } else {
    // x = a + Exp(λ), accepted with probability exp(-(x - λ)²/2) and x <= b.
    const lam = c[o + 4]!;
    for (;;) {
      x = a - Math.log(rng.nextOpen01()) / lam;
      if (x > b) continue;
      const d = x - lam;
      if (-2 * Math.log(rng.nextOpen01()) >= d * d) break;
    }
  }
  return c[o + 3] === 1 ? -x : x;
}
