import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { MultivariateNormalFullCovariance } from '../../src/distributions/mvn_full_covariance.js';
import { MultivariateNormalTriL } from '../../src/distributions/mvn_tril.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { expectClose } from '../helpers.js';

describe('MultivariateNormalFullCovariance', () => {
  it('TSDoc example: scaleTril is the Cholesky factor; logProb at the mean is -½ log det(2πΣ)', () => {
    const d = new MultivariateNormalFullCovariance({ loc: [1, 2], covarianceMatrix: [[1, 0.5], [0.5, 2]] });
    expectClose(d.scaleTril, [1, 0, 0.5, Math.sqrt(2 - 0.25)], { rtol: 1e-6 });
    const lp = d.logProb([1, 2]);
    expectClose(lp, [-0.5 * Math.log((2 * Math.PI) ** 2 * (2 - 0.25))], { rtol: 1e-6 });
    lp.dispose();
    d.dispose();
  });

  it('behaves as MultivariateNormalTriL with the factor', () => {
    const cov = [[[2, 0.8, -0.4], [0.8, 1, 0.2], [-0.4, 0.2, 0.5]], [[1, 0, 0], [0, 4, 1], [0, 1, 1]]];
    const full = new MultivariateNormalFullCovariance({ loc: [0.1, 0.2, 0.3], covarianceMatrix: cov });
    const tril = new MultivariateNormalTriL({ loc: [0.1, 0.2, 0.3], scaleTril: full.scaleTril });
    const x = [[0, 1, 2], [-1, 0.5, 0]];
    const pairs: Array<[tf.Tensor, tf.Tensor]> = [
      [full.logProb(x), tril.logProb(x)],
      [full.entropy(), tril.entropy()],
      [full.covariance(), tril.covariance()],
      [full.sample([3], { seed: 4 }), tril.sample([3], { seed: 4 })],
    ];
    for (const [a, b] of pairs) {
      expectClose(a, b, { rtol: 1e-5, atol: 1e-6 });
      tf.dispose([a, b]);
    }
    expectClose(full.covarianceMatrix, cov.flat(2));
    full.dispose();
    tril.dispose();
  });

  it('a covariance that is not positive definite fails at construction naming the batch index (never a NaN)', () => {
    const ok = [[1, 0], [0, 1]];
    const bad = [[1, 2], [2, 1]];
    const before = tf.memory().numTensors;
    let err: unknown;
    try {
      new MultivariateNormalFullCovariance({ loc: [0, 0], covarianceMatrix: [ok, ok, bad] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as Error).message).toMatch(
      /^MultivariateNormalFullCovariance: covarianceMatrix \(shape \[3, 2, 2\]\) is not positive definite at batch index 2\b.*expected symmetric positive-definite/,
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(() => new MultivariateNormalFullCovariance({ covarianceMatrix: [[1, 0], [0, -1]] })).toThrow(
      /MultivariateNormalFullCovariance: covarianceMatrix \(shape \[2, 2\]\) is not positive definite/,
    );
    expect(() => new MultivariateNormalFullCovariance({ covarianceMatrix: [[1, 0], [0, NaN]] })).toThrow(InvalidArgumentError);
  });

  it('shape errors and validateArgs (symmetry)', () => {
    expect(() => new MultivariateNormalFullCovariance({ loc: [0, 0], covarianceMatrix: [[1, 0, 0], [0, 1, 0]] })).toThrow(
      'MultivariateNormalFullCovariance: covarianceMatrix must be [..., k, k]; got [2, 3]',
    );
    expect(() => new MultivariateNormalFullCovariance({ loc: [0], covarianceMatrix: [[1, 0], [0, 1]] })).toThrow(
      /loc has event size 1 \(shape \[1\]\) but covarianceMatrix has event size 2/,
    );
    expect(() => new MultivariateNormalFullCovariance({ covarianceMatrix: [[2, 0.5], [0.1, 2]], validateArgs: true })).toThrow(
      /MultivariateNormalFullCovariance: parameter covarianceMatrix \(shape \[2, 2\]\) must be symmetric/,
    );
  });

  it('dispose frees loc, the covariance and the factor', () => {
    const before = tf.memory().numTensors;
    const d = new MultivariateNormalFullCovariance({ loc: [0, 0], covarianceMatrix: [[2, 1], [1, 2]] });
    expect(tf.memory().numTensors).toBe(before + 3);
    d.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
