/**
 * tfp.mcmc against Stan (rstan, Debian's r-cran-rstan) on the same posteriordb models, side by side in one
 * run: Stan's defaults (4 chains x (1000 warm-up + 1000 draws), one core, chains one after another) and
 * windowedAdaptiveNuts' defaults (the same numbers; 4 chains as one batch).
 *
 *   npx tsx bench/stan.ts [--backend wasm|cpu] [--chains 4] [--write] [model ...]
 *
 * Reports per model: sampling ESS/s (min bulk ESS over parameters / sampling seconds; Stan's own timers,
 * compile excluded), end-to-end seconds as a user waits (Stan: compile + warm-up + sampling), the cost per
 * leapfrog step, and the floor of tfp's cost: kernel launches per batched gradient x the measured cost of
 * one launch. Needs `apt-get install r-cran-rstan` and BH's include folder pointing at the system Boost
 * headers (Debian's r-cran-bh ships none): mkdir -p /usr/lib/R/site-library/BH/include &&
 * ln -s /usr/include/boost /usr/lib/R/site-library/BH/include/boost
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import '../packages/tfjs-probability/src/node.js';
import { ready } from '../packages/tfjs-probability/src/backend.js';
import { windowedAdaptiveNuts } from '../packages/tfjs-probability/src/mcmc/windowed_nuts.js';
import { FlatTarget } from '../packages/tfjs-probability/src/mcmc/target.js';
import { ess, toChains } from '../packages/tfjs-probability/src/mcmc/diagnostics_host.js';
import { buildModel, loadPosterior, type PosteriorFixture } from '../packages/tfjs-probability/test/mcmc/posteriordb_models.js';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const flag = (n: string): string | undefined => (argv.includes(n) ? argv[argv.indexOf(n) + 1] : undefined);
const backend = flag('--backend') ?? 'wasm';
const chains = Number(flag('--chains') ?? 4);
const write = argv.includes('--write');
const MODELS: Record<string, { posterior: string; stan: string; data: (f: PosteriorFixture) => unknown }> = {
  eight_schools_noncentered: { posterior: 'eight_schools-eight_schools_noncentered', stan: 'eight_schools_noncentered', data: (f) => ({ J: 8, ...f.data }) },
  gp_regr: { posterior: 'gp_pois_regr-gp_regr', stan: 'gp_regr', data: (f) => ({ N: (f.data['x'] as number[]).length, ...f.data }) },
  arma11: { posterior: 'arma-arma11', stan: 'arma11', data: (f) => ({ T: (f.data['y'] as number[]).length, ...f.data }) },
  low_dim_gauss_mix: { posterior: 'low_dim_gauss_mix-low_dim_gauss_mix', stan: 'low_dim_gauss_mix', data: (f) => ({ N: (f.data['y'] as number[]).length, ...f.data }) },
  blr: {
    posterior: 'sblrc-blr', stan: 'blr',
    data: (f) => {
      const { N, K, X, y } = f.data as { N: number; K: number; X: number[]; y: number[] };
      return { N, D: K, X: Array.from({ length: N }, (_, i) => X.slice(i * K, (i + 1) * K)), y };
    },
  },
};
const names = argv.filter((a, i) => !a.startsWith('--') && !['--backend', '--chains'].includes(argv[i - 1] ?? '')).filter((a) => a in MODELS);

interface StanOut { compile: number; warmup: number; sampling: number; wall: number; leapfrogWarmup: number; leapfrogSampling: number; ess: Record<string, number> }

function runStan(name: string, f: PosteriorFixture, dir: string): StanOut {
  const m = MODELS[name]!;
  const dataPath = join(dir, `${name}.json`);
  writeFileSync(dataPath, JSON.stringify(m.data(f)));
  const r = spawnSync('Rscript', [join(here, 'stan_run.R'), join(here, 'stan', `${m.stan}.stan`), dataPath, '1'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`stan_run.R failed for ${name}: ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as StanOut;
}

/** Microseconds per launch of a small elementwise op (the per-launch overhead of the backend). */
function launchCost(): number {
  const a = tf.ones([4]);
  const n = 3000;
  for (let i = 0; i < 300; i++) tf.tidy(() => tf.add(a, a));
  const t0 = performance.now();
  for (let i = 0; i < n; i++) tf.tidy(() => tf.add(a, a));
  const us = ((performance.now() - t0) * 1000) / n;
  a.dispose();
  return us;
}

/** Kernel launches of one batched value-and-gradient of the model (its bijectors and split included). */
async function launchesPerGradient(f: PosteriorFixture): Promise<number> {
  const model = buildModel(f);
  try {
    const names = Object.keys(model.parts);
    const target = new FlatTarget((ts) => model.targetLogProbFn(Object.fromEntries(names.map((n, i) => [n, ts[i]!]))),
      names.map((n) => ({ name: n, ...model.parts[n]! })), chains);
    const x = new Float64Array(chains * target.dim).fill(0.1);
    await target.evaluate(x);
    const info = await tf.profile(async () => {
      await target.evaluate(x);
    });
    return info.kernels.length;
  } finally {
    model.dispose();
  }
}

