/**
 * Count regression in the command line: the `poisson`, `negbin` and `zinb`
 * heads, and the predictive summaries of a count model (`predict`, `evaluate`).
 *
 * Heads (raw parameters per target column, all from the public API):
 * - poisson: `tfpl.IndependentPoisson`, `[log μ]`;
 * - negbin:  `[log μ, ρ]` -> NegativeBinomial(r = softplus(ρ) + 1e-3, logits = log μ - log r)
 *   (mean μ, variance μ + μ²/r: the NB2 model);
 * - zinb:    `[logit π, log μ, ρ]` -> ZeroInflatedNegativeBinomial(π, NB as above);
 * each wrapped in `Independent` over the target columns, negbin and zinb as
 * `tfpl.DistributionLambda` heads whose functions are registered by name so that
 * saved models load. Targets are not standardized (counts stay counts); they
 * must be non-negative integers.
 *
 * Predictions are read from the marginal pmf of each target column on the grid
 * 0..K (K covering the predictive mass to 1e-9, computed once): means and sds
 * from the distributions, integer quantiles (smallest k with F(k) >= p), the
 * randomized PIT `F(y - 1) + v P(y)`, v ~ U(0, 1) (Smith 1985; Czado, Gneiting
 * & Held 2009), which is uniform for a calibrated count model where the plain
 * PIT F(y) is not. Ensembles average the pmfs (the mixture of the members).
 */
import * as tf from '@tensorflow/tfjs';
import * as tfp from 'tfjs-probability';
import { CliError } from './errors.js';
import type { Fitted } from './model.js';
import { applyScaler } from './scaler.js';
import { mulberry32 } from './rng.js';

const tfd = tfp.distributions;
type Dist = tfp.distributions.Distribution;

export type CountHeadKind = 'poisson' | 'negbin' | 'zinb';
export const COUNT_HEADS: readonly CountHeadKind[] = ['poisson', 'negbin', 'zinb'];

export function isCountHead(kind: string): kind is CountHeadKind {
  return (COUNT_HEADS as readonly string[]).includes(kind);
}

/** NB2 from raw `[..., d]` log means and raw dispersions: r = softplus(ρ) + 1e-3, logits = log μ - log r. */
function nbParams(logMu: tf.Tensor, rho: tf.Tensor): { totalCount: tf.Tensor; logits: tf.Tensor } {
  const r = tf.add(tf.softplus(rho), 1e-3);
  return { totalCount: r, logits: tf.sub(logMu, tf.log(r)) };
}

function splitLast(params: tf.Tensor, parts: number): tf.Tensor[] {
  return tf.split(params, parts, -1);
}

const NEGBIN_FN = 'tfjs-prob-cli/negbin';
const ZINB_FN = 'tfjs-prob-cli/zinb';

tfp.layers.registerDistributionFn(NEGBIN_FN, (params) => {
  const [logMu, rho] = splitLast(params, 2) as [tf.Tensor, tf.Tensor];
  const t = tf.tidy(() => nbParams(logMu, rho));
  tf.dispose([logMu, rho]);
  try {
    return new tfd.Independent({ distribution: new tfd.NegativeBinomial(t), reinterpretedBatchNdims: 1 });
  } finally {
    tf.dispose([t.totalCount, t.logits]);
  }
});

tfp.layers.registerDistributionFn(ZINB_FN, (params) => {
  const [logitPi, logMu, rho] = splitLast(params, 3) as [tf.Tensor, tf.Tensor, tf.Tensor];
  const t = tf.tidy(() => nbParams(logMu, rho));
  try {
    return new tfd.Independent({
      distribution: new tfd.ZeroInflatedNegativeBinomial({ inflatedLocLogits: logitPi, ...t }),
      reinterpretedBatchNdims: 1,
    });
  } finally {
    tf.dispose([logitPi, logMu, rho, t.totalCount, t.logits]);
  }
});

/** The head layer of a count model with `d` target columns. */
export function makeCountHead(kind: CountHeadKind, d: number): tf.layers.Layer {
  const L = tfp.layers;
  if (kind === 'poisson') return new L.IndependentPoisson({ eventShape: [d] });
  return new L.DistributionLambda({ makeDistribution: kind === 'negbin' ? NEGBIN_FN : ZINB_FN, paramsSize: (kind === 'negbin' ? 2 : 3) * d });
}

/** Throws a CliError naming the row and column of the first target that is not a non-negative integer. */
export function checkCountTargets(y: ArrayLike<number>, rows: number, columns: string[], head: string, file?: string): void {
  const d = columns.length;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < d; j++) {
      const v = y[i * d + j]!;
      if (!(Number.isInteger(v) && v >= 0)) {
        throw new CliError(`${file ? `${file}: ` : ''}row ${i + 1}, column "${columns[j]}": --head ${head} needs non-negative integer counts; got ${v}`);
      }
    }
  }
}

