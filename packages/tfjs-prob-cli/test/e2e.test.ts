/**
 * fit -> predict -> sample -> evaluate -> plot on data with a known
 * conditional distribution, y | x ~ N(2x, (0.5 + |x|)^2), x ~ U(-3, 3):
 * evaluated coverage must be near nominal, the NLL near the true
 * distribution's, draws must have the right conditional moments, and the
 * prediction paths must leak no tensors.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { zFor, FALSE_FAILURE_RATE } from '../../tfjs-probability/test/helpers.js';
import { cli, rng, tempDir } from './helpers.js';

const N_TRAIN = 3000;
const N_TEST = 2000;
const sd = (x: number): number => 0.5 + Math.abs(x);
let dir: string;
let train: string;
let test: string;
let model: string;
let testX: number[];
let testY: number[];

function writeData(file: string, n: number, seed: number): { x: number[]; y: number[] } {
  const r = rng(seed);
  const x: number[] = [];
  const y: number[] = [];
  const lines = ['x,noise,y'];
  for (let i = 0; i < n; i++) {
    const xi = -3 + 6 * r.u();
    const yi = 2 * xi + sd(xi) * r.n();
    x.push(xi);
    y.push(yi);
    lines.push(`${xi},${r.u()},${yi}`);
  }
  writeFileSync(file, lines.join('\n') + '\n');
  return { x, y };
}

beforeAll(async () => {
  dir = tempDir('e2e');
  train = join(dir, 'train.csv');
  test = join(dir, 'test.csv');
  writeData(train, N_TRAIN, 1);
  ({ x: testX, y: testY } = writeData(test, N_TEST, 2));
  model = join(dir, 'model');
  const r = await cli(
    'fit', train, '--x', 'x', '--y', 'y', '--head', 'normal', '--hidden', '32,32', '--epochs', '80', '--batch-size', '64',
    '--lr', '0.005', '--val-split', '0.15', '--patience', '10', '--seed', '3', '--out', model,
  );
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/best val NLL .* at epoch \d+/);
});

describe('normal head on y ~ N(2x, (0.5+|x|)^2)', () => {
  it('evaluate: coverage near nominal and NLL near the true distribution', async () => {
    const r = await cli('evaluate', model, test, '--format', 'json');
    expect(r.code, r.stderr).toBe(0);
    const ev = JSON.parse(r.stdout) as {
      nll: number; rmse: number; scoreKind: string; score: number;
      coverage: { level: number; overall: number }[]; pit: { counts: number[] };
    };
    // Tolerance: the binomial sampling error of a coverage fraction over N_TEST rows at the suite's
    // false-failure rate (Bonferroni over 3 levels), plus 0.02 for the fitted (not true) model.
    for (const c of ev.coverage) {
      const tol = zFor(FALSE_FAILURE_RATE / 3) * Math.sqrt((c.level * (1 - c.level)) / N_TEST) + 0.02;
      expect(Math.abs(c.overall - c.level), `coverage ${c.overall} at level ${c.level}, tolerance ${tol}`).toBeLessThan(tol);
    }
    // The true conditional NLL on these rows; a fitted model may be worse by a little, never much.
    let trueNll = 0;
    for (let i = 0; i < N_TEST; i++) {
      const s = sd(testX[i]!);
      trueNll += 0.5 * Math.log(2 * Math.PI * s * s) + 0.5 * ((testY[i]! - 2 * testX[i]!) / s) ** 2;
    }
    trueNll /= N_TEST;
    expect(ev.nll).toBeGreaterThan(trueNll - 0.1);
    expect(ev.nll).toBeLessThan(trueNll + 0.08);
    expect(ev.scoreKind).toBe('crps');
    expect(ev.score).toBeGreaterThan(0);
    expect(ev.pit.counts.reduce((a, b) => a + b, 0)).toBe(N_TEST);
    // The text report has the same content.
    const t = await cli('evaluate', model, test);
    expect(t.stdout).toContain('CRPS (closed form, normal)');
    expect(t.stdout).toContain('PIT histogram');
    expect(t.stdout).toMatch(/ 90%\s+\d+\.\d%/);
  });

  it('predict: means near 2x, sds near 0.5+|x|, intervals nested, csv and json agree', async () => {
    const r = await cli('predict', model, test, '--levels', '0.5,0.9');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('row,y_mean,y_sd,y_lo50,y_hi50,y_lo90,y_hi90');
    expect(lines).toHaveLength(N_TEST + 1);
    let meanErr = 0;
    let sdErr = 0;
    for (let i = 0; i < N_TEST; i++) {
      const [row, m, s, lo50, hi50, lo90, hi90] = lines[i + 1]!.split(',').map(Number) as number[];
      expect(row).toBe(i + 1);
      expect(lo90! < lo50! && lo50! < m! && m! < hi50! && hi50! < hi90!).toBe(true);
      meanErr += Math.abs(m! - 2 * testX[i]!);
      sdErr += Math.abs(s! / sd(testX[i]!) - 1);
    }
    expect(meanErr / N_TEST).toBeLessThan(0.25);
    expect(sdErr / N_TEST).toBeLessThan(0.15);
    const j = await cli('predict', model, test, '--format', 'json', '--levels', '0.9');
    const parsed = JSON.parse(j.stdout) as { intervals: string; rows: { row: number; mean: { y: number }; intervals: Record<string, { y: [number, number] }> }[] };
    expect(parsed.intervals).toContain('Normal.quantile');
    expect(parsed.rows).toHaveLength(N_TEST);
    expect(parsed.rows[0]!.mean.y).toBeCloseTo(Number(lines[1]!.split(',')[1]), 4);
    expect(parsed.rows[0]!.intervals['0.9']!.y[0]).toBeCloseTo(Number(lines[1]!.split(',')[5]), 4);
  });

  it('sample: long format, draws with the conditional mean and sd of the model', async () => {
    const rows = 200;
    const sub = join(dir, 'sub.csv');
    writeFileSync(sub, readFileSync(test, 'utf8').split('\n').slice(0, rows + 1).join('\n') + '\n');
    const S = 50;
    const r = await cli('sample', model, sub, '--n', String(S), '--seed', '7');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('row,draw,y');
    expect(lines).toHaveLength(rows * S + 1);
    // Standardize each draw by the true conditional distribution: mean ~ 0, variance ~ 1
    // (the model's own error is small against the tolerance below).
    let sum = 0;
    let sq = 0;
    for (let k = 1; k < lines.length; k++) {
      const [row, draw, y] = lines[k]!.split(',').map(Number) as [number, number, number];
      expect(draw).toBe(((k - 1) % S) + 1);
      const x = testX[row - 1]!;
      const z = (y - 2 * x) / sd(x);
      sum += z;
      sq += z * z;
    }
    const n = rows * S;
    const mean = sum / n;
    expect(Math.abs(mean)).toBeLessThan(0.1);
    expect(Math.abs(sq / n - 1)).toBeLessThan(0.15);
    // Same seed, same draws.
    const again = await cli('sample', model, sub, '--n', String(S), '--seed', '7');
    expect(again.stdout).toBe(r.stdout);
  });

  it('plot: a PNG and an SVG', async () => {
    const png = join(dir, 'fig.png');
    const r = await cli('plot', model, test, '--x-col', 'x', '--out', png);
    expect(r.code, r.stderr).toBe(0);
    const bytes = readFileSync(png);
    expect(Array.from(bytes.subarray(0, 8))).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
    expect(bytes.length).toBeGreaterThan(10_000);
    const svg = join(dir, 'fig.svg');
    expect((await cli('plot', model, test, '--x-col', 'noise', '--out', svg)).code).toBe(0);
    const text = readFileSync(svg, 'utf8');
    expect(text).toContain('<svg');
    expect(text).toContain('PIT histogram');
  });

  it('predict, sample and evaluate leak no tensors', async () => {
    // Warm up once (kernels, lazily created constants), then measure.
    await cli('predict', model, test);
    const before = tf.memory().numTensors;
    expect((await cli('predict', model, test, '--format', 'json')).code).toBe(0);
    expect((await cli('sample', model, test, '--n', '3')).code).toBe(0);
    expect((await cli('evaluate', model, test)).code).toBe(0);
    expect(tf.memory().numTensors - before).toBe(0);
  });
});

describe('other heads and ensembles', () => {
  it('mvn-tril: covariance per row in predict; energy score in evaluate', async () => {
    const file = join(dir, 'two.csv');
    const r0 = rng(5);
    const lines = ['x,y1,y2'];
    for (let i = 0; i < 600; i++) {
      const x = -2 + 4 * r0.u();
      const e1 = r0.n();
      const e2 = 0.8 * e1 + 0.6 * r0.n(); // corr 0.8
      lines.push(`${x},${x + 0.5 * e1},${-x + 0.5 * e2}`);
    }
    writeFileSync(file, lines.join('\n') + '\n');
    const m = join(dir, 'mvn');
    const f = await cli('fit', file, '--x', 'x', '--y', 'y1,y2', '--head', 'mvn-tril', '--hidden', '16', '--epochs', '40',
      '--lr', '0.01', '--val-split', '0', '--ensemble', '2', '--quiet', '--out', m);
    expect(f.code, f.stderr).toBe(0);
    const p = await cli('predict', m, file, '--format', 'json', '--levels', '0.9');
    const rows = (JSON.parse(p.stdout) as { rows: { covariance: number[][] }[] }).rows;
    const c = rows[0]!.covariance;
    expect(c[0]![1]).toBeCloseTo(c[1]![0]!, 6);
    const corr = c[0]![1]! / Math.sqrt(c[0]![0]! * c[1]![1]!);
    expect(corr).toBeGreaterThan(0.5); // true 0.8; a 40-epoch fit gets most of it
    const csv = await cli('predict', m, file);
    expect(csv.stdout.split('\n')[0]).toBe('row,y1_mean,y1_sd,y2_mean,y2_sd,cov_y1_y1,cov_y1_y2,cov_y2_y2,y1_lo50,y1_hi50,y2_lo50,y2_hi50,y1_lo90,y1_hi90,y2_lo90,y2_hi90');
    const e = await cli('evaluate', m, file, '--samples', '100');
    expect(e.code, e.stderr).toBe(0);
    expect(e.stdout).toContain('energy score (100 draws per row)');
    expect(e.stdout).toContain('bisection');
  });

  it('mixture head fits, predicts intervals by bisection, and samples', async () => {
    const m = join(dir, 'mix');
    const f = await cli('fit', train, '--x', 'x', '--y', 'y', '--head', 'mixture:3', '--hidden', '16', '--epochs', '5',
      '--val-split', '0', '--quiet', '--out', m);
    expect(f.code, f.stderr).toBe(0);
    const p = await cli('predict', m, test, '--format', 'json', '--levels', '0.9');
    expect(p.code, p.stderr).toBe(0);
    expect(JSON.parse(p.stdout).intervals).toContain('bisection');
    const s = await cli('sample', m, test, '--n', '2');
    expect(s.stdout.trim().split('\n')).toHaveLength(2 * N_TEST + 1);
  });
});
