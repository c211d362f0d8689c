import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseColumnList, pick, readTable, toCsv } from '../src/csv.js';
import { CliError } from '../src/errors.js';
import { applyScaler, fitScaler, logDetScale } from '../src/scaler.js';
import { tempDir } from './helpers.js';

const dir = tempDir('csv');
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('readTable', () => {
  it('reads quoted fields, a BOM, CRLF line ends, blank lines and scientific notation', () => {
    const t = readTable(file('ok.csv', '\ufeffid,"x 1",y\r\n"row,1",1e-3,-2.5\r\n\r\nr2,+.5,3E2\r\n'), ['x 1', 'y']);
    expect(t.rows).toBe(2);
    expect(Array.from(t.data)).toEqual([0.001, -2.5, 0.5, 300]);
    expect(Array.from(pick(t, ['y']))).toEqual([-2.5, 300]);
  });

  it('ignores unused non-numeric columns, reads optional columns when present', () => {
    const t = readTable(file('extra.csv', 'name,x,y\nalpha,1,2\nbeta,3,4\n'), ['x'], ['y', 'z']);
    expect(t.columns).toEqual(['x', 'y']);
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4]);
  });

  it.each([
    ['0x10', 'not a finite number'],
    ['1,5', 'fields'],
    ['-nan', 'NaN'],
    ['-Infinity', 'not a finite number'],
    ['1e999', 'not a finite number'],
  ])('rejects %s', (cell, msg) => {
    const p = file('bad.csv', `x,y\n1,2\n3,${cell.includes(',') ? cell : `"${cell}"`}\n`);
    expect(() => readTable(p, ['x', 'y'])).toThrow(msg);
    try {
      readTable(p, ['x', 'y']);
    } catch (e) {
      expect(e).toBeInstanceOf(CliError);
      expect((e as CliError).exitCode).toBe(2);
      expect((e as Error).message).toContain('row 2');
    }
  });
});

describe('column lists and CSV output', () => {
  it('parses and validates --x/--y lists', () => {
    expect(parseColumnList(' a, b ,c', '--x')).toEqual(['a', 'b', 'c']);
    expect(() => parseColumnList('a,,b', '--x')).toThrow('empty column name');
    expect(() => parseColumnList('a,b,a', '--y')).toThrow('"a" is listed twice');
  });

  it('quotes names that need it and writes 7 significant digits', () => {
    expect(toCsv(['a,b', 'c'], [[1 / 3, 2]])).toBe('"a,b",c\n0.3333333,2\n');
  });
});

describe('standardization', () => {
  it('population mean/std per column; constant columns get std 1', () => {
    const s = fitScaler([1, 5, 3, 5, 5, 5], 3, 2);
    expect(s.mean).toEqual([3, 5]);
    expect(s.std[0]).toBeCloseTo(Math.sqrt(8 / 3), 12);
    expect(s.std[1]).toBe(1);
    expect(Array.from(applyScaler(s, [3, 5], 1))).toEqual([0, 0]);
    expect(logDetScale(s)).toBeCloseTo(0.5 * Math.log(8 / 3), 12);
  });
});
