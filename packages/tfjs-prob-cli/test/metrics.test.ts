import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { crpsNormal, energyScore, pitHistogramText } from '../src/metrics.js';
import { expectClose, expectNoLeak } from '../../tfjs-probability/test/helpers.js';
import { rng } from './helpers.js';

describe('scores', () => {
  it('CRPS of a normal in closed form', () => {
    // CRPS(N(0,1), 0) = 2 phi(0) - 1/sqrt(pi); CRPS(N(mu, s), y) = s CRPS(N(0,1), (y-mu)/s).
    // Values from scipy: 2*norm.pdf(0) - 1/sqrt(pi) = 0.23369497725510913;
    // z = 1: 1*(2*norm.cdf(1)-1) + 2*norm.pdf(1) - 1/sqrt(pi) = 0.6024458859735289.
    expectClose(crpsNormal([0], [1], [0]), 0.23369497725510913, { rtol: 1e-5 });
    expectClose(crpsNormal([1], [2], [3]), 2 * 0.6024458859735289, { rtol: 1e-5 });
    expectClose(crpsNormal([0, 1], [1, 2], [0, 3]), (0.23369497725510913 + 2 * 0.6024458859735289) / 2, { rtol: 1e-5 });
    expectNoLeak(() => crpsNormal([0, 1], [1, 2], [0, 3]), 'crpsNormal');
  });

  it('energy score from draws of a normal approaches its CRPS', () => {
    // One target: ES = CRPS. 200 rows x 400 draws of N(0,1) at y = 0.7. Each row's estimate has
    // sd about 0.6/sqrt(400) = 0.03, their mean about 0.03/sqrt(200) = 0.002: 0.01 is ~5 sd
    // (false failure < 1e-6). Constants: scipy norm.cdf(0.7), norm.pdf(0.7).
    const r = rng(9);
    const n = 200;
    const s = 400;
    const draws = Float64Array.from({ length: n * s }, () => r.n());
    const y = new Float64Array(n).fill(0.7);
    const expected = 0.7 * (2 * 0.758036347776927 - 1) + 2 * 0.31225393336676127 - 1 / Math.sqrt(Math.PI);
    expect(Math.abs(energyScore(draws, s, y, n, 1) - expected)).toBeLessThan(0.01);
  });

  it('PIT histogram text: one line per bin plus the legend', () => {
    const t = pitHistogramText([1, 2, 3, 4]);
    const lines = t.split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toContain('[0.0, 0.3)');
    expect(lines[3]).toMatch(/ 4$/);
    expect(lines[4]).toContain('2.5 per bin');
  });

  it('uses no tensors beyond its call', () => {
    const before = tf.memory().numTensors;
    energyScore([1, 2, 3, 4], 2, [0, 0], 2, 1);
    expect(tf.memory().numTensors).toBe(before);
  });
});
