// Saving a model directory is atomic and confined: processes killed with SIGKILL in the middle
// of saves, two processes saving to one directory while a third reads it, links planted beside
// the target, and a failing write (full disk) never leave a model that is neither the old nor
// the new one, never write outside, and leave no temporary file behind.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { constants, mkdirSync, mkdtempSync, promises, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { removeStaleGenerations, writeModelDir } from '../../src/node/fs_atomic.js';
import { DirectoryHandler } from '../../src/node/fs_io.js';

const root = mkdtempSync(join(tmpdir(), 'tfp-atomic-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());
const here = dirname(fileURLToPath(import.meta.url));
// The savers run as plain node processes on a bundle of the module (a few ms to start, not a TypeScript loader's second).
const atomicSrc = join(root, 'fs_atomic.mjs');
buildSync({ entryPoints: [join(here, '..', '..', 'src', 'node', 'fs_atomic.ts')], bundle: true, platform: 'node', format: 'esm', outfile: atomicSrc, logLevel: 'error' });

const N = 64 * 1024; // float32 weights per model: saves take long enough to be killed in the middle
const spec = [{ name: 'dense/kernel', shape: [N], dtype: 'float32' }];
const topology = { class_name: 'Sequential', config: { name: 'm', layers: [] } };

/** The model.json text of a save, and what its weights hold: every value equal to `v`. */
const modelJson = (w: string): string => JSON.stringify({ modelTopology: topology, format: 'layers-model', weightsManifest: [{ paths: [w], weights: spec }] });
const weightsOf = (v: number): Uint8Array => new Uint8Array(new Float32Array(N).fill(v).buffer);

/** Which model a directory holds: the one value all its weights share, or throws (a mix or a broken model). */
async function loadedValue(dir: string): Promise<number> {
  const a = await new DirectoryHandler(dir).load();
  const w = new Float32Array(a.weightData as ArrayBuffer);
  expect(w.length).toBe(N);
  const v = w[0]!;
  for (let i = 0; i < N; i += 997) if (w[i] !== v) throw new Error(`mixed weights: ${v} and ${w[i]} in ${dir}`);
  if (w[N - 1] !== v) throw new Error(`mixed weights at the end of ${dir}`);
  return v;
}

/** A child process that saves models with values `first`, `first + 1`, ... to `dir` forever (or `count` times). */
function saver(dir: string, first: number, count = Infinity): ChildProcess {
  const script =
    `import { writeModelDir } from ${JSON.stringify(atomicSrc)};\n` +
    `const N = ${N}; const spec = ${JSON.stringify(spec)}; const topology = ${JSON.stringify(topology)};\n` +
    `for (let i = 0; i < ${count === Infinity ? 'Infinity' : count}; i++) {\n` +
    `  const v = ${first} + i;\n` +
    `  await writeModelDir(${JSON.stringify(dir)}, new Uint8Array(new Float32Array(N).fill(v).buffer), (w) => JSON.stringify({ modelTopology: topology, format: 'layers-model', weightsManifest: [{ paths: [w], weights: spec }] }));\n` +
    `  process.stdout.write('saved ' + v + '\\n');\n` +
    `}\n`;
  const file = join(root, `saver-${first}-${Math.random().toString(16).slice(2)}.mjs`);
  writeFileSync(file, script);
  return spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'pipe'] });
}

function lines(child: ChildProcess): { saved: number[]; err: string[] } {
  const out = { saved: [] as number[], err: [] as string[] };
  child.stdout!.on('data', (d: Buffer) => d.toString().split('\n').forEach((l) => l.startsWith('saved ') && out.saved.push(Number(l.slice(6)))));
  child.stderr!.on('data', (d: Buffer) => out.err.push(d.toString()));
  return out;
}

const exited = (child: ChildProcess): Promise<number | null> =>
  new Promise((res) => (child.exitCode !== null || child.signalCode !== null ? res(child.exitCode) : child.on('exit', (code) => res(code))));

