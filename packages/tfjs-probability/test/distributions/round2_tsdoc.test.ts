// The @example of each second-round distribution's TSDoc, run as written, with the values its comments state.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as tfd from '../../src/distributions/index.js';
import { expectClose } from '../helpers.js';

function shapeOf(t: tf.Tensor): number[] {
  const s = t.shape;
  t.dispose();
  return s;
}
function close(t: tf.Tensor, want: number[], rtol = 1e-4): void {
  expectClose(t, want, { rtol, atol: 1e-6 });
  t.dispose();
}
const poissonLogPmf = (k: number, l: number) => k * Math.log(l) - l - Array.from({ length: k }, (_, i) => Math.log(i + 1)).reduce((a, b) => a + b, 0);

describe('TSDoc examples of the second-round distributions', () => {
  it('counts', () => {
    const p = new tfd.Poisson({ rate: [0.5, 30] });
    expect(shapeOf(p.sample([4], { seed: 1 }))).toEqual([4, 2]);
    close(p.logProb([0, 31]), [-0.5, poissonLogPmf(31, 30)]);
    const nb = new tfd.NegativeBinomial({ totalCount: 5, logits: [-1, 1] });
    close(nb.mean(), [5 * Math.exp(-1), 5 * Math.E]);
    const b = new tfd.Binomial({ totalCount: 10, probs: [0.1, 0.5] });
    expect(shapeOf(b.sample([3], { seed: 1 }))).toEqual([3, 2]);
    const m = new tfd.Multinomial({ totalCount: 10, probs: [0.2, 0.3, 0.5] });
    const ms = m.sample([2], { seed: 1 });
    expect(ms.shape).toEqual([2, 3]);
    close(tf.sum(ms, -1), [10, 10]);
    ms.dispose();
    close(new tfd.Geometric({ probs: [0.2, 0.9] }).mean(), [4, 1 / 9]);
    const inf = new tfd.Inflated({ distribution: new tfd.Poisson({ rate: 3 }), inflatedLocProbs: 0.2 });
    close(inf.logProb([0, 2]), [Math.log(0.2 + 0.8 * Math.exp(-3)), Math.log(0.8) + poissonLogPmf(2, 3)]);
    close(new tfd.ZeroInflatedNegativeBinomial({ inflatedLocProbs: 0.3, totalCount: 2, logits: 1 }).mean(), [0.7 * 2 * Math.E]);
    [p, nb, b, m, inf].forEach((d) => d.dispose());
  });

  it('continuous', () => {
    const e = new tfd.Exponential({ rate: [1, 4] });
    expect(shapeOf(e.sample([3], { seed: 1 }))).toEqual([3, 2]);
    close(e.quantile(0.5), [Math.LN2, Math.LN2 / 4]);
    const u = new tfd.Uniform({ low: [0, -1], high: [1, 3] });
    close(u.logProb([0.5, 0]), [0, -Math.log(4)]);
    close(new tfd.HalfNormal({ scale: [1, 2] }).mean(), [Math.sqrt(2 / Math.PI), 2 * Math.sqrt(2 / Math.PI)]);
    close(new tfd.Cauchy({ loc: 0, scale: [1, 2] }).quantile(0.75), [1, 2]);
    close(new tfd.Logistic({ loc: [0, 1], scale: [1, 0.5] }).cdf([0, 1]), [0.5, 0.5]);
    close(new tfd.Gumbel({ loc: 0, scale: [1, 2] }).mean(), [0.5772156649, 1.1544313298]);
    close(new tfd.Weibull({ concentration: [0.5, 2], scale: 1 }).mean(), [2, Math.sqrt(Math.PI) / 2]);
    close(new tfd.InverseGamma({ concentration: [3, 5], scale: 2 }).mean(), [1, 0.5]);
    close(new tfd.Chi2({ df: [1, 4] }).mean(), [1, 4]);
    const tn = new tfd.TruncatedNormal({ loc: 0, scale: 1, low: [-1, 3], high: [1, 4] });
    const s = tn.sample([5], { seed: 1 });
    expect(s.shape).toEqual([5, 2]);
    expect(Array.from(s.dataSync()).filter((_, i) => i % 2 === 1).every((v) => v >= 3 && v <= 4)).toBe(true);
    s.dispose();
    const vm = new tfd.VonMises({ loc: [0, 1], concentration: [0.5, 20] });
    expect(shapeOf(vm.sample([4], { seed: 1 }))).toEqual([4, 2]);
    [e, u, tn, vm].forEach((d) => d.dispose());
  });
});
