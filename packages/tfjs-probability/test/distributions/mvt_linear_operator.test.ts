// MultivariateStudentTLinearOperator (and its TriL name): the conformance suite, values against
// scipy.stats.multivariate_t (fixtures/inference.json, generate_inference.py), the joint law of the
// draws (the Mahalanobis distance is F-distributed) and the large-df limit.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { MultivariateNormalTriL } from '../../src/distributions/mvn_tril.js';
import { MultivariateStudentTLinearOperator, MultivariateStudentTTriL } from '../../src/distributions/mvt_linear_operator.js';
import { StudentT } from '../../src/distributions/student_t.js';
import { betainc } from '../../src/math/special.js';
import { FALSE_FAILURE_RATE, expectClose, ksCritical, loadFixture } from '../helpers.js';
import { runConformance, type Args } from './conformance.js';

const L2 = [[1.2, 0], [0.3, 0.8]];

runConformance({
  name: 'MultivariateStudentTLinearOperator',
  make: (a: Args) => new MultivariateStudentTLinearOperator(a as never),
  args: () => ({ df: [3, 10], loc: [0, 1], scaleTril: L2 }),
  optional: ['loc'],
  shapes: [
    { name: 'D = 2', args: () => ({ df: 4, loc: [0, 1], scaleTril: [[1, 0], [0.5, 2]] }), batch: [], event: [2] },
    {
      name: 'df [3, 1] x scale [2], no loc',
      args: () => ({ df: [[3], [5], [30]], scaleTril: [[[1, 0], [0.5, 2]], [[2, 0], [0, 1]]] }),
      batch: [3, 2],
      event: [2],
    },
  ],
  inside: [0.5, -1],
  outside: { value: [NaN, -1], index: [0] },
  stats: { args: () => ({ df: 12, loc: [1, -3], scaleTril: L2 }) },
  marginal: { index: 0, reference: () => new StudentT({ df: 12, loc: 1, scale: 1.2 }) },
});

interface MvtCase {
  df: number; loc: number[]; scaleTril: number[][]; x: number[][]; logPdf: number[]; entropy: number; covariance: number[][] | 'inf';
}

describe('MultivariateStudentTLinearOperator against scipy.stats.multivariate_t', () => {
  it('logProb, entropy, covariance, variance, mean', () => {
    const before = tf.memory().numTensors;
    for (const c of loadFixture<{ MultivariateStudentT: MvtCase[] }>('inference').MultivariateStudentT) {
      const d = new MultivariateStudentTLinearOperator({ df: c.df, loc: c.loc, scaleTril: c.scaleTril });
      tf.tidy(() => {
        const ctx = { df: c.df, D: c.loc.length };
        expectClose(d.logProb(c.x), c.logPdf, { rtol: 2e-5, atol: 2e-5, context: ctx });
        expectClose(d.entropy(), [c.entropy], { rtol: 2e-5, atol: 2e-5, context: ctx });
        expectClose(d.mean(), c.loc, { rtol: 1e-6, context: ctx });
        if (c.covariance === 'inf') {
          expect(Array.from(d.covariance().dataSync()).every((v) => v === Infinity), `covariance ∞ at df ${c.df}`).toBe(true);
        } else {
          expectClose(d.covariance(), c.covariance, { rtol: 1e-5, atol: 1e-6, context: ctx });
          expectClose(d.variance(), c.covariance.map((r, i) => r[i]!), { rtol: 1e-5, context: ctx });
        }
      });
      d.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('df ≤ 1: mean and covariance NaN; a batch mixes the regimes per member', () => {
    const d = new MultivariateStudentTLinearOperator({ df: [0.8, 1.5, 4], scaleTril: [[1, 0], [0, 2]] });
    tf.tidy(() => {
      const m = d.mean().arraySync() as number[][];
      expect(m.map((r) => r.map(Number.isNaN))).toEqual([[true, true], [false, false], [false, false]]);
      const v = d.variance().arraySync() as number[][];
      expect(v[0]!.every(Number.isNaN)).toBe(true);
      expect(v[1]).toEqual([Infinity, Infinity]);
      expectClose(v[2]!, [2, 8], { rtol: 1e-6 });
    });
    d.dispose();
  });

  it('ν = 10⁴: logProb and entropy within 1e-3 of the normal limit (no cancellation of the lgamma terms)', () => {
    const t = new MultivariateStudentTLinearOperator({ df: 1e4, loc: [1, 0, -1], scaleTril: [[1, 0, 0], [0.2, 0.7, 0], [-0.3, 0.1, 1.5]] });
    const n = new MultivariateNormalTriL({ loc: [1, 0, -1], scaleTril: [[1, 0, 0], [0.2, 0.7, 0], [-0.3, 0.1, 1.5]] });
    tf.tidy(() => {
      const x = [[1, 0, -1], [0, 1, 2], [2.5, -1, 0]];
      expectClose(t.logProb(x), n.logProb(x), { atol: 1e-3 });
      expectClose(t.entropy(), n.entropy(), { atol: 1e-3 });
    });
    t.dispose();
    n.dispose();
  });

  it(`draws: ‖L⁻¹(x − μ)‖²/D is F(D, ν) (KS, 20,000 draws, false-failure rate ${FALSE_FAILURE_RATE})`, () => {
    // The joint law, not only the marginals: a wrong correlation or a shared chi-square per entry fails it.
    const n = 20000;
    const D = 3;
    const nu = 4.5;
    const L = [[1, 0, 0], [0.6, 0.5, 0], [-0.4, 1.2, 0.3]];
    const d = new MultivariateStudentTTriL({ df: nu, loc: [2, -1, 0], scaleTril: L });
    expect(d.className).toBe('MultivariateStudentTTriL');
    const cdf = tf.tidy(() => {
      const x = d.sample([n], { seed: 23 });
      const z = tf.matMul(tf.sub(x, [2, -1, 0]), tf.transpose(invLower(L)));
      const f = tf.div(tf.sum(tf.square(z), -1), D);
      // F(D, ν) cdf: I_{Df/(Df + ν)}(D/2, ν/2)
      const u = tf.div(tf.mul(D, f), tf.add(tf.mul(D, f), nu));
      return betainc(tf.fill([n], D / 2), tf.fill([n], nu / 2), u).dataSync();
    });
    d.dispose();
    const s = Float64Array.from(cdf).sort();
    let ks = 0;
    for (let i = 0; i < n; i++) ks = Math.max(ks, (i + 1) / n - s[i]!, s[i]! - i / n);
    expect(ks).toBeLessThan(ksCritical(n, FALSE_FAILURE_RATE));
  });
});

/** The inverse of a small lower-triangular matrix by forward substitution (test-side, float64). */
function invLower(L: number[][]): tf.Tensor2D {
  const n = L.length;
  const inv = L.map(() => new Array<number>(n).fill(0));
  for (let j = 0; j < n; j++) {
    inv[j]![j] = 1 / L[j]![j]!;
    for (let i = j + 1; i < n; i++) {
      let s = 0;
      for (let k = j; k < i; k++) s += L[i]![k]! * inv[k]![j]!;
      inv[i]![j] = -s / L[i]![i]!;
    }
  }
  return tf.tensor2d(inv);
}