/** Mean, sd, and the marginal pmf grid of a count model on `n` input rows. */
export class CountPredictive {
  readonly n: number;
  readonly d: number;
  /** Grid size: pmf values for k = 0..K-1. */
  readonly K: number;
  private readonly dists: Dist[] = [];
  private readonly meanV: Float64Array;
  private readonly sdV: Float64Array;
  /** `[n, d, K]` marginal pmf (mixture over ensemble members), float64. */
  private readonly pmf: Float64Array;

  constructor(fitted: Fitted, x: ArrayLike<number>, n: number) {
    this.n = n;
    this.d = fitted.meta.yColumns.length;
    const f = fitted.meta.xColumns.length;
    const xt = tf.tensor2d(applyScaler(fitted.meta.xScaler, x, n), [n, f]);
    try {
      for (const m of fitted.members) this.dists.push(tfp.predictDistribution(m, xt));
      const M = this.dists.length;
      const { n: N, d } = this;
      const means = this.dists.map((ds) => tf.tidy(() => ds.mean().dataSync()));
      const vars = this.dists.map((ds) => tf.tidy(() => ds.variance().dataSync()));
      this.meanV = new Float64Array(N * d);
      const second = new Float64Array(N * d);
      for (let m = 0; m < M; m++) {
        for (let i = 0; i < N * d; i++) {
          this.meanV[i]! += means[m]![i]! / M;
          second[i]! += (vars[m]![i]! + means[m]![i]! ** 2) / M;
        }
      }
      this.sdV = this.meanV.map((mu, i) => Math.sqrt(Math.max(0, second[i]! - mu * mu)));
      // Grid: beyond max(mean + 20 sd) + 20 the mass of NB/Poisson predictives is below 1e-9 (Chebyshev-safe for
      // the tails in practice; the missing mass is reported as 1 - F(K - 1) and counted in the top cell).
      let top = 0;
      for (let i = 0; i < N * d; i++) top = Math.max(top, this.meanV[i]! + 20 * this.sdV[i]! + 20);
      this.K = Math.ceil(top);
      if (!Number.isFinite(this.K) || this.K * N * d > 5e7) {
        throw new CliError(`count model: predicted counts are too large for the pmf grid (${Math.round(top)} x ${N} rows x ${d} columns)`);
      }
      this.pmf = new Float64Array(N * d * this.K);
      for (const ds of this.dists) {
        const inner = (ds as unknown as { distribution: Dist }).distribution; // Independent's [n, d] batch
        const chunk = 256;
        for (let k0 = 0; k0 < this.K; k0 += chunk) {
          const k1 = Math.min(this.K, k0 + chunk);
          const v = tf.tidy(() => {
            const ks = tf.reshape(tf.range(k0, k1, 1, 'float32'), [k1 - k0, 1, 1]);
            return tf.exp(inner.logProb(ks)).dataSync(); // [k, n, d]
          });
          for (let k = k0; k < k1; k++) {
            for (let i = 0; i < N * d; i++) this.pmf[i * this.K + k]! += v[(k - k0) * N * d + i]! / M;
          }
        }
      }
    } catch (e) {
      this.dispose();
      throw e;
    } finally {
      xt.dispose();
    }
  }

  mean(): Float64Array {
    return this.meanV;
  }
  stddev(): Float64Array {
    return this.sdV;
  }

  /** F(k) of cell `c` (row-major row, column), for integer k (0 below 0; 1 at and beyond the grid's end). */
  cdfAt(c: number, k: number): number {
    if (k < 0) return 0;
    if (k >= this.K - 1) return 1;
    let s = 0;
    for (let j = 0; j <= k; j++) s += this.pmf[c * this.K + j]!;
    return Math.min(1, s);
  }

  /** `[n * d]` integer quantiles: the smallest k with F(k) >= p. */
  quantile(p: number): Float64Array {
    const out = new Float64Array(this.n * this.d);
    for (let c = 0; c < out.length; c++) {
      let s = 0;
      let k = 0;
      for (; k < this.K - 1; k++) {
        s += this.pmf[c * this.K + k]!;
        if (s >= p - 1e-12) break;
      }
      out[c] = k;
    }
    return out;
  }

  /** `[n]` log P(y_i) of the rows' count vectors under the predictive (ensemble: log of the mean pmf). */
  logProb(y: ArrayLike<number>): Float64Array {
    const { n, d } = this;
    const yt = tf.tensor2d(Float32Array.from(y), [n, d]);
    const lps = this.dists.map((ds) => tf.tidy(() => ds.logProb(yt).dataSync()));
    yt.dispose();
    const M = lps.length;
    return Float64Array.from({ length: n }, (_, i) => {
      const mx = Math.max(...lps.map((l) => l[i]!));
      if (!Number.isFinite(mx)) return mx;
      return mx + Math.log(lps.reduce((a, l) => a + Math.exp(l[i]! - mx), 0) / M);
    });
  }

