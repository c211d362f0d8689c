/**
 * Scores of a predictive distribution against observed targets: NLL, RMSE,
 * CRPS (closed form for a single normal marginal, else the sample-based
 * energy score, which equals the CRPS for one target column), coverage of
 * central intervals, and the PIT histogram.
 */
import * as tf from '@tensorflow/tfjs';
import * as tfp from 'tfjs-probability';
import type { Predictive } from './predictive.js';

export interface Evaluation {
  rows: number;
  columns: string[];
  /** Mean negative log-likelihood per row, original units (joint over the target columns). */
  nll: number;
  /** Root mean squared error of the predictive mean, over all cells, and per column. */
  rmse: number;
  rmsePerColumn: number[];
  /** 'crps' (closed form, normal marginals, averaged over columns) or 'energy' (sample-based energy score). */
  scoreKind: 'crps' | 'energy';
  score: number;
  scoreSamples: number | null;
  /** Nominal level -> fraction of cells inside the central interval, overall and per column. */
  coverage: { level: number; overall: number; perColumn: number[] }[];
  intervalMethod: string;
  /** PIT histogram: counts in `bins` equal bins of [0, 1], over all cells. */
  pit: { bins: number; counts: number[] };
  pitValues: Float32Array;
}

/** Central interval `[lower, upper]` (`[n * d]` each) at a nominal level. */
export function centralInterval(p: Predictive, level: number): { lower: Float32Array; upper: Float32Array } {
  return { lower: p.quantile((1 - level) / 2), upper: p.quantile((1 + level) / 2) };
}

/** CRPS of N(mu, sigma) at y: sigma [ z (2 Phi(z) - 1) + 2 phi(z) - 1/sqrt(pi) ], averaged over cells. */
export function crpsNormal(mu: ArrayLike<number>, sigma: ArrayLike<number>, y: ArrayLike<number>): number {
  const t = tf.tidy(() => {
    const s = tf.tensor1d(Float32Array.from(sigma));
    const z = tf.div(tf.sub(tf.tensor1d(Float32Array.from(y)), tf.tensor1d(Float32Array.from(mu))), s);
    const std = new tfp.distributions.Normal({ loc: 0, scale: 1 });
    const phi = std.prob(z);
    const cdf = std.cdf(z);
    std.dispose();
    const c = tf.mul(s, tf.sub(tf.add(tf.mul(z, tf.sub(tf.mul(cdf, 2), 1)), tf.mul(phi, 2)), 1 / Math.sqrt(Math.PI)));
    return tf.mean(c);
  });
  const v = t.dataSync()[0]!;
  t.dispose();
  return v;
}

/**
 * Energy score from `s` draws per row, `[n * s * d]`:
 * ES = mean_k ||X_k - y|| - 1/2 mean_k ||X_k - X_{k+1}|| (the unbiased
 * consecutive-pair estimator of E||X - X'||, linear in s). Averaged over rows.
 */
export function energyScore(draws: ArrayLike<number>, s: number, y: ArrayLike<number>, n: number, d: number): number {
  let total = 0;
  for (let i = 0; i < n; i++) {
    let a = 0;
    let b = 0;
    for (let k = 0; k < s; k++) {
      let e1 = 0;
      let e2 = 0;
      const base = (i * s + k) * d;
      const next = (i * s + ((k + 1) % s)) * d;
      for (let j = 0; j < d; j++) {
        const v = draws[base + j]!;
        e1 += (v - y[i * d + j]!) ** 2;
        e2 += (v - draws[next + j]!) ** 2;
      }
      a += Math.sqrt(e1);
      b += Math.sqrt(e2);
    }
    total += a / s - b / (2 * s);
  }
  return total / n;
}

export function evaluate(
  p: Predictive,
  y: ArrayLike<number>,
  columns: string[],
  opts: { levels?: number[]; samples?: number; seed?: number; bins?: number } = {},
): Evaluation {
  const { n, d } = p;
  const levels = opts.levels ?? [0.5, 0.9, 0.95];
  const bins = opts.bins ?? 10;
  const lp = p.logProb(y);
  let nll = 0;
  for (let i = 0; i < n; i++) nll -= lp[i]!;
  nll /= n;

  const mean = p.mean();
  const sq = new Array<number>(d).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) sq[j]! += (mean[i * d + j]! - y[i * d + j]!) ** 2;
  const rmsePerColumn = sq.map((v) => Math.sqrt(v / n));
  const rmse = Math.sqrt(sq.reduce((a, b) => a + b, 0) / (n * d));

  let scoreKind: 'crps' | 'energy';
  let score: number;
  let scoreSamples: number | null = null;
  if (p.marg.c === 1 && p.kind === 'normal') {
    scoreKind = 'crps';
    score = crpsNormal(mean, p.stddev(), y);
  } else {
    scoreKind = 'energy';
    scoreSamples = opts.samples ?? 500;
    score = energyScore(p.sample(scoreSamples, opts.seed ?? 1), scoreSamples, y, n, d);
  }

  const coverage = levels.map((level) => {
    const { lower, upper } = centralInterval(p, level);
    const inside = new Array<number>(d).fill(0);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) {
        const v = y[i * d + j]!;
        if (v >= lower[i * d + j]! && v <= upper[i * d + j]!) inside[j]!++;
      }
    }
    return { level, overall: inside.reduce((a, b) => a + b, 0) / (n * d), perColumn: inside.map((c) => c / n) };
  });

  const pitValues = p.cdf(y);
  const counts = new Array<number>(bins).fill(0);
  for (const u of pitValues) counts[Math.min(bins - 1, Math.max(0, Math.floor(u * bins)))]!++;

  return {
    rows: n,
    columns,
    nll,
    rmse,
    rmsePerColumn,
    scoreKind,
    score,
    scoreSamples,
    coverage,
    intervalMethod: p.intervalMethod,
    pit: { bins, counts },
    pitValues,
  };
}

/** A text PIT histogram: one bar per bin, scaled to `width` characters, with the uniform expectation marked. */
export function pitHistogramText(counts: number[], width = 40): string {
  const total = counts.reduce((a, b) => a + b, 0);
  const expected = total / counts.length;
  const max = Math.max(...counts, expected);
  const lines: string[] = [];
  counts.forEach((c, i) => {
    const lo = (i / counts.length).toFixed(1);
    const hi = ((i + 1) / counts.length).toFixed(1);
    const len = Math.round((c / max) * width);
    const mark = Math.round((expected / max) * width);
    let bar = '#'.repeat(len).padEnd(width, ' ');
    if (mark < width) bar = bar.slice(0, mark) + (len > mark ? '+' : '|') + bar.slice(mark + 1);
    lines.push(`  [${lo}, ${hi}) ${bar} ${c}`);
  });
  lines.push(`  ('|' marks the uniform expectation, ${expected.toFixed(1)} per bin)`);
  return lines.join('\n');
}
