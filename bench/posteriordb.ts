/**
 * posteriordb check of tfp.mcmc.windowedAdaptiveNuts with its default settings (4 chains, 1000 warm-up
 * steps, 1000 draws, seed 1) on the posteriors summarized in
 * packages/tfjs-probability/test/fixtures/posteriordb (reference: posteriordb's 10 x 1000 Stan draws).
 * Criterion per parameter: |mean - ref mean| <= 0.1 ref sd + 4 MCSE, sd within 15%, R-hat <= 1.01,
 * bulk ESS >= 400.
 *
 *   npx tsx bench/posteriordb.ts [--backend wasm|cpu] [--write [--fresh]] [name ...]
 *
 * A fixture's `settings` (e.g. `{"metric": "dense"}` for diamonds-diamonds) override the defaults for that
 * posterior and are shown in its row; `--settings '{"metric": "diag"}'` overrides them for every posterior of
 * the run (`{}`: the defaults). `--progress N` prints the step, batched gradients and seconds every N steps.
 *
 * Prints one line per posterior and the failing parameters; `--write` also stores bench/out/posteriordb.json
 * and replaces the posteriordb section of bench/RESULTS.md with its rows: those of this run plus those of
 * earlier `--write` runs of other posteriors (unless `--fresh`), so posteriors can run one at a time.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import '../packages/tfjs-probability/src/node.js';
import { ready } from '../packages/tfjs-probability/src/backend.js';
import { windowedAdaptiveNuts } from '../packages/tfjs-probability/src/mcmc/windowed_nuts.js';
import { ess, mcse, rhat, toChains } from '../packages/tfjs-probability/src/mcmc/diagnostics_host.js';
import { buildModel, checkParam, loadPosterior, posteriorNames, type ParamCheck, type SamplerSettings } from '../packages/tfjs-probability/test/mcmc/posteriordb_models.js';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const flag = (n: string): string | undefined => {
  const i = argv.indexOf(n);
  return i >= 0 ? argv[i + 1] : undefined;
};
const backend = flag('--backend') ?? 'wasm';
const write = argv.includes('--write');
const settingsOverride = flag('--settings') !== undefined ? (JSON.parse(flag('--settings')!) as SamplerSettings) : undefined;
const progressEvery = Number(flag('--progress') ?? 0);
const names = argv.filter((a, i) => !a.startsWith('--') && !['--backend', '--settings', '--progress'].includes(argv[i - 1]!));

export interface PosteriorResult {
  posterior: string;
  /** Settings other than the defaults (empty: the defaults). */
  settings?: SamplerSettings;
  numParams: number;
  ok: boolean;
  seconds: number;
  samplingSeconds: number;
  numEvaluations: number;
  date: string;
  load: [number, number];
  leapfrogs: number;
  meanTreeDepth: number;
  divergences: number;
  minEssBulk: number;
  maxRHat: number;
  failures: string[];
  checks: ParamCheck[];
}

