// Smoke run of examples/gaussian-process.ts (TFP's tutorial case 5) with tiny settings: it must
// finish, print its key lines, write its figure and leave no tensors behind.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';

const run = promisify(execFile);
const out = mkdtempSync(join(tmpdir(), 'tfp-gp-example-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

it('gaussian-process (case 5 and the exact GP) prints its fit and writes the figure', async () => {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', join('examples', 'gaussian-process.ts'), '--epochs', '2', '--out', out], {
    timeout: 120_000,
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  expect(stdout).toMatch(/case 5 \(VariationalGaussianProcess layer\): final loss [\d.]+ per row/);
  expect(stdout).toMatch(/exact GP by L-BFGS: LML -[\d.]+, amplitude [\d.]+, length scale [\d.]+/);
  expect(existsSync(join(out, 'gaussian-process-case5.png'))).toBe(true);
  expect(stdout).toMatch(/live tensors at the end: 0\n/);
}, 130_000);

it('bayesian-optimization finds the minimum by expected improvement', async () => {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', join('examples', 'bayesian-optimization.ts'), '--rounds', '6'], {
    timeout: 120_000,
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  const m = /best found: f\(([-\d.]+)\) = ([-\d.]+) after 9 evaluations; true minimum f\(([-\d.]+)\) = ([-\d.]+)/.exec(stdout);
  expect(m, stdout).not.toBeNull();
  // Six rounds of EI from three points get within 0.05 of the global minimum of this function.
  expect(Number(m![2])).toBeLessThan(Number(m![4]) + 0.05);
  expect(stdout).toMatch(/live tensors at the end: 0\n/);
}, 130_000);
