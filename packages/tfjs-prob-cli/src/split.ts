/**
 * `tfjs-prob split`: a seeded train/test split of a data file, so that a model is evaluated
 * on rows it was not fitted to. Rows are shuffled with the seed and the first
 * round(fraction · rows) go to the test file; both files keep the input's format (CSV with
 * its header, or JSON / NDJSON records) and its rows unchanged, in their original order.
 */
import { parse } from 'csv-parse/sync';
import { CliError } from './errors.js';
import { readRegularFile, writeFileAtomic, type CliIo } from './io.js';
import { isRecordsFile } from './records.js';
import { mulberry32, permutation } from './rng.js';
import { intOption, numOption } from './commands.js';

export interface SplitArgs {
  testFraction?: string;
  seed?: string;
  train?: string;
  test?: string;
}

const MAX_BYTES = 1 << 30;

/** Row indices of the test part: a seeded choice of round(fraction · n) rows, at least one of each part. */
export function testRows(n: number, fraction: number, seed: number): Set<number> {
  const k = Math.min(n - 1, Math.max(1, Math.round(fraction * n)));
  const perm = permutation(n, mulberry32(seed));
  return new Set(Array.from(perm.subarray(0, k)));
}

export function splitCommand(io: CliIo, data: string, a: SplitArgs): void {
  if (!a.train || !a.test) throw new CliError('split: options --train <file> and --test <file> are required');
  if (a.train === a.test) throw new CliError('split: --train and --test must be different files');
  const fraction = numOption(a.testFraction, '--test-fraction', 0.2, 0, 1, true);
  const seed = intOption(a.seed, '--seed', 0, 0, 2 ** 31 - 1);
  // Regular files only (a FIFO or /dev/zero is refused at once), at most MAX_BYTES.
  const text = readRegularFile(data, 'data file', MAX_BYTES).toString('utf8');
  // Each part is a list of the input's own lines or records, so nothing is reformatted.
  let head: string[] = [];
  let rows: string[];
  let join: (h: string[], r: string[]) => string;
  if (isRecordsFile(data) && !/\.(ndjson|jsonl)$/i.test(data)) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new CliError(`${data}: malformed JSON (${(e as Error).message})`);
    }
    if (!Array.isArray(value)) throw new CliError(`${data}: expected an array of records`);
    rows = value.map((v) => JSON.stringify(v));
    join = (_h, r) => `[\n${r.join(',\n')}\n]\n`;
  } else if (isRecordsFile(data)) {
    rows = text.split('\n').filter((l) => l.trim() !== '');
    join = (_h, r) => `${r.join('\n')}\n`;
  } else {
    // CSV: split on record boundaries as csv-parse sees them (quoted newlines stay inside a row).
    let recs: Array<{ info: { lines: number } }>;
    try {
      recs = parse(text, { info: true, relax_column_count: true, skip_empty_lines: true, bom: true }) as unknown as Array<{ info: { lines: number } }>;
    } catch (e) {
      throw new CliError(`${data}: malformed CSV (${(e as Error).message})`);
    }
    const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
    let prevEnd = 0;
    const chunks: string[] = [];
    for (const r of recs) {
      chunks.push(lines.slice(prevEnd, r.info.lines).filter((l) => l.trim() !== '').join('\n'));
      prevEnd = r.info.lines;
    }
    head = chunks.slice(0, 1);
    rows = chunks.slice(1);
    join = (h, r) => `${[...h, ...r].join('\n')}\n`;
  }
  if (rows.length < 2) throw new CliError(`${data}: ${rows.length} data rows; split needs at least 2`);
  const test = testRows(rows.length, fraction, seed);
  const trainRows = rows.filter((_, i) => !test.has(i));
  const testPart = rows.filter((_, i) => test.has(i));
  writeFileAtomic(a.train, join(head, trainRows));
  writeFileAtomic(a.test, join(head, testPart));
  io.stdout.write(`split: ${rows.length} rows of ${data} -> ${trainRows.length} in ${a.train}, ${testPart.length} in ${a.test} (seed ${seed})\n`);
}
