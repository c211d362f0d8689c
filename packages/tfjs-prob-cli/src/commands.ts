/**
 * The subcommands: fit, predict, sample, evaluate, plot. Each validates its
 * arguments and inputs first, computes everything, and only then writes its
 * output (atomically for files), so a failure leaves no partial output.
 */
import * as tf from '@tensorflow/tfjs';
import { basename } from 'node:path';
import { CliError } from './errors.js';
import { readTable, parseColumnList, pick, toCsv, formatNumber, type Table } from './csv.js';
import { writeFileAtomic, type CliIo } from './io.js';
import { evaluate, pitHistogramText, centralInterval, type Evaluation } from './metrics.js';
import { DEFAULT_MC_SAMPLES } from './bayesian.js';
import { disposeFitted, fitModel, loadFitted, parseHead, saveFitted, type Fitted, type TrainOptions } from './model.js';
import { buildSpec, renderSvg, svgToPng, type PlotSeries } from './plot.js';
import { Predictive } from './predictive.js';
import { makeReporter } from './progress.js';
import { baselineLine, baselineNll, fitBaseline, noZerosNote } from './baseline.js';
import { CountPredictive, checkCountTargets, countEvaluationText, evaluateCounts, isCountHead, type CountEvaluation } from './count.js';

// ------------------------------------------------------------------ option parsing

export function intOption(v: string | undefined, name: string, def: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (v === undefined) return def;
  if (!/^[+-]?\d+$/.test(v.trim())) throw new CliError(`option ${name}: expected an integer; got "${v}"`);
  const n = Number(v);
  if (n < min || n > max) throw new CliError(`option ${name}: must be between ${min} and ${max}; got ${n}`);
  return n;
}

export function numOption(v: string | undefined, name: string, def: number, min: number, max: number, open = false): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new CliError(`option ${name}: expected a number; got "${v}"`);
  if (n < min || n > max || (open && (n === min || n === max))) {
    throw new CliError(`option ${name}: must be ${open ? 'strictly ' : ''}between ${min} and ${max}; got ${n}`);
  }
  return n;
}

export function levelsOption(v: string | undefined, def: number[]): number[] {
  if (v === undefined) return def;
  const parts = v.split(',').map((s) => s.trim());
  return parts.map((p) => numOption(p, '--levels', 0, 0, 1, true));
}

function hiddenOption(v: string | undefined, def: number[]): number[] {
  if (v === undefined) return def;
  if (v.trim() === '' || v.trim() === '0' || v.trim().toLowerCase() === 'none') return [];
  return v.split(',').map((s) => intOption(s, '--hidden', 0, 1, 100000));
}

function levelName(l: number): string {
  return String(Math.round(l * 1000) / 10).replace('.', '_');
}

/** Writes to --out atomically, or to stdout. */
function emit(io: CliIo, out: string | undefined, text: string): void {
  if (out) writeFileAtomic(out, text);
  else io.stdout.write(text);
}

// ------------------------------------------------------------------ fit

export interface FitArgs {
  x?: string;
  y?: string;
  head?: string;
  hidden?: string;
  epochs?: string;
  batchSize?: string;
  lr?: string;
  valSplit?: string;
  patience?: string;
  ensemble?: string;
  seed?: string;
  out?: string;
  quiet?: boolean;
  lrSchedule?: string;
  bayesian?: boolean;
  mcSamples?: string;
  dropMissing?: boolean;
  kernel?: string;
  inducing?: string;
}

export function trainOptionsFrom(a: FitArgs): TrainOptions {
  return {
    head: parseHead(a.head ?? 'normal'),
    hidden: hiddenOption(a.hidden, [64, 64]),
    epochs: intOption(a.epochs, '--epochs', 200, 1, 1_000_000),
    batchSize: intOption(a.batchSize, '--batch-size', 64, 1, 1_000_000),
    lr: numOption(a.lr, '--lr', 3e-3, 0, 10, true),
    valSplit: numOption(a.valSplit, '--val-split', 0.1, 0, 0.9),
    patience: intOption(a.patience, '--patience', 20, 1, 1_000_000),
    ensemble: intOption(a.ensemble, '--ensemble', 1, 1, 100),
    seed: intOption(a.seed, '--seed', 0, 0, 2 ** 31 - 1),
    lrSchedule: scheduleOption(a.lrSchedule),
    ...(a.bayesian ? { bayesian: true, mcSamples: intOption(a.mcSamples, '--mc-samples', DEFAULT_MC_SAMPLES, 1, 10_000) } : {}),
    ...gpOptions(a),
  };
}

