/**
 * Public diagnostics on draws `x [numDraws, numChains, ...shape]` -> `[...shape]`:
 * `effectiveSampleSize` (rank-normalized bulk by default, or tail/mean/sd),
 * `potentialScaleReduction` (rank-normalized split R-hat), `mcse`, and
 * `summary` (the familiar table). They read the draws once (a synchronous read
 * of the input; call them after sampling, not inside a loop) and compute in
 * float64 on the host; see diagnostics_host.ts for the definitions.
 */
import * as tf from '@tensorflow/tfjs';
import { type EssMethod, ess, mcse as mcseHost, quantile, rhat, toChains } from './diagnostics_host.js';

function perElement(x: tf.Tensor, owner: string, f: (chains: Float64Array[]) => number): tf.Tensor {
  if (!(x instanceof tf.Tensor) || x.rank < 2) {
    throw new Error(`${owner}: x must be a tensor [numDraws, numChains, ...shape]; got ${x instanceof tf.Tensor ? `shape [${x.shape.join(', ')}]` : typeof x}`);
  }
  const [n, c] = x.shape as [number, number];
  if (n < 4) throw new Error(`${owner}: needs at least 4 draws per chain; got ${n}`);
  const rest = x.shape.slice(2);
  const k = rest.reduce((a, b) => a * b, 1);
  const v = x.dataSync();
  const out = new Float32Array(k);
  const col = new Float64Array(n * c);
  for (let e = 0; e < k; e++) {
    for (let i = 0; i < n * c; i++) col[i] = v[i * k + e]!;
    out[e] = f(toChains(col, n, c));
  }
  return tf.tensor(out, rest);
}

/**
 * Cross-chain effective sample size per element (Vehtari et al. 2021): `'bulk'` (default; rank-normalized
 * split chains), `'tail'` (the smaller of the 5% and 95% quantile ESS), `'mean'` (split chains) or `'sd'`.
 *
 * @example
 * ```ts
 * const x = tf.randomNormal([500, 4, 2], 0, 1, 'float32', 1);
 * const essBulk = tfp.mcmc.effectiveSampleSize(x);   // [2], about 2000 for independent draws
 * tf.dispose([x, essBulk]);
 * ```
 */
export function effectiveSampleSize(x: tf.Tensor, opts: { method?: EssMethod } = {}): tf.Tensor {
  const method = opts.method ?? 'bulk';
  if (!['bulk', 'tail', 'mean', 'sd'].includes(method)) {
    throw new Error(`effectiveSampleSize: method must be 'bulk', 'tail', 'mean' or 'sd'; got ${String(method)}`);
  }
  return perElement(x, 'effectiveSampleSize', (ch) => ess(ch, method));
}

/**
 * Split R-hat per element: rank-normalized (the larger of bulk and folded-tail R-hat; default) or the plain
 * split R-hat (`method: 'split'`).
 *
 * @example
 * ```ts
 * const x = tf.randomNormal([500, 4], 0, 1, 'float32', 2);
 * const r = tfp.mcmc.potentialScaleReduction(x);       // scalar near 1
 * tf.dispose([x, r]);
 * ```
 */
export function potentialScaleReduction(x: tf.Tensor, opts: { method?: 'rank' | 'split' } = {}): tf.Tensor {
  const method = opts.method ?? 'rank';
  if (method !== 'rank' && method !== 'split') throw new Error(`potentialScaleReduction: method must be 'rank' or 'split'; got ${String(method)}`);
  return perElement(x, 'potentialScaleReduction', (ch) => rhat(ch, method));
}

/** Monte Carlo standard error of the posterior mean (default) or sd, per element. */
export function mcse(x: tf.Tensor, opts: { method?: 'mean' | 'sd' } = {}): tf.Tensor {
  const method = opts.method ?? 'mean';
  if (method !== 'mean' && method !== 'sd') throw new Error(`mcse: method must be 'mean' or 'sd'; got ${String(method)}`);
  return perElement(x, 'mcse', (ch) => mcseHost(ch, method));
}

