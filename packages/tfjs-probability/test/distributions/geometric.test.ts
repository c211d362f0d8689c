// Geometric: probs must lie in (0, 1] (p = 0 never succeeds); checked under validateArgs.
import { describe, expect, it } from 'vitest';
import { Geometric } from '../../src/distributions/geometric.js';
import { InvalidArgumentError } from '../../src/errors.js';

describe('Geometric argument checks', () => {
  it('probs 0 is refused under validateArgs naming the parameter and the set; probs 1 is accepted', () => {
    expect(() => new Geometric({ probs: 0, validateArgs: true })).toThrow(InvalidArgumentError);
    expect(() => new Geometric({ probs: [0.5, 0], validateArgs: true })).toThrow(/Geometric: parameter probs \(shape \[2\]\) must be in \(0, 1\]; found invalid value at batch index \[1\]: 0/);
    new Geometric({ probs: 1, validateArgs: true }).dispose();
  });
});