/** `--kernel` and `--inducing` (only with `--head gp`). */
function gpOptions(a: FitArgs): Pick<TrainOptions, 'gp'> {
  const isGp = (a.head ?? 'normal').trim().toLowerCase() === 'gp';
  if (!isGp) {
    if (a.inducing !== undefined) throw new CliError('option --inducing: only with --head gp');
    if (a.kernel !== undefined && a.kernel !== 'matern52') throw new CliError('option --kernel: only with --head gp');
    return {};
  }
  if (a.bayesian) throw new CliError('--head gp cannot be combined with --bayesian');
  const kernel = a.kernel ?? 'matern52';
  if (kernel !== 'matern52' && kernel !== 'rbf') throw new CliError(`option --kernel: expected matern52 or rbf; got "${kernel}"`);
  return { gp: { kernel, ...(a.inducing !== undefined ? { inducing: intOption(a.inducing, '--inducing', 0, 1, 20_000) } : {}) } };
}

function scheduleOption(v: string | undefined): 'constant' | 'cosine' {
  if (v === undefined || v === 'constant') return 'constant';
  if (v === 'cosine') return 'cosine';
  throw new CliError(`option --lr-schedule: expected constant or cosine; got "${v}"`);
}

export async function fitCommand(io: CliIo, data: string, a: FitArgs): Promise<void> {
  if (!a.out) throw new CliError('fit: option --out <model-dir> is required');
  const xCols = parseColumnList(a.x, '--x');
  const yCols = parseColumnList(a.y, '--y');
  const both = xCols.find((c) => yCols.includes(c));
  if (both) throw new CliError(`column "${both}" is given both as input (--x) and as target (--y)`);
  const opts = trainOptionsFrom(a);
  if (opts.head.kind === 'mvn-tril' && yCols.length > 64) throw new CliError('--head mvn-tril: at most 64 target columns');
  const table = readTable(data, [...xCols, ...yCols], [], { dropMissing: a.dropMissing === true });
  if (table.dropped > 0) io.stdout.write(`fit: dropped ${table.dropped} rows with a missing value (--drop-missing); ${table.rows} rows left\n`);
  const x = pick(table, xCols);
  const y = pick(table, yCols);
  const counts = isCountHead(opts.head.kind);
  if (counts) {
    checkCountTargets(y, table.rows, yCols, opts.head.kind, data);
    const note = noZerosNote(y, table.rows, yCols, opts.head.kind);
    if (note) io.stdout.write(`${note}\n`);
  }
  const t0 = performance.now();
  const reporter = makeReporter(io.stdout, { quiet: a.quiet });
  let fitted: Fitted;
  try {
    fitted = await fitModel(x, y, table.rows, xCols, yCols, opts, reporter);
  } finally {
    reporter.stop();
  }
  const baseline = fitBaseline(y, table.rows, yCols.length, counts);
  if (baseline) fitted.meta.baseline = baseline;
  try {
    await saveFitted(fitted, a.out);
  } finally {
    disposeFitted(fitted);
  }
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  const what = fitted.gp
    ? `Gaussian process (${fitted.gp.kernel}, ${fitted.gp.mode === 'exact' ? 'exact' : `${fitted.gp.points.length / xCols.length} inducing points`}, L-BFGS ${fitted.gp.evaluations} evaluations)`
    : null;
  if (what) io.stdout.write(`fit: ${what}, head gp, ${table.rows} rows, ${((performance.now() - t0) / 1000).toFixed(1)} s; model written to ${a.out}\n`);
  else io.stdout.write(
    `fit: ${opts.ensemble > 1 ? `ensemble of ${opts.ensemble} networks` : '1 network'}${opts.bayesian ? ` (Bayesian: DenseFlipout, ${opts.mcSamples} passes)` : ''}, head ${fitted.meta.head}, ` +
      `${table.rows} rows, ${secs} s; model written to ${a.out}\n`,
  );
}

