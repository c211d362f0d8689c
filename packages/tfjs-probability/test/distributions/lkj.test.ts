// LKJ and CholeskyLKJ: the conformance suite, values against the float64 generator
// (fixtures/inference.json, generate_inference.py), the normalizer against the sampler, the
// Jacobian of the event-space bijector against autodiff, and the two classes against each other.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Chain } from '../../src/bijectors/chain.js';
import { Scale } from '../../src/bijectors/scale.js';
import { Shift } from '../../src/bijectors/shift.js';
import { Beta } from '../../src/distributions/beta.js';
import { CholeskyLKJ } from '../../src/distributions/cholesky_lkj.js';
import { LKJ } from '../../src/distributions/lkj.js';
import { TransformedDistribution } from '../../src/distributions/transformed_distribution.js';
import { digamma, lgamma } from '../../src/math/special.js';
import { expectClose, loadFixture, meanTolerance } from '../helpers.js';
import { runConformance, type Args } from './conformance.js';

/** The marginal of an off-diagonal correlation, 2 Beta(a, a) − 1 with a = η − 1 + d/2. */
const offDiagonal = (d: number, eta: number) => () => {
  const a = eta - 1 + d / 2;
  return new TransformedDistribution({
    distribution: new Beta({ concentration1: a, concentration0: a }),
    bijector: new Chain({ bijectors: [new Shift({ shift: -1 }), new Scale({ scale: 2 })] }),
  });
};

const corr3 = [[1, 0.3, -0.2], [0.3, 1, 0.5], [-0.2, 0.5, 1]];
// Its Cholesky factor (float64, rounded; rows of unit norm to 1e-7).
const chol3 = [[1, 0, 0], [0.3, 0.9539392, 0], [-0.2, 0.5870395, 0.7844645]];

runConformance({
  name: 'LKJ',
  make: (a: Args) => new LKJ(a as never),
  args: () => ({ dimension: 3, concentration: [1.5, 3] }),
  nonTensor: ['dimension'],
  shapes: [
    { name: 'd = 2, scalar', args: () => ({ dimension: 2, concentration: 0.7 }), batch: [], event: [2, 2] },
    { name: 'd = 4, batch [2, 3]', args: () => ({ dimension: 4, concentration: [[1, 2, 3], [0.5, 5, 10]] }), batch: [2, 3], event: [4, 4] },
  ],
  inside: corr3,
  outside: { value: [corr3, [[1, 0.3, NaN], [0.3, 1, 0.5], [-0.2, 0.5, 1]]], index: [1] },
  stats: { args: () => ({ dimension: 3, concentration: 2 }) },
  marginal: { index: 5, reference: offDiagonal(3, 2) },
});

runConformance({
  name: 'CholeskyLKJ',
  make: (a: Args) => new CholeskyLKJ(a as never),
  args: () => ({ dimension: 3, concentration: [1.5, 3] }),
  nonTensor: ['dimension'],
  shapes: [
    { name: 'd = 2, scalar', args: () => ({ dimension: 2, concentration: 0.7 }), batch: [], event: [2, 2] },
    { name: 'd = 4, batch [2, 3]', args: () => ({ dimension: 4, concentration: [[1, 2, 3], [0.5, 5, 10]] }), batch: [2, 3], event: [4, 4] },
  ],
  inside: chol3,
  outside: { value: [chol3, [[1, 0, 0], [0.3, 0.2, 0], [-0.2, 0.5870395, 0.7844645]]], index: [1] },
  stats: { args: () => ({ dimension: 4, concentration: 0.8 }) },
  // L[2, 0] = C[2, 0]
  marginal: { index: 8, reference: offDiagonal(4, 0.8) },
});

interface LkjCase {
  dimension: number; concentration: number; logNormalizer: number;
  x: number[][][]; logPdf: number[]; cholesky: number[][][]; choleskyLogPdf: number[];
}
const cases = () => loadFixture<{ LKJ: LkjCase[] }>('inference').LKJ;

