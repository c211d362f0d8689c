// tfjs-prob split: a seeded train/test split that keeps the rows and the format of the input.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testRows } from '../src/split.js';
import { cli, tempDir } from './helpers.js';

const dir = tempDir('split');
const lines = (f: string): string[] => readFileSync(f, 'utf8').trim().split('\n');

describe('split', () => {
  it('splits a CSV file by a seeded choice of rows; the parts keep the header and together hold every row once', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => `${i},"a ""quoted"", field",${i * 2}`);
    const data = join(dir, 'd.csv');
    writeFileSync(data, `x,label,y\n${rows.join('\n')}\n`);
    const r = await cli('split', data, '--test-fraction', '0.2', '--seed', '3', '--train', join(dir, 'train.csv'), '--test', join(dir, 'test.csv'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/50 rows .* 40 in .*train\.csv, 10 in .*test\.csv \(seed 3\)/);
    const train = lines(join(dir, 'train.csv'));
    const test = lines(join(dir, 'test.csv'));
    expect(train[0]).toBe('x,label,y');
    expect(test[0]).toBe('x,label,y');
    expect([...train.slice(1), ...test.slice(1)].sort()).toEqual([...rows].sort());
    // The same seed gives the same split; another seed another one.
    await cli('split', data, '--seed', '3', '--train', join(dir, 'train2.csv'), '--test', join(dir, 'test2.csv'));
    expect(lines(join(dir, 'test2.csv'))).toEqual(test);
    expect([...testRows(50, 0.2, 4)].sort()).not.toEqual([...testRows(50, 0.2, 3)].sort());
  });

  it('splits JSON and NDJSON records into files of the same format', async () => {
    const recs = Array.from({ length: 10 }, (_, i) => ({ x: i, y: 2 * i }));
    writeFileSync(join(dir, 'd.json'), JSON.stringify(recs));
    writeFileSync(join(dir, 'd.ndjson'), recs.map((r) => JSON.stringify(r)).join('\n'));
    expect((await cli('split', join(dir, 'd.json'), '--test-fraction', '0.3', '--train', join(dir, 'a.json'), '--test', join(dir, 'b.json'))).code).toBe(0);
    const a = JSON.parse(readFileSync(join(dir, 'a.json'), 'utf8')) as unknown[];
    const b = JSON.parse(readFileSync(join(dir, 'b.json'), 'utf8')) as unknown[];
    expect([a.length, b.length]).toEqual([7, 3]);
    expect((await cli('split', join(dir, 'd.ndjson'), '--train', join(dir, 'a.ndjson'), '--test', join(dir, 'b.ndjson'))).code).toBe(0);
    expect(lines(join(dir, 'a.ndjson')).length + lines(join(dir, 'b.ndjson')).length).toBe(10);
  });

  it('rejects a bad fraction and a missing file with exit status 2 and one line', async () => {
    const r1 = await cli('split', join(dir, 'd.csv'), '--test-fraction', '1', '--train', join(dir, 't1'), '--test', join(dir, 't2'));
    expect(r1.code).toBe(2);
    expect(r1.stderr).toMatch(/--test-fraction: must be strictly between 0 and 1; got 1/);
    const r2 = await cli('split', join(dir, 'nope.csv'), '--train', join(dir, 't1'), '--test', join(dir, 't2'));
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/nope\.csv: no such file/);
  });
});
