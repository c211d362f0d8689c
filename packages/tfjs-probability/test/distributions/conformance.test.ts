// Runs the conformance suite (conformance.ts) on every built-in distribution (conformance_specs.ts).
import { describe, expect, it } from 'vitest';
import { chiSquareCritical, ksCritical } from '../helpers.js';
import { runConformance } from './conformance.js';
import { specs } from './conformance_specs.js';

describe('critical values of the suite’s statistical tests', () => {
  it('chi-square upper quantiles agree with scipy.stats.chi2.isf to 1e-6', () => {
    // scipy.stats.chi2.isf(alpha, k) for alpha = 1e-4 and 2.5e-5
    const ref: Array<[number, number, number]> = [
      [1, 1e-4, 15.136705226623397],
      [2, 1e-4, 18.420680743952364],
      [3, 1e-4, 21.10751346616021],
      [10, 1e-4, 35.56401394195211],
      [3, 2.5e-5, 23.99833329747102],
      [10, 2.5e-5, 39.03824511828792],
    ];
    for (const [k, a, want] of ref) expect(Math.abs(chiSquareCritical(k, a) / want - 1), `k = ${k}, alpha = ${a}`).toBeLessThan(1e-6);
  });
  it('DKW bound: 2 exp(-2 n d²) = alpha', () => {
    const d = ksCritical(20000, 1e-4);
    expect(2 * Math.exp(-2 * 20000 * d * d)).toBeCloseTo(1e-4, 12);
  });
});

for (const spec of specs) runConformance(spec);
