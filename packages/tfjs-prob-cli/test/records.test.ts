// Data input beyond plain CSV: JSON / NDJSON records, --drop-missing; and what fit and evaluate
// tell the user about the data: the no-input baseline, count targets without zeros.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { baselineNll, fitBaseline, noZerosNote } from '../src/baseline.js';
import { cli, rng, tempDir } from './helpers.js';

const dir = tempDir('records');
const quick = ['--hidden', '8', '--epochs', '3', '--quiet', '--val-split', '0'];

function linear(n: number, seed: number): Array<{ x: number; y: number }> {
  const r = rng(seed);
  return Array.from({ length: n }, () => {
    const x = r.u() * 4 - 2;
    return { x, y: 3 * x + 0.3 * r.n() };
  });
}

describe('JSON and NDJSON records as input', () => {
  it('fits and evaluates from .json and .ndjson files', async () => {
    const recs = linear(200, 1);
    writeFileSync(join(dir, 'd.json'), JSON.stringify(recs));
    writeFileSync(join(dir, 'd.ndjson'), recs.map((r) => JSON.stringify(r)).join('\n') + '\n');
    for (const f of ['d.json', 'd.ndjson']) {
      const fit = await cli('fit', join(dir, f), '--x', 'x', '--y', 'y', ...quick, '--out', join(dir, `m-${f}`));
      expect(fit.stderr).toBe('');
      expect(fit.code).toBe(0);
      const ev = await cli('evaluate', join(dir, `m-${f}`), join(dir, f), '--format', 'json');
      expect(ev.code).toBe(0);
      expect((JSON.parse(ev.stdout) as { rows: number }).rows).toBe(200);
    }
  });

  it('names the file and the record for malformed JSON and for an object where a number belongs', async () => {
    writeFileSync(join(dir, 'bad.ndjson'), '{"x": 1, "y": 2}\n{"x": 2, "y": \n');
    const r1 = await cli('fit', join(dir, 'bad.ndjson'), '--x', 'x', '--y', 'y', ...quick, '--out', join(dir, 'mb'));
    expect(r1.code).toBe(2);
    expect(r1.stderr).toMatch(/bad\.ndjson line 2: malformed JSON/);
    writeFileSync(join(dir, 'bad.json'), JSON.stringify([{ x: 1, y: 2 }, { x: { v: 1 }, y: 3 }]));
    const r2 = await cli('fit', join(dir, 'bad.json'), '--x', 'x', '--y', 'y', ...quick, '--out', join(dir, 'mb'));
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/bad\.json record 2, key "x": expected a number, a string or null; got an object/);
  });
});

describe('--drop-missing', () => {
  it('without it a missing cell is an error naming the row; with it such rows are dropped and counted', async () => {
    const rows = linear(60, 2).map((r) => `${r.x},${r.y}`);
    rows[3] = '0.5,';
    rows[10] = 'NA,1.0';
    writeFileSync(join(dir, 'missing.csv'), `x,y\n${rows.join('\n')}\n`);
    const strict = await cli('fit', join(dir, 'missing.csv'), '--x', 'x', '--y', 'y', ...quick, '--out', join(dir, 'mm'));
    expect(strict.code).toBe(2);
    expect(strict.stderr).toMatch(/missing\.csv row 4 \(line 5\), column "y": empty cell/);
    const fit = await cli('fit', join(dir, 'missing.csv'), '--x', 'x', '--y', 'y', '--drop-missing', ...quick, '--out', join(dir, 'mm'));
    expect(fit.code).toBe(0);
    expect(fit.stdout).toMatch(/dropped 2 rows with a missing value \(--drop-missing\); 58 rows left/);
    const ev = await cli('evaluate', join(dir, 'mm'), join(dir, 'missing.csv'), '--drop-missing');
    expect(ev.code).toBe(0);
    expect(ev.stdout).toMatch(/evaluate: dropped 2 rows/);
    expect(ev.stdout).toMatch(/58 rows/);
  });
});

