// The @example of each joint-distribution module's TSDoc (and of Sample, HalfCauchy), run as written.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as tfd from '../../src/distributions/index.js';
import { expectClose } from '../helpers.js';

const logN = (x: number, m: number, s: number) => -0.5 * ((x - m) / s) ** 2 - Math.log(s) - 0.5 * Math.log(2 * Math.PI);

describe('TSDoc examples of the joint distributions', () => {
  it('JointDistributionSequential', () => {
    const before = tf.memory().numTensors;
    const model = new tfd.JointDistributionSequential([
      new tfd.Normal({ loc: 0, scale: 1 }),
      (mu) => new tfd.Sample({ distribution: new tfd.Normal({ loc: mu!, scale: 0.5 }), sampleShape: [3] }),
    ]);
    const [mu, y] = model.sample([10], { seed: 1 }) as tf.Tensor[];
    expect(mu!.shape).toEqual([10]);
    expect(y!.shape).toEqual([10, 3]);
    const lp = model.logProb([mu!, y!]);
    expect(lp.shape).toEqual([10]);
    tf.dispose([mu!, y!, lp]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('JointDistributionNamed', () => {
    const model = new tfd.JointDistributionNamed({
      mu: new tfd.Normal({ loc: 0, scale: 10 }),
      sigma: new tfd.HalfNormal({ scale: 1 }),
      y: ({ mu, sigma }) => new tfd.Sample({ distribution: new tfd.Normal({ loc: mu!, scale: sigma! }), sampleShape: [5] }),
    });
    const draw = model.sample([4], { seed: 1 }) as Record<string, tf.Tensor>;
    expect(Object.fromEntries(Object.entries(draw).map(([k, v]) => [k, v.shape]))).toEqual({ mu: [4], sigma: [4], y: [4, 5] });
    const lp = model.logProb(draw);
    expect(lp.shape).toEqual([4]);
    tf.dispose([lp, ...Object.values(draw)]);
    model.dispose();
  });

  it('JointDistributionCoroutine', () => {
    const { Root } = tfd.JointDistributionCoroutine;
    const model = new tfd.JointDistributionCoroutine(function* () {
      const scale = yield Root(new tfd.HalfNormal({ scale: 1, name: 'scale' }));
      yield new tfd.Normal({ loc: 0, scale, name: 'x' });
    });
    const { scale, x } = model.sample([3], { seed: 1 }) as Record<string, tf.Tensor>;
    expect(scale!.shape).toEqual([3]);
    expect(x!.shape).toEqual([3]);
    tf.dispose([scale!, x!]);
  });

  it('JointDistributionPinned', () => {
    const model = new tfd.JointDistributionNamed({
      mu: new tfd.Normal({ loc: 0, scale: 1 }),
      y: ({ mu }) => new tfd.Normal({ loc: mu!, scale: 1 }),
    });
    const posterior = model.pin({ y: 2 });
    const lp = posterior.unnormalizedLogProb({ mu: 1 });
    expectClose(lp, [logN(1, 0, 1) + logN(2, 1, 1)], { rtol: 1e-6 });
    lp.dispose();
    posterior.dispose();
    model.dispose();
  });

  it('JointEventSpaceBijector', () => {
    const model = new tfd.JointDistributionSequential([
      new tfd.HalfNormal({ scale: 1 }),
      (s) => new tfd.Normal({ loc: 0, scale: s! }),
    ]);
    const b = model.defaultEventSpaceBijector();
    const x = [tf.tensor(-1), tf.tensor(0.5)];
    const [s, v] = b.forward(x) as tf.Tensor[];
    expectClose(s!, [Math.log1p(Math.exp(-1))], { rtol: 1e-6 });
    expectClose(v!, [0.5]);
    tf.dispose([...x, s!, v!]);
    model.dispose();
  });

  it('Sample and HalfCauchy', () => {
    const d = new tfd.Sample({ distribution: new tfd.Normal({ loc: [0, 1], scale: 1 }), sampleShape: [3] });
    expect([d.batchShape, d.eventShape]).toEqual([[2], [3]]);
    tf.tidy(() => expectClose(d.logProb([[0, 0, 0], [1, 1, 1]]), [3 * logN(0, 0, 1), 3 * logN(1, 1, 1)], { rtol: 1e-6 }));
    d.dispose();
    const h = new tfd.HalfCauchy({ loc: 0, scale: 5 });
    tf.tidy(() => {
      expectClose(h.logProb([0, 5]), [Math.log(2 / (5 * Math.PI)), Math.log(1 / (5 * Math.PI))], { rtol: 1e-6 });
      expectClose(h.quantile(0.5), [5], { rtol: 1e-6 });
    });
    h.dispose();
  });
});
