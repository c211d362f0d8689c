import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Mixture } from '../../src/distributions/mixture.js';
import { Categorical } from '../../src/distributions/categorical.js';
import { Normal } from '../../src/distributions/normal.js';
import { Laplace } from '../../src/distributions/laplace.js';
import { MultivariateNormalDiag } from '../../src/distributions/mvn_diag.js';
import { InvalidArgumentError, NotImplementedError } from '../../src/errors.js';
import { expectClose, expectNoLeak, loadFixture, meanTolerance, zFor, FALSE_FAILURE_RATE } from '../helpers.js';

interface Case {
  name: string;
  kind: string;
  probs?: number[];
  params?: Record<string, [number, number]>;
  logits?: number[] | number[][];
  loc?: number[][] | number[][][];
  scale?: number[][] | number[][][];
  x: number[] | number[][];
  log_prob: number[];
  mean: number | number[];
  variance: number | number[];
  covariance?: number[][];
}
const { cases } = loadFixture<{ cases: Case[] }>('mixture');

describe('Mixture values against scipy (float64 fixture)', () => {
  it('Normal + Laplace + Normal (different families), incl. |x| = 80', () => {
    const c = cases.find((k) => k.kind === 'hetero')!;
    const p = c.params!;
    const d = new Mixture({
      cat: new Categorical({ probs: c.probs! }),
      components: [
        new Normal({ loc: p['n1']![0], scale: p['n1']![1] }),
        new Laplace({ loc: p['lap']![0], scale: p['lap']![1] }),
        new Normal({ loc: p['n2']![0], scale: p['n2']![1] }),
      ],
    });
    const lp = d.logProb(c.x as number[]);
    expectClose(lp, c.log_prob, { rtol: 2e-4, context: 'logProb' });
    const m = d.mean();
    expectClose(m, c.mean as number, { rtol: 2e-4, context: 'mean' });
    const v = d.variance();
    expectClose(v, c.variance as number, { rtol: 2e-4, context: 'variance' });
    tf.dispose([lp, m, v]);
    d.dispose();
  });

  it('mixture of K diagonal MVNs given as a list (the recipe\'s construction), incl. a point 50 sd out', () => {
    const c = cases.find((k) => k.name === 'mvn diag')!;
    const loc = c.loc as number[][];
    const scale = c.scale as number[][];
    const d = new Mixture({
      cat: new Categorical({ logits: c.logits as number[] }),
      components: loc.map((l, k) => new MultivariateNormalDiag({ loc: l, scaleDiag: scale[k]! })),
    });
    expect(d.eventShape).toEqual([2]);
    const lp = d.logProb(c.x as number[][]);
    expect(Array.from(lp.dataSync()).every(Number.isFinite)).toBe(true);
    expectClose(lp, c.log_prob, { rtol: 2e-4, context: 'logProb' });
    const m = d.mean();
    expectClose(m, c.mean as number[], { rtol: 2e-4, atol: 1e-5, context: 'mean' });
    const v = d.variance();
    expectClose(v, c.variance as number[], { rtol: 2e-4, context: 'variance' });
    const cov = d.covariance();
    expectClose(cov, c.covariance!, { rtol: 2e-4, atol: 1e-5, context: 'covariance' });
    tf.dispose([lp, m, v, cov]);
    d.dispose();
  });
});

