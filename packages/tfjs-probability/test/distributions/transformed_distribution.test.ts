import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as tfb from '../../src/bijectors/index.js';
import { Independent } from '../../src/distributions/independent.js';
import { klDivergence } from '../../src/distributions/kl.js';
import { LogNormal } from '../../src/distributions/log_normal.js';
import { MultivariateNormalTriL } from '../../src/distributions/mvn_tril.js';
import { Normal } from '../../src/distributions/normal.js';
import { TransformedDistribution } from '../../src/distributions/transformed_distribution.js';
import { expectClose, expectNoLeak, meanTolerance } from '../helpers.js';

const logNormalTD = (loc: number[], scale: number[]): TransformedDistribution =>
  new TransformedDistribution({ distribution: new Normal({ loc, scale }), bijector: new tfb.Exp() });

describe('TransformedDistribution(Normal, Exp) is LogNormal', () => {
  it('logProb, prob, cdf, logCdf, survival, quantile and samples agree', () => {
    const loc = [0.5, -1];
    const scale = [0.3, 1.5];
    const td = logNormalTD(loc, scale);
    const ln = new LogNormal({ loc, scale });
    expect(td.batchShape).toEqual([2]);
    expect(td.eventShape).toEqual([]);
    const x = tf.tensor2d([[0.2, 1.5], [1, 0.01], [3, 7]]);
    for (const m of ['logProb', 'prob', 'cdf', 'logCdf', 'survivalFunction', 'logSurvivalFunction'] as const) {
      const a = td[m](x);
      const b = ln[m](x);
      expectClose(a, b, { rtol: 1e-5, atol: 1e-7, context: m });
      tf.dispose([a, b]);
    }
    const p = tf.tensor1d([0.1, 0.9]);
    expectClose(td.quantile(p), ln.quantile(p), { rtol: 1e-5 });
    // Same base draws: LogNormal samples exp(loc + scale ε) from the same normal stream.
    const s1 = td.sample([4], { seed: 7 });
    const s2 = ln.sample([4], { seed: 7 });
    expect(s1.shape).toEqual([4, 2]);
    expectClose(s1, s2, { rtol: 1e-5 });
    tf.dispose([x, p, s1, s2]);
    td.dispose();
    ln.dispose();
  });

  it('logProb at the samples equals LogNormal logProb (the cache hands back the exact base draw)', () => {
    const td = logNormalTD([0], [1]);
    const ln = new LogNormal({ loc: 0, scale: 1 });
    const s = td.sample([100], { seed: 3 });
    expectClose(td.logProb(s), ln.logProb(s), { rtol: 1e-5, atol: 1e-6 });
    tf.dispose(s);
    td.dispose();
    ln.dispose();
  });

  it('gradients of logProb with respect to the base parameters match LogNormal', () => {
    const x = tf.tensor1d([0.5, 2]);
    const f = (mk: (l: tf.Tensor, s: tf.Tensor) => { logProb(x: tf.Tensor): tf.Tensor; dispose(): void }) =>
      tf.grads((l: tf.Tensor, s: tf.Tensor) => {
        const d = mk(l, s);
        const lp = tf.sum(d.logProb(x));
        d.dispose();
        return lp;
      })([tf.scalar(0.2), tf.scalar(0.7)]);
    const g1 = f((l, s) => new TransformedDistribution({ distribution: new Normal({ loc: l, scale: s }), bijector: new tfb.Exp() }));
    const g2 = f((l, s) => new LogNormal({ loc: l, scale: s }));
    expectClose(g1[0]!, g2[0]!, { rtol: 1e-5 });
    expectClose(g1[1]!, g2[1]!, { rtol: 1e-5 });
    tf.dispose([x, ...g1, ...g2]);
  });

  it('mean and entropy are not available (non-constant Jacobian), as in TFP', () => {
    const td = logNormalTD([0], [1]);
    expect(() => td.mean()).toThrow(/TransformedDistribution does not implement mean: only for a bijector with a constant Jacobian.*Exp/);
    expect(() => td.entropy()).toThrow(/entropy/);
    td.dispose();
  });
});

