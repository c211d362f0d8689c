/**
 * posteriordb check of tfp.mcmc.windowedAdaptiveNuts with its default settings (4 chains, 1000 warm-up
 * steps, 1000 draws, seed 1) on the posteriors summarized in
 * packages/tfjs-probability/test/fixtures/posteriordb (reference: posteriordb's 10 x 1000 Stan draws).
 * Criterion per parameter: |mean - ref mean| <= 0.1 ref sd + 4 MCSE, sd within 15%, R-hat <= 1.01,
 * bulk ESS >= 400.
 *
 *   npx tsx bench/posteriordb.ts [--backend wasm|cpu] [--write] [name ...]
 *
 * Prints one line per posterior and the failing parameters; `--write` also stores bench/out/posteriordb.json
 * (read by bench/stan.ts) and replaces the posteriordb section of bench/RESULTS.md.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import '../packages/tfjs-probability/src/node.js';
import { ready } from '../packages/tfjs-probability/src/backend.js';
import { windowedAdaptiveNuts } from '../packages/tfjs-probability/src/mcmc/windowed_nuts.js';
import { ess, mcse, rhat, toChains } from '../packages/tfjs-probability/src/mcmc/diagnostics_host.js';
import { buildModel, checkParam, loadPosterior, posteriorNames, type ParamCheck } from '../packages/tfjs-probability/test/mcmc/posteriordb_models.js';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const flag = (n: string): string | undefined => {
  const i = argv.indexOf(n);
  return i >= 0 ? argv[i + 1] : undefined;
};
const backend = flag('--backend') ?? 'wasm';
const write = argv.includes('--write');
const names = argv.filter((a, i) => !a.startsWith('--') && argv[i - 1] !== '--backend');

export interface PosteriorResult {
  posterior: string;
  numParams: number;
  ok: boolean;
  seconds: number;
  samplingSeconds: number;
  numEvaluations: number;
  samplingEvaluations: number;
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
  let samplingStart = 0;
  let evalsAtSampling = 0;
  const t0 = performance.now();
  try {
    const r = await windowedAdaptiveNuts({
      targetLogProbFn: model.targetLogProbFn,
      parts: model.parts,
      seed: 1,
      onProgress: (p) => {
        if (p.step === 1000) {
          samplingStart = performance.now();
          evalsAtSampling = p.numEvaluations;
        }
      },
    });
    const t1 = performance.now();
    const draws = model.extract(r.states);
    const diag = { ess: (c: Float64Array[]) => ess(c, 'bulk'), rhat: (c: Float64Array[]) => rhat(c), mcse: (c: Float64Array[]) => mcse(c, 'mean'), toChains };
    const checks = Object.entries(f.reference).filter(([k]) => k in draws).map(([k, ref]) => checkParam(k, draws[k]!, 1000, 4, ref, diag));
    const leap = await r.trace.numLeapfrogSteps.sum().data();
    const depth = await r.trace.treeDepth.mean().data();
    const div = await r.trace.divergent.sum().data();
    tf.dispose([...Object.values(r.states), ...Object.values(r.trace)]);
    return {
      posterior: name,
      numParams: Object.keys(f.reference).length,
      ok: checks.every((c) => c.ok),
      seconds: (t1 - t0) / 1000,
      samplingSeconds: (t1 - samplingStart) / 1000,
      numEvaluations: r.numEvaluations,
      samplingEvaluations: r.numEvaluations - evalsAtSampling,
      leapfrogs: leap[0]!,
      meanTreeDepth: depth[0]!,
      divergences: div[0]!,
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
      `${r.ok ? 'PASS' : 'FAIL'} ${name.padEnd(44)} ${r.seconds.toFixed(1).padStart(7)} s  evals ${String(r.numEvaluations).padStart(7)}  ` +
        `depth ${r.meanTreeDepth.toFixed(2)}  div ${r.divergences}  min ESS ${r.minEssBulk.toFixed(0)}  max R-hat ${r.maxRHat.toFixed(4)}`,
    );
    for (const fl of r.failures) console.log(`     ${fl}`);
    if (write) writeResults(results, load0);
  }
  console.log(`${results.filter((r) => r.ok).length}/${results.length} pass; load average ${load0.toFixed(1)} -> ${loadavg()[0]!.toFixed(1)} on 2 cores; backend ${backend}`);
}

/** Writes bench/out/posteriordb.json and the RESULTS.md section (after every posterior, so a long run keeps what it has). */
function writeResults(results: PosteriorResult[], load0: number): void {
  const load1 = loadavg()[0]!;
  mkdirSync(join(here, 'out'), { recursive: true });
  writeFileSync(join(here, 'out', 'posteriordb.json'), JSON.stringify({ backend, load: [load0, load1], results }, null, 1));
  const rows = results.map((r) =>
    `| ${r.posterior} | ${r.numParams} | ${r.ok ? 'pass' : 'FAIL'} | ${r.minEssBulk.toFixed(0)} | ${r.maxRHat.toFixed(3)} | ${r.divergences} | ${r.meanTreeDepth.toFixed(1)} | ${r.seconds.toFixed(0)} | ${r.failures.length ? r.failures.join('; ') : ''} |`);
  const section = [
    '## posteriordb: windowedAdaptiveNuts against reference posteriors',
    '',
    `\`npx tsx bench/posteriordb.ts --write\` (${new Date().toISOString().slice(0, 10)}, backend ${backend}, default settings: 4 chains, 1000 warm-up, 1000 draws, seed 1; load average ${load0.toFixed(1)} -> ${load1.toFixed(1)} on 2 shared cores, so the times are inflated). Criterion per parameter: mean within 0.1 sd + 4 MCSE of posteriordb's reference, sd within 15%, R-hat <= 1.01, bulk ESS >= 400.`,
    '',
    '| posterior | params | result | min bulk ESS | max R-hat | divergences | mean tree depth | seconds | failing parameters |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
  const path = join(here, 'RESULTS.md');
  const md = readFileSync(path, 'utf8');
  const start = md.indexOf('## posteriordb: ');
  const next = start >= 0 ? md.indexOf('\n## ', start + 5) : -1;
  const out = start < 0 ? `${md.trimEnd()}\n\n${section}` : md.slice(0, start) + section + (next >= 0 ? `\n${md.slice(next + 1)}` : '');
  writeFileSync(path, out);
}

await main();
