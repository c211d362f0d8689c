import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { MultivariateNormalTriL } from '../../src/distributions/mvn_tril.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { expectClose } from '../helpers.js';

describe('MultivariateNormalTriL', () => {
  it('TSDoc example', () => {
    const d = new MultivariateNormalTriL({ loc: [0, 0], scaleTril: [[1, 0], [0.5, 2]] });
    const cov = d.covariance();
    expectClose(cov, [1, 0.5, 0.5, 4.25], { rtol: 1e-6 });
    const s = d.sample([100], { seed: 1 });
    expect(s.shape).toEqual([100, 2]);
    const lp = d.logProb([[0, 0], [1, 1]]);
    expect(lp.shape).toEqual([2]);
    tf.dispose([cov, s, lp]);
    d.dispose();
  });

  it('shape errors name class, parameter, given and expected shapes', () => {
    expect(() => new MultivariateNormalTriL({ loc: [0, 0], scaleTril: [[1, 0], [0, 1], [0, 1]] })).toThrow(
      'MultivariateNormalTriL: scaleTril must be [..., k, k]; got [3, 2]',
    );
    expect(() => new MultivariateNormalTriL({ loc: [0, 0], scaleTril: [1, 2] })).toThrow(/scaleTril must be \[\.\.\., k, k\]; got \[2\]/);
    expect(() => new MultivariateNormalTriL({ loc: [0, 0, 0], scaleTril: [[1, 0], [0, 1]] })).toThrow(
      /MultivariateNormalTriL: loc has event size 3 \(shape \[3\]\) but scaleTril has event size 2 \(shape \[2, 2\]\); expected loc \[\.\.\., 2\]/,
    );
    expect(() => new MultivariateNormalTriL({ loc: 0, scaleTril: [[1]] })).toThrow(/loc must be \[\.\.\., k\]; got \[\]/);
    const eye = [[1, 0], [0, 1]];
    expect(() => new MultivariateNormalTriL({ loc: [[0, 0], [0, 0], [0, 0]], scaleTril: [eye, eye] })).toThrow(
      /MultivariateNormalTriL: batch shapes do not broadcast: loc \[3, 2\] has batch \[3\], scaleTril \[2, 2, 2\] has batch \[2\]/,
    );
    expect(() => new MultivariateNormalTriL({ loc: [0, 0], scaleTril: [[1, 0], [0, 1]] }).logProb([1, 2, 3])).toThrow(InvalidArgumentError);
  });

  it('a failed construction leaks nothing', () => {
    const before = tf.memory().numTensors;
    expect(() => new MultivariateNormalTriL({ loc: [0, 0, 0], scaleTril: [[1, 0], [0, 1]] })).toThrow();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('validateArgs: lower triangular with a positive diagonal, naming the batch index', () => {
    const good = [[1, 0], [0.5, 1]];
    expect(() => new MultivariateNormalTriL({ loc: [0, 0], scaleTril: [good, [[1, 0.3], [0, 1]]], validateArgs: true })).toThrow(
      /MultivariateNormalTriL: parameter scaleTril \(shape \[2, 2, 2\]\) must be lower triangular with a positive diagonal and finite entries; found invalid values at batch index \[1\]: 1, 0.3, 0, 1/,
    );
    expect(() => new MultivariateNormalTriL({ loc: [0, 0], scaleTril: [[1, 0], [0.5, -1]], validateArgs: true })).toThrow(
      /must be lower triangular with a positive diagonal/,
    );
    const d = new MultivariateNormalTriL({ loc: [0, 0], scaleTril: [good, good], validateArgs: true });
    d.dispose();
  });

  it('ignores the strict upper triangle (as TFP) in every method', () => {
    const clean = new MultivariateNormalTriL({ loc: [1, -1, 0], scaleTril: [[1, 0, 0], [0.5, 2, 0], [-0.3, 0.2, 0.7]] });
    const dirty = new MultivariateNormalTriL({ loc: [1, -1, 0], scaleTril: [[1, 9, 9], [0.5, 2, -9], [-0.3, 0.2, 0.7]] });
    const x = [[0.3, 0.1, -0.2], [2, -1, 1]];
    const pairs: Array<[tf.Tensor, tf.Tensor]> = [
      [clean.logProb(x), dirty.logProb(x)],
      [clean.covariance(), dirty.covariance()],
      [clean.variance(), dirty.variance()],
      [clean.entropy(), dirty.entropy()],
      [clean.sample([4], { seed: 2 }), dirty.sample([4], { seed: 2 })],
    ];
    for (const [a, b] of pairs) {
      expectClose(b, a, { rtol: 1e-6, atol: 1e-7 });
      tf.dispose([a, b]);
    }
    clean.dispose();
    dirty.dispose();
  });

  it('accessors: .loc and .scaleTril are the owned parameters; a tensor passed in stays the caller’s', () => {
    const loc = tf.tensor1d([1, 2]);
    const L = tf.tensor2d([[1, 0], [0.5, 1]]);
    const d = new MultivariateNormalTriL({ loc, scaleTril: L });
    expect(d.scaleKind).toBe('tril');
    expectClose(d.loc, [1, 2]);
    expectClose(d.scaleTril, [1, 0, 0.5, 1]);
    expect(d.parameters['scaleTril']).toBe(d.scaleTril);
    d.dispose();
    expect(loc.isDisposed).toBe(false);
    expect(L.isDisposed).toBe(false);
    expect(d.scaleTril.isDisposed).toBe(true);
    // Parameters share the caller's memory (zero copy) but the caller's tensors stay readable.
    expectClose(loc, [1, 2]);
    expectClose(L, [1, 0, 0.5, 1]);
    tf.dispose([loc, L]);
  });

  it('loc defaults to zeros', () => {
    const d = new MultivariateNormalTriL({ scaleTril: [[2, 0], [0, 1]] });
    expect(d.batchShape).toEqual([]);
    const m = d.mean();
    expectClose(m, [0, 0]);
    m.dispose();
    d.dispose();
  });

  it('logProb over a batch of per-row scales (recipe 001: mean vector and 5x5 Cholesky per row)', () => {
    // loc [N, 5] and scaleTril [N, 5, 5] with exponential diagonal, as a network head would emit them.
    const N = 6;
    const loc = tf.randomNormal([N, 5], 0, 1, 'float32', 1);
    const raw = tf.randomNormal([N, 5, 5], 0, 0.5, 'float32', 2);
    const L = tf.tidy(() => tf.add(tf.linalg.bandPart(raw, -1, 0), tf.mul(tf.eye(5), tf.sub(tf.exp(raw), raw))));
    const y = tf.randomNormal([N, 5], 0, 1, 'float32', 3);
    const d = new MultivariateNormalTriL({ loc, scaleTril: L });
    const lp = d.logProb(y);
    expect(lp.shape).toEqual([N]);
    // Each row equals a single-row distribution's logProb.
    const rows = tf.unstack(L).map((Li, i) => {
      const di = new MultivariateNormalTriL({ loc: tf.unstack(loc)[i]!, scaleTril: Li });
      const v = di.logProb(tf.unstack(y)[i]!).dataSync()[0]!;
      di.dispose();
      return v;
    });
    expectClose(lp, rows, { rtol: 1e-5 });
    tf.dispose([loc, raw, L, y, lp]);
    d.dispose();
  });
});
