/**
 * tfp.mcmc against Stan (rstan, Debian's r-cran-rstan) on the same posteriordb models, side by side in one
 * run: Stan's defaults (4 chains x (1000 warm-up + 1000 draws), one core, chains one after another) against
 * windowedAdaptiveNuts' defaults (the same numbers; 4 independent chains as one batch) and the library's
 * recommended throughput setting, windowedAdaptiveHmc's defaults (128 chains x (300 warm-up + 500 draws), ChEES
 * trajectory lengths; --hmc-chains, --hmc-warmup, --hmc-draws change them); with --many-chains also NUTS with
 * many chains (x (--many-warmup 300 + --many-draws 100)).
 * Stan's runs are cached in bench/stan/results/<model>.json (with date and load), so the tfp side reruns alone.
 *
 *   npx tsx bench/stan.ts [--backend wasm|cpu] [--chains 4] [--many-chains 128 --many-warmup 300 --many-draws 100]
 *                         [--hmc-chains 128 --hmc-warmup 300 --hmc-draws 500] [--no-nuts] [--rerun-stan | --stan-only] [--write] [model ...]
 *
 * Reports per model: whether every reference parameter passes the posteriordb check (bench/posteriordb.ts)
 * and the largest R-hat, sampling ESS/s (min bulk ESS over parameters / sampling seconds; Stan's own timers,
 * compile excluded), end-to-end seconds as a user waits (Stan: compile + warm-up + sampling), the cost per
 * leapfrog step, and the floor of tfp's cost: kernel launches per batched gradient x the measured cost of
 * one launch. Needs `apt-get install r-cran-rstan` and BH's include folder pointing at the system Boost
 * headers (Debian's r-cran-bh ships none): mkdir -p /usr/lib/R/site-library/BH/include &&
 * ln -s /usr/include/boost /usr/lib/R/site-library/BH/include/boost
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import '../packages/tfjs-probability/src/node.js';
import { ready } from '../packages/tfjs-probability/src/backend.js';
import { windowedAdaptiveNuts } from '../packages/tfjs-probability/src/mcmc/windowed_nuts.js';
import { windowedAdaptiveHmc } from '../packages/tfjs-probability/src/mcmc/windowed_hmc.js';
import { FlatTarget } from '../packages/tfjs-probability/src/mcmc/target.js';
import { ess, mcse, rhat, toChains } from '../packages/tfjs-probability/src/mcmc/diagnostics_host.js';
import { buildModel, checkParam, loadPosterior, type PosteriorFixture } from '../packages/tfjs-probability/test/mcmc/posteriordb_models.js';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const flag = (n: string): string | undefined => (argv.includes(n) ? argv[argv.indexOf(n) + 1] : undefined);
const backend = flag('--backend') ?? 'wasm';
const chains = Number(flag('--chains') ?? 4);
// NUTS with many chains (windowedAdaptiveNuts numChains docs), when --many-chains is given.
const manyChains = Number(flag('--many-chains') ?? 0);
const manyWarmup = Number(flag('--many-warmup') ?? 300);
const manyDraws = Number(flag('--many-draws') ?? 100);
// windowedAdaptiveHmc: its defaults unless --hmc-chains, --hmc-warmup or --hmc-draws say otherwise.
const hmcFlags = ['--hmc-chains', '--hmc-warmup', '--hmc-draws'].filter((n) => argv.includes(n));
const hmcSetting: Setting = {
  label: hmcFlags.length ? 'windowedAdaptiveHmc' : 'windowedAdaptiveHmc defaults', sampler: 'hmc',
  chains: Number(flag('--hmc-chains') ?? 128), warmup: Number(flag('--hmc-warmup') ?? 300), draws: Number(flag('--hmc-draws') ?? 500),
};
const write = argv.includes('--write');
const rerunStan = argv.includes('--rerun-stan');
const stanOnly = argv.includes('--stan-only');
/** Regression fixtures run through bench/stan/regression.stan (priors as data; the same posterior as the posteriordb program). */
function regressionData(f: PosteriorFixture): unknown {
  const { N, K, X, y } = f.data as { N: number; K: number; X: number[]; y: number[] };
  const code = (p: { dist: string }): number => ['flat', 'normal', 'cauchy', 'student_t'].indexOf(p.dist);
  const num = (p: Record<string, unknown>, k: string, d: number): number => (typeof p[k] === 'number' ? (p[k] as number) : d);
  const pr = f.priors!;
  return {
    N, K, X: Array.from({ length: N }, (_, i) => X.slice(i * K, (i + 1) * K)), y,
    prior_kind: pr.coef.map(code), prior_loc: pr.coef.map((p) => num(p, 'loc', 0)), prior_scale: pr.coef.map((p) => num(p, 'scale', 1)), prior_df: pr.coef.map((p) => num(p, 'df', 1)),
    sigma_kind: code(pr.sigma), sigma_loc: num(pr.sigma, 'loc', 0), sigma_scale: num(pr.sigma, 'scale', 1), sigma_df: num(pr.sigma, 'df', 1),
  };
}
/** Stan's parameter names -> the reference's (regression.stan calls them coef[k] and sigma). */
function regressionNames(f: PosteriorFixture): Record<string, string> {
  return { ...Object.fromEntries(f.names!.coef.map((n, i) => [`coef[${i + 1}]`, n])), sigma: f.names!.sigma };
}
const MODELS: Record<string, { posterior: string; stan: string; data: (f: PosteriorFixture) => unknown; rename?: (f: PosteriorFixture) => Record<string, string> }> = {
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
  kidscore_momiq: { posterior: 'kidiq-kidscore_momiq', stan: 'regression', data: regressionData, rename: regressionNames },
  logmesquite_logvas: { posterior: 'mesquite-logmesquite_logvas', stan: 'regression', data: regressionData, rename: regressionNames },
  arK: { posterior: 'arK-arK', stan: 'regression', data: regressionData, rename: regressionNames },
};
const names = argv.filter((a, i) => !a.startsWith('--') && !['--backend', '--chains', '--many-chains', '--many-warmup', '--many-draws', '--hmc-chains', '--hmc-warmup', '--hmc-draws'].includes(argv[i - 1] ?? '')).filter((a) => a in MODELS);