describe('LKJ and CholeskyLKJ against the float64 reference', () => {
  it('logProb of correlation matrices, of their Cholesky factors, and with inputOutputCholesky', () => {
    const before = tf.memory().numTensors;
    for (const c of cases()) {
      const args = { dimension: c.dimension, concentration: c.concentration };
      const lkj = new LKJ(args);
      const clkj = new CholeskyLKJ(args);
      const io = new LKJ({ ...args, inputOutputCholesky: true });
      tf.tidy(() => {
        expectClose(lkj.logProb(c.x), c.logPdf, { rtol: 1e-5, atol: 1e-4, context: { ...args, method: 'LKJ' } });
        expectClose(clkj.logProb(c.cholesky), c.choleskyLogPdf, { rtol: 1e-5, atol: 1e-4, context: { ...args, method: 'CholeskyLKJ' } });
        expectClose(io.logProb(c.cholesky), c.logPdf, { rtol: 1e-5, atol: 1e-4, context: { ...args, method: 'inputOutputCholesky' } });
        // log p(C = 1) = -log Z
        expectClose(lkj.logProb(tf.eye(c.dimension)), [-c.logNormalizer], { rtol: 1e-6, atol: 1e-5, context: args });
      });
      lkj.dispose();
      clkj.dispose();
      io.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the sampler agrees with the normalizer: E_η[det C] = Z(η + 1)/Z(η) (5,000 draws, false-failure rate 1e-4)', () => {
    // det C = Π Lᵢᵢ² ∈ (0, 1]; the identity ties the normalizing constant to the draws independently of the marginals.
    const n = 5000;
    for (const [d, eta] of [[3, 1], [4, 0.6], [5, 2.5]] as const) {
      const want = Math.exp(
        tf.tidy(() => {
          const z = (e: number) => {
            let s = 0;
            for (let k = 1; k < d; k++) {
              s += (k / 2) * Math.log(Math.PI) + (lgamma(tf.scalar(e + (d - 1 - k) / 2)).arraySync() as number);
              s -= lgamma(tf.scalar(e + (d - 1) / 2)).arraySync() as number;
            }
            return s;
          };
          return z(eta + 1) - z(eta);
        }),
      );
      const dist = new CholeskyLKJ({ dimension: d, concentration: eta });
      const det = tf.tidy(() => {
        const l = dist.sample([n], { seed: 31 + d });
        const diag = tf.sum(tf.mul(l, tf.eye(d)), -1);
        return Array.from(tf.prod(tf.square(diag), -1).dataSync());
      });
      dist.dispose();
      const mean = det.reduce((a, b) => a + b, 0) / n;
      const sd = Math.sqrt(det.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
      expect(Math.abs(mean - want), `d = ${d}, η = ${eta}: mean det ${mean} vs ${want}`).toBeLessThan(meanTolerance(sd, n, 3));
    }
  });

  it('the same seed gives LKJ = L Lᵀ of CholeskyLKJ; logProb differs by the Jacobian Σ (d − 1 − i) log Lᵢᵢ', () => {
    const before = tf.memory().numTensors;
    const a = new LKJ({ dimension: 4, concentration: [0.9, 4] });
    const b = new CholeskyLKJ({ dimension: 4, concentration: [0.9, 4] });
    tf.tidy(() => {
      const c = a.sample([6], { seed: 5 });
      const l = b.sample([6], { seed: 5 });
      expectClose(c, tf.matMul(l, l, false, true), { atol: 2e-6 });
      const logDiag = tf.log(tf.sum(tf.mul(l, tf.eye(4)), -1));
      const jac = tf.sum(tf.mul(logDiag, tf.tensor1d([3, 2, 1, 0])), -1);
      expectClose(a.logProb(c), tf.sub(b.logProb(l), jac), { rtol: 1e-4, atol: 1e-4 });
    });
    a.dispose();
    b.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('event-space bijector: log-det-Jacobian of x ↦ off-diagonal of C equals the autodiff Jacobian; MCMC sees a proper density', () => {
    const before = tf.memory().numTensors;
    const d = 4;
    const dist = new LKJ({ dimension: d, concentration: 2 });
    const b = dist.defaultEventSpaceBijector();
    const x0 = [0.3, -0.8, 1.1, 0.2, -0.4, 0.9];
    const pairs: Array<[number, number]> = [];
    for (let i = 1; i < d; i++) for (let j = 0; j < i; j++) pairs.push([i, j]);
    const jac = pairs.map(([i, j]) =>
      tf.tidy(() => Array.from(tf.grad((x: tf.Tensor) => tf.reshape(tf.slice(b.forward(x), [i, j], [1, 1]), []))(tf.tensor1d(x0)).dataSync())),
    );
    // log |det J| by an LU with partial pivoting on the host (float64).
    const m = jac.map((r) => r.slice());
    let logDet = 0;
    for (let k = 0; k < m.length; k++) {
      let p = k;
      for (let r = k + 1; r < m.length; r++) if (Math.abs(m[r]![k]!) > Math.abs(m[p]![k]!)) p = r;
      [m[k], m[p]] = [m[p]!, m[k]!];
      logDet += Math.log(Math.abs(m[k]![k]!));
      for (let r = k + 1; r < m.length; r++) {
        const f = m[r]![k]! / m[k]![k]!;
        for (let c = k; c < m.length; c++) m[r]![c] = m[r]![c]! - f * m[k]![c]!;
      }
    }
    const ldj = b.forwardLogDetJacobian(x0);
    expectClose(ldj, [logDet], { rtol: 1e-4, atol: 1e-4 });
    ldj.dispose();
    // inverse(forward(x)) = x
    const y = b.forward(x0);
    const yc = tf.clone(y);
    const back = b.inverse(yc);
    expectClose(back, x0, { atol: 1e-4 });
    tf.dispose([y, yc, back]);
    b.dispose();
    dist.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('gradient of logProb in η: log det C − Σₖ [ψ(η + (d−1−k)/2) − ψ(η + (d−1)/2)] (normalizer formed at construction, on the tape)', () => {
    const before = tf.memory().numTensors;
    const c = cases().find((k) => k.dimension === 4)!;
    const etas = [0.8, 2.5];
    const g = tf.tidy(() =>
      tf.grad((eta: tf.Tensor) => {
        const d = new LKJ({ dimension: 4, concentration: eta });
        return tf.sum(d.logProb(tf.expandDims(tf.tensor(c.x[0]!), 0)));
      })(tf.tensor1d(etas)).arraySync() as number[],
    );
    const logDet = (c.logPdf[0]! + c.logNormalizer) / (c.concentration - 1);
    const want = etas.map((eta) => {
      let dz = 0;
      for (let k = 1; k < 4; k++) {
        dz += tf.tidy(() => (digamma(tf.scalar(eta + (4 - 1 - k) / 2)).arraySync() as number) - (digamma(tf.scalar(eta + 1.5)).arraySync() as number));
      }
      return logDet - dz;
    });
    expectClose(g, want, { rtol: 1e-4, atol: 1e-4 });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('inputOutputCholesky: samples are Cholesky factors, the event space is CorrelationCholesky; errors name the class', () => {
    const d = new LKJ({ dimension: 3, concentration: 2, inputOutputCholesky: true });
    const l = d.sample([2], { seed: 1 });
    expect(l.shape).toEqual([2, 3, 3]);
    expect(Array.from(tf.tidy(() => tf.sum(tf.square(l), -1)).dataSync()).every((v) => Math.abs(v - 1) < 1e-5)).toBe(true);
    const b = d.defaultEventSpaceBijector();
    expect(b.className).toBe('CorrelationCholesky');
    expect(() => d.mean()).toThrow(/LKJ does not implement mean/);
    tf.dispose([l]);
    b.dispose();
    d.dispose();
    expect(() => new LKJ({ dimension: 2.5, concentration: 1 })).toThrow(/LKJ: dimension must be a positive integer.*2\.5/);
    expect(() => new LKJ({ dimension: 3, concentration: 1, inputOutputCholesky: 'yes' as never })).toThrow(/LKJ: inputOutputCholesky must be true or false/);
    expect(() => new CholeskyLKJ({ dimension: 3, concentration: -1 })).toThrow(/CholeskyLKJ: parameter concentration/);
  });
});
