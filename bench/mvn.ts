/**
 * Multivariate normal benchmark: tfjs (wasm, and cpu as a second column)
 * against torch.distributions.MultivariateNormal, interleaved in ONE run.
 *
 *   npx tsx bench/mvn.ts [--write] [--reps 9] [--quick] [--no-cpu] [--no-composed] [--only <name part>]
 *
 * PyTorch runs as a long-lived child (bench/torch_mvn.py) that executes one
 * repetition per request, so each repetition goes tfjs-wasm, tfjs-cpu, torch
 * (then the next repetition) and all see the same machine load. Medians are
 * reported with the tfjs/torch ratio. `--write` replaces the "Multivariate
 * normal" section of bench/RESULTS.md (and nothing else).
 *
 * Workloads (same shapes and parameter recipe on both sides):
 *   logProb N=100,000 rows at D=5 and D=32: loc [N, D], scaleTril [N, D, D], x [N, D];
 *     forward, and forward + gradient w.r.t. loc and scaleTril (sum().backward()).
 *   sample: 100 draws per row, N=10,000, D=5 -> [100, N, D] (torch: rsample((100,))), with one
 *     scaleTril per row and with one shared [D, D] scaleTril; and the 5M standard normals alone.
 * tfjs timings include constructing the distribution, as torch's do. The wasm
 * and cpu backends execute synchronously, so a call has finished when it returns.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ready } from '../packages/tfjs-probability/src/node.js';
import { TorchChild } from './torch_child.js';
import { MultivariateNormalTriL } from '../packages/tfjs-probability/src/distributions/mvn_tril.js';
import { setKernelsEnabled } from '../packages/tfjs-probability/src/kernels/register.js';
import { randomNormal, randomUniform } from '../packages/tfjs-probability/src/math/random.js';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const flag = (f: string) => argv.includes(f);
const opt = (f: string, dflt: number) => {
  const i = argv.indexOf(f);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const WRITE = flag('--write');
const QUICK = flag('--quick');
const REPS = opt('--reps', QUICK ? 3 : 9);
const WITH_CPU = !flag('--no-cpu');
const WITH_COMPOSED = !flag('--no-composed');
const ONLY = argv.includes('--only') ? argv[argv.indexOf('--only') + 1]! : '';

// ------------------------------------------------------------------ torch child

class Torch extends TorchChild {
  constructor() {
    super([join(here, 'torch_mvn.py')], 'torch_mvn.py');
  }
}

// ------------------------------------------------------------------ tfjs side

interface Workload {
  name: string;
  kind: 'logprob' | 'logprob_grad' | 'sample' | 'randn';
  n: number;
  d: number;
  samples?: number;
  reps: number;
  composed: boolean; // also time tfjs-wasm with the fast kernels off
  shared?: boolean; // one scaleTril [D, D] for every row
}

/** loc [N, D], lower-triangular L with diagonal in [0.5, 1.5], x [N, D] (torch_mvn.py's recipe). */
function makeData(n: number, d: number, seed: number, shared = false): { loc: tf.Tensor; L: tf.Tensor; x: tf.Tensor } {
  return tf.tidy(() => {
    const loc = randomNormal([n, d], seed);
    const m = shared ? 1 : n;
    const strictLower = tf.sub(tf.linalg.bandPart(tf.ones([d, d]), -1, 0), tf.eye(d));
    const offDiag = tf.mul(tf.mul(randomNormal([m, d, d], seed + 1), 0.3), strictLower);
    const diag = tf.mul(tf.expandDims(tf.add(randomUniform([m, d], seed + 2), 0.5), -1), tf.eye(d));
    const L = shared ? tf.reshape(tf.add(offDiag, diag), [d, d]) : tf.add(offDiag, diag);
    const x = tf.add(loc, randomNormal([n, d], seed + 3));
    return { loc, L, x };
  });
}