  /** `[n * d]` randomized PIT values F(y - 1) + v P(y), v ~ U(0, 1) from `seed`. */
  randomizedPit(y: ArrayLike<number>, seed: number): Float64Array {
    const rnd = mulberry32(seed);
    return Float64Array.from({ length: this.n * this.d }, (_, c) => {
      const lo = this.cdfAt(c, y[c]! - 1);
      const hi = this.cdfAt(c, y[c]!);
      return lo + rnd() * (hi - lo);
    });
  }

  dispose(): void {
    this.dists.forEach((ds) => ds.dispose());
  }
}

export interface CountEvaluation {
  rows: number;
  columns: string[];
  nll: number;
  rmse: number;
  rmsePerColumn: number[];
  /** Coverage of the integer central intervals [q((1-l)/2), q((1+l)/2)] (>= l for a calibrated model). */
  coverage: Array<{ level: number; overall: number }>;
  /** Randomized PIT histogram, 10 bins (uniform for a calibrated model). */
  pit: { counts: number[]; ksDistance: number };
}

/** NLL (mean per row), RMSE of the predictive mean, interval coverage and the randomized PIT of a count model. */
export function evaluateCounts(p: CountPredictive, y: ArrayLike<number>, columns: string[], seed: number, levels = [0.5, 0.9]): CountEvaluation {
  const { n, d } = p;
  const lp = p.logProb(y);
  const nll = -lp.reduce((a, v) => a + v, 0) / n;
  const mean = p.mean();
  const se = new Array<number>(d).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) se[j]! += (y[i * d + j]! - mean[i * d + j]!) ** 2;
  const rmsePerColumn = se.map((s) => Math.sqrt(s / n));
  const rmse = Math.sqrt(se.reduce((a, v) => a + v, 0) / (n * d));
  const coverage = levels.map((level) => {
    const lo = p.quantile((1 - level) / 2);
    const hi = p.quantile((1 + level) / 2);
    let inside = 0;
    for (let c = 0; c < n * d; c++) if (y[c]! >= lo[c]! && y[c]! <= hi[c]!) inside++;
    return { level, overall: inside / (n * d) };
  });
  const pitValues = p.randomizedPit(y, seed);
  const counts = new Array<number>(10).fill(0);
  for (const v of pitValues) counts[Math.min(9, Math.floor(v * 10))]!++;
  const sorted = Float64Array.from(pitValues).sort();
  let ks = 0;
  sorted.forEach((v, i) => (ks = Math.max(ks, Math.abs((i + 1) / sorted.length - v), Math.abs(i / sorted.length - v))));
  return { rows: n, columns, nll, rmse, rmsePerColumn, coverage, pit: { counts, ksDistance: ks } };
}

/** The text report of `evaluate` for a count model. */
export function countEvaluationText(e: CountEvaluation, modelDir: string, data: string, head: string, networks: number): string {
  const L: string[] = [];
  L.push(`evaluate ${modelDir} on ${data}: ${e.rows} rows, count targets ${e.columns.join(', ')}; head ${head}, ${networks} network${networks > 1 ? 's' : ''}`);
  L.push(`  NLL (mean per row, nats)            ${e.nll.toFixed(4)}`);
  L.push(`  RMSE of the predictive mean         ${e.rmse.toFixed(4)}${e.columns.length > 1 ? `  (${e.columns.map((c, j) => `${c} ${e.rmsePerColumn[j]!.toFixed(4)}`).join(', ')})` : ''}`);
  L.push(`  coverage of integer central intervals [q((1-l)/2), q((1+l)/2)] (>= l when calibrated):`);
  for (const c of e.coverage) L.push(`    ${(c.level * 100).toFixed(0).padStart(3)}%  ${(c.overall * 100).toFixed(1).padStart(5)}%`);
  L.push(`  randomized PIT F(y-1) + v P(y) (uniform when calibrated; KS distance ${e.pit.ksDistance.toFixed(4)}):`);
  const total = e.pit.counts.reduce((a, v) => a + v, 0);
  const max = Math.max(...e.pit.counts, 1);
  e.pit.counts.forEach((c, b) => {
    L.push(`    [${(b / 10).toFixed(1)}, ${((b + 1) / 10).toFixed(1)})  ${'#'.repeat(Math.round((40 * c) / max)).padEnd(40)} ${((100 * c) / Math.max(1, total)).toFixed(1)}%`);
  });
  return L.join('\n') + '\n';
}
