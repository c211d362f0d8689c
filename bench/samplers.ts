/**
 * Samplers against PyTorch, side by side in one run: 10^6 draws of each sampler
 * on tfjs wasm, tfjs cpu and PyTorch with one thread (a long-lived child,
 * bench/torch_samplers.py). Each repetition runs every case on wasm, then cpu,
 * then torch, so all three see the same load; the table gives the median wall
 * time of each and the median over repetitions of the paired ratio
 * tfjs / torch (wall and process CPU time). The draws are read back at the end
 * of each run (torch: its last element), so the time includes the whole
 * computation. The 1-minute load average (`os.loadavg`, as `uptime` shows it)
 * is recorded before and after.
 *
 *   npx tsx bench/samplers.ts [--reps 7] [--n 1000000] [--only <name part>] [--write]
 *
 * `--write` replaces the "Samplers against PyTorch" section of bench/RESULTS.md.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ready } from '../packages/tfjs-probability/src/node.js';
import * as tfd from '../packages/tfjs-probability/src/distributions/index.js';
import { TorchChild } from './torch_child.js';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] ?? dflt : dflt;
};
const REPS = Number(opt('reps', '7'));
const N = Number(opt('n', '1000000'));
const ONLY = opt('only', '');
const WRITE = argv.includes('--write');

/** Name (as torch_samplers.py knows it), the tfjs distribution, and what the tfjs side runs. */
const CASES: Array<[string, () => tfd.Distribution, string]> = [
  ['Poisson rate 0.5', () => new tfd.Poisson({ rate: 0.5 }), 'inversion'],
  ['Poisson rate 30', () => new tfd.Poisson({ rate: 30 }), 'PTRS'],
  ['Poisson rate 1e7', () => new tfd.Poisson({ rate: 1e7 }), 'PTRS'],
  ['Binomial n 1000 p 0.4', () => new tfd.Binomial({ totalCount: 1000, probs: 0.4 }), 'BTRS'],
  ['Binomial n 1e6 p 1e-6', () => new tfd.Binomial({ totalCount: 1e6, probs: 1e-6 }), 'inversion'],
  ['NegativeBinomial r 2 logits 1', () => new tfd.NegativeBinomial({ totalCount: 2, logits: 1 }), 'gamma, then Poisson'],
  ['Gamma a 0.5', () => new tfd.Gamma({ concentration: 0.5, rate: 1 }), 'Marsaglia–Tsang on a + 1, boost'],
  ['Gamma a 3', () => new tfd.Gamma({ concentration: 3, rate: 1 }), 'Marsaglia–Tsang'],
  ['Gamma a 1e6', () => new tfd.Gamma({ concentration: 1e6, rate: 1 }), 'Marsaglia–Tsang'],
  ['Beta 2, 5', () => new tfd.Beta({ concentration1: 2, concentration0: 5 }), 'two gammas'],
  ['StudentT df 5', () => new tfd.StudentT({ df: 5, loc: 0, scale: 1 }), 'normal / √(gamma)'],
  ['TruncatedNormal [-1, 1]', () => new tfd.TruncatedNormal({ loc: 0, scale: 1, low: -1, high: 1 }), 'normal rejection'],
  ['TruncatedNormal [20, 21]', () => new tfd.TruncatedNormal({ loc: 0, scale: 1, low: 20, high: 21 }), 'exponential rejection'],
  ['Normal (reference)', () => new tfd.Normal({ loc: 0, scale: 1 }), 'ziggurat'],
];
const BACKENDS = ['wasm', 'cpu'] as const;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function timeTfjs(backend: string, make: () => tfd.Distribution, seed: number): Promise<{ wall: number; cpu: number }> {
  await tf.setBackend(backend);
  const d = make();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const x = d.sample([N], { seed });
  x.dataSync();
  const c = process.cpuUsage(c0);
  const wall = performance.now() - t0;
  x.dispose();
  d.dispose();
  return { wall, cpu: (c.user + c.system) / 1000 };
}

