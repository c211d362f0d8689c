// LKJ in a model sampled by windowedAdaptiveNuts: a correlated-normal model whose posterior
// recovers the correlation matrix that generated the data. (The event-space bijectors' Jacobians
// are checked against autodiff in test/distributions/lkj.test.ts.)
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { CorrelationCholesky } from '../../src/bijectors/correlation_cholesky.js';
import { Softplus } from '../../src/bijectors/softplus.js';
import { CholeskyLKJ } from '../../src/distributions/cholesky_lkj.js';
import { HalfNormal } from '../../src/distributions/half_normal.js';
import { MultivariateNormalTriL } from '../../src/distributions/mvn_tril.js';
import { ess, toChains } from '../../src/mcmc/diagnostics_host.js';
import { windowedAdaptiveNuts } from '../../src/mcmc/windowed_nuts.js';

/** Mean, sd and bulk ESS of entry `j` of `[n, chains, ...]` draws flattened to `size` values per draw. */
function summarize(x: Float64Array, n: number, chains: number, size: number, j: number): { mean: number; sd: number; ess: number } {
  const col = Float64Array.from({ length: n * chains }, (_, k) => x[k * size + j]!);
  const mean = col.reduce((a, b) => a + b, 0) / col.length;
  const sd = Math.sqrt(col.reduce((a, b) => a + (b - mean) ** 2, 0) / (col.length - 1));
  return { mean, sd, ess: ess(toChains(col, n, chains), 'bulk') };
}

describe('LKJ in models sampled by windowedAdaptiveNuts', () => {
  it('y ~ MVN(0, diag(σ) L Lᵀ diag(σ)), L ~ CholeskyLKJ(3, 2): 200 observations recover the correlation matrix', async () => {
    const before = tf.memory().numTensors;
    const truth = [[1, 0.6, -0.3], [0.6, 1, 0.2], [-0.3, 0.2, 1]];
    const sigma = [1, 2, 0.5];
    const N = 200;
    const y = tf.tidy(() => {
      const cov = truth.map((row, i) => row.map((v, j) => v * sigma[i]! * sigma[j]!));
      const l = cholesky3(cov);
      const src = new MultivariateNormalTriL({ scaleTril: l });
      const out = src.sample([N], { seed: 9 });
      src.dispose();
      return out;
    });
    const lkj = new CholeskyLKJ({ dimension: 3, concentration: 2 });
    const scalePrior = new HalfNormal({ scale: 3 });
    const n = 200;
    const r = await windowedAdaptiveNuts({
      targetLogProbFn: ({ L, sigma: s }) =>
        tf.tidy(() => {
          const scaleTril = tf.mul(tf.expandDims(s!, -1), L!); // diag(σ) L: [chains, 3, 3]
          const lik = new MultivariateNormalTriL({ scaleTril });
          const ll = tf.sum(lik.logProb(tf.expandDims(y, 1)), 0); // [N, chains] -> [chains]
          lik.dispose();
          return tf.add(ll, tf.add(lkj.logProb(L!), tf.sum(scalePrior.logProb(s!), -1)));
        }),
      parts: { L: { shape: [3, 3], bijector: new CorrelationCholesky() }, sigma: { shape: [3], bijector: new Softplus() } },
      numDraws: n,
      numAdaptationSteps: 150,
      seed: 6,
    });
    // The posterior of C = L Lᵀ against the sample correlation of y (the data's own estimate; with
    // 200 points its sd is about (1 − ρ²)/√200 < 0.07) and against the truth.
    const corrT = tf.tidy(() => tf.matMul(r.states['L']!, r.states['L']!, false, true));
    const corr = Float64Array.from(await corrT.data());
    corrT.dispose();
    const sampleCorr = tf.tidy(() => {
      const c = tf.sub(y, tf.mean(y, 0));
      const cov = tf.div(tf.matMul(c, c, true, false), N - 1);
      const s = tf.sqrt(tf.sum(tf.mul(cov, tf.eye(3)), -1));
      return tf.div(cov, tf.outerProduct(s as tf.Tensor1D, s as tf.Tensor1D)).arraySync() as number[][];
    });
    for (const [i, j] of [[1, 0], [2, 0], [2, 1]] as const) {
      const s = summarize(corr, n, 4, 9, i * 3 + j);
      expect(s.ess, `C[${i}, ${j}] ESS`).toBeGreaterThan(300);
      expect(Math.abs(s.mean - sampleCorr[i]![j]!), `C[${i}, ${j}]: posterior mean ${s.mean}, sample ${sampleCorr[i]![j]}`).toBeLessThan(0.05);
      expect(Math.abs(s.mean - truth[i]![j]!), `C[${i}, ${j}]: posterior mean ${s.mean}, truth ${truth[i]![j]}`).toBeLessThan(0.15);
      expect(s.sd, `C[${i}, ${j}] posterior sd`).toBeLessThan(0.1);
    }
    const sig = Float64Array.from(await r.states['sigma']!.data());
    for (let j = 0; j < 3; j++) expect(Math.abs(summarize(sig, n, 4, 3, j).mean / sigma[j]! - 1), `σ[${j}]`).toBeLessThan(0.15);
    tf.dispose([y, ...Object.values(r.states), ...Object.values(r.trace)]);
    lkj.dispose();
    scalePrior.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);
});

/** The Cholesky factor of a 3 x 3 SPD matrix on the host. */
function cholesky3(a: number[][]): number[][] {
  const l = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  for (let j = 0; j < 3; j++) {
    let s = a[j]![j]!;
    for (let k = 0; k < j; k++) s -= l[j]![k]! ** 2;
    l[j]![j] = Math.sqrt(s);
    for (let i = j + 1; i < 3; i++) {
      let t = a[i]![j]!;
      for (let k = 0; k < j; k++) t -= l[i]![k]! * l[j]![k]!;
      l[i]![j] = t / l[j]![j]!;
    }
  }
  return l;
}
