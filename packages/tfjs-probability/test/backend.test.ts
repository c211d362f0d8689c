import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ready } from '../src/backend.js';

describe('tfp.ready', () => {
  const initial = process.env['TFP_TEST_BACKEND'] ?? 'wasm';
  afterAll(async () => {
    await ready({ backend: initial });
  });

  it('picks wasm when tfjs-node is not installed, with no wasm path configuration', async () => {
    let hasNode = true;
    try {
      await import('@tensorflow/tfjs-node' as string);
    } catch {
      hasNode = false;
    }
    const name = await ready();
    expect(name).toBe(hasNode ? 'tensorflow' : 'wasm');
    expect(tf.getBackend()).toBe(name);
  });

  it('forces a backend', async () => {
    expect(await ready({ backend: 'cpu' })).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('names a backend that cannot start', async () => {
    await expect(ready({ backend: 'no-such-backend' })).rejects.toThrow(/backend 'no-such-backend' could not be initialized: it is not registered/);
  });

  it('a forced backend that fails to start throws an error carrying the cause', async () => {
    const boom = new Error('no GPU here');
    tf.registerBackend('tfp-test-broken', () => {
      throw boom;
    });
    try {
      const err = await ready({ backend: 'tfp-test-broken' }).then(() => null, (e: unknown) => e as Error);
      expect(err?.message).toMatch(/tfp\.ready: backend 'tfp-test-broken' could not be initialized: no GPU here/);
      expect(err?.cause).toBe(boom);
    } finally {
      tf.removeBackend('tfp-test-broken');
    }
  });

  it('never switches a backend that is already set (cpu stays cpu, though wasm is faster)', async () => {
    tf.registerBackend('tfp-test-faster', () => {
      throw new Error('must not be started');
    }, 1000);
    try {
      await tf.setBackend('cpu');
      expect(await ready()).toBe('cpu');
      expect(tf.getBackend()).toBe('cpu');
    } finally {
      tf.removeBackend('tfp-test-faster');
    }
  });

  it('in a fresh Node process with no backend set, the Node entry picks tensorflow, else wasm from node_modules, else cpu', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tfp-ready-'));
    try {
      const entry = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'node.ts');
      const script = join(dir, 'ready.mts');
      writeFileSync(script, `import * as tfp from ${JSON.stringify(entry)};\nconsole.log('backend=' + (await tfp.ready()));\n`);
      const out = execFileSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', env: { ...process.env, NODE_NO_WARNINGS: '1' } });
      let hasNode = true;
      try {
        execFileSync(process.execPath, ['-e', "require.resolve('@tensorflow/tfjs-node')"], { stdio: 'ignore' });
      } catch {
        hasNode = false;
      }
      expect(out).toMatch(hasNode ? /backend=tensorflow/ : /backend=wasm/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
