// A run killed with kill -9 while saving leaves its temporary folder beside --out; the next
// write to the same target removes it (and leaves a live process's temporaries alone).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { removeStaleTemps, writeDirAtomic, writeFileAtomic } from '../src/io.js';
import { tempDir } from './helpers.js';

const root = tempDir('stale');
afterAll(() => rmSync(root, { recursive: true, force: true }));
const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** A process id that has just exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '0']);
  return r.pid!;
}

describe('stale temporary folders beside --out', () => {
  it('a process killed with SIGKILL in the middle of writeDirAtomic leaves a folder that the next write removes', async () => {
    const out = join(root, 'model');
    const script = join(root, 'slow-save.mts');
    writeFileSync(
      script,
      `import { writeFileSync } from 'node:fs';\n` +
        `import { join } from 'node:path';\n` +
        `import { writeDirAtomic } from ${JSON.stringify(join(repo, 'packages/tfjs-prob-cli/src/io.ts'))};\n` +
        `await writeDirAtomic(${JSON.stringify(out)}, async (tmp) => { writeFileSync(join(tmp, 'part'), 'x'); process.stdout.write('filling\\n'); await new Promise(() => setInterval(() => {}, 1000)); }, () => true);\n`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((res, rej) => {
      child.stdout!.on('data', (d: Buffer) => d.toString().includes('filling') && res());
      child.on('exit', (code) => rej(new Error(`child exited early (${code})`)));
    });
    const exited = new Promise((res) => child.on('exit', res));
    child.kill('SIGKILL');
    await exited;
    const left = readdirSync(root).filter((n) => n.startsWith('.model.tmp-'));
    expect(left).toHaveLength(1);
    await writeDirAtomic(out, async (tmp) => writeFileSync(join(tmp, 'done'), 'y'), () => true);
    expect(readdirSync(root).filter((n) => n.startsWith('.model.tmp-'))).toEqual([]);
    expect(existsSync(join(out, 'done'))).toBe(true);
  });

  it("removes dead processes' files and .old folders, keeps a live process's, ignores other names", () => {
    const dir = join(root, 'mixed');
    mkdirSync(dir);
    const dead = deadPid();
    const names = [
      `.pred.csv.tmp-${dead}-1700000000000-0`,
      `.pred.csv.tmp-${dead}-1700000000000-1.old`,
      `.pred.csv.tmp-${process.pid}-1700000000000-2`,
      `.pred.csv.tmp-notapid`,
      `.other.csv.tmp-${dead}-1700000000000-0`,
    ];
    for (const n of names) mkdirSync(join(dir, n));
    writeFileAtomic(join(dir, 'pred.csv'), 'a,b\n');
    expect(readdirSync(dir).sort()).toEqual([names[2], names[3], names[4], 'pred.csv'].sort());
    expect(removeStaleTemps(join(dir, 'other.csv'))).toEqual([join(dir, names[4]!)]);
  });
});
