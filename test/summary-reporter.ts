/**
 * Prints one plain closing line, `N passed, N failed, N skipped`, after vitest's
 * own summary, so tools that read a run's last lines can count the tests.
 *
 * "failed" counts everything that makes vitest exit non-zero: failed tests, suites and
 * files whose own hooks (beforeAll/afterAll) or loading failed, and unhandled errors; a
 * breakdown follows whenever anything other than a test failed. A file that failed with
 * none of these visible still counts once, so the line can never read 0 failed after a
 * failing run.
 */
import type { Reporter } from 'vitest/reporters';

interface TaskLike {
  type: string;
  name?: string;
  mode?: string;
  result?: { state?: string; errors?: readonly unknown[] };
  tasks?: TaskLike[];
}

interface Tally {
  passed: number;
  failedTests: number;
  failedHooks: number;
  skipped: number;
}

/** Tallies one suite (or file) and returns how many failures it holds. */
function count(tasks: readonly TaskLike[], acc: Tally): number {
  let failures = 0;
  for (const t of tasks) {
    if (t.type === 'test') {
      const state = t.result?.state;
      if (state === 'pass') acc.passed++;
      else if (state === 'fail') {
        acc.failedTests++;
        failures++;
      } else acc.skipped++;
      continue;
    }
    failures += count(t.tasks ?? [], acc);
    // A suite's own errors are its hooks' (or, for a file, its import's).
    if (t.result?.state === 'fail' && (t.result.errors?.length ?? 0) > 0) {
      acc.failedHooks++;
      failures++;
    }
  }
  return failures;
}

export function summarize(files: readonly TaskLike[], errors: readonly unknown[]): string {
  const acc: Tally = { passed: 0, failedTests: 0, failedHooks: 0, skipped: 0 };
  let silentFiles = 0;
  for (const f of files) {
    const failures = count([f], acc);
    if (f.result?.state === 'fail' && failures === 0) silentFiles++;
  }
  const failed = acc.failedTests + acc.failedHooks + silentFiles + errors.length;
  let line = `${acc.passed} passed, ${failed} failed, ${acc.skipped} skipped`;
  if (failed > acc.failedTests) {
    const parts = [`${acc.failedTests} tests`];
    if (acc.failedHooks) parts.push(`${acc.failedHooks} suites or files (a hook or the import failed)`);
    if (silentFiles) parts.push(`${silentFiles} files failed without a reported error`);
    if (errors.length) parts.push(`${errors.length} unhandled errors`);
    line += ` (failed: ${parts.join(', ')})`;
  }
  return line;
}

export default class SummaryReporter implements Reporter {
  onFinished(files: readonly TaskLike[] = [], errors: readonly unknown[] = []): void {
    console.log(`\n${summarize(files, errors)}`);
  }
}
