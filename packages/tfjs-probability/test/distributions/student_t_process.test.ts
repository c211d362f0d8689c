// StudentTProcess: the density against a float64 closed form, the Gaussian limit, shapes, draws, leaks.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { StudentTProcess } from '../../src/distributions/student_t_process.js';
import { GaussianProcess } from '../../src/distributions/gaussian_process.js';
import * as psd from '../../src/math/psd_kernels/index.js';
import { expectClose, expectNoLeak } from '../helpers.js';

/** log Γ by Lanczos (float64), for the reference density. */
function lgamma64(x: number): number {
  const g = 7;
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lgamma64(1 - x);
  x -= 1;
  let a = c[0]!;
  const t = x + g + 0.5;
  for (let i = 1; i < g + 2; i++) a += c[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** ψ(x) for x > 0 (float64): recurrence up to x ≥ 8, then the asymptotic series. */
function digamma64(x: number): number {
  let r = 0;
  while (x < 8) {
    r -= 1 / x;
    x += 1;
  }
  const f = 1 / (x * x);
  return r + Math.log(x) - 0.5 / x - f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f / 132))));
}

describe('StudentTProcess', () => {
  it('matches the multivariate Student-t density with covariance K (float64, 2 points)', () => {
    const nu = 5, a = 1.2, l = 0.7, x = [[0], [0.5]], y = [0.4, -0.3];
    const kernel = new psd.ExponentiatedQuadratic({ amplitude: a, lengthScale: l });
    const tp = new StudentTProcess({ df: nu, kernel, indexPoints: x, jitter: 0 });
    const k01 = a * a * Math.exp(-0.25 / (2 * l * l));
    const s = ((nu - 2) / nu);
    const [s00, s01] = [a * a * s, k01 * s];
    const det = s00 * s00 - s01 * s01;
    const q = (s00 * y[0]! ** 2 - 2 * s01 * y[0]! * y[1]! + s00 * y[1]! ** 2) / det;
    const want = lgamma64((nu + 2) / 2) - lgamma64(nu / 2) - Math.log(nu * Math.PI) - 0.5 * Math.log(det) - ((nu + 2) / 2) * Math.log1p(q / nu);
    expectClose(tp.logProb(y), want, { rtol: 1e-5 });
    expectClose(tp.covariance(), [[a * a, k01], [k01, a * a]], { rtol: 1e-5 });
    expectNoLeak(() => [tp.logProb(y), tp.sample(3, { seed: 1 }), tp.mean(), tp.stddev()], 'StudentTProcess');
  });

  it('entropy: the multivariate Student-t closed form (float64), and −E[log p] by Monte Carlo; batched in df', () => {
    const nu = 4.5, a = 0.9, l = 0.6, x = [[0], [0.3], [1.0]];
    const kernel = new psd.MaternFiveHalves({ amplitude: a, lengthScale: l });
    const tp = new StudentTProcess({ df: nu, kernel, indexPoints: x, observationNoiseVariance: 0.1, jitter: 0 });
    // ½ log|S| with S = (ν − 2)/ν Σ, Σ = K + 0.1 I (3×3 determinant in float64).
    const K = tf.add(kernel.matrix(x, x), tf.mul(0.1, tf.eye(3))).arraySync() as number[][];
    const det3 = (m: number[][]) => m[0]![0]! * (m[1]![1]! * m[2]![2]! - m[1]![2]! * m[2]![1]!) - m[0]![1]! * (m[1]![0]! * m[2]![2]! - m[1]![2]! * m[2]![0]!) + m[0]![2]! * (m[1]![0]! * m[2]![1]! - m[1]![1]! * m[2]![0]!);
    const N = 3;
    const want = 0.5 * Math.log(det3(K)) + 0.5 * N * Math.log(((nu - 2) / nu) * nu * Math.PI) + lgamma64(nu / 2) - lgamma64((nu + N) / 2) +
      ((nu + N) / 2) * (digamma64((nu + N) / 2) - digamma64(nu / 2));
    expectClose(tp.entropy(), want, { rtol: 1e-5 });
    const draws = tp.sample(20000, { seed: 3 });
    const lp = tp.logProb(draws);
    const mc = -tf.mean(lp).dataSync()[0]!;
    const se = tf.moments(lp).variance.sqrt().dataSync()[0]! / Math.sqrt(20000);
    expect(Math.abs(mc - want)).toBeLessThan(4 * se);
    const tb = new StudentTProcess({ df: [3, 50], kernel, indexPoints: x, observationNoiseVariance: 0.1, jitter: 0 });
    const gp = new GaussianProcess({ kernel, indexPoints: x, observationNoiseVariance: 0.1, jitter: 0 });
    const hb = tb.entropy().dataSync();
    // At a fixed covariance the normal has the largest entropy: heavier tails (smaller df) have less.
    expect(hb[0]).toBeLessThan(hb[1]!);
    expect(hb[1]!).toBeLessThan(gp.entropy().dataSync()[0]! + 1e-4);
    expect(hb[1]!).toBeGreaterThan(gp.entropy().dataSync()[0]! - 0.05);
    expectNoLeak(() => tp.entropy(), 'StudentTProcess.entropy');
    tf.dispose([draws, lp]);
    tp.dispose();
    tb.dispose();
    gp.dispose();
  });

  it('approaches the Gaussian process as df grows; batches; draws have covariance K', () => {
    const kernel = new psd.MaternThreeHalves({ amplitude: 1, lengthScale: 0.8 });
    const X = [[0], [0.4], [1.1]], y = [0.2, 0.1, -0.5];
    const tp = new StudentTProcess({ df: 2000, kernel, indexPoints: X, observationNoiseVariance: 0.1 });
    const gp = new GaussianProcess({ kernel, indexPoints: X, observationNoiseVariance: 0.1 });
    expectClose(tp.logProb(y), gp.logProb(y), { rtol: 3e-3 });
    const tb = new StudentTProcess({ df: [3, 10], kernel, indexPoints: X });
    expect(tb.batchShape).toEqual([2]);
    expect(tb.logProb(y).shape).toEqual([2]);
    expect(tb.sample(4, { seed: 2 }).shape).toEqual([4, 2, 3]);
    const t6 = new StudentTProcess({ df: 6, kernel, indexPoints: X });
    const n = 40000;
    const s = t6.sample(n, { seed: 5 });
    const c = tf.div(tf.matMul(s, s, true, false), n);
    // Heavy tails (ν = 6): a loose check of the second moments.
    expectClose(c, t6.covariance(), { atol: 0.1 });
    expect(() => new StudentTProcess({ df: 2, kernel, indexPoints: X })).toThrow(/StudentTProcess: df must be greater than 2|StudentTProcess.*df/);
  });
});