// ------------------------------------------------------------------ shared: load model + data

async function withPrediction<T>(
  modelDir: string,
  data: string,
  needTargets: boolean,
  extra: string[],
  fn: (p: Predictive, table: Table, fitted: Fitted, y: Float64Array | null) => Promise<T> | T,
  countFn?: (p: CountPredictive, fitted: Fitted, y: Float64Array | null, table: Table) => Promise<T> | T,
  dropMissing = false,
): Promise<T> {
  const fitted = await loadFitted(modelDir);
  try {
    const { xColumns, yColumns } = fitted.meta;
    const required = needTargets ? [...xColumns, ...yColumns] : xColumns;
    const table = readTable(data, [...required, ...extra.filter((c) => !required.includes(c))], yColumns, { dropMissing });
    const hasY = yColumns.every((c) => table.columns.includes(c));
    const y = hasY ? pick(table, yColumns) : null;
    if (countFn && isCountHead(parseHead(fitted.meta.head).kind)) {
      const cp = new CountPredictive(fitted, pick(table, xColumns), table.rows);
      try {
        return await countFn(cp, fitted, y, table);
      } finally {
        cp.dispose();
      }
    }
    const p = new Predictive(fitted, pick(table, xColumns), table.rows);
    try {
      return await fn(p, table, fitted, y);
    } finally {
      p.dispose();
    }
  } finally {
    disposeFitted(fitted);
  }
}

// ------------------------------------------------------------------ predict

export interface PredictArgs {
  format?: string;
  levels?: string;
  out?: string;
}

export interface RowPrediction {
  row: number;
  mean: Record<string, number>;
  stddev: Record<string, number>;
  covariance?: number[][];
  intervals: Record<string, Record<string, [number, number]>>;
}

/** Per-row summaries (exported for tests and programmatic use). */
export function predictRows(p: Predictive, yCols: string[], levels: number[]): RowPrediction[] {
  const { n, d } = p;
  const mean = p.mean();
  const sd = p.stddev();
  const cov = p.kind === 'mvn-tril' ? p.covariance() : null;
  const ints = levels.map((l) => centralInterval(p, l));
  const rows: RowPrediction[] = [];
  for (let i = 0; i < n; i++) {
    const r: RowPrediction = { row: i + 1, mean: {}, stddev: {}, intervals: {} };
    yCols.forEach((c, j) => {
      r.mean[c] = mean[i * d + j]!;
      r.stddev[c] = sd[i * d + j]!;
    });
    if (cov) r.covariance = Array.from({ length: d }, (_, a) => Array.from({ length: d }, (_, b) => cov[(i * d + a) * d + b]!));
    levels.forEach((l, li) => {
      const iv: Record<string, [number, number]> = {};
      yCols.forEach((c, j) => (iv[c] = [ints[li]!.lower[i * d + j]!, ints[li]!.upper[i * d + j]!]));
      r.intervals[String(l)] = iv;
    });
    rows.push(r);
  }
  return rows;
}

export async function predictCommand(io: CliIo, modelDir: string, data: string, a: PredictArgs): Promise<void> {
  const format = a.format ?? 'csv';
  if (format !== 'csv' && format !== 'json') throw new CliError(`option --format: expected csv or json; got "${format}"`);
  const levels = levelsOption(a.levels, [0.5, 0.9]);
  const text = await withPrediction(modelDir, data, false, [], (p, _t, fitted) => {
    const yCols = fitted.meta.yColumns;
    const rows = predictRows(p, yCols, levels);
    if (format === 'json') {
      return (
        JSON.stringify(
          { model: modelDir, head: fitted.meta.head, networks: fitted.members.length, intervals: p.intervalMethod, rows },
          (_k, v: unknown) => (typeof v === 'number' ? Number(v.toPrecision(7)) : v),
          1,
        ) + '\n'
      );
    }
    const header = ['row'];
    yCols.forEach((c) => header.push(`${c}_mean`, `${c}_sd`));
    if (p.kind === 'mvn-tril') {
      yCols.forEach((ca, a2) => yCols.forEach((cb, b) => b >= a2 && header.push(`cov_${ca}_${cb}`)));
    }
    levels.forEach((l) => yCols.forEach((c) => header.push(`${c}_lo${levelName(l)}`, `${c}_hi${levelName(l)}`)));
    const out = rows.map((r) => {
      const v: number[] = [r.row];
      yCols.forEach((c) => v.push(r.mean[c]!, r.stddev[c]!));
      if (r.covariance) yCols.forEach((_, a2) => yCols.forEach((_2, b) => b >= a2 && v.push(r.covariance![a2]![b]!)));
      levels.forEach((l) => yCols.forEach((c) => v.push(...r.intervals[String(l)]![c]!)));
      return v;
    });
    return toCsv(header, out);
  }, (cp, fitted) => countPredictText(cp, fitted, modelDir, levels, format));
  emit(io, a.out, text);
}

