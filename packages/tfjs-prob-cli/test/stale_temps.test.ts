// A run killed with kill -9 while writing an output file leaves its temporary beside it; the next
// write to the same target removes it (and leaves a live process's temporaries alone).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeStaleTemps, writeFileAtomic } from '../src/io.js';
import { tempDir } from './helpers.js';

const root = tempDir('stale');
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A process id that has just exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '0']);
  return r.pid!;
}

describe('stale temporary folders beside --out', () => {
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
