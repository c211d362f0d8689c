// tfp.vi: fitting surrogates to posteriors known in closed form (conjugate normal-normal, a correlated
// Gaussian) and to eight schools; the loss is the negative ELBO.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as tfd from '../../src/distributions/index.js';
import { InvalidArgumentError } from '../../src/errors.js';
import * as vi from '../../src/vi/index.js';
import { eightSchoolsNamed, eightSchoolsNonCentered, fx } from '../distributions/joint_models.js';

/** Mean and standard deviation of each column of [n, k] draws. */
function moments(x: tf.Tensor): { mean: number[]; sd: number[]; corr: number } {
  const v = x.arraySync() as number[][] | number[];
  const rows = (v as unknown[]).map((r) => (Array.isArray(r) ? (r as number[]) : [r as number]));
  const k = rows[0]!.length;
  const mean = Array.from({ length: k }, (_, j) => rows.reduce((a, r) => a + r[j]!, 0) / rows.length);
  const sd = mean.map((m, j) => Math.sqrt(rows.reduce((a, r) => a + (r[j]! - m) ** 2, 0) / rows.length));
  const corr = k < 2 ? 0 : rows.reduce((a, r) => a + (r[0]! - mean[0]!) * (r[1]! - mean[1]!), 0) / rows.length / (sd[0]! * sd[1]!);
  return { mean, sd, corr };
}
const tail = (l: Float32Array, n: number) => Array.from(l.slice(l.length - n)).reduce((a, b) => a + b, 0) / n;