describe('the no-input baseline in evaluate', () => {
  it('is the Gaussian of the training targets: its NLL matches the closed form', () => {
    const y = Float64Array.from([1, 2, 3, 4, 10]);
    const b = fitBaseline(y, 5, 1, false)!;
    const m = 4;
    const v = ((1 - m) ** 2 + (2 - m) ** 2 + (3 - m) ** 2 + (4 - m) ** 2 + (10 - m) ** 2) / 4;
    const expected = [0, 5].reduce((s, t) => s + 0.5 * Math.log(2 * Math.PI * v) + ((t - m) ** 2) / (2 * v), 0) / 2;
    expect(baselineNll(b, Float64Array.from([0, 5]), 2, 1)).toBeCloseTo(expected, 10);
  });

  it('is the empirical pmf for counts, finite for counts never seen in training', () => {
    const b = fitBaseline(Float64Array.from([1, 1, 2, 3]), 4, 1, true)!;
    // (2 + 0.5) / (4 + 0.5 * 4) of the empirical part, plus the 1% Poisson(1.75) tail
    const p1 = 0.99 * (2.5 / 6) + 0.01 * 1.75 * Math.exp(-1.75);
    expect(baselineNll(b, Float64Array.from([1]), 1, 1)).toBeCloseTo(-Math.log(p1), 10);
    expect(Number.isFinite(baselineNll(b, Float64Array.from([40]), 1, 1))).toBe(true);
  });

  it('evaluate prints it beside the model and says when the model is worse than ignoring the inputs', async () => {
    // Targets independent of the input: a 3-epoch network cannot beat the marginal.
    const r = rng(5);
    const rows = Array.from({ length: 300 }, () => `${r.u()},${5 + r.n()}`);
    writeFileSync(join(dir, 'noise.csv'), `x,y\n${rows.join('\n')}\n`);
    expect((await cli('fit', join(dir, 'noise.csv'), '--x', 'x', '--y', 'y', ...quick, '--out', join(dir, 'mn'))).code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'mn', 'tfjs-prob.json'), 'utf8')).baseline.kind).toBe('gaussian');
    const text = await cli('evaluate', join(dir, 'mn'), join(dir, 'noise.csv'));
    expect(text.stdout).toMatch(/baseline NLL, no inputs \(Gaussian with the training targets' mean and covariance\) {2}1\.4\d+ {2}\(the model is WORSE by [\d.]+: it does no better than ignoring the inputs\)/);
    const json = JSON.parse((await cli('evaluate', join(dir, 'mn'), join(dir, 'noise.csv'), '--format', 'json')).stdout) as { nll: number; baseline: { nll: number } };
    expect(json.baseline.nll).toBeGreaterThan(1.3);
    expect(json.baseline.nll).toBeLessThan(json.nll);
  });
});

describe('count targets without zeros', () => {
  it('fit says so and suggests a shifted or zero-truncated model', async () => {
    expect(noZerosNote(Float64Array.from([0, 1, 2]), 3, ['y'], 'poisson')).toBeNull();
    const r = rng(7);
    const rows = Array.from({ length: 80 }, () => `${r.u()},${1 + Math.floor(r.u() * 5)}`);
    writeFileSync(join(dir, 'counts.csv'), `x,y\n${rows.join('\n')}\n`);
    const fit = await cli('fit', join(dir, 'counts.csv'), '--x', 'x', '--y', 'y', '--head', 'poisson', ...quick, '--out', join(dir, 'mc'));
    expect(fit.code).toBe(0);
    expect(fit.stdout).toMatch(/note: the targets have no zeros: "y" \(smallest 1\)\. The poisson head puts probability on 0; .*shifted model.*zero-truncated model/);
    const ev = await cli('evaluate', join(dir, 'mc'), join(dir, 'counts.csv'));
    expect(ev.stdout).toMatch(/baseline NLL, no inputs \(training targets' empirical distribution\)/);
  });
});
