/**
 * Long version of the model-directory reliability tests (the short ones run in `npm test`):
 * random SIGKILLs of processes saving with `tfp.io.saveModel`'s writer, rounds of two
 * concurrent savers with a reader, and loads under a racer that swaps the weights file for a
 * link to an outside file. Counts what a reader saw; every count but the first of each line
 * must be 0.
 *
 *   npx tsx bench/io_reliability.ts [--kills 200] [--rounds 30] [--loads 3000]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { writeModelDir } from '../packages/tfjs-probability/src/node/fs_atomic.js';
import { DirectoryHandler } from '../packages/tfjs-probability/src/node/fs_io.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const KILLS = arg('kills', 200);
const ROUNDS = arg('rounds', 30);
const LOADS = arg('loads', 3000);

const root = mkdtempSync(join(tmpdir(), 'tfp-io-rel-'));
const here = dirname(fileURLToPath(import.meta.url));
const bundle = join(root, 'fs_atomic.mjs');
buildSync({ entryPoints: [join(here, '..', 'packages/tfjs-probability/src/node/fs_atomic.ts')], bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'error' });

const N = 256 * 1024;
const spec = [{ name: 'k', shape: [N], dtype: 'float32' }];
const json = (w: string): string => JSON.stringify({ modelTopology: { class_name: 'Sequential', config: { layers: [] } }, weightsManifest: [{ paths: [w], weights: spec }] });

/** The one value all weights of `dir` hold, 'mixed', or 'unloadable'. */
async function state(dir: string): Promise<number | 'mixed' | 'unloadable'> {
  try {
    const w = new Float32Array((await new DirectoryHandler(dir).load()).weightData as ArrayBuffer);
    for (let i = 0; i < w.length; i += 1021) if (w[i] !== w[0]) return 'mixed';
    return w[w.length - 1] === w[0] ? w[0]! : 'mixed';
  } catch {
    return 'unloadable';
  }
}

function saver(dir: string, first: number, count: number): ChildProcess {
  const file = join(root, `s-${first}.mjs`);
  writeFileSync(
    file,
    `import { writeModelDir } from ${JSON.stringify(bundle)};\n` +
      `for (let i = 0; i < ${count}; i++) { const v = ${first} + i; await writeModelDir(${JSON.stringify(dir)}, new Uint8Array(new Float32Array(${N}).fill(v).buffer), (w) => ${JSON.stringify(json('@@'))}.replace('@@', w)); process.stdout.write('saved ' + v + '\\n'); }\n`,
  );
  return spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'pipe'] });
}
const exited = (c: ChildProcess): Promise<number | null> => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(c.exitCode) : c.on('exit', r)));

async function kills(): Promise<string> {
  const dir = join(root, 'killed');
  await writeModelDir(dir, new Uint8Array(new Float32Array(N).buffer), json);
  let mixed = 0;
  let unloadable = 0;
  let neither = 0;
  for (let k = 0; k < KILLS; k++) {
    const c = saver(dir, 1000 * (k + 1), 1e9);
    let last = -1;
    await new Promise<void>((res) => c.stdout!.on('data', (d: Buffer) => ((last = Number(d.toString().trim().split('\n').pop()!.slice(6))), res())));
    await new Promise((r) => setTimeout(r, Math.random() * 50));
    c.kill('SIGKILL');
    await exited(c);
    const s = await state(dir);
    if (s === 'mixed') mixed++;
    else if (s === 'unloadable') unloadable++;
    else if (s < last) neither++;
  }
  return `${KILLS} SIGKILLs during saves: ${mixed} mixed, ${unloadable} unloadable, ${neither} older than the last reported save`;
}

async function concurrent(): Promise<string> {
  let mixed = 0;
  let unloadable = 0;
  let failedSaves = 0;
  let reads = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const dir = join(root, `concurrent-${r}`);
    await writeModelDir(dir, new Uint8Array(new Float32Array(N).buffer), json);
    const [a, b] = [saver(dir, 1, 20), saver(dir, 101, 20)];
    let done = false;
    const codes = Promise.all([exited(a), exited(b)]).finally(() => (done = true));
    while (!done) {
      const s = await state(dir);
      reads++;
      if (s === 'mixed') mixed++;
      if (s === 'unloadable') unloadable++;
    }
    failedSaves += (await codes).filter((c) => c !== 0).length;
    const s = await state(dir);
    if (s !== 20 && s !== 120) mixed++;
  }
  return `${ROUNDS} rounds of two concurrent savers (20 saves each), ${reads} reads: ${mixed} mixed, ${unloadable} unloadable, ${failedSaves} failed savers`;
}

async function racer(): Promise<string> {
  const dir = join(root, 'race');
  mkdirSync(dir);
  const n = 1024;
  writeFileSync(join(root, 'victim.bin'), new Uint8Array(new Float32Array(n).fill(666).buffer));
  writeFileSync(join(dir, 'real.bin'), new Uint8Array(new Float32Array(n).fill(1).buffer));
  writeFileSync(join(dir, 'w.bin'), new Uint8Array(new Float32Array(n).fill(1).buffer));
  writeFileSync(join(dir, 'model.json'), JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'k', shape: [n], dtype: 'float32' }] }] }));
  const c = spawn(process.execPath, ['-e', `const fs=require('fs');const d=${JSON.stringify(dir)};for(;;){try{fs.symlinkSync(${JSON.stringify(join(root, 'victim.bin'))},d+'/l');fs.renameSync(d+'/l',d+'/w.bin')}catch{}try{fs.copyFileSync(d+'/real.bin',d+'/f');fs.renameSync(d+'/f',d+'/w.bin')}catch{}}`], { stdio: 'ignore' });
  let outside = 0;
  let refused = 0;
  for (let i = 0; i < LOADS; i++) {
    try {
      const w = new Float32Array((await new DirectoryHandler(dir).load()).weightData as ArrayBuffer);
      if (w[0] === 666) outside++;
    } catch {
      refused++;
    }
  }
  c.kill('SIGKILL');
  return `${LOADS} loads under a link-swapping racer: ${LOADS - outside - refused} inside, ${refused} refused, ${outside} returned the outside file`;
}

try {
  console.log(`load average ${loadavg().map((v) => v.toFixed(1)).join(' ')}`);
  console.log(await kills());
  console.log(await concurrent());
  console.log(await racer());
  console.log(`load average ${loadavg().map((v) => v.toFixed(1)).join(' ')}`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
