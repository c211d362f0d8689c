/**
 * `fit --head gp`: exact and inducing-point Gaussian-process regression through the same
 * evaluate / predict / sample / plot as the network heads, on y = sin(2x) + N(0, 0.2²); the
 * model directory's gp.json is checked as untrusted input.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, rng, tempDir } from './helpers.js';

let dir: string;
let train: string;
let test: string;
let exact: string;

function writeData(file: string, n: number, seed: number): void {
  const r = rng(seed);
  const lines = ['x,y'];
  for (let i = 0; i < n; i++) {
    const x = -3 + 6 * r.u();
    lines.push(`${x},${Math.sin(2 * x) + 0.2 * r.n()}`);
  }
  writeFileSync(file, lines.join('\n') + '\n');
}

interface Ev { nll: number; rmse: number; coverage: Array<{ level: number; overall: number }> }

beforeAll(async () => {
  dir = tempDir('gp');
  train = join(dir, 'train.csv');
  test = join(dir, 'test.csv');
  writeData(train, 300, 1);
  writeData(test, 400, 2);
  exact = join(dir, 'exact');
  const r = await cli('fit', train, '--x', 'x', '--y', 'y', '--head', 'gp', '--out', exact);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/fit: Gaussian process \(matern52, exact, L-BFGS \d+ evaluations\), head gp, 300 rows/);
});

describe('fit --head gp', () => {
  it('exact: evaluate gives near-nominal coverage and the noise level as RMSE; the noise variance is recovered', async () => {
    const r = await cli('evaluate', exact, test, '--format', 'json');
    expect(r.code, r.stderr).toBe(0);
    const ev = JSON.parse(r.stdout) as Ev;
    // The true predictive: N(sin 2x, 0.2²), NLL ½ log(2π·0.04) + ½ = −0.19 per row, RMSE 0.2.
    expect(ev.rmse).toBeLessThan(0.23);
    expect(ev.nll).toBeLessThan(-0.1);
    for (const c of ev.coverage) expect(Math.abs(c.overall - c.level)).toBeLessThan(0.08);
    const meta = JSON.parse(readFileSync(join(exact, 'tfjs-prob.json'), 'utf8')) as { members: string[]; head: string };
    expect(meta.head).toBe('gp');
    const gp = JSON.parse(readFileSync(join(exact, meta.members[0]!), 'utf8')) as { mode: string; noiseVariance: number; points: number[] };
    expect(gp.mode).toBe('exact');
    expect(gp.points).toHaveLength(300);
    // Standardized units: 0.2² over the targets' variance (≈ 0.5 + 0.04).
    expect(Math.sqrt(gp.noiseVariance * 0.54)).toBeGreaterThan(0.14);
    expect(Math.sqrt(gp.noiseVariance * 0.54)).toBeLessThan(0.27);
  });

  it('predict, sample and plot work as for the network heads, without leaking tensors', async () => {
    const before = tf.memory().numTensors;
    const p = await cli('predict', exact, test);
    expect(p.code, p.stderr).toBe(0);
    const lines = p.stdout.trim().split('\n');
    expect(lines[0]).toBe('row,y_mean,y_sd,y_lo50,y_hi50,y_lo90,y_hi90');
    expect(lines).toHaveLength(401);
    const s = await cli('sample', exact, test, '--n', '3', '--seed', '4');
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout.trim().split('\n')).toHaveLength(1 + 400 * 3);
    const fig = join(dir, 'gp.svg');
    const pl = await cli('plot', exact, test, '--x-col', 'x', '--out', fig);
    expect(pl.code, pl.stderr).toBe(0);
    expect(readFileSync(fig, 'utf8')).toContain('Gaussian process');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('with --inducing M: the collapsed bound with M inducing points, nearly as good as exact here', async () => {
    const big = join(dir, 'big.csv');
    writeData(big, 900, 5);
    const out = join(dir, 'sparse');
    const r = await cli('fit', big, '--x', 'x', '--y', 'y', '--head', 'gp', '--kernel', 'rbf', '--inducing', '40', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Gaussian process \(rbf, 40 inducing points/);
    const ev = JSON.parse((await cli('evaluate', out, test, '--format', 'json')).stdout) as Ev;
    expect(ev.rmse).toBeLessThan(0.23);
    expect(ev.nll).toBeLessThan(-0.1);
  });

  it('rejects a tampered or escaping gp.json, naming the file', async () => {
    const metaPath = join(exact, 'tfjs-prob.json');
    const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as { members: string[] };
    const file = join(exact, meta.members[0]!);
    const good = readFileSync(file, 'utf8');
    try {
      const g = JSON.parse(good) as Record<string, unknown>;
      writeFileSync(file, JSON.stringify({ ...g, lengthScales: [1, 2] }));
      let r = await cli('predict', exact, test);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(`${meta.members[0]!.split('/')[1]}: not a valid Gaussian-process model (lengthScales: expected 1 positive numbers)`);
      writeFileSync(file, JSON.stringify({ ...g, noiseVariance: -1 }));
      r = await cli('evaluate', exact, test);
      expect(r.stderr).toMatch(/not a valid Gaussian-process model \(amplitude and noiseVariance must be positive/);
      writeFileSync(file, '{"format": "tfjs-prob-gp", ');
      r = await cli('predict', exact, test);
      expect(r.stderr).toMatch(/gp\.json: not valid JSON/);
      // A link out of the model directory is refused.
      unlinkSync(file);
      const outside = join(dir, 'outside.json');
      writeFileSync(outside, good);
      symlinkSync(outside, file);
      r = await cli('predict', exact, test);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/outside the model directory/);
    } finally {
      if (existsSync(file)) unlinkSync(file);
      writeFileSync(file, good);
    }
  });

  it('refuses options that do not fit the head', async () => {
    let r = await cli('fit', train, '--x', 'x', '--y', 'y', '--head', 'normal', '--inducing', '10', '--out', join(dir, 'm1'));
    expect(r.stderr).toMatch(/--inducing: only with --head gp/);
    r = await cli('fit', train, '--x', 'x', '--y', 'y', '--head', 'gp', '--kernel', 'cosine', '--out', join(dir, 'm2'));
    expect(r.stderr).toMatch(/--kernel: expected matern52 or rbf; got "cosine"/);
    r = await cli('fit', train, '--x', 'x', '--y', 'y,x', '--head', 'gp', '--out', join(dir, 'm3'));
    expect(r.code).not.toBe(0);
  });
});
