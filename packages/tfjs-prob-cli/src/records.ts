/**
 * JSON input: a file of records, `[{"x": 1, "y": 2}, ...]` (`.json`), or one record per
 * line (`.ndjson`, `.jsonl`). Records become the rows of a table with the union of their
 * keys as the header (in order of first appearance); a missing key or `null` is an empty
 * cell, which the table's checks then report (or `--drop-missing` drops). Problems name
 * the file and the record.
 */
import { CliError } from './errors.js';

/** Whether a data file is read as JSON records rather than CSV (by its extension). */
export function isRecordsFile(file: string): boolean {
  return /\.(json|ndjson|jsonl)$/i.test(file);
}

export interface RecordRows {
  header: string[];
  /** Cells as strings, as a CSV parser would give them; `line` is the 1-based line of the record. */
  rows: Array<{ record: string[]; line: number }>;
}

function cell(v: unknown, where: string, key: string): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'NaN';
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'boolean') return v ? '1' : '0';
  throw new CliError(`${where}, key "${key}": expected a number, a string or null; got ${Array.isArray(v) ? 'an array' : 'an object'}`);
}

export function parseRecords(text: string, file: string): RecordRows {
  const ndjson = /\.(ndjson|jsonl)$/i.test(file);
  const objects: Array<{ value: unknown; line: number }> = [];
  if (ndjson) {
    text.split('\n').forEach((l, i) => {
      if (l.trim() === '') return;
      try {
        objects.push({ value: JSON.parse(l), line: i + 1 });
      } catch (e) {
        throw new CliError(`${file} line ${i + 1}: malformed JSON (${(e as Error).message})`);
      }
    });
  } else {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new CliError(`${file}: malformed JSON (${(e as Error).message})`);
    }
    if (!Array.isArray(value)) throw new CliError(`${file}: expected an array of records ([{"column": value, ...}, ...]); got ${typeof value}`);
    value.forEach((v, i) => objects.push({ value: v, line: i + 1 }));
  }
  const header: string[] = [];
  const seen = new Set<string>();
  for (const { value, line } of objects) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new CliError(`${file} record ${line}: expected an object of column values`);
    }
    for (const k of Object.keys(value)) {
      if (!seen.has(k)) {
        seen.add(k);
        header.push(k);
      }
    }
  }
  const rows = objects.map(({ value, line }) => {
    const o = value as Record<string, unknown>;
    return { record: header.map((k) => cell(o[k], `${file} record ${line}`, k)), line };
  });
  return { header, rows };
}

/** Cells that `--drop-missing` treats as missing: empty, NA, NaN, null (any case). */
export function isMissing(cellText: string): boolean {
  return cellText === '' || /^[+-]?(nan|na|null|n\/a)$/i.test(cellText);
}
