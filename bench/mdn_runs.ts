/**
 * Does acceleration change how the MDN trains? Recipe 002's network with TFP's `MixtureNormal`
 * head (Dense 128-128 relu, Dense 60, 20 components, `tf.train.adam(1e-3)`, batch 128, 10,000
 * noisy-spiral points, 100 epochs, unseeded initialization), trained `--runs` times (default 10)
 * with `tfp.ready()`'s acceleration of tfjs' own components and as many times on stock tfjs
 * (`ready({ accelerate: false })`), alternating, on the wasm backend; the held-out NLL (2,000
 * points of another seed) of each run. The library's own kernels (the head's fused NLL) run in
 * both configurations.
 *
 *   npx tsx bench/mdn_runs.ts [--runs 10] [--epochs 100] [--only accelerated|stock] [--write]
 *   npx tsx bench/mdn_runs.ts --from-log [--write]   (the section from the runs logged so far)
 *
 * `--write` replaces the "MDN training: accelerated against stock tfjs" section of bench/RESULTS.md.
 * Results are also appended, one JSON line per run, to bench/mdn_runs.jsonl (not committed) as they come.
 */
import * as tf from '@tensorflow/tfjs';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ready, restore } from '../packages/tfjs-probability/src/node.js';
import { MixtureNormal } from '../packages/tfjs-probability/src/layers/mixture_normal.js';
import { negativeLogLikelihood } from '../packages/tfjs-probability/src/losses/nll.js';
import { spiral } from './mdn.js';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const opt = (f: string, dflt: string) => {
  const i = argv.indexOf(f);
  return i >= 0 ? argv[i + 1]! : dflt;
};
const RUNS = Number(opt('--runs', '10'));
const EPOCHS = Number(opt('--epochs', '100'));
const WRITE = argv.includes('--write');
const ONLY = opt('--only', '');
const KINDS = (['accelerated', 'stock'] as const).filter((k) => ONLY === '' || k === ONLY);
const K = 20;

async function train(accelerate: boolean, x: tf.Tensor2D, y: tf.Tensor2D, xt: tf.Tensor2D, yt: tf.Tensor2D): Promise<{ nll: number; seconds: number }> {
  if (!accelerate) restore();
  await ready({ backend: 'wasm', accelerate });
  const head = new MixtureNormal({ numComponents: K, eventShape: [1] });
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [1], units: 128, activation: 'relu' }),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dense({ units: head.paramsSize }),
      head,
    ],
  });
  const loss = negativeLogLikelihood(head);
  model.compile({ optimizer: tf.train.adam(1e-3), loss });
  const t0 = performance.now();
  await model.fit(x, y, { batchSize: 128, epochs: EPOCHS, verbose: 0 });
  const seconds = (performance.now() - t0) / 1000;
  const nll = tf.tidy(() => loss(yt, model.predict(xt) as tf.Tensor).dataSync()[0]!);
  model.optimizer.dispose();
  model.dispose();
  return { nll, seconds };
}

async function main(): Promise<void> {
  await ready({ backend: 'wasm' });
  const [x, y] = spiral(10_000, 1);
  const [xt, yt] = spiral(2_000, 77);
  const res: Record<'accelerated' | 'stock', number[]> = { accelerated: [], stock: [] };
  const secs: Record<'accelerated' | 'stock', number[]> = { accelerated: [], stock: [] };
  const loads: number[] = [loadavg()[0]!];
  const log = join(here, 'mdn_runs.jsonl');
  for (let r = 0; r < RUNS; r++) {
    for (const kind of KINDS) {
      const { nll, seconds } = await train(kind === 'accelerated', x, y, xt, yt);
      res[kind].push(nll);
      secs[kind].push(seconds);
      loads.push(loadavg()[0]!);
      const line = { run: r, kind, heldOutNll: nll, seconds, load1: loadavg()[0], at: new Date().toISOString() };
      console.log(JSON.stringify(line));
      appendFileSync(log, JSON.stringify(line) + '\n');
    }
  }
  tf.dispose([x, y, xt, yt]);
  report(res, secs, loads, RUNS);
}

type Kind = 'accelerated' | 'stock';

/** The RESULTS.md section from the held-out NLLs, seconds per run and loads; written with --write. */
function report(res: Record<Kind, number[]>, secs: Record<Kind, number[]>, loads: number[], planned: number): void {
  const f = (v: number[]) => (v.length ? v.map((a) => a.toFixed(3)).join(', ') : 'none yet');
  const med = (v: number[]) => (v.length ? [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]! : NaN);
  const line = (k: Kind, label: string) =>
    `- ${label} (${res[k].length} of ${planned} runs): ${f(res[k])}` +
    (res[k].length ? ` (median ${med(res[k]).toFixed(3)}, max ${Math.max(...res[k]).toFixed(3)}; median ${med(secs[k]).toFixed(0)} s per run)` : '');
  const section = [
    '## MDN training: accelerated against stock tfjs',
    '',
    `Recipe 002's network with TFP's \`MixtureNormal\` head (Dense 128-128 relu, Dense 60, ${K} components), ` +
      `\`tf.train.adam(1e-3)\`, batch 128, 10,000 noisy-spiral points, ${EPOCHS} epochs, unseeded initialization, wasm ` +
      `backend in Node; runs with \`tfp.ready()\`'s acceleration and on stock tfjs (\`ready({ accelerate: false })\`); ` +
      'held-out NLL on 2,000 points of another seed (lower is better). The head\'s fused NLL kernel runs in both.',
    '',
    line('accelerated', 'accelerated'),
    line('stock', 'stock tfjs'),
    `- runs above 0.25: ${res.accelerated.filter((v) => v > 0.25).length} accelerated, ${res.stock.filter((v) => v > 0.25).length} stock`,
    '',
    `Machine load (1-minute average) during the runs: ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)} ` +
      `(${new Date().toISOString().slice(0, 10)}; a 2-core machine shared with other jobs, so the seconds say little). ` +
      '`npx tsx bench/mdn_runs.ts --write` reruns it.',
    '',
  ].join('\n');
  console.log(section);
  if (WRITE) {
    const p = join(here, 'RESULTS.md');
    const text = readFileSync(p, 'utf8');
    const start = text.indexOf('## MDN training: accelerated against stock tfjs');
    if (start < 0) writeFileSync(p, `${text.trimEnd()}\n\n${section}`);
    else {
      const next = text.indexOf('\n## ', start + 3);
      writeFileSync(p, text.slice(0, start) + section + (next < 0 ? '' : text.slice(next + 1)));
    }
  }
}

/** The section from bench/mdn_runs.jsonl (what the runs so far logged). */
function fromLog(): void {
  const res: Record<Kind, number[]> = { accelerated: [], stock: [] };
  const secs: Record<Kind, number[]> = { accelerated: [], stock: [] };
  const loads: number[] = [];
  for (const l of readFileSync(join(here, 'mdn_runs.jsonl'), 'utf8').split('\n')) {
    if (!l.trim()) continue;
    const r = JSON.parse(l) as { kind: Kind; heldOutNll: number; seconds: number; load1: number };
    res[r.kind].push(r.heldOutNll);
    secs[r.kind].push(r.seconds);
    loads.push(r.load1);
  }
  report(res, secs, loads, RUNS);
}

if (argv.includes('--from-log')) fromLog();
else await main();
