/**
 * Convergence diagnostics on host float64 arrays of one scalar quantity,
 * laid out `[numDraws, numChains]` (draw-major, as the samplers' output):
 * rank-normalized split R-hat and bulk/tail effective sample size (Vehtari,
 * Gelman, Simpson, Carpenter & Bürkner 2021, "Rank-normalization, folding,
 * and localization"), and Monte Carlo standard errors, with the same
 * conventions as ArviZ and the R package posterior (split chains drop the
 * middle draw of an odd count; Geyer's initial monotone sequence; ranks
 * average over ties; quantiles interpolate linearly).
 */

/** Chains as separate arrays (`chains[c][i]`) from a `[numDraws, numChains]` layout. */
export function toChains(x: ArrayLike<number>, numDraws: number, numChains: number): Float64Array[] {
  return Array.from({ length: numChains }, (_, c) => Float64Array.from({ length: numDraws }, (_, i) => x[i * numChains + c]!));
}

/** Each chain split into its first and second halves (the middle draw of an odd count is dropped). */
export function splitChains(chains: Float64Array[]): Float64Array[] {
  const out: Float64Array[] = [];
  for (const ch of chains) {
    const half = Math.floor(ch.length / 2);
    out.push(ch.slice(0, half), ch.slice(ch.length - half));
  }
  return out;
}

/** Wichura's AS241 (PPND16): the standard normal quantile to about 1e-16. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : NaN;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (
      (q *
        (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r + 67265.770927008700853) * r + 45921.953931549871457) * r +
          13731.693765509461125) * r + 1971.5909503065514427) * r + 133.14166789178437745) * r + 3.387132872796366608)) /
      (((((((r * 5226.495278852545925 + 28729.085735721942674) * r + 39307.89580009271061) * r + 21213.794301586595867) * r +
        5394.1960214247511077) * r + 687.1870074920579083) * r + 42.313330701600911252) * r + 1)
    );
  }
  let r = q < 0 ? p : 1 - p;
  r = Math.sqrt(-Math.log(r));
  let v: number;
  if (r <= 5) {
    r -= 1.6;
    v =
      (((((((r * 7.7454501427834140764e-4 + 0.0227238449892691845833) * r + 0.24178072517745061177) * r + 1.27045825245236838258) * r +
        3.64784832476320460504) * r + 5.7694972214606914055) * r + 4.6303378461565452959) * r + 1.42343711074968357734) /
      (((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r + 0.14810397642748007459) * r +
        0.68976733498510000455) * r + 1.6763848301838038494) * r + 2.05319162663775882187) * r + 1);
  } else {
    r -= 5;
    v =
      (((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r + 0.026532189526576123093) * r +
        0.29656057182850489123) * r + 1.7848265399172913358) * r + 5.4637849111641143699) * r + 6.6579046435011037772) /
      (((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r + 7.868691311456132591e-4) * r +
        0.0148753612908506148525) * r + 0.13692988092273580531) * r + 0.59983220655588793769) * r + 1);
  }
  return q < 0 ? -v : v;
}

/** Rank normalization: z = Φ⁻¹((rank - 3/8) / (S + 1/4)) over all draws pooled, ranks averaged over ties. */
export function zScale(chains: Float64Array[]): Float64Array[] {
  const n = chains[0]!.length;
  const all = new Float64Array(chains.length * n);
  chains.forEach((c, i) => all.set(c, i * n));
  const idx = Array.from(all.keys()).sort((a, b) => all[a]! - all[b]!);
  const rank = new Float64Array(all.length);
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && all[idx[j + 1]!] === all[idx[i]!]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) rank[idx[k]!] = r;
    i = j + 1;
  }
  const s = all.length;
  return chains.map((_, c) => Float64Array.from({ length: n }, (_, i) => normalQuantile((rank[c * n + i]! - 0.375) / (s + 0.25))));
}

/** numpy's default (linear) quantile of the pooled draws. */
export function quantile(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values).sort();
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

function mean(a: Float64Array): number {
  let s = 0;
  for (const v of a) s += v;
  return s / a.length;
}

function variance(a: ArrayLike<number>, ddof: number): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m += a[i]!;
  m /= a.length;
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - m) ** 2;
  return s / (a.length - ddof);
}

/** Autocovariance of one chain at lag `t` (biased, divided by n), as ArviZ's FFT-based `autocov`. */
function autocov(c: Float64Array, m: number, t: number): number {
  let s = 0;
  for (let i = 0; i + t < c.length; i++) s += (c[i]! - m) * (c[i + t]! - m);
  return s / c.length;
}