/** `predict` for a count model: mean, sd and integer central intervals [q((1-l)/2), q((1+l)/2)] per target. */
function countPredictText(p: CountPredictive, fitted: Fitted, modelDir: string, levels: number[], format: string): string {
  const yCols = fitted.meta.yColumns;
  const { n, d } = p;
  const mean = p.mean();
  const sd = p.stddev();
  const ints = levels.map((l) => [p.quantile((1 - l) / 2), p.quantile((1 + l) / 2)] as const);
  if (format === 'json') {
    const rows = Array.from({ length: n }, (_, i) => ({
      row: i + 1,
      mean: Object.fromEntries(yCols.map((c, j) => [c, mean[i * d + j]!])),
      stddev: Object.fromEntries(yCols.map((c, j) => [c, sd[i * d + j]!])),
      intervals: Object.fromEntries(
        levels.map((l, li) => [String(l), Object.fromEntries(yCols.map((c, j) => [c, [ints[li]![0][i * d + j]!, ints[li]![1][i * d + j]!]]))]),
      ),
    }));
    const intervals = 'integer quantiles of the predictive pmf: smallest k with F(k) >= p';
    return JSON.stringify({ model: modelDir, head: fitted.meta.head, networks: fitted.members.length, intervals, rows }, (_k, v: unknown) =>
      typeof v === 'number' ? Number(v.toPrecision(7)) : v, 1) + '\n';
  }
  const header = ['row'];
  yCols.forEach((c) => header.push(`${c}_mean`, `${c}_sd`));
  levels.forEach((l) => yCols.forEach((c) => header.push(`${c}_lo${levelName(l)}`, `${c}_hi${levelName(l)}`)));
  const out = Array.from({ length: n }, (_, i) => {
    const v: number[] = [i + 1];
    yCols.forEach((_c, j) => v.push(mean[i * d + j]!, sd[i * d + j]!));
    levels.forEach((_l, li) => yCols.forEach((_c, j) => v.push(ints[li]![0][i * d + j]!, ints[li]![1][i * d + j]!)));
    return v;
  });
  return toCsv(header, out);
}

// ------------------------------------------------------------------ sample

export interface SampleArgs {
  n?: string;
  seed?: string;
  out?: string;
}

export async function sampleCommand(io: CliIo, modelDir: string, data: string, a: SampleArgs): Promise<void> {
  if (a.n === undefined) throw new CliError('sample: option --n <draws per row> is required');
  const s = intOption(a.n, '--n', 0, 1, 100000);
  const seed = intOption(a.seed, '--seed', 0, 0, 2 ** 31 - 1);
  const text = await withPrediction(modelDir, data, false, [], (p, _t, fitted) => {
    const { n, d } = p;
    if (n * s * d > 50_000_000) throw new CliError(`sample: ${n} rows x ${s} draws x ${d} columns is too many values; use fewer draws`);
    const draws = p.sample(s, seed);
    const lines = [['row', 'draw', ...fitted.meta.yColumns].join(',')];
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < s; k++) {
        const base = (i * s + k) * d;
        let line = `${i + 1},${k + 1}`;
        for (let j = 0; j < d; j++) line += ',' + formatNumber(draws[base + j]!);
        lines.push(line);
      }
    }
    return lines.join('\n') + '\n';
  });
  emit(io, a.out, text);
}

// ------------------------------------------------------------------ evaluate

export interface EvaluateArgs {
  format?: string;
  out?: string;
  samples?: string;
  seed?: string;
  dropMissing?: boolean;
}