async function runOne(name: string): Promise<PosteriorResult> {
  const f = loadPosterior(name);
  const model = buildModel(f);
  const settings = settingsOverride ?? f.settings ?? {};
  const l0 = loadavg()[0]!;
  const t0 = performance.now();
  try {
    const r = await windowedAdaptiveNuts({
      targetLogProbFn: model.targetLogProbFn,
      parts: model.parts,
      seed: 1,
      ...settings,
      ...(progressEvery > 0 ? {
        onProgress: (p: { step: number; numSteps: number; numEvaluations: number; numDivergences: number }) => {
          if (p.step % progressEvery === 0) console.log(`  ${name} step ${p.step}/${p.numSteps}: ${p.numEvaluations} batched gradients, ${p.numDivergences} divergences, ${((performance.now() - t0) / 1000).toFixed(0)} s, load ${loadavg()[0]!.toFixed(1)}`);
        },
      } : {}),
    });
    const t1 = performance.now();
    const draws = model.extract(r.states);
    const diag = { ess: (c: Float64Array[]) => ess(c, 'bulk'), rhat: (c: Float64Array[]) => rhat(c), mcse: (c: Float64Array[]) => mcse(c, 'mean'), toChains };
    const checks = Object.entries(f.reference).filter(([k]) => k in draws).map(([k, ref]) => checkParam(k, draws[k]!, 1000, 4, ref, diag));
    const leap = await r.trace.numLeapfrogSteps.data();
    const depth = await r.trace.treeDepth.data();
    const div = await r.trace.divergent.data();
    const total = (a: ArrayLike<number>): number => Array.from(a).reduce((x, y) => x + y, 0);
    tf.dispose([...Object.values(r.states), ...Object.values(r.trace)]);
    return {
      posterior: name,
      settings,
      numParams: Object.keys(f.reference).length,
      ok: checks.every((c) => c.ok),
      seconds: (t1 - t0) / 1000,
      samplingSeconds: r.timing.samplingMs / 1000,
      numEvaluations: r.numEvaluations,
      date: new Date().toISOString(),
      load: [l0, loadavg()[0]!],
      leapfrogs: total(leap),
      meanTreeDepth: total(depth) / depth.length,
      divergences: total(div),
      minEssBulk: Math.min(...checks.map((c) => c.essBulk)),
      maxRHat: Math.max(...checks.map((c) => c.rHat)),
      failures: checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.why.join(', ')}`),
      checks,
    };
  } finally {
    model.dispose();
  }
}

async function main(): Promise<void> {
  await ready({ backend });
  const list = names.length ? names : posteriorNames();
  const load0 = loadavg()[0]!;
  const results: PosteriorResult[] = [];
  for (const name of list) {
    const r = await runOne(name);
    results.push(r);
    console.log(
      `${r.ok ? 'PASS' : 'FAIL'} ${name.padEnd(44)} ${settingsText(r.settings).padEnd(10)} ${r.seconds.toFixed(1).padStart(7)} s  evals ${String(r.numEvaluations).padStart(7)}  ` +
        `depth ${r.meanTreeDepth.toFixed(2)}  div ${r.divergences}  min ESS ${r.minEssBulk.toFixed(0)}  max R-hat ${r.maxRHat.toFixed(4)}`,
    );
    for (const fl of r.failures) console.log(`     ${fl}`);
    if (write) {
      // Re-read before each write: runs of other posteriors may have added rows meanwhile.
      const all = new Map<string, PosteriorResult>(argv.includes('--fresh') ? [] : previousResults().map((p) => [p.posterior, p]));
      for (const x of results) all.set(x.posterior, x);
      writeResults([...all.values()].sort((a, b) => a.posterior.localeCompare(b.posterior)));
    }
  }
  console.log(`${results.filter((r) => r.ok).length}/${results.length} pass; load average ${load0.toFixed(1)} -> ${loadavg()[0]!.toFixed(1)} on 2 cores; backend ${backend}`);
}

/** The settings column: `defaults`, or the settings given (e.g. `metric dense`). */
function settingsText(s: SamplerSettings | undefined): string {
  const e = Object.entries(s ?? {});
  return e.length ? e.map(([k, v]) => `${k} ${String(v)}`).join(', ') : 'defaults';
}

const outPath = join(here, 'out', 'posteriordb.json');

/** Rows of earlier `--write` runs (bench/out/posteriordb.json), kept unless rerun here or `--fresh` is given. */
function previousResults(): PosteriorResult[] {
  if (!existsSync(outPath)) return [];
  const prev = JSON.parse(readFileSync(outPath, 'utf8')) as { backend?: string; results?: PosteriorResult[] };
  return prev.backend === backend && Array.isArray(prev.results) ? prev.results.filter((r) => Array.isArray(r.load)) : [];
}

/**
 * Rows of the RESULTS.md table for posteriors not in `results` (kept verbatim, unless `--fresh`), so that a
 * checkout without bench/out/posteriordb.json keeps the other rows; rows written before the settings column
 * existed were run with the defaults. Also the earliest date of the table's heading.
 */
function keptRows(md: string, results: PosteriorResult[]): { rows: string[]; loads: number[]; date?: string } {
  const start = md.indexOf('## posteriordb: ');
  if (start < 0 || argv.includes('--fresh')) return { rows: [], loads: [] };
  const end = md.indexOf('\n## ', start + 5);
  const lines = md.slice(start, end < 0 ? undefined : end).split('\n');
  const done = new Set(results.map((r) => r.posterior));
  const rows: string[] = [];
  const loads: number[] = [];
  for (const line of lines) {
    const cells = line.split(' | ');
    if (!line.startsWith('| ') || line.startsWith('| posterior |') || done.has(cells[0]!.slice(2))) continue;
    if (cells.length === 11) cells.splice(1, 0, 'defaults');
    loads.push(...cells[10]!.split('-').map(Number).filter(Number.isFinite));
    rows.push(cells.join(' | '));
  }
  return { rows, loads, ...(/\((\d{4}-\d\d-\d\d)/.exec(lines[2] ?? '')?.[1] ? { date: /\((\d{4}-\d\d-\d\d)/.exec(lines[2]!)![1]! } : {}) };
}

/** Writes bench/out/posteriordb.json and the RESULTS.md section (after every posterior, so a long run keeps what it has). */
function writeResults(results: PosteriorResult[]): void {
  mkdirSync(join(here, 'out'), { recursive: true });
  writeFileSync(outPath, JSON.stringify({ backend, results }, null, 1));
  const path = join(here, 'RESULTS.md');
  const md = readFileSync(path, 'utf8');
  const kept = keptRows(md, results);
  const loads = [...results.flatMap((r) => r.load), ...kept.loads];
  const dates = [...results.map((r) => r.date.slice(0, 10)), ...(kept.date ? [kept.date] : [])].sort();
  const rows = [...results.map((r) =>
    `| ${r.posterior} | ${settingsText(r.settings)} | ${r.numParams} | ${r.ok ? 'pass' : 'FAIL'} | ${r.minEssBulk.toFixed(0)} | ${r.maxRHat.toFixed(3)} | ${r.divergences} | ${r.meanTreeDepth.toFixed(1)} | ${r.numEvaluations} | ${r.seconds.toFixed(0)} | ${r.load.map((l) => l.toFixed(1)).join('-')} | ${r.failures.length ? r.failures.join('; ') : ''} |`), ...kept.rows]
    .sort((a, b) => a.localeCompare(b));
  const numPass = rows.filter((r) => r.split(' | ')[3] === 'pass').length;
  const section = [
    '## posteriordb: windowedAdaptiveNuts against reference posteriors',
    '',
    `\`npx tsx bench/posteriordb.ts --write\` (${dates[0]}${dates[dates.length - 1] !== dates[0] ? ` to ${dates[dates.length - 1]}` : ''}, backend ${backend}, default settings: 4 independent chains (restartStuckChains on), 1000 warm-up, 1000 draws, seed 1, diagonal metric, tree depth up to 10, unless the settings column says otherwise; 1-minute load average ${Math.min(...loads).toFixed(1)} to ${Math.max(...loads).toFixed(1)} on 2 cores, per row in the load column: where it is far above 2 the seconds are inflated). Criterion per parameter: mean within 0.1 sd + 4 MCSE of posteriordb's reference, sd within 15%, R-hat <= 1.01, bulk ESS >= 400. ${numPass} of ${rows.length} posteriors pass. Batched gradients: model evaluations, each serving all chains that wait for one.`,
    '',
    '| posterior | settings | params | result | min bulk ESS | max R-hat | divergences | mean tree depth | batched gradients | seconds | load | failing parameters |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
  const start = md.indexOf('## posteriordb: ');
  const next = start >= 0 ? md.indexOf('\n## ', start + 5) : -1;
  const out = start < 0 ? `${md.trimEnd()}\n\n${section}` : md.slice(0, start) + section + (next >= 0 ? `\n${md.slice(next + 1)}` : '');
  writeFileSync(path, out);
}

await main();
