/**
 * Prints one plain closing line, `N passed, N failed, N skipped`, after vitest's
 * own summary, so tools that read a run's last lines can count the tests.
 */
import type { Reporter } from 'vitest/reporters';

interface TaskLike {
  type: string;
  mode?: string;
  result?: { state?: string };
  tasks?: TaskLike[];
}

function count(tasks: readonly TaskLike[], acc: { passed: number; failed: number; skipped: number }): void {
  for (const t of tasks) {
    if (t.tasks) count(t.tasks, acc);
    if (t.type !== 'test') continue;
    const state = t.result?.state;
    if (state === 'pass') acc.passed++;
    else if (state === 'fail') acc.failed++;
    else acc.skipped++;
  }
}

export default class SummaryReporter implements Reporter {
  onFinished(files: readonly TaskLike[] = [], errors: readonly unknown[] = []): void {
    const acc = { passed: 0, failed: 0, skipped: 0 };
    count(files, acc);
    // An error outside any test (a file that failed to load) counts as a failure.
    const failed = acc.failed + errors.length + files.filter((f) => f.result?.state === 'fail' && !f.tasks?.length).length;
    console.log(`\n${acc.passed} passed, ${failed} failed, ${acc.skipped} skipped`);
  }
}
