/**
 * CSV loading and validation (csv-parse does the parsing). Every problem is a
 * CliError whose one-line message names the file, and the row and column
 * where they apply. Rows are counted from 1 after the header; the physical
 * line number is given too.
 */
import { parse } from 'csv-parse/sync';
import { CliError } from './errors.js';
import { isMissing, isRecordsFile, parseRecords } from './records.js';
import { readRegularFile } from './io.js';

/** A numeric table restricted to the requested columns, row-major float64. */
export interface Table {
  file: string;
  header: string[];
  columns: string[];
  rows: number;
  /** `[rows * columns.length]`, row-major. */
  data: Float64Array;
}

/** sqrt of float32's largest value: a larger value's square (in the scaler's variance) is not finite in float32. */
const MAX_ABS = Math.sqrt(3.4028234663852886e38);

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Splits `a,b,c` into names; rejects empty names and repeats. */
export function parseColumnList(spec: string | undefined, option: string): string[] {
  if (spec === undefined || spec.trim() === '') throw new CliError(`option ${option} needs a comma-separated list of column names`);
  const names = spec.split(',').map((s) => s.trim());
  if (names.some((n) => n === '')) throw new CliError(`option ${option}: empty column name in "${spec}"`);
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new CliError(`option ${option}: column "${n}" is listed twice`);
    seen.add(n);
  }
  return names;
}

/** A CSV file is read whole; a bigger one is refused rather than exhausting memory. */
const MAX_CSV_BYTES = 512 * 1024 * 1024;

function readText(file: string): string {
  // Regular files only: /dev/zero or a FIFO is refused at once, never read or waited on.
  return readRegularFile(file, 'CSV file', MAX_CSV_BYTES).toString('utf8');
}

interface Rec {
  record: string[];
  info: { lines: number };
}

export interface ReadOptions {
  /** Skip rows with a missing cell (empty, NA, NaN, null) in a requested column instead of failing. */
  dropMissing?: boolean;
}

/** The records of a CSV file, or of a JSON / NDJSON file of records (by extension). */
function readRecords(file: string, text: string): Rec[] {
  if (isRecordsFile(file)) {
    const { header, rows } = parseRecords(text.replace(/^\uFEFF/, ''), file);
    if (header.length === 0) return [];
    return [{ record: header, info: { lines: 0 } }, ...rows.map((r) => ({ record: r.record, info: { lines: r.line } }))];
  }
  try {
    return parse(text, { info: true, relax_column_count: true, skip_empty_lines: true, trim: true, bom: true }) as unknown as Rec[];
  } catch (e) {
    const err = e as Error & { lines?: number };
    throw new CliError(`${file}${err.lines !== undefined ? ` line ${err.lines}` : ''}: malformed CSV (${err.message})`);
  }
}

/**
 * Reads `file` (CSV, or JSON / NDJSON records) and returns the requested columns as numbers.
 * `columns` are required; `optional` columns are read when present. Every row must have as
 * many fields as the header; every requested cell must be a finite number, unless
 * `dropMissing` skips rows with missing cells (`dropped` counts them).
 */
export function readTable(file: string, columns: string[], optional: string[] = [], opts: ReadOptions = {}): Table & { present: string[]; dropped: number } {
  const text = readText(file);
  if (text.trim() === '') throw new CliError(`${file}: empty file (expected a header line and data rows)`);
  const recs = readRecords(file, text);
  if (recs.length === 0) throw new CliError(`${file}: empty file (expected a header line and data rows)`);
  const header = recs[0]!.record;
  const index = new Map<string, number>();
  header.forEach((name, j) => {
    if (name === '') throw new CliError(`${file} line ${recs[0]!.info.lines}, column ${j + 1}: empty column name in the header`);
    if (index.has(name)) {
      throw new CliError(`${file} line ${recs[0]!.info.lines}: duplicate column "${name}" in the header (columns ${index.get(name)! + 1} and ${j + 1})`);
    }
    index.set(name, j);
  });
  for (const c of columns) {
    if (!index.has(c)) throw new CliError(`${file}: missing column "${c}" (header has: ${header.join(', ')})`);
  }
  const present = [...columns, ...optional.filter((c) => index.has(c) && !columns.includes(c))];
  if (recs.length - 1 === 0) throw new CliError(`${file}: no data rows after the header`);
  const idx = present.map((c) => index.get(c)!);
  const requiredIdx = columns.map((c) => index.get(c)!);
  const all = recs.map((_, r) => r).slice(1);
  const kept = opts.dropMissing ? all.filter((r) => !requiredIdx.some((j) => isMissing(recs[r]!.record[j] ?? ''))) : all;
  const dropped = all.length - kept.length;
  const rows = kept.length;
  if (rows === 0) throw new CliError(`${file}: all ${dropped} data rows have a missing value in ${columns.join(', ')}`);
  const data = new Float64Array(rows * present.length);
  for (let i = 0; i < rows; i++) {
    const { record, info } = recs[kept[i]!]!;
    const where = isRecordsFile(file) ? `${file} record ${info.lines}` : `${file} row ${kept[i]!} (line ${info.lines})`;
    if (record.length !== header.length) {
      throw new CliError(`${where}: has ${record.length} fields, the header has ${header.length}`);
    }
    for (let j = 0; j < idx.length; j++) {
      const cell = record[idx[j]!]!;
      const col = present[j]!;
      if (cell === '') throw new CliError(`${where}, column "${col}": empty cell`);
      if (/^[+-]?nan$/i.test(cell)) throw new CliError(`${where}, column "${col}": NaN is not allowed`);
      if (!NUMBER.test(cell)) throw new CliError(`${where}, column "${col}": not a finite number: "${cell.slice(0, 40)}"`);
      const v = Number(cell);
      if (!Number.isFinite(v)) throw new CliError(`${where}, column "${col}": not a finite number: "${cell.slice(0, 40)}"`);
      if (Math.abs(v) > MAX_ABS) {
        throw new CliError(`${where}, column "${col}": ${cell.slice(0, 40)} is too large: values must lie within ±${MAX_ABS.toExponential(1)} (its square would overflow the float32 scaling)`);
      }
      data[i * present.length + j] = v;
    }
  }
  return { file, header, columns: present, rows, data, present, dropped };
}

/** Extracts the listed columns of a table as a row-major Float64Array `[rows * names.length]`. */
export function pick(table: Table, names: string[]): Float64Array {
  const k = table.columns.length;
  const js = names.map((n) => {
    const j = table.columns.indexOf(n);
    if (j < 0) throw new CliError(`${table.file}: missing column "${n}"`);
    return j;
  });
  const out = new Float64Array(table.rows * names.length);
  for (let i = 0; i < table.rows; i++) {
    for (let c = 0; c < js.length; c++) out[i * names.length + c] = table.data[i * k + js[c]!]!;
  }
  return out;
}

/** Formats a matrix of numbers as CSV (header + rows), numbers with up to 7 significant digits. */
export function toCsv(header: string[], rows: ArrayLike<number | string>[]): string {
  const esc = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const fmt = (v: number | string): string => (typeof v === 'number' ? formatNumber(v) : esc(v));
  const lines = [header.map(esc).join(',')];
  for (const r of rows) lines.push(Array.from(r, fmt).join(','));
  return lines.join('\n') + '\n';
}

export function formatNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(7)));
}
