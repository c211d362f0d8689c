// End to end: count regression through the command line (fit --head poisson|negbin|zinb, evaluate, predict).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, rng, tempDir } from './helpers.js';

const dir = tempDir('count');
const data = join(dir, 'counts.csv');

/** Zero-inflated NB2 counts: π = sigmoid(-1 + 1.5 x1), μ = exp(1 + 0.8 x2 - 0.5 x1), r = 1.5 (gamma–Poisson by products of uniforms). */
function writeCounts(n: number, seed: number): void {
  const r = rng(seed);
  const gamma = (shape: number): number => {
    // Marsaglia–Tsang for shape >= 1, boosted for shape < 1 (test data only).
    const a = shape < 1 ? shape + 1 : shape;
    const d = a - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const z = r.n();
      const v = (1 + c * z) ** 3;
      if (v > 0 && Math.log(r.u()) < 0.5 * z * z + d - d * v + d * Math.log(v)) return shape < 1 ? d * v * r.u() ** (1 / shape) : d * v;
    }
  };
  const poisson = (lam: number): number => {
    let k = 0;
    let t = 0;
    for (;;) {
      t += -Math.log(1 - r.u()) / lam;
      if (t > 1) return k;
      k++;
    }
  };
  const lines = ['x1,x2,y'];
  for (let i = 0; i < n; i++) {
    const x1 = 2 * r.u() - 1;
    const x2 = 2 * r.u() - 1;
    const pi = 1 / (1 + Math.exp(1 - 1.5 * x1));
    const mu = Math.exp(1 + 0.8 * x2 - 0.5 * x1);
    const y = r.u() < pi ? 0 : poisson((gamma(1.5) * mu) / 1.5);
    lines.push(`${x1.toFixed(5)},${x2.toFixed(5)},${y}`);
  }
  writeFileSync(data, lines.join('\n') + '\n');
}
writeCounts(900, 12);

describe('tfjs-prob count regression', () => {
  const nll: Record<string, number> = {};
  for (const head of ['poisson', 'negbin', 'zinb']) {
    it(`fit --head ${head}; evaluate reports NLL, RMSE, coverage and the randomized PIT; predict gives integer intervals`, async () => {
      const model = join(dir, `m-${head}`);
      const f = await cli('fit', data, '--x', 'x1,x2', '--y', 'y', '--head', head, '--hidden', '16', '--epochs', '25', '--batch-size', '128', '--lr', '0.01', '--val-split', '0', '--out', model, '--quiet');
      expect(f.stderr).toBe('');
      expect(f.code).toBe(0);
      expect(existsSync(join(model, 'tfjs-prob.json'))).toBe(true);
      const e = await cli('evaluate', model, data, '--format', 'json');
      expect(e.code).toBe(0);
      const ev = JSON.parse(e.stdout) as { nll: number; rmse: number; head: string; coverage: Array<{ level: number; overall: number }>; pit: { counts: number[]; ksDistance: number } };
      expect(ev.head).toBe(head);
      expect(Number.isFinite(ev.nll) && Number.isFinite(ev.rmse)).toBe(true);
      expect(ev.pit.counts.reduce((a, v) => a + v, 0)).toBe(900);
      nll[head] = ev.nll;
      const t = await cli('evaluate', model, data);
      expect(t.stdout).toMatch(/NLL \(mean per row, nats\)\s+[\d.]+/);
      expect(t.stdout).toMatch(/randomized PIT F\(y-1\) \+ v P\(y\)/);
      const p = await cli('predict', model, data, '--levels', '0.5,0.9');
      expect(p.code).toBe(0);
      const lines = p.stdout.trim().split('\n');
      expect(lines[0]).toBe('row,y_mean,y_sd,y_lo50,y_hi50,y_lo90,y_hi90');
      expect(lines.length).toBe(901);
      for (const line of lines.slice(1, 50)) {
        const v = line.split(',').map(Number);
        expect(v.slice(3).every((q) => Number.isInteger(q) && q >= 0)).toBe(true);
        expect(v[3]! <= v[4]! && v[5]! <= v[3]! && v[4]! <= v[6]!).toBe(true);
      }
      // plot draws the count predictive's integer bands (not normal approximations)
      const fig = join(dir, `plot-${head}.svg`);
      const pl = await cli('plot', model, data, '--x-col', 'x2', '--out', fig);
      expect(pl.code).toBe(0);
      expect(pl.stdout).toContain('count model: integer quantile bands, randomized PIT');
      expect(readFileSync(fig, 'utf8')).toMatch(/^<svg/);
    }, 180_000);
  }

  it('the overdispersed heads beat Poisson on overdispersed, zero-inflated counts (training NLL)', () => {
    expect(nll['negbin']!).toBeLessThan(nll['poisson']! - 0.1);
    expect(nll['zinb']!).toBeLessThan(nll['poisson']! - 0.1);
  });

  it('non-integer or negative targets are a usage error naming file, row and column (exit 2, no model written)', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'x1,x2,y\n0,0,1\n0,1,-2\n');
    const out = join(dir, 'm-bad');
    const r = await cli('fit', bad, '--x', 'x1,x2', '--y', 'y', '--head', 'zinb', '--out', out, '--quiet');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.csv: row 2, column "y": --head zinb needs non-negative integer counts; got -2/);
    expect(existsSync(out)).toBe(false);
  });
});