async function runTfp(f: PosteriorFixture): Promise<{ total: number; sampling: number; evalsSampling: number; minEss: number }> {
  const model = buildModel(f);
  let ts = 0;
  let es = 0;
  try {
    const t0 = performance.now();
    const r = await windowedAdaptiveNuts({
      targetLogProbFn: model.targetLogProbFn, parts: model.parts, numChains: chains, seed: 1,
      onProgress: (p) => {
        if (p.step === 1000) {
          ts = performance.now();
          es = p.numEvaluations;
        }
      },
    });
    const t1 = performance.now();
    const draws = model.extract(r.states);
    const minEss = Math.min(...Object.keys(f.reference).filter((k) => k in draws).map((k) => ess(toChains(draws[k]!, 1000, chains), 'bulk')));
    const out = { total: (t1 - t0) / 1000, sampling: (t1 - ts) / 1000, evalsSampling: r.numEvaluations - es, minEss };
    tf.dispose([...Object.values(r.states), ...Object.values(r.trace)]);
    return out;
  } finally {
    model.dispose();
  }
}

async function main(): Promise<void> {
  await ready({ backend });
  const dir = mkdtempSync(join(tmpdir(), 'tfp-stan-'));
  const list = names.length ? names : Object.keys(MODELS);
  const lines: string[] = [];
  const perLaunch = launchCost();
  const load0 = loadavg()[0]!;
  console.log(`backend ${backend}, ${chains} chains; one small op launch: ${perLaunch.toFixed(1)} us; load ${load0.toFixed(1)}`);
  for (const name of list) {
    const f = loadPosterior(MODELS[name]!.posterior);
    const la = loadavg()[0]!;
    const stan = runStan(name, f, dir);
    const stanMinEss = Math.min(...Object.entries(stan.ess).filter(([k]) => k in f.reference).map(([, v]) => v));
    const tfp = await runTfp(f);
    const launches = await launchesPerGradient(f);
    // Measured again beside each model: on a loaded machine the launch cost moves with the load.
    const perLaunchHere = launchCost();
    const lb = loadavg()[0]!;
    const stanEssS = stanMinEss / stan.sampling;
    const tfpEssS = tfp.minEss / tfp.sampling;
    const stanE2E = stan.compile + stan.warmup + stan.sampling;
    const tfpPerGrad = (tfp.sampling / tfp.evalsSampling) * 1e6;
    const stanPerLeap = (stan.sampling / stan.leapfrogSampling) * 1e6;
    const floor = launches * perLaunchHere;
    const line = `| ${name} | ${stanEssS.toFixed(0)} | ${tfpEssS.toFixed(0)} | ${(tfpEssS / stanEssS).toFixed(2)} | ${stanE2E.toFixed(1)} (${stan.compile.toFixed(1)} compile) | ${tfp.total.toFixed(1)} | ${stanMinEss.toFixed(0)} / ${tfp.minEss.toFixed(0)} | ${stanPerLeap.toFixed(1)} | ${tfpPerGrad.toFixed(0)} (${(tfpPerGrad / chains).toFixed(0)} per chain) | ${launches} x ${perLaunchHere.toFixed(1)} = ${floor.toFixed(0)} | ${la.toFixed(1)}-${lb.toFixed(1)} |`;
    console.log(line);
    lines.push(line);
  }
  if (!write) return;
  const section = [
    '## tfp.mcmc against Stan (rstan) on posteriordb models',
    '',
    `\`npx tsx bench/stan.ts --write\` (${new Date().toISOString().slice(0, 10)}; rstan 2.21 from Debian, one core, chains in sequence; tfp on ${backend} with ${chains} chains as one batch; both 1000 warm-up + 1000 draws per chain, seed 1). The machine is 2 cores shared with other jobs: the load average (last column) was far above 2, so all times are inflated, tfp's (many small launches) more than Stan's. ESS/s: the smallest bulk ESS over the reference parameters per second of sampling (Stan's own timers; compile and warm-up excluded). End-to-end: what a user waits for a posterior with bulk ESS >= 400 at these defaults (Stan: compile + warm-up + sampling). Per-leapfrog cost: Stan's sampling time / leapfrog steps; tfp's per batched gradient (all chains at once). Floor: kernel launches per batched gradient (tf.profile) x the measured cost of one small launch.`,
    '',
    '| model | Stan ESS/s | tfp ESS/s | ratio | Stan end-to-end s | tfp end-to-end s | min ESS Stan / tfp | Stan us/leapfrog | tfp us/gradient | tfp floor us | load |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...lines,
    '',
  ].join('\n');
  const path = join(here, 'RESULTS.md');
  const md = readFileSync(path, 'utf8');
  const start = md.indexOf('## tfp.mcmc against Stan');
  const next = start >= 0 ? md.indexOf('\n## ', start + 5) : -1;
  writeFileSync(path, start < 0 ? `${md.trimEnd()}\n\n${section}` : md.slice(0, start) + section + (next >= 0 ? `\n${md.slice(next + 1)}` : ''));
}

await main();