/** One row of `summary`. */
export interface SummaryRow {
  name: string;
  mean: number;
  sd: number;
  /** The requested quantiles, in order. */
  quantiles: number[];
  mcseMean: number;
  mcseSd: number;
  essBulk: number;
  essTail: number;
  rHat: number;
}

export interface McmcSummary {
  rows: SummaryRow[];
  quantiles: number[];
  /** The table as text (what `toString()` returns). */
  text: string;
  toString(): string;
}

function fmt(v: number, w: number, digits: number): string {
  const s = !Number.isFinite(v) ? String(v) : Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : v.toFixed(digits);
  return s.padStart(w);
}

/**
 * The posterior summary table per scalar element: mean, sd, quantiles (default 5%, 50%, 95%), MCSE of the
 * mean and sd, bulk and tail ESS, and R-hat. `states` is one tensor or an object of named tensors, each
 * `[numDraws, numChains, ...shape]`; elements are named `name[i,j]` (0-based).
 *
 * @example
 * ```ts
 * const x = tf.randomNormal([400, 4, 2], 0, 1, 'float32', 3);
 * const table = tfp.mcmc.summary({ beta: x });
 * table.rows.length;            // 2 (beta[0], beta[1])
 * console.log(table.toString());
 * x.dispose();
 * ```
 */
export function summary(states: tf.Tensor | Record<string, tf.Tensor>, opts: { quantiles?: number[] } = {}): McmcSummary {
  const qs = opts.quantiles ?? [0.05, 0.5, 0.95];
  for (const q of qs) if (!(q >= 0 && q <= 1)) throw new Error(`summary: quantiles must lie in [0, 1]; got ${q}`);
  const named = states instanceof tf.Tensor ? { x: states } : states;
  const rows: SummaryRow[] = [];
  for (const [name, x] of Object.entries(named)) {
    if (!(x instanceof tf.Tensor) || x.rank < 2) throw new Error(`summary: ${name} must be a tensor [numDraws, numChains, ...shape]`);
    const [n, c] = x.shape as [number, number];
    const rest = x.shape.slice(2);
    const k = rest.reduce((a, b) => a * b, 1);
    const v = x.dataSync();
    for (let e = 0; e < k; e++) {
      const col = new Float64Array(n * c);
      for (let i = 0; i < n * c; i++) col[i] = v[i * k + e]!;
      const chains = toChains(col, n, c);
      let m = 0;
      for (const a of col) m += a;
      m /= col.length;
      let s2 = 0;
      for (const a of col) s2 += (a - m) ** 2;
      const idx: number[] = [];
      for (let r = e, j = rest.length - 1; j >= 0; j--) {
        idx.unshift(r % rest[j]!);
        r = Math.floor(r / rest[j]!);
      }
      rows.push({
        name: rest.length ? `${name}[${idx.join(',')}]` : name,
        mean: m,
        sd: Math.sqrt(s2 / (col.length - 1)),
        quantiles: qs.map((q) => quantile(col, q)),
        mcseMean: mcseHost(chains, 'mean'),
        mcseSd: mcseHost(chains, 'sd'),
        essBulk: ess(chains, 'bulk'),
        essTail: ess(chains, 'tail'),
        rHat: rhat(chains),
      });
    }
  }
  const nameW = Math.max(4, ...rows.map((r) => r.name.length));
  const head = ['mean', 'sd', ...qs.map((q) => `${+(q * 100).toFixed(1)}%`), 'mcse_mean', 'mcse_sd', 'ess_bulk', 'ess_tail', 'r_hat'];
  const lines = [''.padEnd(nameW) + head.map((h) => h.padStart(10)).join('')];
  for (const r of rows) {
    lines.push(
      r.name.padEnd(nameW) +
        [r.mean, r.sd, ...r.quantiles, r.mcseMean, r.mcseSd].map((v) => fmt(v, 10, 3)).join('') +
        fmt(r.essBulk, 10, 0) + fmt(r.essTail, 10, 0) + fmt(r.rHat, 10, 3),
    );
  }
  const text = lines.join('\n');
  return { rows, quantiles: qs, text, toString: () => text };
}
