import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { randomGammaBatched, randomLogGammaBatched } from '../../src/math/gamma_sampler.js';
import { expectClose, expectNoLeak, loadFixture, meanTolerance } from '../helpers.js';

interface Moments {
  concentration: number[];
  mean: number[];
  sd: number[];
  log_mean: number[];
  log_sd: number[];
}
const { gamma_moments: M } = loadFixture<{ gamma_moments: Moments }>('continuous');

describe('randomGammaBatched shapes', () => {
  const table: Array<{ name: string; conc: number | number[] | number[][]; shape: number[] }> = [
    { name: 'scalar', conc: 2, shape: [] },
    { name: 'vector', conc: [0.3, 1, 5], shape: [3] },
    { name: 'matrix', conc: [[0.3, 1, 5], [0.01, 2, 100]], shape: [2, 3] },
  ];
  for (const t of table) {
    for (const s of [[], [1], [2, 3]] as number[][]) {
      it(`${t.name} x sampleShape [${s}]`, () => {
        const g = randomGammaBatched(s, t.conc, 1);
        const lg = randomLogGammaBatched(s, t.conc, 1);
        expect(g.shape).toEqual([...s, ...t.shape]);
        expect(lg.shape).toEqual([...s, ...t.shape]);
        // Same seed: the gamma draws are the exp of the log-gamma draws (clamped at float32 tiny).
        expectClose(g, tf.tidy(() => tf.maximum(tf.exp(lg), 1.1754943508222875e-38)), { rtol: 1e-5 });
        expect(Array.from(g.dataSync()).every((v) => v > 0 && Number.isFinite(v))).toBe(true);
        tf.dispose([g, lg]);
      });
    }
  }
  it('accepts a number as the sample shape', () => {
    const g = randomGammaBatched(4, [1, 2]);
    expect(g.shape).toEqual([4, 2]);
    g.dispose();
  });
});

describe('randomGammaBatched reproducibility and edge values', () => {
  it('is reproducible under a seed and differs across seeds', () => {
    const a = randomGammaBatched([50], [0.2, 3], 9);
    const b = randomGammaBatched([50], [0.2, 3], 9);
    const c = randomGammaBatched([50], [0.2, 3], 10);
    expectClose(a, b, { rtol: 0 });
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(c.dataSync()));
    tf.dispose([a, b, c]);
  });

  it('invalid concentrations (<= 0, NaN, Inf) give NaN draws; valid neighbours are unaffected', () => {
    const g = randomGammaBatched([3], [0, -1, NaN, Infinity, 2], 4);
    const v = Array.from(g.dataSync());
    for (let i = 0; i < 3; i++) {
      expect(v.slice(5 * i, 5 * i + 4).every(Number.isNaN)).toBe(true);
      expect(v[5 * i + 4]).toBeGreaterThan(0);
    }
    g.dispose();
  });

  it('tiny concentrations: log draws stay finite where the draw underflows float32', () => {
    const lg = randomLogGammaBatched([2000], [0.005], 3);
    const v = Array.from(lg.dataSync());
    expect(v.every(Number.isFinite)).toBe(true);
    expect(Math.min(...v)).toBeLessThan(Math.log(1.1754943508222875e-38)); // some really underflow
    lg.dispose();
  });

  it('leaks no tensors', () => {
    const a = tf.tensor1d([0.5, 2]);
    expectNoLeak(() => randomGammaBatched([10], a, 1), 'randomGammaBatched');
    expectNoLeak(() => randomLogGammaBatched([10], a, 1), 'randomLogGammaBatched');
    expect(a.isDisposed).toBe(false);
    a.dispose();
  });
});

