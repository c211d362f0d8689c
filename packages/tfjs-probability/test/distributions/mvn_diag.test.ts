import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { MultivariateNormalDiag } from '../../src/distributions/mvn_diag.js';
import { MultivariateNormalTriL } from '../../src/distributions/mvn_tril.js';
import { klDivergence } from '../../src/distributions/kl.js';
import { expectClose, expectNoLeak } from '../helpers.js';

describe('MultivariateNormalDiag', () => {
  it('TSDoc example', () => {
    const d = new MultivariateNormalDiag({ loc: [[0, 0], [1, 2]], scaleDiag: [1, 0.5] });
    expect(d.batchShape).toEqual([2]);
    const s = d.sample([3], { seed: 1 });
    expect(s.shape).toEqual([3, 2, 2]);
    const lp = d.logProb([0.5, 1]);
    expect(lp.shape).toEqual([2]);
    tf.dispose([s, lp]);
    d.dispose();
  });

  it('agrees with MultivariateNormalTriL(diag(scaleDiag)) on logProb, entropy, covariance, KL and samples', () => {
    const loc = [[0.5, -1, 2], [0, 0, 1]];
    const s = [[0.7, 1.5, 0.3], [2, 1, 0.5]];
    const diag = new MultivariateNormalDiag({ loc, scaleDiag: s });
    const tril = new MultivariateNormalTriL({ loc, scaleTril: s.map((r) => r.map((v, i) => r.map((_, j) => (i === j ? v : 0)))) });
    const x = [[[0, 0, 0], [1, 1, 1]], [[2, -2, 0.5], [0.1, 0.2, 0.3]]];
    const q = new MultivariateNormalDiag({ loc: [1, 1, 1], scaleDiag: [1.2, 0.8, 2] });
    const pairs: Array<[tf.Tensor, tf.Tensor, string]> = [
      [diag.logProb(x), tril.logProb(x), 'logProb'],
      [diag.entropy(), tril.entropy(), 'entropy'],
      [diag.covariance(), tril.covariance(), 'covariance'],
      [diag.stddev(), tril.stddev(), 'stddev'],
      [klDivergence(diag, q), klDivergence(tril, q), 'KL(diag||diag) vs KL(tril||diag)'],
      [klDivergence(q, diag), klDivergence(q, tril), 'KL(diag||diag) vs KL(diag||tril)'],
    ];
    for (const [a, b, what] of pairs) {
      expectClose(a, b, { rtol: 1e-5, atol: 1e-6, context: what });
      tf.dispose([a, b]);
    }
    diag.dispose();
    tril.dispose();
    q.dispose();
  });

  it('errors name the class, parameter and shapes', () => {
    expect(() => new MultivariateNormalDiag({})).toThrow(/MultivariateNormalDiag: give loc \[\.\.\., k\] or scaleDiag \[\.\.\., k\]/);
    expect(() => new MultivariateNormalDiag({ loc: [0, 0], scaleDiag: [1, 1, 1] })).toThrow(
      /MultivariateNormalDiag: loc has event size 2 \(shape \[2\]\) but scaleDiag has event size 3 \(shape \[3\]\)/,
    );
    expect(() => new MultivariateNormalDiag({ loc: [0, 0], scaleDiag: 1 })).toThrow(/scaleDiag must be \[\.\.\., k\]; got \[\]/);
    expect(() => new MultivariateNormalDiag({ loc: [0, 0], scaleDiag: [[1, -1], [1, 1]], validateArgs: true })).toThrow(
      /MultivariateNormalDiag: parameter scaleDiag \(shape \[2, 2\]\) must be positive \(> 0\) and finite; found invalid value at batch index \[0, 1\]: -1/,
    );
  });

  it('defaults: loc zeros or scaleDiag ones', () => {
    const a = new MultivariateNormalDiag({ scaleDiag: [1, 2] });
    const b = new MultivariateNormalDiag({ loc: [[1, 2]] });
    expect(a.batchShape).toEqual([]);
    expect(b.batchShape).toEqual([1]);
    const [m, v] = [a.mean(), b.variance()];
    expectClose(m, [0, 0]);
    expectClose(v, [1, 1]);
    tf.dispose([m, v]);
    a.dispose();
    b.dispose();
  });

  it('accessors: .scaleDiag; .scaleTril built lazily, owned and freed by dispose', () => {
    const d = new MultivariateNormalDiag({ loc: [0, 0], scaleDiag: [2, 3] });
    expect(d.scaleKind).toBe('diag');
    expectClose(d.scaleDiag, [2, 3]);
    const before = tf.memory().numTensors;
    const st = d.scaleTril;
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(d.scaleTril).toBe(st); // cached
    expectClose(st, [2, 0, 0, 3]);
    expectNoLeak(() => d.logProb([1, 1]), 'logProb after scaleTril');
    d.dispose();
    expect(st.isDisposed).toBe(true);
    expect(tf.memory().numTensors).toBe(before - 2);
  });

  it('scaleTril accessed inside a tidy is rebuilt afterwards', () => {
    const d = new MultivariateNormalDiag({ scaleDiag: [2, 3] });
    tf.tidy(() => {
      d.scaleTril.shape;
    });
    expectClose(d.scaleTril, [2, 0, 0, 3]);
    d.dispose();
  });
});
