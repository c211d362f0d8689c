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
    expect(() => tp.entropy()).toThrow(/StudentTProcess does not implement entropy/);
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