describe('randomGammaBatched statistics (false-failure rate 1e-4, Bonferroni over all checks)', () => {
  it('mean of G and of log G over 40,000 draws per concentration, incl. 0.1 and 0.5', () => {
    const n = 40000;
    const k = M.concentration.length;
    const tests = 2 * k;
    const g = randomGammaBatched([n], M.concentration, 2024);
    const lg = randomLogGammaBatched([n], M.concentration, 2025);
    const m = tf.mean(g, 0);
    const lm = tf.mean(lg, 0);
    const md = m.dataSync();
    const lmd = lm.dataSync();
    for (let i = 0; i < k; i++) {
      const a = M.concentration[i];
      const tolMean = meanTolerance(M.sd[i]!, n, tests);
      const tolLog = meanTolerance(M.log_sd[i]!, n, tests);
      expect(Math.abs(md[i]! - M.mean[i]!), `E[G], a=${a}: ${md[i]} vs ${M.mean[i]} (tol ${tolMean})`).toBeLessThan(tolMean);
      expect(Math.abs(lmd[i]! - M.log_mean[i]!), `E[log G] = digamma(a), a=${a}: ${lmd[i]} vs ${M.log_mean[i]} (tol ${tolLog})`).toBeLessThan(tolLog);
    }
    tf.dispose([g, lg, m, lm]);
  });
});

describe('TSDoc examples', () => {
  it('run as documented', () => {
    const lg = randomLogGammaBatched([1000], [0.01, 1, 50], 7);
    expect(lg.shape).toEqual([1000, 3]);
    const g = randomGammaBatched([5], [0.5, 2, 10], 1);
    expect(g.shape).toEqual([5, 3]);
    tf.dispose([lg, g]);
  });
});

describe('randomGammaBatched runs as tensor ops (no synchronous read-back)', () => {
  // The cpu/wasm kernels read their own host memory (backend.readSync inside Slice, Tile, ...), which is
  // no GPU sync; what the library itself must never do is call a tensor's synchronous readers.
  it('reads nothing back: no Tensor dataSync / arraySync / bufferSync while sampling', async () => {
    const { vi } = await import('vitest');
    const a = tf.tensor1d([0.3, 1, 7]);
    const spies = [
      vi.spyOn(tf.Tensor.prototype, 'dataSync'),
      vi.spyOn(tf.Tensor.prototype, 'arraySync'),
      vi.spyOn(tf.Tensor.prototype, 'bufferSync'),
    ];
    try {
      const g = randomGammaBatched([200], a, 3);
      const lg = randomLogGammaBatched([200], a, 3);
      for (const s of spies) expect(s).not.toHaveBeenCalled();
      tf.dispose([g, lg]);
    } finally {
      for (const s of spies) s.mockRestore();
      a.dispose();
    }
  });
  it('the redraw path (about 4.8% of proposals rejected at a = 1, compacted and redrawn) gives no NaN and the right mean', () => {
    // 200000 draws of Gamma(1): ~9700 rejected in round 1, all redrawn among K = 20064 slots.
    // Mean 1, sd 1: meanTolerance(1, n) fails a correct sampler with probability 1e-4 (FALSE_FAILURE_RATE).
    const n = 200000;
    const g = randomGammaBatched([n], 1, 11);
    const v = g.dataSync();
    let s = 0;
    let firstBad = -1;
    for (let i = 0; i < n; i++) {
      if (firstBad < 0 && !(Number.isFinite(v[i]!) && v[i]! > 0)) firstBad = i;
      s += v[i]!;
    }
    expect(firstBad, firstBad >= 0 ? `draw ${firstBad} = ${v[firstBad]}` : '').toBe(-1);
    expect(Math.abs(s / n - 1)).toBeLessThan(meanTolerance(1, n));
    g.dispose();
  });
  it('leaks no tensors', () => {
    const a = tf.tensor1d([0.3, 1, 7]);
    expectNoLeak(() => randomGammaBatched([10], a, 1), 'randomGammaBatched');
    expectNoLeak(() => randomLogGammaBatched([10], a, 1), 'randomLogGammaBatched');
    a.dispose();
  });
});
