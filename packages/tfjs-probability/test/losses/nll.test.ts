import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { IndependentNormal } from '../../src/layers/independent_normal.js';
import { MultivariateNormalTriL } from '../../src/layers/multivariate_normal_tril.js';
import { klStandardNormal, negativeLogLikelihood } from '../../src/losses/nll.js';
import { expectClose, expectNoLeak, loadFixture } from '../helpers.js';

const fx = loadFixture<{ kl_standard_normal: { mean: number[][]; log_var: number[][]; kl: number[] } }>('layers');

function batchedMean(loss: (a: tf.Tensor, b: tf.Tensor) => tf.Scalar, y: tf.Tensor, p: tf.Tensor, bs: number): number {
  const n = p.shape[0]!;
  let total = 0;
  for (let i = 0; i < n; i += bs) {
    const k = Math.min(bs, n - i);
    const v = tf.tidy(() => loss(y.slice(i, k), p.slice(i, k)).dataSync()[0]!);
    total += v * k;
  }
  return total / n;
}

describe('negativeLogLikelihood', () => {
  const heads: Array<[string, IndependentNormal | MultivariateNormalTriL, number[]]> = [
    ['IndependentNormal, scalar event, y [N, 1] (recipe 004 example 1)', new IndependentNormal(), [1]],
    ['IndependentNormal, event [3]', new IndependentNormal({ eventShape: [3] }), [3]],
    ['MultivariateNormalTriL, n = 3', new MultivariateNormalTriL({ eventSize: 3 }), [3]],
  ];
  for (const [name, head, yTail] of heads) {
    it(`is the mean per-row NLL, equal for batch sizes 1, 7, 32 and the whole set: ${name}`, () => {
      const n = 64;
      const p = tf.randomNormal([n, head.paramsSize], 0, 1, 'float32', 1);
      const y = tf.randomNormal([n, ...yTail], 0, 1, 'float32', 2);
      const loss = negativeLogLikelihood(head);
      // Reference: per-row log densities from the distribution itself.
      const d = head.toDistribution(p);
      const yNat = y.reshape([n, ...head.eventShape]);
      const lp = d.logProb(yNat);
      expect(lp.shape).toEqual([n]);
      const want = -lp.mean().dataSync()[0]!;
      const whole = loss(y, p);
      expectClose(whole, want, { rtol: 1e-6 });
      for (const bs of [1, 7, 32]) expectClose(batchedMean(loss, y, p, bs), want, { rtol: 1e-5, context: { bs } });
      tf.dispose([p, y, yNat, lp, whole]);
      d.dispose();
    });
  }

  it('accepts natural and encoded targets with identical values', () => {
    const head = new IndependentNormal({ eventShape: [2, 2] });
    const p = tf.randomNormal([5, 8], 0, 1, 'float32', 4);
    const y = tf.randomNormal([5, 2, 2], 0, 1, 'float32', 5);
    const enc = tf.concat([y.reshape([5, 4]), tf.zeros([5, 4])], 1);
    const loss = negativeLogLikelihood(head);
    const a = loss(y, p);
    const b = loss(enc, p);
    expectClose(a, b, { rtol: 0 });
    expectNoLeak(() => loss(y, p), 'loss');
    tf.dispose([p, y, enc, a, b]);
  });

  it('rejects targets of another shape, naming both shapes', () => {
    const head = new MultivariateNormalTriL({ eventSize: 3 });
    const p = tf.zeros([4, 9]);
    const y = tf.zeros([4, 5]);
    expect(() => negativeLogLikelihood(head)(y, p)).toThrow(
      /MultivariateNormalTriL '[^']*': loss got targets of shape \[4, 5\] for predictions \[4, 9\]; expected \[4, 3\] \(natural\) or \[4, 9\] \(encoded\)/,
    );
    expect(() => negativeLogLikelihood({} as never)).toThrow(/head must be a distribution layer/);
    tf.dispose([p, y]);
  });

  it('model.evaluate gives the same loss for batch sizes 1, 7, 32 (tfjs averages batch means weighted by size)', () => {
    const head = new MultivariateNormalTriL({ eventSize: 2 });
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 5 }), head] });
    model.compile({ optimizer: 'sgd', loss: negativeLogLikelihood(head) });
    const x = tf.randomNormal([50, 3], 0, 1, 'float32', 6);
    const y = tf.randomNormal([50, 2], 0, 1, 'float32', 7);
    const vals = [1, 7, 32, 50].map((bs) => {
      const r = model.evaluate(x, y, { batchSize: bs }) as tf.Scalar;
      const v = r.dataSync()[0]!;
      r.dispose();
      return v;
    });
    for (const v of vals) expectClose(v, vals[3]!, { rtol: 1e-5 });
    tf.dispose([x, y]);
    model.dispose();
  });
});

describe('klStandardNormal', () => {
  it('matches -½ Σ (1 + logVar - μ² - exp(logVar)) per row', () => {
    const m = tf.tensor(fx.kl_standard_normal.mean);
    const lv = tf.tensor(fx.kl_standard_normal.log_var);
    const kl = klStandardNormal(m, lv);
    expect(kl.shape).toEqual([4]);
    expectClose(kl, fx.kl_standard_normal.kl);
    expectNoLeak(() => klStandardNormal(m, lv), 'klStandardNormal');
    expect(() => klStandardNormal(m, tf.zeros([4, 2]))).toThrow(/klStandardNormal: mean and logVar must have the same shape/);
    tf.dispose([m, lv, kl]);
  });

  it('gradients: dKL/dμ = μ, dKL/dlogVar = ½(exp(logVar) - 1)', () => {
    const m = tf.tensor2d([[0.3, -1.2]]);
    const lv = tf.tensor2d([[0.5, -0.1]]);
    const [gm, gl] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(klStandardNormal(a, b)))([m, lv]);
    expectClose(gm!, [0.3, -1.2], { rtol: 1e-6 });
    expectClose(gl!, [0.5 * (Math.exp(0.5) - 1), 0.5 * (Math.exp(-0.1) - 1)], { rtol: 1e-5 });
    tf.dispose([m, lv, gm!, gl!]);
  });
});