/** The baseline's NLL on the evaluation targets, when the model carries one. */
function baselineOf(fitted: Fitted, y: Float64Array, rows: number): { kind: string; nll: number } | undefined {
  const b = fitted.meta.baseline;
  return b ? { kind: b.kind, nll: baselineNll(b, y, rows, fitted.meta.yColumns.length) } : undefined;
}

/** Puts the baseline line right after the NLL line of a text report. */
function withBaselineLine(text: string, modelNll: number, base: { kind: string; nll: number } | undefined): string {
  if (!base) return text;
  const lines = text.split('\n');
  const i = lines.findIndex((l) => /^\s+NLL/.test(l));
  lines.splice(i < 0 ? 1 : i + 1, 0, baselineLine(modelNll, base.nll, base.kind as 'gaussian'));
  return lines.join('\n');
}

export function evaluationText(e: Evaluation, modelDir: string, data: string, head: string, networks: number): string {
  const L: string[] = [];
  L.push(`evaluate ${modelDir} on ${data}: ${e.rows} rows, targets ${e.columns.join(', ')}; head ${head}, ${networks === 0 ? 'Gaussian process' : `${networks} network${networks > 1 ? 's' : ''}`}`);
  L.push(`  NLL (mean per row, original units)  ${e.nll.toFixed(4)}`);
  L.push(`  RMSE of the predictive mean         ${e.rmse.toFixed(4)}${e.columns.length > 1 ? `  (${e.columns.map((c, j) => `${c} ${e.rmsePerColumn[j]!.toFixed(4)}`).join(', ')})` : ''}`);
  if (e.scoreKind === 'crps') L.push(`  CRPS (closed form, normal)          ${e.score.toFixed(4)}`);
  else L.push(`  energy score (${e.scoreSamples} draws per row)   ${e.score.toFixed(4)}${e.columns.length === 1 ? '  (= CRPS for one target)' : ''}`);
  L.push(`  coverage of central intervals (${e.intervalMethod}):`);
  for (const c of e.coverage) {
    L.push(`    ${(c.level * 100).toFixed(0).padStart(3)}%  ${(c.overall * 100).toFixed(1).padStart(5)}%${e.columns.length > 1 ? `  (${e.columns.map((col, j) => `${col} ${(c.perColumn[j]! * 100).toFixed(1)}%`).join(', ')})` : ''}`);
  }
  L.push(`  PIT histogram (marginal CDF at the observed value, all target cells):`);
  L.push(pitHistogramText(e.pit.counts));
  return L.join('\n') + '\n';
}

export async function evaluateCommand(io: CliIo, modelDir: string, data: string, a: EvaluateArgs): Promise<Evaluation | CountEvaluation> {
  const format = a.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new CliError(`option --format: expected text or json; got "${format}"`);
  const samples = intOption(a.samples, '--samples', 500, 2, 100000);
  const seed = intOption(a.seed, '--seed', 1, 0, 2 ** 31 - 1);
  let dropped = 0;
  const { text, ev } = await withPrediction<{ text: string; ev: Evaluation | CountEvaluation }>(modelDir, data, true, [], (p, table, fitted, y) => {
    dropped = (table as Table & { dropped?: number }).dropped ?? 0;
    const ev = evaluate(p, y!, fitted.meta.yColumns, { samples, seed });
    const baseline = baselineOf(fitted, y!, table.rows);
    const text =
      format === 'json'
        ? JSON.stringify({ ...ev, pitValues: undefined, head: fitted.meta.head, networks: fitted.members.length, baseline, droppedRows: dropped }, null, 1) + '\n'
        : withBaselineLine(evaluationText(ev, modelDir, data, fitted.meta.head, fitted.members.length), ev.nll, baseline);
    return { text, ev };
  }, (cp, fitted, y, table) => {
    dropped = (table as Table & { dropped?: number }).dropped ?? 0;
    const ev = evaluateCounts(cp, y!, fitted.meta.yColumns, seed);
    const baseline = baselineOf(fitted, y!, table.rows);
    const text =
      format === 'json'
        ? JSON.stringify({ ...ev, head: fitted.meta.head, networks: fitted.members.length, baseline, droppedRows: dropped }, null, 1) + '\n'
        : withBaselineLine(countEvaluationText(ev, modelDir, data, fitted.meta.head, fitted.members.length), ev.nll, baseline);
    return { text, ev };
  }, a.dropMissing === true);
  emit(io, a.out, dropped > 0 && format === 'text' ? `evaluate: dropped ${dropped} rows with a missing value (--drop-missing)\n${text}` : text);
  return ev;
}