/** Effective sample size of chains (already split/normalized as wanted): Geyer's initial monotone sequence. */
export function essOfChains(chains: Float64Array[]): number {
  const m = chains.length;
  const n = chains[0]!.length;
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of chains) for (const v of c) {
    if (!Number.isFinite(v)) return NaN;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (hi - lo < 1e-15) return m * n;
  if (n < 4) return NaN;
  const means = chains.map(mean);
  const acovAt = (t: number): number => {
    let s = 0;
    chains.forEach((c, i) => (s += autocov(c, means[i]!, t)));
    return s / m;
  };
  const acov0 = acovAt(0);
  const meanVar = (acov0 * n) / (n - 1);
  let varPlus = (meanVar * (n - 1)) / n;
  if (m > 1) varPlus += variance(means, 1);
  const rho = new Float64Array(n);
  let rhoEven = 1;
  rho[0] = rhoEven;
  let rhoOdd = 1 - (meanVar - acovAt(1)) / varPlus;
  rho[1] = rhoOdd;
  let t = 1;
  while (t < n - 3 && rhoEven + rhoOdd > 0) {
    rhoEven = 1 - (meanVar - acovAt(t + 1)) / varPlus;
    rhoOdd = 1 - (meanVar - acovAt(t + 2)) / varPlus;
    if (rhoEven + rhoOdd >= 0) {
      rho[t + 1] = rhoEven;
      rho[t + 2] = rhoOdd;
    }
    t += 2;
  }
  const maxT = t - 2;
  if (rhoEven > 0) rho[maxT + 1] = rhoEven;
  for (let k = 1; k <= maxT - 2; k += 2) {
    if (rho[k + 1]! + rho[k + 2]! > rho[k - 1]! + rho[k]!) {
      rho[k + 1] = (rho[k - 1]! + rho[k]!) / 2;
      rho[k + 2] = rho[k + 1]!;
    }
  }
  let sum = 0;
  for (let k = 0; k <= maxT; k++) sum += rho[k]!;
  let tau = -1 + 2 * sum + (maxT + 1 < n ? rho[maxT + 1]! : 0);
  const total = m * n;
  tau = Math.max(tau, 1 / Math.log10(total));
  return total / tau;
}

/** R-hat of chains (already split/normalized as wanted). */
export function rhatOfChains(chains: Float64Array[]): number {
  const n = chains[0]!.length;
  const means = chains.map(mean);
  const b = n * variance(means, 1);
  const w = chains.reduce((s, c) => s + variance(c, 1), 0) / chains.length;
  return Math.sqrt((b / w + n - 1) / n);
}

export type EssMethod = 'bulk' | 'tail' | 'mean' | 'sd';

/** ESS of one quantity's chains. */
export function ess(chains: Float64Array[], method: EssMethod = 'bulk'): number {
  switch (method) {
    case 'bulk':
      return essOfChains(zScale(splitChains(chains)));
    case 'mean':
      return essOfChains(splitChains(chains));
    case 'sd': {
      const all = chains.flatMap((c) => Array.from(c));
      const m = all.reduce((s, v) => s + v, 0) / all.length;
      return essOfChains(splitChains(chains.map((c) => c.map((v) => (v - m) ** 2))));
    }
    case 'tail': {
      const all = chains.flatMap((c) => Array.from(c));
      const q05 = quantile(all, 0.05);
      const q95 = quantile(all, 0.95);
      const e05 = essOfChains(splitChains(chains.map((c) => c.map((v) => (v <= q05 ? 1 : 0)))));
      const e95 = essOfChains(splitChains(chains.map((c) => c.map((v) => (v <= q95 ? 1 : 0)))));
      return Math.min(e05, e95);
    }
  }
}

/** Rank-normalized split R-hat: the larger of the bulk and the folded (tail) R-hat. */
export function rhat(chains: Float64Array[], method: 'rank' | 'split' = 'rank'): number {
  if (method === 'split') return rhatOfChains(splitChains(chains));
  const bulk = rhatOfChains(zScale(splitChains(chains)));
  const med = quantile(chains.flatMap((c) => Array.from(c)), 0.5);
  const tail = rhatOfChains(zScale(splitChains(chains.map((c) => c.map((v) => Math.abs(v - med))))));
  return Math.max(bulk, tail);
}

/** Monte Carlo standard error of the mean (`sd / sqrt(ESS_mean)`) or of the sd (ArviZ's formula). */
export function mcse(chains: Float64Array[], method: 'mean' | 'sd' = 'mean'): number {
  const all = chains.flatMap((c) => Array.from(c));
  const sd = Math.sqrt(variance(all, 1));
  if (method === 'mean') return sd / Math.sqrt(ess(chains, 'mean'));
  const e = ess(chains, 'sd');
  return sd * Math.sqrt(Math.E * Math.pow(1 - 1 / e, e - 1) - 1);
}
