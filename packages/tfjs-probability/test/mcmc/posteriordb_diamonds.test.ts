import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { unpackFloat64 } from './posteriordb_diamonds.js';
import { buildModel, loadPosterior } from './posteriordb_models.js';

interface Check {
  logDensity: number;
  gradient: { b: number[]; Intercept: number; sigma: number };
}

describe('posteriordb diamonds-diamonds model', () => {
  const f = loadPosterior('diamonds-diamonds');

  it('decodes the packed Stan data exactly (5000 x 25 design, column-major, and the response)', () => {
    const { N, K } = f.data as unknown as { N: number; K: number };
    const data = f.data as unknown as Record<string, { encoding: string; length: number; data: string }>;
    const X = unpackFloat64(data['X']!, 'X');
    const Y = unpackFloat64(data['Y']!, 'Y');
    expect([N, K, X.length, Y.length]).toEqual([5000, 25, 125000, 5000]);
    // The first row of posteriordb's diamonds.json: intercept 1, carat 0.82, then log(x) = log(6.0); first price.
    expect([X[0], X[N], X[2 * N]]).toEqual([1, 0.82, 1.79175946922805]);
    expect(Y[0]).toBe(7.99260665240021);
    expect(X.subarray(0, N).every((v) => v === 1)).toBe(true);
    expect(() => unpackFloat64({ ...data['Y']!, length: 4999 }, 'Y')).toThrow(/Y does not inflate to 39992 bytes/);
    expect(() => unpackFloat64({ ...data['Y']!, length: 5001 }, 'Y')).toThrow(/Y decodes to 40000 bytes; expected 40008/);
    expect(() => unpackFloat64({ ...data['Y']!, encoding: 'json' }, 'Y')).toThrow(/Y has encoding "json"/);
  });

  it('log density and gradient at the reference means match numpy (float64, generate_posteriordb.py) within float32 error', async () => {
    const check = (f as unknown as { check: Check }).check;
    const before = tf.memory().numTensors;
    const m = buildModel(f);
    const C = 2;
    const ref = (k: string): number => f.reference[k]!.mean;
    const b = tf.tensor2d(Array.from({ length: C }, () => Array.from({ length: 24 }, (_, i) => ref(`b[${i + 1}]`))));
    const a = tf.fill([C], ref('Intercept'));
    const s = tf.fill([C], ref('sigma'));
    const g = tf.grads((bb: tf.Tensor, aa: tf.Tensor, ss: tf.Tensor) => m.targetLogProbFn({ b: bb, Intercept: aa, sigma: ss }));
    const lp = m.targetLogProbFn({ b, Intercept: a, sigma: s });
    const [gb, ga, gs] = g([b, a, s]);
    expect(lp.shape).toEqual([C]);
    for (const v of await lp.data()) expect(v).toBeCloseTo(check.logDensity, 1);
    // Float32 sums over 5000 residuals: compare each component on its posterior scale (gradient x sd).
    const gbv = await gb!.data();
    for (let i = 0; i < 24; i++) expect(Math.abs(gbv[24 + i]! - check.gradient.b[i]!) * f.reference[`b[${i + 1}]`]!.sd).toBeLessThan(0.05);
    expect(Math.abs((await ga!.data())[1]! - check.gradient.Intercept) * f.reference['Intercept']!.sd).toBeLessThan(0.05);
    expect(Math.abs((await gs!.data())[0]! - check.gradient.sigma) * f.reference['sigma']!.sd).toBeLessThan(0.05);
    tf.dispose([b, a, s, lp, gb!, ga!, gs!]);
    m.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is sampled with the dense metric (its fixture settings; bench/posteriordb.ts runs the check)', () => {
    expect(f.settings).toEqual({ metric: 'dense' });
    const m = buildModel(f);
    expect(Object.keys(m.parts)).toEqual(['b', 'Intercept', 'sigma']);
    expect(m.parts['b']!.shape).toEqual([24]);
    m.dispose();
  });
});
