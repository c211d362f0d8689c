// Property-based tests (fast-check) over random valid parameters, for every spec in
// conformance_specs.ts with a `property` entry: logProb finite inside the support, cdf
// monotone and in [0, 1], quantile(cdf(x)) = x, KL >= 0 and KL(d, d) = 0. Each property
// runs a fixed number of cases from a fixed seed, so a failure reproduces exactly (fast-check
// prints the shrunk counterexample and the seed).
import * as tf from '@tensorflow/tfjs';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Distribution } from '../../src/distributions/distribution.js';
import { klDivergence } from '../../src/distributions/kl.js';
import { optionalMethod, type Args } from './conformance.js';
import { specs } from './conformance_specs.js';
import { round2Specs } from './conformance_specs_round2.js';

const RUNS = { numRuns: 40, seed: 20261130, endOnFailure: true };

/** Reads a tensor and disposes it. */
function read(t: tf.Tensor): number[] {
  const v = Array.from(t.dataSync());
  t.dispose();
  return v;
}

/** Runs `f` on `make(args)`, always disposing the distribution. */
function using<T>(make: (a: Args) => Distribution, a: Args, f: (d: Distribution) => T): T {
  const d = make(a);
  try {
    return f(d);
  } finally {
    d.dispose();
  }
}

for (const spec of [...specs, ...round2Specs]) {
  const prop = spec.property;
  if (!prop) continue;
  describe(`${spec.name} properties (fast-check, ${RUNS.numRuns} cases each)`, () => {
    const points = fc.array(prop.x(fc), { minLength: 1, maxLength: 8 });

    it('logProb is finite at every point of the support', () => {
      const before = tf.memory().numTensors;
      fc.assert(
        fc.property(prop.args(fc), points, (a, xs) =>
          using(spec.make, a, (d) => {
            const lp = read(d.logProb(xs as number[]));
            expect(lp.every(Number.isFinite), `logProb(${xs}) = ${lp}`).toBe(true);
          }),
        ),
        RUNS,
      );
      expect(tf.memory().numTensors).toBe(before);
    });

    it('cdf is non-decreasing and in [0, 1]', () => {
      fc.assert(
        fc.property(prop.args(fc), points, (a, xs) =>
          using(spec.make, a, (d) => {
            if (d.eventShape.length > 0) return;
            const sorted = [...(xs as number[])].sort((u, v) => u - v);
            const c = optionalMethod(() => d.cdf(sorted));
            if (!c) return;
            const cv = read(c);
            for (let i = 0; i < cv.length; i++) {
              expect(cv[i]! >= 0 && cv[i]! <= 1, `cdf(${sorted[i]}) = ${cv[i]}`).toBe(true);
              // float32 rounding may reverse equal-looking neighbours by an ulp of 1
              if (i > 0) expect(cv[i]!, `cdf at ${sorted[i - 1]} then ${sorted[i]}`).toBeGreaterThanOrEqual(cv[i - 1]! - 2e-7);
            }
          }),
        ),
        RUNS,
      );
    });

    it('quantile(cdf(x)) = x where cdf(x) is away from 0 and 1', () => {
      const pMin = prop.pMin ?? 1e-4;
      fc.assert(
        fc.property(prop.args(fc), points, (a, xs) =>
          using(spec.make, a, (d) => {
            if (d.eventShape.length > 0) return;
            const c = optionalMethod(() => d.cdf(xs as number[]));
            if (!c) return;
            const q = optionalMethod(() => d.quantile(c));
            const pdf = read(d.prob(xs as number[]));
            const cv = read(c);
            if (!q) return;
            const qv = read(q);
            (xs as number[]).forEach((x, i) => {
              if (!(cv[i]! >= pMin && cv[i]! <= 1 - pMin)) return;
              // float32 cdf carries ~1e-7 absolute error: dx = dp / pdf(x).
              const tol = 4e-7 / pdf[i]! + 2e-5 * Math.abs(x) + 1e-6;
              expect(Math.abs(qv[i]! - x), `quantile(cdf(${x})) = ${qv[i]} (cdf ${cv[i]}, tolerance ${tol})`).toBeLessThanOrEqual(tol);
            });
          }),
        ),
        RUNS,
      );
    });

    it('KL(p || q) >= 0 and KL(p || p) = 0', () => {
      fc.assert(
        fc.property(prop.args(fc), prop.args(fc), (a, b) =>
          using(spec.make, a, (p) =>
            using(spec.make, b, (q) => {
              const same = optionalMethod(() => klDivergence(p, p));
              if (!same) return;
              for (const s of read(same)) expect(Math.abs(s), `KL(p || p) = ${s} for ${JSON.stringify(a)}`).toBeLessThanOrEqual(1e-5);
              // float32 cancellation: a true KL of 0 may come out as -1e-6 relative to the terms' size
              for (const k of read(klDivergence(p, q))) expect(k, `KL(${JSON.stringify(a)} || ${JSON.stringify(b)})`).toBeGreaterThanOrEqual(-1e-5);
            }),
          ),
        ),
        RUNS,
      );
    });
  });
}
