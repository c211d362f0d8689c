// The playground's CSV parsing (site/src/csv_panel.ts): real files have dates and text labels.
import { describe, expect, it } from 'vitest';
import { parseTable } from '../../site/src/csv_panel.js';

describe('playground CSV parsing', () => {
  it('reads dates as days, leaves text columns out with a note, keeps numbers (seattle-weather.csv layout)', () => {
    const t = parseTable('seattle-weather.csv', 'date,precipitation,temp_max,temp_min,wind,weather\n2012-01-01,0.0,12.8,5.0,4.7,drizzle\n2012-01-02,10.9,10.6,2.8,4.5,rain\n');
    expect(t.columns).toEqual(['date', 'precipitation', 'temp_max', 'temp_min', 'wind']);
    expect(t.ignored).toEqual(['weather']);
    expect(t.dates).toEqual(['date']);
    expect(t.rows[1]![0]! - t.rows[0]![0]!).toBe(1);
    expect(t.rows[0]![0]).toBe(Date.UTC(2012, 0, 1) / 86_400_000);
    expect(t.rows[1]!.slice(1)).toEqual([10.9, 10.6, 2.8, 4.5]);
  });

  it('still names the row and column of a bad cell in a numeric column, and of an empty one', () => {
    expect(() => parseTable('bad.csv', 'a,b\n1,2\n3,x\n')).toThrow("bad.csv: row 3, column 'b': 'x' is not a finite number");
    expect(() => parseTable('gap.csv', 'a,b\n1,2\n3,\n')).toThrow("gap.csv: row 3, column 'b': '' is not a finite number");
  });

  it('needs two numeric columns and says which text columns it left out', () => {
    expect(() => parseTable('t.csv', 'name,v\nx,1\ny,2\n')).toThrow('t.csv: needs at least two numeric columns; found 1 (text columns left out: name)');
  });
});