describe('fitSurrogatePosterior', () => {
  it('conjugate normal-normal: the mean-field surrogate finds the posterior N(Σy/(n+1), 1/(n+1)); nothing leaks', async () => {
    const before = tf.memory().numTensors;
    const y = [1, 2, 0, 1];
    const model = new tfd.JointDistributionNamed({
      mu: new tfd.Normal({ loc: 0, scale: 1 }),
      y: ({ mu }) => new tfd.Sample({ distribution: new tfd.Normal({ loc: mu!, scale: 1 }), sampleShape: [4] }),
    });
    const target = model.pin({ y });
    const q = vi.buildFactoredSurrogatePosterior(target, { seed: 1 });
    const { losses } = await vi.fitSurrogatePosterior({ targetLogProbFn: target, surrogatePosterior: q, numSteps: 400, learningRate: 0.05, sampleSize: 16, seed: 2 });
    expect(losses.length).toBe(400);
    expect(tail(losses, 50)).toBeLessThan(losses[0]!);
    const draws = q.sample(4000, { seed: 3 }) as Record<string, tf.Tensor>;
    const m = moments(draws.mu!);
    // posterior: mean 4/5, sd 1/√5 ≈ 0.447; Monte Carlo error of 4,000 draws ≈ 0.007, Adam's jitter at
    // a learning rate of 0.05 is of the order of 0.05
    expect(Math.abs(m.mean[0]! - 0.8)).toBeLessThan(0.1);
    expect(Math.abs(m.sd[0]! / Math.sqrt(1 / 5) - 1)).toBeLessThan(0.15);
    // the surrogate's density is that of N(loc, scale): logProb of its own draws matches sampleAndLogProb
    const [z, lq] = q.sampleAndLogProb(5, { seed: 4 }) as [Record<string, tf.Tensor>, tf.Tensor];
    const lq2 = q.logProb(z);
    expect(Array.from(lq2.dataSync()).map((v, i) => Math.abs(v - lq.dataSync()[i]!)).every((d) => d < 1e-4)).toBe(true);
    tf.dispose([draws.mu!, z.mu!, lq, lq2]);
    q.dispose();
    target.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a correlated Gaussian target over named parts: the full-rank surrogate finds the correlation; the ELBO reaches log Z = 0', async () => {
    const before = tf.memory().numTensors;
    const p = new tfd.MultivariateNormalTriL({ loc: [1, -1], scaleTril: [[1, 0], [1.2, 0.9]] }); // corr 0.8
    const targetLogProbFn = (v: tf.Tensor[] | Record<string, tf.Tensor>) => p.logProb((v as Record<string, tf.Tensor>).x!);
    const q = vi.buildAffineSurrogatePosterior({ x: { shape: [2] } }, { seed: 5 });
    const { losses } = await vi.fitSurrogatePosterior({ targetLogProbFn, surrogatePosterior: q, numSteps: 500, learningRate: 0.05, sampleSize: 16, seed: 6 });
    expect(Math.abs(tail(losses, 100))).toBeLessThan(0.1);
    const d = q.sample(4000, { seed: 7 }) as Record<string, tf.Tensor>;
    const m = moments(d.x!);
    expect(Math.abs(m.mean[0]! - 1)).toBeLessThan(0.1);
    expect(Math.abs(m.mean[1]! + 1)).toBeLessThan(0.1);
    expect(Math.abs(m.corr - 0.8)).toBeLessThan(0.05);
    expect(Math.abs(m.sd[1]! - 1.5)).toBeLessThan(0.15);
    tf.dispose(d.x!);
    q.dispose();
    p.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the flow surrogate fits the same target (inverse autoregressive layers on a diagonal affine map)', async () => {
    const before = tf.memory().numTensors;
    const p = new tfd.MultivariateNormalTriL({ loc: [1, -1], scaleTril: [[1, 0], [1.2, 0.9]] });
    const q = vi.buildFlowSurrogatePosterior({ x: { shape: [2] } }, { seed: 8, hiddenUnits: [8], numFlows: 2 });
    const { losses } = await vi.fitSurrogatePosterior({
      targetLogProbFn: (v) => p.logProb((v as Record<string, tf.Tensor>).x!),
      surrogatePosterior: q,
      numSteps: 400,
      learningRate: 0.02,
      sampleSize: 16,
      seed: 9,
    });
    expect(tail(losses, 50)).toBeLessThan(0.15);
    expect(tail(losses, 50)).toBeLessThan(losses[0]!);
    const [z, lq] = q.sampleAndLogProb(3, { seed: 10 }) as [Record<string, tf.Tensor>, tf.Tensor];
    const lq2 = q.logProb(z);
    expect(Array.from(lq2.dataSync()).map((v, i) => Math.abs(v - lq.dataSync()[i]!)).every((d) => d < 1e-3)).toBe(true);
    tf.dispose([z.x!, lq, lq2]);
    q.dispose();
    p.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('eight schools, centered: finite losses that decrease; the draws respect the supports', async () => {
    const model = eightSchoolsNamed();
    const target = model.pin({ y: fx.data.y8 });
    const q = vi.buildFactoredSurrogatePosterior(target, { seed: 11 });
    const { losses } = await vi.fitSurrogatePosterior({ targetLogProbFn: target, surrogatePosterior: q, numSteps: 150, learningRate: 0.05, sampleSize: 4, seed: 12 });
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(tail(losses, 30)).toBeLessThan(losses.slice(0, 30).reduce((a, b) => a + b, 0) / 30);
    const d = q.sample(500, { seed: 13 }) as Record<string, tf.Tensor>;
    expect(Math.min(...Array.from(d.tau!.dataSync()))).toBeGreaterThan(0);
    expect(d.theta!.shape).toEqual([500, 8]);
    tf.dispose(Object.values(d));
    q.dispose();
    target.dispose();
    model.dispose();
  });

  it('eight schools, non-centered: the mean-field surrogate puts mu near its posterior mean', async () => {
    const model = eightSchoolsNonCentered();
    const target = model.pin({ y: fx.data.y8 });
    const q = vi.buildFactoredSurrogatePosterior(target, { seed: 11 });
    const { losses } = await vi.fitSurrogatePosterior({ targetLogProbFn: target, surrogatePosterior: q, numSteps: 500, learningRate: 0.05, sampleSize: 8, seed: 12 });
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(tail(losses, 50)).toBeLessThan(losses.slice(0, 50).reduce((a, b) => a + b, 0) / 50);
    const d = q.sample(2000, { seed: 13 }) as Record<string, tf.Tensor>;
    const mu = moments(d.mu!);
    // posterior mean of mu ≈ 4.4, sd ≈ 3.3 (posteriordb eight_schools_noncentered); mean-field VI is close on the mean
    expect(Math.abs(mu.mean[0]! - 4.4)).toBeLessThan(1);
    tf.dispose(Object.values(d));
    q.dispose();
    target.dispose();
    model.dispose();
  });

  it('argument errors name the function and the argument', async () => {
    await expect(vi.fitSurrogatePosterior({ targetLogProbFn: 3 as never, surrogatePosterior: {} as never, numSteps: 1 })).rejects.toThrow(
      /fitSurrogatePosterior: targetLogProbFn must be/,
    );
    const q = vi.buildFactoredSurrogatePosterior({ a: { shape: [2] } });
    await expect(vi.fitSurrogatePosterior({ targetLogProbFn: () => tf.scalar(0), surrogatePosterior: q, numSteps: 0 })).rejects.toThrow(/numSteps must be a positive integer/);
    expect(() => vi.monteCarloVariationalLoss(() => tf.scalar(0), q, { sampleSize: 0 })).toThrow(InvalidArgumentError);
    expect(() => vi.buildFactoredSurrogatePosterior({ a: { shape: [0] } })).toThrow(/part a must be \{shape/);
    expect(() => vi.buildFlowSurrogatePosterior({ a: { shape: [] } })).toThrow(/at least 2 unconstrained dimensions/);
    q.dispose();
  });
});