describe('Mixture shapes and errors', () => {
  it('cat batch broadcasts against scalar-batch components', () => {
    const d = new Mixture({
      cat: new Categorical({ logits: [[0, 1], [1, 0], [0, 0]] }),
      components: [new Normal({ loc: 0, scale: 1 }), new Normal({ loc: 10, scale: 1 })],
    });
    expect(d.batchShape).toEqual([3]);
    const x = d.sample([4], { seed: 1 });
    expect(x.shape).toEqual([4, 3]);
    const m = d.mean();
    expect(m.shape).toEqual([3]);
    tf.dispose([x, m]);
    d.dispose();
  });
  it('rejects mismatched components and counts with messages naming the class', () => {
    expect(
      () =>
        new Mixture({
          cat: new Categorical({ logits: [0, 1, 2] }),
          components: [new Normal({ loc: 0, scale: 1 }), new Normal({ loc: 1, scale: 1 })],
        }),
    ).toThrow(/Mixture: cat must be a Categorical over the 2 components.*got logits \[3\]/);
    expect(
      () =>
        new Mixture({
          cat: new Categorical({ logits: [0, 1] }),
          components: [new Normal({ loc: 0, scale: 1 }), new Normal({ loc: [1, 2], scale: 1 })],
        }),
    ).toThrow(InvalidArgumentError);
  });
  it('entropy throws NotImplementedError', () => {
    const d = new Mixture({
      cat: new Categorical({ logits: [0, 1] }),
      components: [new Normal({ loc: 0, scale: 1 }), new Laplace({ loc: 1, scale: 1 })],
    });
    expect(() => d.entropy()).toThrow(NotImplementedError);
    d.dispose();
  });
});

describe('Mixture sampling (false-failure rate 1e-4 per test)', () => {
  it('sample mean matches; temperature sharpens; scaleTemperature scales each family about its loc', () => {
    const d = new Mixture({
      cat: new Categorical({ probs: [0.2, 0.8] }),
      components: [new Normal({ loc: -10, scale: 0.5 }), new Laplace({ loc: 10, scale: 0.5 })],
    });
    const n = 20000;
    const mean = 0.2 * -10 + 0.8 * 10;
    const sd = Math.sqrt(0.2 * 0.25 + 0.8 * 0.5 + 0.2 * (-10 - mean) ** 2 + 0.8 * (10 - mean) ** 2);
    const x = d.sample([n], { seed: 3 });
    expect(Math.abs(tf.mean(x).dataSync()[0]! - mean)).toBeLessThan(meanTolerance(sd, n, 3));
    const p = 0.8 ** 4 / (0.8 ** 4 + 0.2 ** 4);
    const y = d.sample([n], { seed: 4, temperature: 0.25 });
    const freq = tf.mean(tf.cast(tf.greater(y, 0), 'float32')).dataSync()[0]!;
    expect(Math.abs(freq - p)).toBeLessThan(meanTolerance(Math.sqrt(p * (1 - p)), n, 3));
    // scaleTemperature 4: the heavy Laplace component's deviations from 10 double in sd (0.5·√2 -> √2).
    const z = d.sample([n], { seed: 5, temperature: 0.01, scaleTemperature: 4 });
    const dev = tf.sub(z, 10);
    const s = Math.sqrt(tf.mean(tf.square(dev)).dataSync()[0]!);
    // Laplace kurtosis 6: sd of the sample sd ≈ σ·sqrt(5 / (4n)).
    expect(Math.abs(s - Math.SQRT2)).toBeLessThan(zFor(FALSE_FAILURE_RATE / 3) * Math.SQRT2 * Math.sqrt(5 / (4 * n)));
    tf.dispose([x, y, z, dev]);
    d.dispose();
  });
});

describe('Mixture hygiene', () => {
  it('no public method leaks tensors; dispose releases cat and components', () => {
    const before = tf.memory().numTensors;
    const d = new Mixture({
      cat: new Categorical({ logits: [0, 1] }),
      components: [new Normal({ loc: 0, scale: 1 }), new Laplace({ loc: 1, scale: 2 })],
    });
    expectNoLeak(() => d.sample([3], { seed: 1, scaleTemperature: 2 }), 'sample');
    expectNoLeak(() => d.logProb([0.1, 0.2]), 'logProb');
    expectNoLeak(() => d.mean(), 'mean');
    expectNoLeak(() => d.variance(), 'variance');
    d.dispose();
    expect(d.components.every((c) => c.isDisposed)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });
});
