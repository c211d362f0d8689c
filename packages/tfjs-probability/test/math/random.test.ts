import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { fillNormal, fillUniform, randomNormal, randomUniform } from '../../src/math/random.js';
import { FALSE_FAILURE_RATE, expectNoLeak, zFor } from '../helpers.js';

// Every statistical check below fails for a correct generator with probability
// at most FALSE_FAILURE_RATE / (number of checks in its test) (Bonferroni).

/** Standard normal cdf with |error| < 1e-14 (erfc by continued fraction / series, double precision). */
function phi(x: number): number {
  // W. J. Cody-free: use the relation Φ(x) = ½ erfc(−x/√2) with a high-precision erfc.
  return 0.5 * erfc(-x / Math.SQRT2);
}
function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x);
  if (x < 2) {
    // Taylor series of erf: 2/√π Σ (−1)^n x^(2n+1) / (n! (2n+1))
    let sum = 0, term = x, n = 0;
    while (Math.abs(term) > 1e-17 * Math.abs(sum) || n < 3) {
      sum += term / (2 * n + 1);
      n++;
      term *= (-x * x) / n;
      if (n > 200) break;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  // Continued fraction (Lentz) for erfc, x ≥ 2.
  let f = x, c = x, d = 0;
  for (let k = 1; k < 300; k++) {
    const an = k / 2;
    d = x + an * d; d = 1 / d;
    c = x + an / c;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / (f * Math.sqrt(Math.PI));
}

/** Kolmogorov-Smirnov statistic of `xs` against `cdf`. */
function ksStat(xs: ArrayLike<number>, cdf: (x: number) => number): number {
  const s = Float64Array.from(xs).sort();
  const n = s.length;
  let dmax = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(s[i]!);
    dmax = Math.max(dmax, f - i / n, (i + 1) / n - f);
  }
  return dmax;
}
/** KS critical value: P(D_n > c) <= alpha (asymptotic Kolmogorov tail 2 exp(−2 n c²), conservative). */
const ksCritical = (n: number, alpha: number) => Math.sqrt(-Math.log(alpha / 2) / (2 * n));

describe('randomNormal', () => {
  const n = 100_000;

  it('has mean 0, variance 1 and skewness 0 (3 checks)', () => {
    const x = fillNormal(new Float32Array(n), 12345);
    let m = 0;
    for (const v of x) m += v;
    m /= n;
    let v2 = 0, v3 = 0;
    for (const v of x) { const d = v - m; v2 += d * d; v3 += d * d * d; }
    v2 /= n; v3 /= n;
    const z = zFor(FALSE_FAILURE_RATE / 3);
    expect(Math.abs(m), 'mean').toBeLessThan(z * Math.sqrt(1 / n));
    expect(Math.abs(v2 - 1), 'variance').toBeLessThan(z * Math.sqrt(2 / n)); // Var(s²) = 2/n
    expect(Math.abs(v3), 'third central moment').toBeLessThan(z * Math.sqrt(15 / n)); // Var(m3) ≈ 15/n
  });

  it('passes a Kolmogorov-Smirnov test against Φ (100,000 draws)', () => {
    const x = fillNormal(new Float32Array(n), 777);
    const d = ksStat(x, phi);
    expect(d).toBeLessThan(ksCritical(n, FALSE_FAILURE_RATE));
  });

  it('reproduces the tails: P(|Z| > 3.4426) (the ziggurat tail region) and P(|Z| > 2)', () => {
    const m = 400_000;
    const x = fillNormal(new Float32Array(m), 99);
    const z = zFor(FALSE_FAILURE_RATE / 2);
    for (const t of [ZIG_TAIL, 2]) {
      let c = 0;
      for (const v of x) if (Math.abs(v) > t) c++;
      const p = 2 * (1 - phi(t));
      expect(Math.abs(c / m - p), `P(|Z| > ${t})`).toBeLessThan(z * Math.sqrt((p * (1 - p)) / m));
    }
  });

  it('first draws across consecutive seeds 0..9999 are standard normal (KS) and uncorrelated', () => {
    const k = 10_000;
    const first = new Float64Array(k);
    const second = new Float64Array(k);
    const buf = new Float32Array(2);
    for (let s = 0; s < k; s++) {
      fillNormal(buf, s);
      first[s] = buf[0]!;
      second[s] = buf[1]!;
    }
    expect(ksStat(first, phi)).toBeLessThan(ksCritical(k, FALSE_FAILURE_RATE / 3));
    // lag-1 correlation across seeds s, s+1 and within a stream
    let c1 = 0, c2 = 0;
    for (let s = 0; s + 1 < k; s++) { c1 += first[s]! * first[s + 1]!; c2 += first[s]! * second[s]!; }
    const tol = zFor(FALSE_FAILURE_RATE / 3) / Math.sqrt(k - 1);
    expect(Math.abs(c1 / (k - 1)), 'corr(seed s, seed s+1)').toBeLessThan(tol);
    expect(Math.abs(c2 / (k - 1)), 'corr(draw 0, draw 1)').toBeLessThan(tol);
  });

  it('streams of consecutive seeds are uncorrelated', () => {
    const a = fillNormal(new Float32Array(n), 41);
    const b = fillNormal(new Float32Array(n), 42);
    let c = 0;
    for (let i = 0; i < n; i++) c += a[i]! * b[i]!;
    expect(Math.abs(c / n)).toBeLessThan(zFor(FALSE_FAILURE_RATE) / Math.sqrt(n));
  });

  it('is reproducible from a seed, fresh without one, and returns the asked shape', () => {
    const a = randomNormal([2, 3, 4], 5);
    const b = randomNormal([2, 3, 4], 5);
    const c = randomNormal([2, 3, 4], 6);
    const d = randomNormal([2, 3, 4]);
    const e = randomNormal([2, 3, 4]);
    expect(a.shape).toEqual([2, 3, 4]);
    expect(a.dtype).toBe('float32');
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(c.dataSync()));
    expect(Array.from(d.dataSync())).not.toEqual(Array.from(e.dataSync()));
    expect(randomNormal([0, 3]).shape).toEqual([0, 3]);
    expect(randomNormal([]).shape).toEqual([]);
    tf.dispose([a, b, c, d, e]);
  });

  it('gives the same numbers from a seed in the backend kernel (cpu, wasm) and in a plain array', async () => {
    const expected = Array.from(fillNormal(new Float32Array(3001), 42));
    const here = tf.getBackend();
    for (const backend of [here, 'cpu']) {
      await tf.setBackend(backend);
      const t = randomNormal([3, 1000, 1], 42);
      expect(Array.from(t.dataSync()), backend).toEqual(expected.slice(0, 3000));
      t.dispose();
    }
    await tf.setBackend(here);
  });

  it('leaks nothing', () => {
    expectNoLeak(() => randomNormal([10], 1), 'randomNormal');
    expectNoLeak(() => randomUniform([10], 1), 'randomUniform');
  });
});

const ZIG_TAIL = 3.442619855899;

describe('randomUniform', () => {
  it('lies strictly inside (0, 1) in float32, 1-u and 2u-1 too, and passes KS (100,000 draws)', () => {
    const n = 100_000;
    const u = fillUniform(new Float32Array(n), 2024);
    const f = new Float32Array(1);
    for (const v of u) {
      expect(v > 0 && v < 1).toBe(true);
      f[0] = 1 - v; expect(f[0] > 0).toBe(true);
      f[0] = 2 * v - 1; expect(Math.abs(f[0]) < 1).toBe(true);
    }
    expect(ksStat(u, (x) => Math.min(1, Math.max(0, x)))).toBeLessThan(ksCritical(n, FALSE_FAILURE_RATE));
  });

  it('is reproducible from a seed', () => {
    const a = randomUniform([5], 3);
    const b = randomUniform([5], 3);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    tf.dispose([a, b]);
  });
});
