// One oversized sample call is refused before anything is allocated, naming the class, the
// shape and the limit, and the backend keeps working (on wasm such a call used to abort the
// WebAssembly instance for the whole process).
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Gamma } from '../../src/distributions/gamma.js';
import { Normal } from '../../src/distributions/normal.js';
import { sampleMemoryBudget, setSampleMemoryBudget } from '../../src/distributions/sample_limits.js';
import { InvalidArgumentError } from '../../src/errors.js';

describe('sample size bounds', () => {
  it('Normal.sample([3e8]) and Gamma.sample([1.1e9]) are refused; the backend still computes afterwards; nothing leaks', () => {
    const n = new Normal({ loc: 0, scale: 1 });
    const g = new Gamma({ concentration: 1.1, rate: 1 });
    const before = tf.memory().numTensors;
    expect(() => n.sample([3e8])).toThrow(InvalidArgumentError);
    expect(() => n.sample([3e8])).toThrow(new RegExp(`Normal\\.sample: sample shape \\[300000000\\] asks for 300000000 values \\(1 per draw\\), more than one call can allocate on the ${tf.getBackend()} backend`));
    expect(() => g.sample([1.1e9])).toThrow(/Gamma\.sample: sample shape \[1100000000\]/);
    expect(tf.memory().numTensors).toBe(before);
    const s = n.sample([1000], { seed: 1 });
    expect(s.shape).toEqual([1000]);
    const m = tf.mean(s);
    expect(Number.isFinite(m.dataSync()[0])).toBe(true);
    tf.dispose([s, m]);
    n.dispose();
    g.dispose();
  });

  it('counts batch and event values too, and the budget can be changed per backend', () => {
    const n = new Normal({ loc: tf.zeros([1000]), scale: 1 });
    const budget = sampleMemoryBudget();
    setSampleMemoryBudget(tf.getBackend(), 64 * 5000);
    try {
      expect(() => n.sample([6])).toThrow(/sample shape \[6\] asks for 6000 values \(1000 per draw\).*at most 5000/);
      const s = n.sample([5]);
      s.dispose();
    } finally {
      setSampleMemoryBudget(tf.getBackend(), budget);
    }
    expect(() => setSampleMemoryBudget('cpu', -1)).toThrow(/bytes must be a positive number/);
    n.dispose();
  });
});
