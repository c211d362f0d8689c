import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { MultivariateNormalTriL, fillScaleTriL } from '../../src/layers/multivariate_normal_tril.js';
import { expectClose, expectNoLeak, loadFixture } from '../helpers.js';

interface Case {
  name: string;
  batch: number[];
  event_size: number;
  params_size: number;
  params: number[];
  loc: number[];
  scale_tril: number[];
  covariance: number[];
  y: number[];
  log_prob: number[];
}
const fx = loadFixture<{
  multivariate_normal_tril: Case[];
  fill_scale_tril_extremes: { params: number[][]; scale_tril: number[] };
}>('layers');

describe('MultivariateNormalTriL layer', () => {
  it('paramsSize is n + n(n+1)/2, as TFP', () => {
    expect([1, 2, 3, 5, 10].map((n) => MultivariateNormalTriL.paramsSize(n))).toEqual([2, 5, 9, 20, 65]);
    expect(new MultivariateNormalTriL({ eventSize: 5 }).paramsSize).toBe(20);
    expect(() => MultivariateNormalTriL.paramsSize(0)).toThrow(/eventSize must be a positive integer/);
  });

  for (const c of fx.multivariate_normal_tril) {
    it(`matches TFP's layout (loc, fillTriangular, softplus diagonal + 1e-5): ${c.name}`, () => {
      const params = tf.tensor(c.params);
      const head = new MultivariateNormalTriL({ eventSize: c.event_size });
      expect(head.paramsSize).toBe(c.params_size);
      const d = head.toDistribution(params);
      expect(d.batchShape).toEqual(c.batch);
      expect(d.eventShape).toEqual([c.event_size]);
      const mean = d.mean();
      const cov = d.covariance();
      const lp = d.logProb(c.y);
      expectClose(mean, c.loc.flat(4), { context: c.name });
      expectClose(cov, c.covariance.flat(4), { context: c.name, atol: 1e-6 });
      expectClose(lp, c.log_prob, { context: c.name });
      const raw = tf.tidy(() => tf.split(params, [c.event_size, c.params_size - c.event_size], -1)[1]!);
      const L = fillScaleTriL(raw);
      expectClose(L, c.scale_tril.flat(4), { context: c.name, atol: 1e-7 });
      tf.dispose([params, mean, cov, lp, raw, L]);
      d.dispose();
    });
  }

  it('handles extreme raw diagonal values (softplus(30) = 30, softplus(-40) + 1e-5 ≈ 1e-5)', () => {
    const p = tf.tensor(fx.fill_scale_tril_extremes.params);
    const d = MultivariateNormalTriL.toDistribution(p, 3);
    const raw = tf.tidy(() => tf.split(p, [3, 6], -1)[1]!);
    const L = fillScaleTriL(raw);
    expectClose(L, fx.fill_scale_tril_extremes.scale_tril.flat(4), { rtol: 1e-5 });
    const lp = d.logProb([0, 0, 0]);
    expect(Number.isFinite(lp.dataSync()[0])).toBe(true);
    tf.dispose([p, raw, L, lp]);
    d.dispose();
  });

  it('leaks nothing', () => {
    const p = tf.randomNormal([4, 9], 0, 1, 'float32', 3);
    const head = new MultivariateNormalTriL({ eventSize: 3 });
    expectNoLeak(() => head.toDistribution(p), 'toDistribution');
    const raw = tf.zeros([2, 6]);
    expectNoLeak(() => fillScaleTriL(raw), 'fillScaleTriL');
    raw.dispose();
    p.dispose();
  });

  it('gradient of the NLL w.r.t. the raw diagonal matches the analytic value (n = 1)', () => {
    // n = 1: params [μ, r], σ = softplus(r) + 1e-5; NLL = ½((y-μ)/σ)² + log σ + ½log2π.
    // dNLL/dr = sigmoid(r) (1/σ - (y-μ)²/σ³), dNLL/dμ = -(y-μ)/σ².
    const params = tf.tensor2d([[0.2, -0.7]]);
    const y = tf.tensor2d([[1.1]]);
    const head = new MultivariateNormalTriL({ eventSize: 1 });
    const g = tf.grad((p: tf.Tensor) => {
      const d = head.toDistribution(p);
      const out = tf.neg(tf.sum(d.logProb(y)));
      d.dispose();
      return out;
    })(params);
    const s = Math.log1p(Math.exp(-0.7)) + 1e-5;
    const sig = 1 / (1 + Math.exp(0.7));
    const r = 1.1 - 0.2;
    expectClose(g, [-r / s ** 2, sig * (1 / s - r ** 2 / s ** 3)], { rtol: 1e-4 });
    tf.dispose([params, y, g]);
  });

  it('gradient w.r.t. all raw parameters (n = 3) agrees with central differences (smoke check)', () => {
    const c = fx.multivariate_normal_tril.find((k) => k.name === 'n=3')!;
    const params = tf.tensor(c.params).slice([0, 0], [1, 9]);
    const y = tf.tensor(c.y).slice([0, 0], [1, 3]);
    const nll = (p: tf.Tensor): tf.Scalar => {
      const d = MultivariateNormalTriL.toDistribution(p, 3);
      const out = tf.neg(tf.sum(d.logProb(y))) as tf.Scalar;
      d.dispose();
      return out;
    };
    const g = tf.grad(nll)(params);
    const base = params.dataSync();
    const h = 1e-2;
    const fd: number[] = [];
    for (let i = 0; i < 9; i++) {
      const up = Float32Array.from(base);
      const dn = Float32Array.from(base);
      up[i]! += h;
      dn[i]! -= h;
      const [a, b] = tf.tidy(() => [nll(tf.tensor2d(up, [1, 9])).dataSync()[0]!, nll(tf.tensor2d(dn, [1, 9])).dataSync()[0]!]);
      fd.push((a! - b!) / (2 * h));
    }
    expectClose(g, fd, { rtol: 2e-2, atol: 2e-2 });
    tf.dispose([params, y, g]);
  });

  it('config round-trips', () => {
    const head = new MultivariateNormalTriL({ eventSize: 4, name: 'mvn' });
    const cfg = head.getConfig();
    expect(cfg['eventSize']).toBe(4);
    const again = new MultivariateNormalTriL(cfg as never);
    expect(again.paramsSize).toBe(14);
    expect(again.eventShape).toEqual([4]);
  });
});
