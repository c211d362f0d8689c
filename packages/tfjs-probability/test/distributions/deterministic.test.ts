// Deterministic (a point mass): the conformance suite's shape, argument and support checks, and its values.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Deterministic } from '../../src/distributions/deterministic.js';
import { NotImplementedError } from '../../src/errors.js';
import { expectClose } from '../helpers.js';
import { runConformance, type Args } from './conformance.js';

runConformance({
  name: 'Deterministic',
  make: (a: Args) => new Deterministic(a as never),
  args: () => ({ loc: [0, 1], atol: [0, 0.1] }),
  shapes: [
    { name: 'scalar', args: () => ({ loc: 2 }), batch: [], event: [] },
    { name: 'rank 2 broadcast', args: () => ({ loc: [[0], [1]], rtol: [0, 0.1, 1] }), batch: [2, 3], event: [] },
  ],
  inside: [0, 1.05],
  outside: { value: [0, NaN], index: [1] },
  optional: ['atol', 'rtol'],
});

describe('Deterministic', () => {
  it('all mass at loc within the tolerances; draws are loc; moments', () => {
    const d = new Deterministic({ loc: [1, 2], atol: [0, 0.5], rtol: [0.1, 0] });
    tf.tidy(() => {
      expectClose(d.prob([1.09, 2.5]), [1, 1]);
      expectClose(d.prob([1.2, 2.6]), [0, 0]);
      expectClose(d.logProb([1, 0]), [0, -Infinity]);
      expectClose(d.cdf([0.8, 1.5]), [0, 1]);
      expectClose(d.sample([3], { seed: 1 }), [1, 2, 1, 2, 1, 2]);
      expectClose(d.variance(), [0, 0]);
      expectClose(d.entropy(), [0, 0]);
    });
    expect(() => d.defaultEventSpaceBijector()).toThrow(NotImplementedError);
    d.dispose();
  });
});
