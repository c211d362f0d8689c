// Smoke runs of the layer examples with tiny settings: each must finish, print its
// key lines and leave no tensors behind. (Full-size runs and their numbers: README.)
import { execFile } from 'node:child_process';
import { mkdtempSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const out = mkdtempSync(join(tmpdir(), 'tfp-examples-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

async function example(name: string, args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', join('examples', `${name}.ts`), ...args], {
    timeout: 120_000,
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  return stdout;
}

describe('examples (tiny settings)', () => {
  it('mean-covariance prints a mean vector, a 5x5 covariance and the baseline comparison', async () => {
    const s = await example('mean-covariance', ['--rows', '500', '--epochs', '2']);
    expect(s).toMatch(/mean vector: \[[-\d.]+(,[-\d.]+){4}\]/);
    expect(s).toMatch(/constant covariance baseline/);
    expect(s).toMatch(/live tensors at the end: 0\n/);
  });

  it('sampling prints [N, S, D] samples for diagonal and full covariance', async () => {
    const s = await example('sampling', ['--samples', '200', '--epochs', '1', '--rows', '200']);
    expect(s).toMatch(/diagonal \(IndependentNormal head\): samples \[3,200,2\]/);
    expect(s).toMatch(/full \(MultivariateNormalTriL head\): samples \[3,200,2\]/);
    expect(s).toMatch(/live tensors at the end: 0\n/);
  });

  it('batch-sizes prints equal losses for batch sizes 1, 32 and all', async () => {
    const s = await example('batch-sizes', ['--rows', '64', '--epochs', '1']);
    const m = /batch 1: ([\d.]+), batch 32: ([\d.]+), batch 64: ([\d.]+)/.exec(s);
    expect(m).not.toBeNull();
    expect(Math.abs(Number(m![1]) - Number(m![3]))).toBeLessThan(1e-3 * Math.abs(Number(m![3])));
    expect(s).toMatch(/both work/);
  });

  it('vae trains a step and writes both PNG grids', async () => {
    const s = await example('vae', ['--epochs', '1', '--digits', '300', '--hidden', '16', '--out', out]);
    expect(s).toMatch(/epoch  1: loss [\d.]+ {2}reconstruction_loss [\d.]+ {2}kl_loss [\d.]+/);
    expect(existsSync(join(out, 'vae-reconstructions.png'))).toBe(true);
    expect(existsSync(join(out, 'vae-prior-samples.png'))).toBe(true);
    expect(s).toMatch(/live tensors at the end: 0\n/);
  });

  it('flow fits a MAF to the spiral points, compares held-out NLLs and writes the density PNG', async () => {
    const s = await example('flow', ['--train', '400', '--test', '100', '--epochs', '2', '--layers', '2', '--hidden', '8', '--components', '3', '--out', out]);
    expect(s).toMatch(/held-out NLL \(nats\/point\): flow [-\d.]+, full-covariance Gaussian [-\d.]+, 3-component GMM [-\d.]+/);
    expect(existsSync(join(out, 'flow.png'))).toBe(true);
    expect(s).toMatch(/live tensors at the end: 0\n/);
  });

  it('bayesian-regression trains the tutorial cases 1-4 and writes one PNG each', async () => {
    const s = await example('bayesian-regression', ['--epochs', '2', '--passes', '3', '--out', out]);
    for (const c of [1, 2, 3, 4]) {
      expect(s).toMatch(new RegExp(`case ${c}: final loss [\\d.]+`));
      expect(existsSync(join(out, `bayesian-regression-case${c}.png`))).toBe(true);
    }
    expect(s).toMatch(/case 3: .*model losses: 1/);
    expect(s).toMatch(/live tensors at the end: 0\n/);
  });

  it('to-python saves one model per head with its cases.json for the Python checker', async () => {
    const s = await example('to-python', ['--epochs', '1', '--out', join(out, 'to-python')]);
    expect(s.match(/ saved to /g)?.length).toBe(7);
    expect(existsSync(join(out, 'to-python', 'mvn_tril', 'cases.json'))).toBe(true);
    expect(s).toMatch(/live tensors at the end: 0\n/);
  });

  it('count-regression prints the held-out NLL of the Poisson, NB and ZINB heads and of the true model', async () => {
    const s = await example('count-regression', ['--rows', '600', '--epochs', '2']);
    expect(s).toMatch(/Poisson \(IndependentPoisson\)\s+[\d.]+/);
    expect(s).toMatch(/zero-inflated NB \(ZINB\)\s+[\d.]+/);
    expect(s).toMatch(/true model \(ZINB, r = 1.5\)\s+[\d.]+/);
    expect(s).toMatch(/live tensors at the end: 0\n/);
  });
});
