// OneHotCategorical and CategoricalMixtureOfOneHotCategorical heads, and TFP's convert_to_tensor_fn
// on heads. Values against scipy: test/io/keras.test.ts (fixtures from generate_keras.py).
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as tfp from '../../src/index.js';
import { expectClose, expectNoLeak } from '../helpers.js';

const tfpl = tfp.layers;

function logProbOnce(d: tfp.distributions.Distribution, y: tf.Tensor): tf.Tensor {
  try {
    return d.logProb(y);
  } finally {
    d.dispose();
  }
}

describe('tfpl.OneHotCategorical', () => {
  it('params are the logits: log p(e_k) = logSoftmax(params)_k, batch [N], event [d]', () => {
    const head = new tfpl.OneHotCategorical({ eventSize: 3 });
    expect(head.paramsSize).toBe(3);
    expect(tfpl.OneHotCategorical.paramsSize(3)).toBe(3);
    const p = tf.tensor2d([[0.5, -1, 2], [0, 0, 0]]);
    const y = tf.tensor2d([[0, 0, 1], [1, 0, 0]]);
    const d = head.toDistribution(p);
    expect(d.batchShape).toEqual([2]);
    expect(d.eventShape).toEqual([3]);
    const lse = Math.log(Math.exp(0.5) + Math.exp(-1) + Math.exp(2));
    expectClose(d.logProb(y), [2 - lse, -Math.log(3)], { rtol: 1e-6 });
    expectNoLeak(() => logProbOnce(tfpl.OneHotCategorical.toDistribution(p, 3), y), 'toDistribution + logProb');
    d.dispose();
    tf.dispose([p, y]);
  });

  it('rejects a bad eventSize and a params width that is not eventSize, naming both', () => {
    expect(() => new tfpl.OneHotCategorical({ eventSize: 0 })).toThrow(/OneHotCategorical: eventSize must be a positive integer; got 0/);
    const p = tf.zeros([2, 4]);
    expect(() => tfpl.OneHotCategorical.toDistribution(p, 3)).toThrow(/OneHotCategorical: params must be \[\.\.\., 3\]; got \[2, ?4\]/);
    p.dispose();
  });
});

describe('tfpl.CategoricalMixtureOfOneHotCategorical', () => {
  it("TFP's layout [mixture logits (K), K blocks of d logits]: log p = logsumexp_k(log π_k + log p_k), mean = Σ π_k softmax(l_k)", () => {
    const head = new tfpl.CategoricalMixtureOfOneHotCategorical({ eventSize: 2, numComponents: 2 });
    expect(head.paramsSize).toBe(6);
    expect(tfpl.CategoricalMixtureOfOneHotCategorical.paramsSize(2, 2)).toBe(6);
    const p = tf.tensor2d([[0, Math.log(3), 1, 0, 0, 1]]); // π = [1/4, 3/4]; p_1 = softmax([1, 0]), p_2 = softmax([0, 1])
    const d = head.toDistribution(p);
    const s = 1 / (1 + Math.exp(-1)); // softmax([1, 0])_0
    const y = tf.tensor2d([[1, 0]]);
    expectClose(d.logProb(y), [Math.log(0.25 * s + 0.75 * (1 - s))], { rtol: 1e-6 });
    expectClose(d.mean(), [[0.25 * s + 0.75 * (1 - s), 0.25 * (1 - s) + 0.75 * s]], { rtol: 1e-6 });
    expectNoLeak(() => logProbOnce(head.toDistribution(p), y), 'toDistribution + logProb');
    d.dispose();
    tf.dispose([p, y]);
  });
});

describe('convertToTensorFn (TFP convert_to_tensor_fn): what a head outputs', () => {
  it('unset, a head outputs its raw parameters; mean / stddev / sample output [N, ...event]', () => {
    const p = tf.tensor2d([[1, 2, 0, 0.5], [-1, 0, 1, -2]]);
    const loc = [[1, 2], [-1, 0]];
    const sd = [[0, 0.5], [1, -2]].map((r) => r.map((v) => Math.log1p(Math.exp(v))));
    const plain = new tfpl.IndependentNormal({ eventShape: [2] });
    const out0 = plain.apply(p) as tf.Tensor;
    expect(out0.shape).toEqual([2, 4]);
    const mean = new tfpl.IndependentNormal({ eventShape: [2], convertToTensorFn: 'mean' });
    const out1 = mean.apply(p) as tf.Tensor;
    expectClose(out1, loc, { rtol: 1e-6 });
    expect(mean.computeOutputShape([null, 4])).toEqual([null, 2]);
    const stddev = new tfpl.IndependentNormal({ eventShape: [2], convertToTensorFn: 'stddev' });
    const out2 = stddev.apply(p) as tf.Tensor;
    expectClose(out2, sd, { rtol: 1e-6 });
    const sample = new tfpl.IndependentNormal({ eventShape: [2], convertToTensorFn: 'sample' });
    const out3 = sample.apply(p) as tf.Tensor;
    expect(out3.shape).toEqual([2, 2]);
    expect(sample.getConfig()['convertToTensorFn']).toBe('sample');
    expect(plain.getConfig()['convertToTensorFn']).toBeUndefined();
    expectNoLeak(() => mean.apply(p), 'apply with convertToTensorFn');
    tf.dispose([p, out0, out1, out2, out3]);
  });

  it('predictDistribution reads the parameters at the input of a converting head', () => {
    const head = new tfpl.MultivariateNormalTriL({ eventSize: 2, convertToTensorFn: 'mean' });
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 5 }), head] });
    const x = tf.randomNormal([4, 3], 0, 1, 'float32', 1);
    const out = model.predict(x) as tf.Tensor;
    expect(out.shape).toEqual([4, 2]);
    const d = tfp.predictDistribution(model, x);
    expect(d.batchShape).toEqual([4]);
    const m = d.mean();
    expectClose(m, out, { rtol: 1e-6 });
    d.dispose();
    tf.dispose([x, out, m]);
    model.dispose();
  });

  it('a head with its own call (MixtureDensity) refuses it instead of outputting the wrong thing', () => {
    expect(() => new tfpl.MixtureDensity({ eventSize: 1, numComponents: 2, convertToTensorFn: 'mean' })).toThrow(
      /MixtureDensity: convertToTensorFn is not supported by a head with its own call/,
    );
  });

  it('an unknown name is rejected with the accepted ones', () => {
    expect(() => new tfpl.MultivariateNormalTriL({ eventSize: 2, convertToTensorFn: 'median' as 'mean' })).toThrow(
      /MultivariateNormalTriL: convertToTensorFn must be one of sample, mean, mode, stddev, variance; got "median"/,
    );
  });
});
