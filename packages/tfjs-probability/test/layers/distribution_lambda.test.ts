import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Normal } from '../../src/distributions/normal.js';
import { DistributionLambda, registerDistributionFn } from '../../src/layers/distribution_lambda.js';
import { expectClose } from '../helpers.js';

// Recipe 004 example 3: Normal(loc = t[..., 0], scale = exp(t[..., 1])).
const normalMeanLogStd = (t: tf.Tensor) => {
  const [loc, logStd] = tf.tidy(() => tf.split(t, 2, -1).map((v) => tf.squeeze(v, [-1])));
  const d = new Normal({ loc: loc!, scale: tf.tidy(() => tf.exp(logStd!)) });
  tf.dispose([loc!, logStd!]);
  return d;
};

describe('DistributionLambda', () => {
  it('applies makeDistribution; infers paramsSize from the input and eventShape from one probe', () => {
    const x = tf.input({ shape: [3] });
    const p = tf.layers.dense({ units: 2 }).apply(x) as tf.SymbolicTensor;
    const head = new DistributionLambda({ makeDistribution: normalMeanLogStd });
    const out = head.apply(p) as tf.SymbolicTensor;
    expect(out.shape).toEqual([null, null]); // width paramsSize, declared unknown so that fit takes natural targets
    expect(head.paramsSize).toBe(2);
    expect(head.eventShape).toEqual([]);
    const params = tf.tensor2d([[0.5, Math.log(2)], [-1, 0]]);
    const d = head.toDistribution(params);
    const lp = d.logProb([1, 0]);
    const want = [
      -0.5 * (0.5 / 2) ** 2 - Math.log(2) - 0.5 * Math.log(2 * Math.PI),
      -0.5 * 1 - 0.5 * Math.log(2 * Math.PI),
    ];
    expectClose(lp, want);
    tf.dispose([params, lp]);
    d.dispose();
  });

  it('an unregistered function cannot be serialized, and the error says how to fix it', () => {
    const head = new DistributionLambda({ makeDistribution: (t) => normalMeanLogStd(t), paramsSize: 2, name: 'lam' });
    expect(() => head.getConfig()).toThrow(/DistributionLambda 'lam': makeDistribution is an unregistered function.*registerDistributionFn/);
  });

  it('a registered function serializes by name and is restored from config', () => {
    registerDistributionFn('test.normalMeanLogStd', normalMeanLogStd);
    const head = new DistributionLambda({ makeDistribution: normalMeanLogStd, paramsSize: 2 });
    const cfg = head.getConfig();
    expect(cfg['makeDistribution']).toBe('test.normalMeanLogStd');
    const again = new DistributionLambda(cfg as never);
    expect(again.makeDistribution).toBe(normalMeanLogStd);
    expect(again.paramsSize).toBe(2);
    expect(() => new DistributionLambda({ makeDistribution: 'no.such.fn' })).toThrow(
      /no function registered under makeDistribution name 'no.such.fn'.*registerDistributionFn\('no.such.fn', fn\)/,
    );
  });
});