interface StanOut { compile: number; warmup: number; sampling: number; wall: number; leapfrogWarmup: number; leapfrogSampling: number; ess: Record<string, number> }
/** A cached Stan run (bench/stan/results/<model>.json): when and under what load it ran. */
interface StanCached extends StanOut { model: string; date: string; load: [number, number]; rstan: string; command: string }

const cacheDir = join(here, 'stan', 'results');

function runStan(name: string, f: PosteriorFixture, dir: string): StanCached {
  const m = MODELS[name]!;
  const dataPath = join(dir, `${name}.json`);
  writeFileSync(dataPath, JSON.stringify(m.data(f)));
  const l0 = loadavg()[0]!;
  const r = spawnSync('Rscript', [join(here, 'stan_run.R'), join(here, 'stan', `${m.stan}.stan`), dataPath, '1'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`stan_run.R failed for ${name}: ${r.stderr.slice(-2000)}`);
  const out = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as StanOut & { rstan?: string };
  const rename = m.rename?.(f) ?? {};
  const ess = Object.fromEntries(Object.entries(out.ess).map(([k, v]) => [rename[k] ?? k, v]));
  const cached: StanCached = {
    model: name, date: new Date().toISOString(), load: [l0, loadavg()[0]!], rstan: out.rstan ?? 'unknown',
    command: `Rscript bench/stan_run.R bench/stan/${m.stan}.stan <data> 1`, ...out, ess,
  };
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(join(cacheDir, `${name}.json`), `${JSON.stringify(cached, null, 1)}\n`);
  return cached;
}

/** Stan's result for a model: the cached run unless `--rerun-stan` (or none is cached). */
function stanResult(name: string, f: PosteriorFixture, dir: string): StanCached {
  const path = join(cacheDir, `${name}.json`);
  if (!rerunStan && existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as StanCached;
  return runStan(name, f, dir);
}

/**
 * CPU microseconds (this process) per launch of a small elementwise op: the per-launch overhead of the
 * backend. 100 launches per tidy scope, as inside a gradient (a scope per launch would add its own cost).
 */
function launchCost(): number {
  const a = tf.ones([4]);
  const rounds = 60;
  const burst = (): void => tf.tidy(() => {
    let x = a;
    for (let i = 0; i < 100; i++) x = tf.add(x, a);
  });
  for (let i = 0; i < 10; i++) burst();
  const c0 = cpuMs();
  for (let i = 0; i < rounds; i++) burst();
  const us = ((cpuMs() - c0) * 1000) / (rounds * 100);
  a.dispose();
  return us;
}

/** CPU milliseconds used by this process so far (user + system): steadier than wall time on a shared machine. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Kernel launches of one batched value-and-gradient of the model (its bijectors and split included). */
async function launchesPerGradient(f: PosteriorFixture, numChains: number): Promise<number> {
  const model = buildModel(f);
  try {
    const names = Object.keys(model.parts);
    const target = new FlatTarget((ts) => model.targetLogProbFn(Object.fromEntries(names.map((n, i) => [n, ts[i]!]))),
      names.map((n) => ({ name: n, ...model.parts[n]! })), numChains);
    const x = new Float64Array(numChains * target.dim).fill(0.1);
    await target.evaluate(x);
    const info = await tf.profile(async () => {
      await target.evaluate(x);
    });
    return info.kernels.length;
  } finally {
    model.dispose();
  }
}

interface Setting { label: string; sampler: 'nuts' | 'hmc'; chains: number; warmup: number; draws: number }
interface TfpOut { total: number; totalCpu: number; sampling: number; samplingCpu: number; evals: number; minEss: number; maxRhat: number; failing: string[] }

const diag = { ess: (c: Float64Array[]) => ess(c, 'bulk'), rhat: (c: Float64Array[]) => rhat(c), mcse: (c: Float64Array[]) => mcse(c, 'mean'), toChains };

async function runTfp(f: PosteriorFixture, st: Setting): Promise<TfpOut> {
  const model = buildModel(f);
  try {
    const t0 = performance.now();
    const c0 = cpuMs();
    const args = { targetLogProbFn: model.targetLogProbFn, parts: model.parts, numChains: st.chains, numAdaptationSteps: st.warmup, numDraws: st.draws, seed: 1 };
    const r = st.sampler === 'nuts' ? await windowedAdaptiveNuts(args) : await windowedAdaptiveHmc(args);
    const t1 = performance.now();
    const cpu = cpuMs() - c0;
    const draws = model.extract(r.states);
    const checks = Object.entries(f.reference).filter(([k]) => k in draws).map(([k, ref]) => checkParam(k, draws[k]!, st.draws, st.chains, ref, diag));
    const minEss = Math.min(...checks.map((c) => c.essBulk));
    const share = r.timing.samplingMs / (r.timing.warmupMs + r.timing.samplingMs);
    const out = {
      total: (t1 - t0) / 1000, totalCpu: cpu / 1000, sampling: r.timing.samplingMs / 1000, samplingCpu: (cpu * share) / 1000, evals: r.numEvaluations, minEss,
      maxRhat: Math.max(...checks.map((c) => c.rHat)), failing: checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.why.join(', ')}`),
    };
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
  const load0 = loadavg()[0]!;
  if (stanOnly) {
    for (const name of list) {
      const s = runStan(name, loadPosterior(MODELS[name]!.posterior), dir);
      console.log(`${name}: compile ${s.compile.toFixed(1)} s, warm-up ${s.warmup.toFixed(3)} s, sampling ${s.sampling.toFixed(3)} s, load ${s.load.map((l) => l.toFixed(1)).join('-')}`);
    }
    return;
  }
  const settings: Setting[] = [
    ...(argv.includes('--no-nuts') ? [] : [{ label: 'NUTS defaults', sampler: 'nuts' as const, chains, warmup: 1000, draws: 1000 }]),
    ...(manyChains > 0 ? [{ label: 'NUTS many chains', sampler: 'nuts' as const, chains: manyChains, warmup: manyWarmup, draws: manyDraws }] : []),
    hmcSetting,
  ];
  console.log(`backend ${backend}; load ${load0.toFixed(1)}; settings ${settings.map((s) => `${s.label}: ${s.chains} chains x (${s.warmup} + ${s.draws})`).join(', ')}`);
  for (const name of list) {
    const f = loadPosterior(MODELS[name]!.posterior);
    const stan = stanResult(name, f, dir);
    const stanMinEss = Math.min(...Object.entries(stan.ess).filter(([k]) => k in f.reference).map(([, v]) => v));
    const stanEssS = stanMinEss / stan.sampling;
    const stanE2E = stan.compile + stan.warmup + stan.sampling;
    const stanPerLeap = (stan.sampling / stan.leapfrogSampling) * 1e6;
    for (const st of settings) {
      const la = loadavg()[0]!;
      const tfp = await runTfp(f, st);
      const launches = await launchesPerGradient(f, st.chains);
      // Measured beside each run, in CPU time of this process (on a loaded machine wall time moves with the load).
      const perLaunch = launchCost();
      const lb = loadavg()[0]!;
      const tfpEssS = tfp.minEss / tfp.samplingCpu;
      const perGrad = (tfp.totalCpu / tfp.evals) * 1e6;
      const floor = launches * perLaunch;
      for (const fl of tfp.failing) console.log(`     ${fl}`);
      const line = `| ${name} | ${st.label}: ${st.chains} x (${st.warmup} + ${st.draws}) | ${tfp.failing.length ? 'FAIL' : 'pass'} | ${tfp.maxRhat.toFixed(3)} | ${stanEssS.toFixed(0)} | ${tfpEssS.toFixed(0)} | ${(tfpEssS / stanEssS).toFixed(3)} | ` +
        `${stanE2E.toFixed(0)} (${stan.compile.toFixed(0)} compile) | ${tfp.total.toFixed(0)} (${tfp.totalCpu.toFixed(0)} CPU) | ${stanMinEss.toFixed(0)} / ${tfp.minEss.toFixed(0)} | ${stanPerLeap.toFixed(1)} | ` +
        `${perGrad.toFixed(0)} (${(perGrad / st.chains).toFixed(1)} per chain) | ${launches} x ${perLaunch.toFixed(1)} = ${floor.toFixed(0)} (${(perGrad / floor).toFixed(1)}x) | ${stan.load.map((l) => l.toFixed(1)).join('-')} / ${la.toFixed(1)}-${lb.toFixed(1)} |`;
      console.log(line);
      lines.push(line);
      if (write) writeSection(lines);
    }
  }
}

function writeSection(lines: string[]): void {
  const section = [
    '## tfp.mcmc against Stan (rstan) on posteriordb models',
    '',
    `\`npx tsx bench/stan.ts --write\` (${new Date().toISOString().slice(0, 10)}, tfp on ${backend}, seed 1). Stan: rstan ${'2.21'} from Debian at its defaults (4 chains x (1000 warm-up + 1000 draws), one core, chains in sequence), read from bench/stan/results/<model>.json, each stamped with the date and the load of its run (\`--rerun-stan\` reruns it; \`--stan-only\` runs only Stan). tfp: windowedAdaptiveNuts with its defaults (4 independent chains, 1000 + 1000), and windowedAdaptiveHmc with its defaults (128 chains in lockstep, 300 warm-up steps + 500 draws, ChEES-adapted trajectory lengths: the library's recommended setting for throughput), one process, single-threaded wasm. Check: every reference parameter passes the posteriordb criterion (mean within 0.1 sd + 4 MCSE, sd within 15%, R-hat <= 1.01, bulk ESS >= 400), with the largest R-hat beside it. **Times are CPU seconds of the process** where marked (Stan's own timers are clock(), CPU time, in Stan 2.21), because the machine is 2 cores shared with other jobs (load: Stan's run / tfp's run, 1-minute averages); end-to-end columns are wall time, as a user waits. ESS/s: the smallest bulk ESS over the reference parameters per second of sampling (Stan: compile and warm-up excluded; tfp: the CPU time of the run times the wall-time share of its sampling phase, counted from the moment the first chain starts drawing). End-to-end: Stan's compile + warm-up + sampling; tfp's whole call. Per-gradient cost: Stan's sampling time per leapfrog (one chain); tfp's CPU time per batched gradient over the whole run (all chains at once, and per chain). Floor: kernel launches per batched gradient (tf.profile) x the CPU cost of one launch of a small add measured in the same run, and how far the batched gradient is above it.`,
    '',
    '| model | tfp setting | check | max R-hat | Stan ESS/s | tfp ESS/s (CPU) | ratio | Stan end-to-end s | tfp end-to-end s | min ESS Stan / tfp | Stan us/leapfrog | tfp CPU us/gradient | tfp floor us | load |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
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
