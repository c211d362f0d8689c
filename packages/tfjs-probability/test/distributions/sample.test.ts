// Sample (i.i.d. draws as one event): the conformance suite and what is specific to it.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Gamma } from '../../src/distributions/gamma.js';
import { klDivergence } from '../../src/distributions/kl.js';
import { Normal } from '../../src/distributions/normal.js';
import { Sample } from '../../src/distributions/sample.js';
import { expectClose } from '../helpers.js';
import { runConformance, type Args } from './conformance.js';

runConformance({
  name: 'Sample',
  make: (a: Args) => new Sample(a as never),
  args: () => ({ distribution: new Normal({ loc: [0, 1], scale: [1, 2] }), sampleShape: [3] }),
  shapes: [
    { name: 'Normal [2] x [3]', args: () => ({ distribution: new Normal({ loc: [0, 1], scale: 1 }), sampleShape: [3] }), batch: [2], event: [3] },
    { name: 'Normal [] x [2, 3]', args: () => ({ distribution: new Normal({ loc: 0, scale: 1 }), sampleShape: [2, 3] }), batch: [], event: [2, 3] },
    { name: 'Gamma [2, 1] x 4', args: () => ({ distribution: new Gamma({ concentration: [[1], [2]], rate: 1 }), sampleShape: 4 }), batch: [2, 1], event: [4] },
  ],
  inside: [[0.5, -1, 0], [1, 2, 3]],
  outside: { value: [[0.5, NaN, 0], [1, 2, 3]], index: [0, 1] },
  nonTensor: ['sampleShape'],
  ignoreArgs: ['sampleShape'],
  stats: { args: () => ({ distribution: new Normal({ loc: 1, scale: 2 }), sampleShape: [2] }) },
  marginal: { index: 1, reference: () => new Normal({ loc: 1, scale: 2 }) },
});

describe('Sample', () => {
  it('logProb sums the inner log densities over the sample dims, per batch member', () => {
    const d = new Sample({ distribution: new Normal({ loc: [0, 1], scale: 1 }), sampleShape: [3] });
    const n = (x: number, m: number) => -0.5 * (x - m) ** 2 - 0.5 * Math.log(2 * Math.PI);
    tf.tidy(() => {
      expectClose(d.logProb([[0, 1, 2], [1, 1, 0]]), [n(0, 0) + n(1, 0) + n(2, 0), n(1, 1) * 2 + n(0, 1)], { rtol: 1e-6 });
      // a value of event dims of 1 counts each of the three draws
      expectClose(d.logProb([[0], [1]]), [3 * n(0, 0), 3 * n(1, 1)], { rtol: 1e-6 });
      // extra leading dims
      expect(d.logProb(tf.zeros([4, 2, 3])).shape).toEqual([4, 2]);
      expectClose(d.entropy(), [3 * (0.5 + 0.5 * Math.log(2 * Math.PI)), 3 * (0.5 + 0.5 * Math.log(2 * Math.PI))], { rtol: 1e-6 });
      expect(d.mean().shape).toEqual([2, 3]);
    });
    d.dispose();
  });

  it('draws are laid out [...sampleShape, ...batch, ...event] with the i.i.d. draws in the event', () => {
    const d = new Sample({ distribution: new Normal({ loc: [0, 100], scale: 0.01 }), sampleShape: [3] });
    const x = d.sample([2], { seed: 1 });
    expect(x.shape).toEqual([2, 2, 3]);
    const v = x.arraySync() as number[][][];
    expect(v.every((s) => s[0]!.every((e) => Math.abs(e) < 1) && s[1]!.every((e) => Math.abs(e - 100) < 1))).toBe(true);
    x.dispose();
    d.dispose();
  });

  it('KL(Sample || Sample) is |S| times the inner KL; the event space is the inner one', () => {
    const p = new Sample({ distribution: new Normal({ loc: 0, scale: 1 }), sampleShape: [2, 2] });
    const q = new Sample({ distribution: new Normal({ loc: 1, scale: 2 }), sampleShape: [2, 2] });
    const kl = klDivergence(p, q);
    expectClose(kl, [4 * (Math.log(2) + (1 + 1) / 8 - 0.5)], { rtol: 1e-5 });
    kl.dispose();
    const g = new Sample({ distribution: new Gamma({ concentration: 2, rate: 1 }), sampleShape: [3] });
    const b = g.defaultEventSpaceBijector();
    expect(b.className).toBe('Softplus');
    [p, q, g, b].forEach((o) => o.dispose());
  });
});