describe('TransformedDistribution with affine bijectors', () => {
  it('Normal(0, 1) shifted and scaled is Normal(loc, scale): logProb, mean, entropy, cdf, quantile', () => {
    const td = new TransformedDistribution({
      distribution: new Normal({ loc: 0, scale: 1 }),
      bijector: new tfb.Chain({ bijectors: [new tfb.Shift({ shift: [1, -2, 0] }), new tfb.Scale({ scale: [2, 0.5, 3] })] }),
    });
    const n = new Normal({ loc: [1, -2, 0], scale: [2, 0.5, 3] });
    expect(td.batchShape).toEqual([3]);
    const x = tf.tensor2d([[0, 1, 2], [-3, -2, 5]]);
    expectClose(td.logProb(x), n.logProb(x), { rtol: 1e-5 });
    expectClose(td.cdf(x), n.cdf(x), { rtol: 1e-5 });
    expectClose(td.mean(), n.mean(), { rtol: 1e-6 });
    expectClose(td.entropy(), n.entropy(), { rtol: 1e-5 });
    expectClose(td.quantile([0.2, 0.5, 0.9]), n.quantile([0.2, 0.5, 0.9]), { rtol: 1e-5 });
    // The bijector's batch [3] gets independent base draws: sample mean and sd per member.
    const s = td.sample([4000], { seed: 11 });
    expect(s.shape).toEqual([4000, 3]);
    const m = tf.mean(s, 0).arraySync() as number[];
    [1, -2, 0].forEach((mu, i) => expect(Math.abs(m[i]! - mu)).toBeLessThan(meanTolerance([2, 0.5, 3][i]!, 4000, 3)));
    const corr = tf.tidy(() => tf.mean(tf.mul(tf.sub(s.slice([0, 0], [-1, 1]), 1), tf.add(s.slice([0, 1], [-1, 1]), 2))).dataSync()[0]!);
    // Independent draws: E[(Y0-1)(Y1+2)] = 0 with sd 2·0.5/√n; the same draw for both would give 1.
    expect(Math.abs(corr)).toBeLessThan(meanTolerance(1, 4000, 1));
    tf.dispose([x, s]);
    td.dispose();
    n.dispose();
  });

  it('N(0, I) through ScaleMatvecTriL(L) then Shift(μ) is MultivariateNormalTriL(μ, L)', () => {
    const L = [[1.5, 0, 0], [0.3, 0.8, 0], [-0.4, 0.2, 2]];
    const mu = [1, 0, -1];
    const td = new TransformedDistribution({
      distribution: new Independent({ distribution: new Normal({ loc: [0, 0, 0], scale: 1 }), reinterpretedBatchNdims: 1 }),
      bijector: new tfb.Chain({ bijectors: [new tfb.Shift({ shift: mu }), new tfb.ScaleMatvecTriL({ scaleTril: L })] }),
    });
    const mvn = new MultivariateNormalTriL({ loc: mu, scaleTril: L });
    expect(td.eventShape).toEqual([3]);
    expect(td.batchShape).toEqual([]);
    const x = tf.tensor2d([[0, 1, 2], [-3, -2, 5]]);
    expectClose(td.logProb(x), mvn.logProb(x), { rtol: 1e-5 });
    expectClose(td.mean(), mu, { rtol: 1e-6 });
    expectClose(td.entropy(), mvn.entropy(), { rtol: 1e-5 });
    tf.dispose(x);
    td.dispose();
    mvn.dispose();
  });
});