describe('writeModelDir: atomic saves', () => {
  it('16 processes killed with SIGKILL at random moments of their saves always leave the last or the next model, never a mix', async () => {
    let seed = 12345;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    /** Starts a saver on `dir`, kills it during a later save, checks what the directory holds. */
    const killOnce = async (dir: string, first: number): Promise<void> => {
      const before = await loadedValue(dir);
      const child = saver(dir, first);
      const out = lines(child);
      // Wait for the first save, then kill at a random moment of a later one.
      await new Promise<void>((res, rej) => {
        child.stdout!.on('data', () => out.saved.length > 0 && res());
        child.on('exit', () => rej(new Error(`saver exited early: ${out.err.join('')}`)));
      });
      await new Promise((r) => setTimeout(r, rand() * 30));
      child.kill('SIGKILL');
      await exited(child);
      const v = await loadedValue(dir);
      const last = out.saved[out.saved.length - 1]!;
      // What was last reported saved, or the one being saved when killed (already renamed, not yet reported).
      expect([last, last + 1]).toContain(v);
      expect(v).not.toBe(before);
    };
    // Four directories, each killed four times, in parallel.
    const dirs = [0, 1, 2, 3].map((i) => join(root, `killed-${i}`));
    await Promise.all(dirs.map((d) => writeModelDir(d, weightsOf(0), modelJson)));
    await Promise.all(dirs.map(async (d, i) => {
      for (let k = 0; k < 4; k++) await killOnce(d, 100_000 * i + 1000 * (k + 1));
    }));
    const dir = dirs[0]!;
    // Leftovers of the killed processes are removed by the next save.
    await writeModelDir(dir, weightsOf(7), modelJson);
    expect(await loadedValue(dir)).toBe(7);
    const left = readdirSync(dir).filter((n) => n !== 'model.json');
    expect(left).toEqual([expect.stringMatching(/^weights-\d+-[0-9a-f]{16}\.bin$/)]);
  });

  it('two processes saving to one directory while this one reads it: every read is a complete model, the last writer wins', async () => {
    const dir = join(root, 'concurrent');
    await writeModelDir(dir, weightsOf(0), modelJson);
    const a = saver(dir, 1, 30);
    const b = saver(dir, 101, 30);
    const [oa, ob] = [lines(a), lines(b)];
    let done = false;
    const codes = Promise.all([exited(a), exited(b)]).finally(() => (done = true));
    let reads = 0;
    while (!done) {
      const v = await loadedValue(dir);
      expect(v === 0 || (v >= 1 && v <= 30) || (v >= 101 && v <= 130)).toBe(true);
      reads++;
    }
    expect(await codes).toEqual([0, 0]);
    expect(oa.err.join('') + ob.err.join('')).toBe('');
    expect([oa.saved.length, ob.saved.length]).toEqual([30, 30]);
    expect(reads).toBeGreaterThan(0);
    expect([30, 130]).toContain(await loadedValue(dir));
    await removeStaleGenerations(dir);
    expect(readdirSync(dir).filter((n) => n !== 'model.json')).toHaveLength(1);
  });

  it('concurrent saves within one process to one directory: the last to commit wins, nothing of the others is left', async () => {
    const dir = join(root, 'same-process');
    await Promise.all([1, 2, 3, 4, 5, 6].map((v) => writeModelDir(dir, weightsOf(v), modelJson)));
    expect([1, 2, 3, 4, 5, 6]).toContain(await loadedValue(dir));
    expect(readdirSync(dir)).toHaveLength(2);
  });
});

describe('writeModelDir: confined writes', () => {
  it('never writes through links planted beside the target (old temporary names, model.json, weights.bin)', async () => {
    const dir = join(root, 'planted');
    const outside = join(root, 'outside');
    mkdirSync(dir, { recursive: true });
    mkdirSync(outside, { recursive: true });
    const victims = ['a', 'b', 'c', 'd'].map((n) => join(outside, n));
    victims.forEach((v) => writeFileSync(v, 'precious'));
    symlinkSync(victims[0]!, join(dir, 'model.json.tmp'));
    symlinkSync(victims[1]!, join(dir, 'weights.bin.tmp'));
    symlinkSync(victims[2]!, join(dir, 'model.json'));
    symlinkSync(victims[3]!, join(dir, 'weights.bin'));
    await writeModelDir(dir, weightsOf(3), modelJson);
    expect(victims.map((v) => readFileSync(v, 'utf8'))).toEqual(['precious', 'precious', 'precious', 'precious']);
    expect(await loadedValue(dir)).toBe(3);
  });

  it('a failing write (ENOSPC) removes what it created and leaves the old model', async () => {
    const dir = join(root, 'full');
    await writeModelDir(dir, weightsOf(1), modelJson);
    const before = readdirSync(dir).sort();
    const open = promises.open;
    vi.spyOn(promises, 'open').mockImplementation(async (...args: Parameters<typeof open>) => {
      const fh = await open(...args);
      if ((Number(args[1]) & constants.O_CREAT) !== 0) {
        fh.write = (async () => {
          throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
        }) as typeof fh.write;
      }
      return fh;
    });
    await expect(writeModelDir(dir, weightsOf(2), modelJson)).rejects.toThrow(/ENOSPC/);
    vi.restoreAllMocks();
    expect(readdirSync(dir).sort()).toEqual(before);
    expect(await loadedValue(dir)).toBe(1);
  });

  // Only where this process may mount a file system (root with the capability); the injected error above runs everywhere.
  it('a really full disk (a 64 KiB tmpfs) leaves the old model and no temporary file', async (ctx) => {
    const mnt = join(root, 'tmpfs');
    mkdirSync(mnt);
    try {
      if (process.getuid?.() !== 0) throw new Error('not root');
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt], { stdio: 'ignore' });
    } catch {
      ctx.skip();
      return;
    }
    try {
      const dir = join(mnt, 'model');
      const small = (v: number): Uint8Array => new Uint8Array(new Float32Array(1024).fill(v).buffer);
      const json = (w: string): string => JSON.stringify({ modelTopology: topology, weightsManifest: [{ paths: [w], weights: [{ name: 'k', shape: [1024], dtype: 'float32' }] }] });
      await writeModelDir(dir, small(1), json);
      const before = readdirSync(dir).sort();
      await expect(writeModelDir(dir, new Uint8Array(128 * 1024), json)).rejects.toThrow(/ENOSPC/);
      expect(readdirSync(dir).sort()).toEqual(before);
      const a = await new DirectoryHandler(dir).load();
      expect(new Float32Array(a.weightData as ArrayBuffer)[5]).toBe(1);
    } finally {
      execFileSync('umount', [mnt]);
    }
  });
});