// ------------------------------------------------------------------ plot

/** What `plot` needs of a predictive: `[n * d]` means and marginal quantiles. */
export interface IntervalSource {
  n: number;
  d: number;
  mean(): ArrayLike<number>;
  quantile(q: number): ArrayLike<number>;
}

/**
 * One plot series per target column: the means and the 50% and 90% central intervals
 * `[q(0.25), q(0.75)]`, `[q(0.05), q(0.95)]` of each row's marginal (integers for a count model,
 * whose quantiles are the smallest k with F(k) >= q), against the input column's values `xv`.
 */
export function plotSeries(p: IntervalSource, xv: ArrayLike<number>, yColumns: string[], y: Float64Array | null): PlotSeries[] {
  const { n, d } = p;
  const mean = p.mean();
  const [lo50, hi50, lo90, hi90] = [0.25, 0.75, 0.05, 0.95].map((q) => p.quantile(q));
  const col = (arr: ArrayLike<number>, j: number): Float64Array => Float64Array.from({ length: n }, (_, i) => arr[i * d + j]!);
  return yColumns.map((c, j) => ({
    column: c,
    x: Float64Array.from(xv),
    mean: col(mean, j),
    lo50: col(lo50!, j),
    hi50: col(hi50!, j),
    lo90: col(lo90!, j),
    hi90: col(hi90!, j),
    ...(y ? { observed: col(y, j) } : {}),
  }));
}

export interface PlotArgs {
  xCol?: string;
  out?: string;
  title?: string;
}

export async function plotCommand(io: CliIo, modelDir: string, data: string, a: PlotArgs): Promise<void> {
  if (!a.out) throw new CliError('plot: option --out <figure.png|figure.svg> is required');
  const ext = a.out.toLowerCase().endsWith('.svg') ? 'svg' : a.out.toLowerCase().endsWith('.png') ? 'png' : null;
  if (!ext) throw new CliError(`plot: --out must end in .png or .svg; got "${a.out}"`);
  if (!a.xCol) throw new CliError('plot: option --x-col <column> is required');
  const xCol = a.xCol;
  /** The figure from a predictive's means, central intervals and PIT values (normal/mixture or count models). */
  const figure = async (
    p: IntervalSource, xv: ArrayLike<number>, fitted: Fitted, y: Float64Array | null, pit: (y: Float64Array) => ArrayLike<number>,
  ): Promise<Uint8Array | string> => {
    const series = plotSeries(p, xv, fitted.meta.yColumns, y);
    const spec = buildSpec({
      title: a.title ?? `${fitted.meta.head} model (${fitted.gp ? 'Gaussian process' : `${fitted.members.length} network${fitted.members.length > 1 ? 's' : ''}`}) on ${basename(data)}`,
      xColumn: xCol,
      series,
      mode: fitted.meta.xColumns.length === 1 && fitted.meta.xColumns[0] === xCol ? 'band' : 'bars',
      ...(y ? { pit: pit(y) } : {}),
    });
    const svg = await renderSvg(spec);
    return ext === 'svg' ? svg : svgToPng(svg);
  };
  let note = '';
  const bytes = await withPrediction(
    modelDir, data, false, [xCol],
    async (p, table, fitted, y) => figure(p, pick(table, [xCol]), fitted, y, (yy) => p.cdf(yy)),
    // Count models: integer quantile bands and the randomized PIT (the plain PIT is not uniform for counts).
    async (cp, fitted, y, table) => {
      note = ' (count model: integer quantile bands, randomized PIT)';
      return figure(cp, pick(table, [xCol]), fitted, y, (yy) => cp.randomizedPit(yy, 1));
    },
  );
  writeFileAtomic(a.out, bytes);
  io.stdout.write(`plot: wrote ${a.out}${note}\n`);
}

export { tf };