function runOnce(w: Workload, data: { loc: tf.Tensor; L: tf.Tensor; x: tf.Tensor }, rep: number): number {
  const t0 = performance.now();
  if (w.kind === 'logprob') {
    const d = new MultivariateNormalTriL({ loc: data.loc, scaleTril: data.L });
    const lp = d.logProb(data.x);
    const ms = performance.now() - t0;
    lp.dispose();
    d.dispose();
    return ms;
  }
  if (w.kind === 'logprob_grad') {
    const g = tf.grads((l: tf.Tensor, s: tf.Tensor) => tf.sum(new MultivariateNormalTriL({ loc: l, scaleTril: s }).logProb(data.x)));
    const grads = g([data.loc, data.L]);
    const ms = performance.now() - t0;
    tf.dispose(grads);
    return ms;
  }
  if (w.kind === 'randn') {
    const e = randomNormal([w.samples!, w.n, w.d], rep);
    const ms = performance.now() - t0;
    e.dispose();
    return ms;
  }
  const d = new MultivariateNormalTriL({ loc: data.loc, scaleTril: data.L });
  const s = d.sample([w.samples!], { seed: rep });
  const ms = performance.now() - t0;
  s.dispose();
  d.dispose();
  return ms;
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

interface Row {
  w: Workload;
  torch: number;
  wasm: number;
  cpu?: number;
  composed?: number;
}

/** Plain-language summary of a run: where tfjs-wasm meets the target (ratio <= 1) and where not. */
function verdict(rows: Row[]): string[] {
  const met = rows.filter((r) => r.w.kind !== 'randn' && r.wasm <= r.torch).map((r) => r.w.name);
  const missed = rows.filter((r) => r.w.kind !== 'randn' && r.wasm > r.torch).map((r) => `${r.w.name} (x${(r.wasm / r.torch).toFixed(2)})`);
  const out = [
    `Target "tfjs-wasm matches or beats PyTorch" in this run: met for ${met.length ? met.join('; ') : 'none'}; ` +
      `missed for ${missed.length ? missed.join('; ') : 'none'}.`,
  ];
  const rn = rows.find((r) => r.w.kind === 'randn');
  const sp = rows.find((r) => r.w.kind === 'sample' && !r.w.shared);
  if (rn && sp) {
    out.push(
      '',
      `Of the per-row sampling time on wasm, ${rn.wasm.toFixed(0)} ms (${((100 * rn.wasm) / sp.wasm).toFixed(0)}%) is drawing the ` +
        `5M standard normals (PyTorch's randn: ${rn.torch.toFixed(0)} ms); the rest is loc + L·ε.`,
    );
  }
  return out;
}

async function main(): Promise<void> {
  await ready({ backend: 'wasm' });
  const all: Workload[] = [
    { name: 'logProb, N=100,000, D=5', kind: 'logprob', n: 100_000, d: 5, reps: REPS, composed: WITH_COMPOSED },
    { name: 'logProb + grad (loc, scaleTril), N=100,000, D=5', kind: 'logprob_grad', n: 100_000, d: 5, reps: REPS, composed: WITH_COMPOSED },
    { name: 'logProb, N=100,000, D=32', kind: 'logprob', n: 100_000, d: 32, reps: Math.max(3, Math.ceil(REPS / 2)), composed: false },
    { name: 'logProb + grad (loc, scaleTril), N=100,000, D=32', kind: 'logprob_grad', n: 100_000, d: 32, reps: Math.max(3, Math.ceil(REPS / 2)), composed: false },
    { name: 'sample 100 per row, N=10,000, D=5', kind: 'sample', n: 10_000, d: 5, samples: 100, reps: REPS, composed: WITH_COMPOSED },
    { name: 'sample 100 per row, N=10,000, D=5, one shared scaleTril [5, 5]', kind: 'sample', n: 10_000, d: 5, samples: 100, reps: REPS, composed: WITH_COMPOSED, shared: true },
    { name: '(part of sample) 5M standard normals', kind: 'randn', n: 10_000, d: 5, samples: 100, reps: REPS, composed: false },
  ];
  const workloads = all.filter((w) => (!QUICK || w.d === 5) && w.name.includes(ONLY));
  const load0 = os.loadavg()[0]!;
  const torch = new Torch();
  const rows: Row[] = [];
  let torchVersion = '';
  for (const w of workloads) {
    const info = await torch.send({ cmd: 'setup', workload: w.kind, n: w.n, d: w.d, samples: w.samples ?? 1, shared: !!w.shared });
    torchVersion = String(info['torch']);
    await tf.setBackend('wasm');
    const wasmData = makeData(w.n, w.d, 1, w.shared);
    let cpuData: typeof wasmData | undefined;
    if (WITH_CPU) {
      await tf.setBackend('cpu');
      cpuData = makeData(w.n, w.d, 1, w.shared);
    }
    const t: Record<string, number[]> = { torch: [], wasm: [], cpu: [], composed: [] };
    const warm = 1;
    for (let r = 0; r < w.reps + warm; r++) {
      await tf.setBackend('wasm');
      const a = runOnce(w, wasmData, r);
      let c: number | undefined;
      if (w.composed) {
        setKernelsEnabled(false);
        c = runOnce(w, wasmData, r);
        setKernelsEnabled(true);
      }
      let b: number | undefined;
      if (cpuData) {
        await tf.setBackend('cpu');
        b = runOnce(w, cpuData, r);
      }
      const p = Number((await torch.send({ cmd: 'run' }))['ms']);
      if (r < warm) continue;
      t['wasm']!.push(a);
      if (b !== undefined) t['cpu']!.push(b);
      if (c !== undefined) t['composed']!.push(c);
      t['torch']!.push(p);
    }
    await tf.setBackend('wasm');
    tf.dispose(Object.values(wasmData));
    if (cpuData) {
      await tf.setBackend('cpu');
      tf.dispose(Object.values(cpuData));
    }
    const row: Row = { w, torch: median(t['torch']!), wasm: median(t['wasm']!) };
    if (t['cpu']!.length) row.cpu = median(t['cpu']!);
    if (t['composed']!.length) row.composed = median(t['composed']!);
    rows.push(row);
    console.log(
      `${w.name}: torch ${row.torch.toFixed(1)} ms, tfjs-wasm ${row.wasm.toFixed(1)} ms (x${(row.wasm / row.torch).toFixed(2)})` +
        (row.cpu !== undefined ? `, tfjs-cpu ${row.cpu.toFixed(1)} ms (x${(row.cpu / row.torch).toFixed(2)})` : '') +
        (row.composed !== undefined ? `, wasm composed ${row.composed.toFixed(1)} ms` : ''),
    );
  }
  torch.quit();
  const load1 = os.loadavg()[0]!;
  console.log(`1-minute load average: ${load0.toFixed(1)} at start, ${load1.toFixed(1)} at end (2 cores)`);

  const f = (v: number | undefined) => (v === undefined ? '–' : v < 10 ? v.toFixed(2) : v.toFixed(1));
  const ratio = (a: number | undefined, b: number) => (a === undefined ? '–' : `${(a / b).toFixed(2)}`);
  const table = [
    '| workload | reps | PyTorch (ms) | tfjs-wasm (ms) | wasm / torch | tfjs-cpu (ms) | cpu / torch | tfjs-wasm, kernels off (ms) |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.w.name} | ${r.w.reps} | ${f(r.torch)} | ${f(r.wasm)} | **${ratio(r.wasm, r.torch)}** | ${f(r.cpu)} | ${ratio(r.cpu, r.torch)} | ${f(r.composed)} |`,
    ),
  ].join('\n');
  console.log('\n' + table);
  if (WRITE) {
    const body = [
      '',
      `Measured ${new Date().toISOString().slice(0, 10)} by \`npx tsx bench/mvn.ts --write\` (also run by \`npm run bench\`).`,
      `tfjs 4.22 (wasm and cpu backends) against PyTorch ${torchVersion} (\`torch.set_num_threads(2)\`, OpenBLAS single-threaded),`,
      'measured **side by side in one run**: PyTorch is a long-lived child process (bench/torch_mvn.py) and every',
      'repetition runs tfjs-wasm, tfjs-wasm with the fast kernels off, tfjs-cpu and then PyTorch, so all see the same',
      'load on the shared 2-core machine. Medians after one warm-up repetition; the ratio column is tfjs time / PyTorch',
      'time (below 1 means tfjs is faster). Both sides construct the distribution inside the timed region',
      '(`MultivariateNormalTriL({loc, scaleTril})` / `MultivariateNormal(loc, scale_tril=L, validate_args=False)`).',
      'Data: loc `[N, D]`, a different lower-triangular `scaleTril` per row `[N, D, D]` (one `[D, D]` in the "shared" row),',
      'x `[N, D]`; gradients are w.r.t. loc and scaleTril of `sum(logProb)`. "kernels off" is the composed tf-op path',
      'other backends use.',
      `Machine load during the run (1-minute load average, 2 cores): ${load0.toFixed(1)} at start, ${load1.toFixed(1)} at end.`,
      'PyTorch runs two threads and tfjs one, so other jobs on the machine slow PyTorch more than tfjs: ratios',
      'measured under load flatter tfjs. Read them together with the load average above.',
      '',
      table,
      '',
      ...verdict(rows),
      '',
    ].join('\n');
    const path = join(here, 'RESULTS.md');
    const text = readFileSync(path, 'utf8');
    const start = text.indexOf('## Multivariate normal');
    if (start < 0) throw new Error('RESULTS.md has no "## Multivariate normal" section');
    const headEnd = text.indexOf('\n', start) + 1;
    const next = text.indexOf('\n## ', headEnd);
    const end = next < 0 ? text.length : next + 1;
    writeFileSync(path, text.slice(0, headEnd) + body + '\n' + text.slice(end));
    console.log('updated the "Multivariate normal" section of bench/RESULTS.md');
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