describe('TransformedDistribution shapes', () => {
  const table: Array<[string, () => TransformedDistribution, number[], number[]]> = [
    ['Normal [2] + Sigmoid', () => new TransformedDistribution({ distribution: new Normal({ loc: [0, 1], scale: 1 }), bijector: new tfb.Sigmoid() }), [2], []],
    [
      'Independent Normal [6] + FillScaleTriL → [3, 3]',
      () => new TransformedDistribution({ distribution: new Independent({ distribution: new Normal({ loc: tf.zeros([6]), scale: 1 }), reinterpretedBatchNdims: 1 }), bijector: new tfb.FillScaleTriL() }),
      [],
      [3, 3],
    ],
    [
      'Independent Normal [4, 2] + SoftmaxCentered → batch [4], event [3]',
      () => new TransformedDistribution({ distribution: new Independent({ distribution: new Normal({ loc: tf.zeros([4, 2]), scale: 1 }), reinterpretedBatchNdims: 1 }), bijector: new tfb.SoftmaxCentered() }),
      [4],
      [3],
    ],
    [
      'Independent Normal [6] + Reshape → [2, 3]',
      () => new TransformedDistribution({ distribution: new Independent({ distribution: new Normal({ loc: tf.zeros([6]), scale: 1 }), reinterpretedBatchNdims: 1 }), bijector: new tfb.Reshape({ eventShapeOut: [2, 3] }) }),
      [],
      [2, 3],
    ],
  ];
  for (const [name, make, batch, event] of table) {
    for (const sampleShape of [[], [1], [2, 3]]) {
      it(`${name}, sample shape ${JSON.stringify(sampleShape)}`, () => {
        const d = make();
        expect(d.batchShape).toEqual(batch);
        expect(d.eventShape).toEqual(event);
        const s = d.sample(sampleShape, { seed: 1 });
        expect(s.shape).toEqual([...sampleShape, ...batch, ...event]);
        const lp = d.logProb(s);
        expect(lp.shape).toEqual([...sampleShape, ...batch]);
        expect(Array.from(lp.dataSync()).every(Number.isFinite)).toBe(true);
        tf.dispose([s, lp]);
        expectNoLeak(() => d.sample(sampleShape, { seed: 2 }), 'sample');
        expectNoLeak(() => {
          const t = d.sample(sampleShape, { seed: 2 });
          const l = d.logProb(t);
          t.dispose();
          return l;
        }, 'logProb');
        d.dispose();
      });
    }
  }

  it('FillScaleTriL of a standard normal: logProb matches the change of variables by hand', () => {
    const base = new Independent({ distribution: new Normal({ loc: tf.zeros([3]), scale: 1 }), reinterpretedBatchNdims: 1 });
    const b = new tfb.FillScaleTriL({ diagShift: null });
    const td = new TransformedDistribution({ distribution: base, bijector: b });
    const y = tf.tensor2d([[1.2, 0], [-0.7, 0.4]]);
    // x = fillTriangularInverse with softplus⁻¹ on the diagonal; ildj = -Σ log σ(x_diag)
    const sinv = (v: number): number => Math.log(Math.expm1(v));
    const xs = [sinv(0.4), -0.7, sinv(1.2)];
    const lpBase = xs.reduce((a, v) => a - 0.5 * v * v - 0.5 * Math.log(2 * Math.PI), 0);
    const ildj = -Math.log(1 / (1 + Math.exp(-sinv(1.2)))) - Math.log(1 / (1 + Math.exp(-sinv(0.4))));
    expectClose(td.logProb(y), lpBase + ildj, { rtol: 1e-5 });
    tf.dispose(y);
    td.dispose();
  });
});

describe('TransformedDistribution errors and KL', () => {
  it('a scalar base with a vector bijector names both', () => {
    const n = new Normal({ loc: [0, 0], scale: 1 });
    const b = new tfb.ScaleMatvecDiag({ scaleDiag: [1, 2] });
    expect(() => new TransformedDistribution({ distribution: n, bijector: b })).toThrow(
      /TransformedDistribution: the base Normal\(batchShape=\[2\], eventShape=\[\]\) has event rank 0 but ScaleMatvecDiag acts on events of rank >= 1/,
    );
    expect(() => new TransformedDistribution({ distribution: n, bijector: {} as tfb.Bijector })).toThrow(/bijector must be a tfp.bijectors Bijector/);
    n.dispose();
    b.dispose();
  });

  it('batch shapes that do not broadcast name both', () => {
    const n = new Normal({ loc: [0, 0], scale: 1 });
    const b = new tfb.Shift({ shift: [1, 2, 3] });
    expect(() => new TransformedDistribution({ distribution: n, bijector: b })).toThrow(/TransformedDistribution: batch shapes do not broadcast: distribution \(Normal\).*bijector \(Shift\)/);
    n.dispose();
    b.dispose();
  });

  it('KL of two transforms by the same bijector is the KL of the bases', () => {
    const b = new tfb.Exp();
    const p = new TransformedDistribution({ distribution: new Normal({ loc: 0, scale: 1 }), bijector: b });
    const q = new TransformedDistribution({ distribution: new Normal({ loc: 1, scale: 2 }), bijector: b });
    const kl = klDivergence(p, q);
    expectClose(kl, Math.log(2) + (1 + 1) / 8 - 0.5, { rtol: 1e-5 });
    kl.dispose();
    p.dispose();
    q.dispose();
  });

  it('every public method leaks nothing', () => {
    const td = logNormalTD([0, 1], [1, 2]);
    expectNoLeak(() => td.logProb([1, 2]), 'logProb');
    expectNoLeak(() => td.cdf([1, 2]), 'cdf');
    expectNoLeak(() => td.quantile([0.3, 0.4]), 'quantile');
    expectNoLeak(() => {
      expect(() => td.mean()).toThrow();
    }, 'mean error path');
    expectNoLeak(() => {
      expect(() => td.logProb([1, 2, 3])).toThrow();
    }, 'logProb error path');
    td.dispose();
  });
});
