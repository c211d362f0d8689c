/**
 * Bad input: every case gives exactly one line on stderr naming the file (and
 * the row and column where they apply), exit status 2, and no output file.
 */
import { fileURLToPath } from 'node:url';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, tempDir, type RunResult } from './helpers.js';

let dir: string;
let model: string;

function csv(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

function expectBadInput(r: RunResult, ...mentions: string[]): void {
  expect(r.code, `stderr: ${r.stderr}`).toBe(2);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines, r.stderr).toHaveLength(1);
  for (const m of mentions) expect(lines[0]).toContain(m);
}

const good = 'a,b,y\n' + Array.from({ length: 40 }, (_, i) => `${i / 10},${(i % 7) / 3},${(i / 5) % 3}`).join('\n') + '\n';

beforeAll(async () => {
  dir = tempDir('errors');
  const data = csv('good.csv', good);
  model = join(dir, 'model');
  const r = await cli('fit', data, '--x', 'a,b', '--y', 'y', '--epochs', '2', '--hidden', '4', '--val-split', '0', '--quiet', '--out', model);
  expect(r.code, r.stderr).toBe(0);
});

describe('fit: bad CSV input', () => {
  const fit = (data: string, out: string, x = 'a,b', y = 'y') =>
    cli('fit', data, '--x', x, '--y', y, '--epochs', '1', '--quiet', '--out', out);

  it('missing file', async () => {
    const out = join(dir, 'm-missing');
    expectBadInput(await fit(join(dir, 'nope.csv'), out), 'nope.csv', 'no such file');
    expect(existsSync(out)).toBe(false);
  });

  it('missing column', async () => {
    const out = join(dir, 'm-col');
    expectBadInput(await fit(csv('c.csv', good), out, 'a,zz'), 'c.csv', '"zz"', 'missing column');
    expect(existsSync(out)).toBe(false);
  });

  it('duplicate column in the header', async () => {
    const out = join(dir, 'm-dup');
    expectBadInput(await fit(csv('dup.csv', 'a,b,a,y\n1,2,3,4\n'), out), 'dup.csv', 'duplicate column "a"');
    expect(existsSync(out)).toBe(false);
  });

  it('a column listed twice, or as input and target', async () => {
    expectBadInput(await fit(csv('g1.csv', good), join(dir, 'm-x2'), 'a,a'), '--x', '"a"');
    expectBadInput(await fit(csv('g2.csv', good), join(dir, 'm-xy'), 'a,y'), '"y"', '--x', '--y');
  });

  it('non-numeric cell: names file, row and column', async () => {
    const out = join(dir, 'm-nonnum');
    const r = await fit(csv('nn.csv', 'a,b,y\n1,2,3\n4,five,6\n'), out);
    expectBadInput(r, 'nn.csv', 'row 2', 'line 3', 'column "b"', 'five');
    expect(existsSync(out)).toBe(false);
  });

  it('NaN cell', async () => {
    expectBadInput(await fit(csv('nan.csv', 'a,b,y\n1,2,3\n4,5,6\n7,8,NaN\n'), join(dir, 'm-nan')), 'nan.csv', 'row 3', 'column "y"', 'NaN');
  });

  it('empty cell', async () => {
    expectBadInput(await fit(csv('empty-cell.csv', 'a,b,y\n1,,3\n'), join(dir, 'm-ec')), 'empty-cell.csv', 'row 1', 'column "b"', 'empty cell');
  });

  it('infinite value', async () => {
    expectBadInput(await fit(csv('inf.csv', 'a,b,y\n1,Infinity,3\n'), join(dir, 'm-inf')), 'inf.csv', 'row 1', 'column "b"');
  });

  it('ragged row', async () => {
    const out = join(dir, 'm-ragged');
    expectBadInput(await fit(csv('ragged.csv', 'a,b,y\n1,2,3\n4,5\n'), out), 'ragged.csv', 'row 2', '2 fields', 'header has 3');
    expect(existsSync(out)).toBe(false);
  });

  it('empty file and header-only file', async () => {
    expectBadInput(await fit(csv('empty.csv', ''), join(dir, 'm-empty')), 'empty.csv', 'empty file');
    expectBadInput(await fit(csv('header.csv', 'a,b,y\n'), join(dir, 'm-header')), 'header.csv', 'no data rows');
  });

  it('unclosed quote', async () => {
    expectBadInput(await fit(csv('quote.csv', 'a,b,y\n1,"2,3\n'), join(dir, 'm-quote')), 'quote.csv', 'malformed CSV');
  });

  it('no temp directories are left beside the output after a failure', () => {
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});

describe('bad arguments', () => {
  it('unknown command, unknown option, missing required option', async () => {
    expectBadInput(await cli('frobnicate'), 'frobnicate');
    expectBadInput(await cli('fit', join(dir, 'good.csv'), '--x', 'a', '--y', 'y', '--out', join(dir, 'o1'), '--bogus'), '--bogus');
    expectBadInput(await cli('fit', join(dir, 'good.csv'), '--x', 'a', '--y', 'y'), '--out');
  });

  it('bad option values', async () => {
    const base = ['fit', join(dir, 'good.csv'), '--x', 'a', '--y', 'y', '--out', join(dir, 'o2')];
    expectBadInput(await cli(...base, '--head', 'poisson'), '--head', 'poisson');
    expectBadInput(await cli(...base, '--epochs', 'ten'), '--epochs', 'ten');
    expectBadInput(await cli(...base, '--lr', '-1'), '--lr');
    expectBadInput(await cli(...base, '--val-split', '1.5'), '--val-split');
    expectBadInput(await cli('predict', model, join(dir, 'good.csv'), '--levels', '0.5,1'), '--levels');
    expectBadInput(await cli('predict', model, join(dir, 'good.csv'), '--format', 'xml'), '--format', 'xml');
    expectBadInput(await cli('plot', model, join(dir, 'good.csv'), '--x-col', 'a', '--out', join(dir, 'fig.gif')), '.png or .svg');
  });
});

describe('model directories', () => {
  it('a directory that is not a tfjs-prob model', async () => {
    const other = join(dir, 'not-a-model');
    mkdirSync(other);
    writeFileSync(join(other, 'model.json'), '{}');
    expectBadInput(await cli('predict', other, join(dir, 'good.csv')), 'not-a-model', 'not a tfjs-prob model directory');
    expectBadInput(await cli('evaluate', join(dir, 'missing-model'), join(dir, 'good.csv')), 'missing-model', 'no such model directory');
    expectBadInput(await cli('sample', join(dir, 'good.csv'), join(dir, 'good.csv'), '--n', '2'), 'good.csv', 'not a directory');
  });

  it('a corrupt or foreign description file', async () => {
    const bad = join(dir, 'bad-meta');
    mkdirSync(bad);
    writeFileSync(join(bad, 'tfjs-prob.json'), '{"format": "something-else"}');
    expectBadInput(await cli('predict', bad, join(dir, 'good.csv')), 'tfjs-prob.json', 'something-else');
    writeFileSync(join(bad, 'tfjs-prob.json'), '{not json');
    expectBadInput(await cli('predict', bad, join(dir, 'good.csv')), 'tfjs-prob.json', 'not valid JSON');
  });

  it('fit refuses to replace a directory that is not ours, and leaves it untouched', async () => {
    const other = join(dir, 'precious');
    mkdirSync(other);
    writeFileSync(join(other, 'keep.txt'), 'data');
    expectBadInput(
      await cli('fit', join(dir, 'good.csv'), '--x', 'a', '--y', 'y', '--epochs', '1', '--quiet', '--out', other),
      'precious',
      'refusing to overwrite',
    );
    expect(readdirSync(other)).toEqual(['keep.txt']);
  });

  it('fit replaces an existing model directory atomically', async () => {
    const r = await cli('fit', join(dir, 'good.csv'), '--x', 'a,b', '--y', 'y', '--epochs', '1', '--hidden', '4', '--quiet', '--out', model);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(model, 'tfjs-prob.json'), 'utf8')).format).toBe('tfjs-prob-model');
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});

describe('prediction commands with bad data leave no output file', () => {
  it.each([
    ['predict', []],
    ['sample', ['--n', '3']],
    ['evaluate', []],
    ['plot', ['--x-col', 'a']],
  ])('%s', async (cmd, extra) => {
    const out = join(dir, `${cmd}-out.${cmd === 'plot' ? 'png' : 'txt'}`);
    const data = csv(`${cmd}-bad.csv`, 'a,b,y\n1,2,3\n4,x5,6\n');
    expectBadInput(await cli(cmd, model, data, ...extra, '--out', out), `${cmd}-bad.csv`, 'row 2', 'column "b"');
    expect(existsSync(out)).toBe(false);
  });

  it('missing model input column in the data', async () => {
    const data = csv('no-b.csv', 'a,y\n1,2\n');
    expectBadInput(await cli('predict', model, data), 'no-b.csv', 'missing column "b"');
  });

  it('evaluate needs the target column', async () => {
    const data = csv('no-y.csv', 'a,b\n1,2\n');
    expectBadInput(await cli('evaluate', model, data), 'no-y.csv', 'missing column "y"');
  });

  it('an output path in a missing directory', async () => {
    expectBadInput(await cli('predict', model, join(dir, 'good.csv'), '--out', join(dir, 'no', 'such', 'p.csv')), 'does not exist');
  });
});

describe('as a process', () => {
  it('exit status 2 and one stderr line from the real entry point', async () => {
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../src/main.ts', import.meta.url)), 'predict', join(dir, 'none'), join(dir, 'good.csv')], {
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([`tfjs-prob: ${join(dir, 'none')}: no such model directory`]);
  });
});