await ready({ backend: 'wasm' });
const torch = new TorchChild([join(here, 'torch_samplers.py')], 'torch_samplers.py');
const cases = CASES.filter(([name]) => name.includes(ONLY));
const loadBefore = loadavg()[0]!;
const loads: number[] = [loadBefore];
type Times = { wall: number[]; cpu: number[]; ratio: number[]; cpuRatio: number[] };
const times = new Map<string, Record<string, Times>>();
for (const [name] of cases) {
  const rec: Record<string, Times> = {};
  for (const b of [...BACKENDS, 'torch']) rec[b] = { wall: [], cpu: [], ratio: [], cpuRatio: [] };
  times.set(name, rec);
}
console.log(`${N} draws, ${REPS} repetitions after a warm-up, ${cpus().length} cores, 1-min load ${loadBefore.toFixed(1)}`);
for (let r = 0; r <= REPS; r++) {
  for (const [name, make] of cases) {
    const rec = times.get(name)!;
    const tj: Record<string, { wall: number; cpu: number }> = {};
    for (const b of BACKENDS) tj[b] = await timeTfjs(b, make, 17 + r);
    const t = await torch.send({ case: name, n: N });
    const tw = t['wall_ms'] as number;
    const tc = t['cpu_ms'] as number;
    if (r === 0) continue; // warm-up
    rec['torch']!.wall.push(tw);
    rec['torch']!.cpu.push(tc);
    for (const b of BACKENDS) {
      rec[b]!.wall.push(tj[b]!.wall);
      rec[b]!.cpu.push(tj[b]!.cpu);
      rec[b]!.ratio.push(tj[b]!.wall / tw);
      rec[b]!.cpuRatio.push(tj[b]!.cpu / tc);
    }
  }
  loads.push(loadavg()[0]!);
}
torch.quit();
await tf.setBackend('wasm');

const rows: string[] = [];
for (const [name, , how] of cases) {
  const rec = times.get(name)!;
  const cell = (b: string) => `${median(rec[b]!.wall).toFixed(0)}`;
  const ratio = (b: string) => `${median(rec[b]!.ratio).toFixed(2)} (${median(rec[b]!.cpuRatio).toFixed(2)})`;
  rows.push(`| ${name} | ${how} | ${cell('torch')} | ${cell('wasm')} | ${cell('cpu')} | ${ratio('wasm')} | ${ratio('cpu')} |`);
}
const table = [
  '| sampler (10^6 draws) | tfjs method | torch 1 thread ms | tfjs wasm ms | tfjs cpu ms | wasm / torch: wall (CPU) | cpu / torch: wall (CPU) |',
  '|---|---|---|---|---|---|---|',
  ...rows,
].join('\n');
const loadLine = `1-minute load average (2 cores shared with other work): ${loads.map((l) => l.toFixed(1)).join(', ')} (before, then after each repetition).`;
console.log(table);
console.log(loadLine);

if (WRITE) {
  const body = [
    '## Samplers against PyTorch',
    '',
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC by \`npx tsx bench/samplers.ts --write\`: ${N.toLocaleString('en-US')} draws per case, ${REPS} repetitions after a warm-up, each running tfjs wasm, tfjs cpu and PyTorch (\`torch.set_num_threads(1)\`, a long-lived child) in turn. Times are medians; ratios are the medians of the per-repetition ratios of wall time, with the process-CPU-time ratio in parentheses (the steadier number on a loaded machine). On cpu and wasm the samplers are kernels drawing one float64 variate per element in a JS loop (single-threaded), each element looping until it accepts; PyTorch's TruncatedNormal is \`torch.nn.init.trunc_normal_\` (inverse-cdf in float32, which cannot place draws 20 sd out: it returns the bounds there).`,
    loadLine,
    '',
    table,
    '',
    "The goal is wasm / torch <= 1.5 for Poisson, Binomial, TruncatedNormal and Gamma (TruncatedNormal [20, 21] excepted: PyTorch's is no baseline there). Read the ratios with the load line above: on a busy machine wall times are several times their quiet values.",
    '',
  ].join('\n');
  const path = join(here, 'RESULTS.md');
  const text = readFileSync(path, 'utf8');
  const start = text.indexOf('## Samplers against PyTorch');
  if (start < 0) writeFileSync(path, text.trimEnd() + '\n\n' + body);
  else {
    const next = text.indexOf('\n## ', start + 3);
    writeFileSync(path, text.slice(0, start) + body + (next < 0 ? '' : text.slice(next + 1)));
  }
  console.log('updated the "Samplers against PyTorch" section of bench/RESULTS.md');
}
