// Parameter declarations and the event-space bijectors derived from them (src/distributions/event_space.ts).
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as tfd from '../../src/distributions/index.js';
import { parameterBijector } from '../../src/distributions/distribution.js';
import { InvalidArgumentError, NotImplementedError } from '../../src/errors.js';
import { expectClose } from '../helpers.js';

const take = (t: tf.Tensor): number[] => {
  const v = Array.from(t.dataSync());
  t.dispose();
  return v;
};

describe('defaultEventSpaceBijector', () => {
  it('TSDoc example: Gamma maps the reals onto (0, ∞) by softplus', () => {
    const before = tf.memory().numTensors;
    const d = new tfd.Gamma({ concentration: 2, rate: 1 });
    const b = d.defaultEventSpaceBijector();
    expect(b.className).toBe('Softplus');
    expectClose(take(b.forward([-3, 0, 3])), [-3, 0, 3].map((x) => Math.log1p(Math.exp(x))), { rtol: 1e-5 });
    b.dispose();
    d.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('Uniform and TruncatedNormal: Sigmoid onto (low, high) of each batch member; outlives the distribution', () => {
    const before = tf.memory().numTensors;
    const u = new tfd.Uniform({ low: [0, -1], high: [1, 3] });
    const b = u.defaultEventSpaceBijector();
    u.dispose();
    // The bijector holds its own handles on low/high: usable after the distribution is gone.
    const y = take(b.forward([[-30, -30], [0, 0], [30, 30]]));
    expectClose(y, [0, -1, 0.5, 1, 1, 3], { atol: 1e-5 });
    b.dispose();
    const tn = new tfd.TruncatedNormal({ loc: 0, scale: 1, low: 2, high: 5 });
    const bt = tn.defaultEventSpaceBijector();
    expectClose(take(bt.forward([0])), [3.5], { rtol: 1e-6 });
    bt.dispose();
    tn.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('declared event spaces: LogNormal by Exp, VonMises onto (-π, π), Dirichlet by SoftmaxCentered, Beta by Sigmoid', () => {
    const cases: Array<[tfd.Distribution, string]> = [
      [new tfd.LogNormal({ loc: 0, scale: 1 }), 'Exp'],
      [new tfd.VonMises({ loc: 0, concentration: 1 }), 'Sigmoid'],
      [new tfd.Dirichlet({ concentration: [1, 2, 3] }), 'SoftmaxCentered'],
      [new tfd.Beta({ concentration1: 2, concentration0: 3 }), 'Sigmoid'],
      [new tfd.MultivariateNormalDiag({ loc: [0, 1] }), 'Identity'],
      [new tfd.Independent({ distribution: new tfd.Uniform({ low: [0, 0], high: [1, 2] }), reinterpretedBatchNdims: 1 }), 'Sigmoid'],
    ];
    for (const [d, name] of cases) {
      const b = d.defaultEventSpaceBijector();
      expect(b.className, d.className).toBe(name);
      b.dispose();
      d.dispose();
    }
    const vm = new tfd.VonMises({ loc: 0, concentration: 1 }).defaultEventSpaceBijector();
    expectClose(take(vm.forward([-40, 40])), [-Math.PI, Math.PI], { rtol: 1e-6 });
    vm.dispose();
  });

  it('discrete distributions throw NotImplementedError naming the class; a disposed one is an InvalidArgumentError', () => {
    const p = new tfd.Poisson({ rate: 2 });
    expect(() => p.defaultEventSpaceBijector()).toThrow(NotImplementedError);
    expect(() => p.defaultEventSpaceBijector()).toThrow(/Poisson/);
    p.dispose();
    expect(() => p.defaultEventSpaceBijector()).toThrow(InvalidArgumentError);
  });
});

describe('parameterProperties and parameterBijector', () => {
  it('each class declares its parameters once, statically', () => {
    expect(Object.keys(tfd.Normal.parameterProperties)).toEqual(['loc', 'scale']);
    expect(tfd.MultivariateNormalTriL.parameterProperties.scaleTril.eventRank).toBe(2);
    expect(tfd.Dirichlet.parameterProperties.concentration.eventRank).toBe(1);
    expect(Object.keys(tfd.Cauchy.parameterProperties)).toEqual(['loc', 'scale']);
  });

  it('maps unconstrained reals onto valid parameter values', () => {
    const before = tf.memory().numTensors;
    const s = parameterBijector(tfd.Normal, 'scale');
    expect(s.className).toBe('Softplus');
    s.dispose();
    const l = parameterBijector(tfd.MultivariateNormalTriL, 'scaleTril');
    const m = l.forward([0.3, -1, 2]);
    expect(m.shape).toEqual([2, 2]);
    const v = take(m);
    expect(v[1]).toBe(0);
    expect(v[0]! > 0 && v[3]! > 0).toBe(true);
    l.dispose();
    expect(() => parameterBijector(tfd.Normal, 'sigma')).toThrow(/Normal: no parameter sigma; declared parameters: \{loc, scale\}/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
