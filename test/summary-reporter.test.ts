// The closing summary line must agree with vitest's exit status: runs vitest on fixture files
// whose beforeAll, or whose import, throws, and reads the line the reporter prints.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { summarize } from './summary-reporter.js';

const root = join(import.meta.dirname, '..');
const fixtures = join(root, 'test', 'fixtures', 'failing-hook');

async function runFixture(file: string): Promise<{ code: number; last: string }> {
  const args = ['vitest', 'run', '--root', fixtures, '--reporter', join(root, 'test', 'summary-reporter.ts'), file];
  try {
    const { stdout } = await promisify(execFile)('npx', args, { cwd: root, env: { ...process.env, CI: '1', NO_COLOR: '1' } });
    return { code: 0, last: stdout.trim().split('\n').at(-1) ?? '' };
  } catch (e) {
    const err = e as { code?: number; stdout?: string };
    return { code: err.code ?? -1, last: (err.stdout ?? '').trim().split('\n').at(-1) ?? '' };
  }
}

describe('summary reporter', () => {
  it('counts a failing beforeAll as a failure, as vitest does with its exit status', async () => {
    const { code, last } = await runFixture('hook.fixture.ts');
    expect(code).toBe(1);
    expect(last).toMatch(/^1 passed, 1 failed, 2 skipped \(failed: 0 tests, 1 suites or files/);
  });

  it('counts a file that fails to load as a failure', async () => {
    const { code, last } = await runFixture('import.fixture.ts');
    expect(code).toBe(1);
    expect(last).toMatch(/^0 passed, 1 failed, 0 skipped/);
  });

  it('counts failed tests, unhandled errors and files failed without a visible error', () => {
    const test = (state: string) => ({ type: 'test', result: { state } });
    const files = [
      { type: 'suite', result: { state: 'fail' }, tasks: [test('pass'), test('fail'), test('skip')] },
      { type: 'suite', result: { state: 'fail' }, tasks: [test('pass')] },
    ];
    expect(summarize(files, [new Error('unhandled')])).toBe(
      '2 passed, 3 failed, 1 skipped (failed: 1 tests, 1 files failed without a reported error, 1 unhandled errors)',
    );
    expect(summarize([{ type: 'suite', result: { state: 'pass' }, tasks: [test('pass')] }], [])).toBe('1 passed, 0 failed, 0 skipped');
  });
});
