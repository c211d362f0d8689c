// Confined reads without a race: while another process keeps swapping a weights file for a link
// to a file outside the model directory (and back), no load ever returns the outside bytes.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DirectoryHandler } from '../../src/node/fs_io.js';

const root = mkdtempSync(join(tmpdir(), 'tfp-race-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('DirectoryHandler.load against a link-swapping racer', () => {
  it('400 loads during the swaps return the inside weights or a clear refusal, never the outside file', async () => {
    const dir = join(root, 'model');
    mkdirSync(dir);
    const n = 1024;
    const inside = new Float32Array(n).fill(1);
    const outside = new Float32Array(n).fill(666);
    writeFileSync(join(root, 'victim.bin'), new Uint8Array(outside.buffer));
    writeFileSync(join(dir, 'real.bin'), new Uint8Array(inside.buffer));
    writeFileSync(
      join(dir, 'model.json'),
      JSON.stringify({ modelTopology: { class_name: 'Sequential', config: { layers: [] } }, weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'k', shape: [n], dtype: 'float32' }] }] }),
    );
    writeFileSync(join(dir, 'w.bin'), new Uint8Array(inside.buffer));
    // The racer: w.bin becomes a link to ../victim.bin, then a regular file again, as fast as it can.
    const racer = spawn(
      process.execPath,
      [
        '-e',
        `const fs = require('fs'); const d = ${JSON.stringify(dir)};
         for (;;) {
           try { fs.symlinkSync(${JSON.stringify(join(root, 'victim.bin'))}, d + '/tmp-link'); fs.renameSync(d + '/tmp-link', d + '/w.bin'); } catch {}
           try { fs.copyFileSync(d + '/real.bin', d + '/tmp-file'); fs.renameSync(d + '/tmp-file', d + '/w.bin'); } catch {}
         }`,
      ],
      { stdio: 'ignore' },
    );
    const counts = { inside: 0, refused: 0 };
    try {
      for (let i = 0; i < 400; i++) {
        try {
          const a = await new DirectoryHandler(dir).load();
          const w = new Float32Array(a.weightData as ArrayBuffer);
          expect(w[0]).toBe(1);
          expect(w[n - 1]).toBe(1);
          counts.inside++;
        } catch (e) {
          expect((e as Error).message).toMatch(/outside the model directory|is a symbolic link|was replaced while being opened|was removed while being opened|no such file/);
          expect((e as Error).message).toMatch(/w\.bin/);
          counts.refused++;
        }
      }
    } finally {
      racer.kill('SIGKILL');
    }
    expect(counts.inside + counts.refused).toBe(400);
    expect(counts.inside).toBeGreaterThan(0);
  });
});
