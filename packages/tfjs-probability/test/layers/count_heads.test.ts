/**
 * The heads of the second round (IndependentPoisson, IndependentBernoulli,
 * IndependentLogistic, MixtureLogistic): TFP's raw-parameter layouts against
 * numpy/scipy references (round2.json "heads"), serialization, and training
 * with negativeLogLikelihood on natural integer targets.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as tfp from '../../src/index.js';
import type { DistributionLayer } from '../../src/layers/distribution_layer.js';
import { IndependentBernoulli } from '../../src/layers/independent_bernoulli.js';
import { IndependentLogistic } from '../../src/layers/independent_logistic.js';
import { IndependentPoisson } from '../../src/layers/independent_poisson.js';
import { MixtureLogistic } from '../../src/layers/mixture_logistic.js';
import { Poisson } from '../../src/distributions/poisson.js';
import { expectClose, expectNoLeak, loadFixture } from '../helpers.js';

interface HeadCase {
  event_shape: number[];
  num_components?: number;
  params: number[][];
  y: number[] | number[][] | number[][][];
  log_prob: number[];
  mean: number[] | number[][];
}
const H = loadFixture<{ heads: Record<string, HeadCase> }>('round2').heads;

const heads: Record<string, { make: (c: HeadCase) => DistributionLayer; size: (c: HeadCase) => number }> = {
  IndependentPoisson: { make: (c) => new IndependentPoisson({ eventShape: c.event_shape }), size: (c) => IndependentPoisson.paramsSize(c.event_shape) },
  IndependentBernoulli: { make: (c) => new IndependentBernoulli({ eventShape: c.event_shape }), size: (c) => IndependentBernoulli.paramsSize(c.event_shape) },
  IndependentLogistic: { make: (c) => new IndependentLogistic({ eventShape: c.event_shape }), size: (c) => IndependentLogistic.paramsSize(c.event_shape) },
  MixtureLogistic: {
    make: (c) => new MixtureLogistic({ numComponents: c.num_components!, eventShape: c.event_shape }),
    size: (c) => MixtureLogistic.paramsSize(c.num_components!, c.event_shape),
  },
};

describe("second-round heads: TFP's layouts", () => {
  it('paramsSize as TFP: n, n, 2n, K(1 + 2n)', () => {
    expect(IndependentPoisson.paramsSize([2, 3])).toBe(6);
    expect(IndependentBernoulli.paramsSize(4)).toBe(4);
    expect(IndependentLogistic.paramsSize([3])).toBe(6);
    expect(MixtureLogistic.paramsSize(5, [2])).toBe(25);
    expect(() => MixtureLogistic.paramsSize(0)).toThrow(/MixtureLogistic.paramsSize: numComponents must be a positive integer/);
  });

  for (const [name, h] of Object.entries(heads)) {
    it(`${name}: logProb and mean of toDistribution(params) match the numpy reference; config round-trips; no leak`, () => {
      const c = H[name]!;
      const head = h.make(c);
      expect(head.paramsSize).toBe(h.size(c));
      const params = tf.tensor2d(c.params);
      const d = head.toDistribution(params);
      expect(d.batchShape).toEqual([c.params.length]);
      expect(d.eventShape).toEqual(c.event_shape);
      const lp = d.logProb(c.y as number[]);
      expectClose(lp, c.log_prob, { rtol: 2e-5, atol: 1e-5, context: name });
      const m = d.mean();
      expectClose(m, (c.mean as number[]).flat(3) as number[], { rtol: 2e-5, atol: 1e-6, context: name });
      expectNoLeak(() => head.toDistribution(params), `${name}.toDistribution`);
      // Serialization: the registered class rebuilds the same head from its config.
      const entry = tf.serialization.SerializationMap.getMap().classNameMap[name]!;
      expect(entry, `${name} is registered for serialization`).toBeDefined();
      const copy = entry[1](entry[0], head.getConfig()) as unknown as DistributionLayer;
      expect(copy.paramsSize).toBe(head.paramsSize);
      expect(copy.eventShape).toEqual(head.eventShape);
      tf.dispose([params, lp, m]);
      d.dispose();
    });
  }
});

describe('IndependentPoisson: count regression with negativeLogLikelihood and natural integer targets', () => {
  it('fits log λ = 0.5 + 0.8 x on int32 targets [N] and [N, 1] (loss decreases to near the true model NLL)', async () => {
    const n = 400;
    const xs = tf.tidy(() => tf.linspace(-1, 1, n).reshape([n, 1]));
    const truth = new Poisson({ logRate: tf.tidy(() => tf.add(0.5, tf.mul(0.8, xs)).reshape([n])) });
    const y = tf.cast(truth.sample([], { seed: 1 }), 'int32');
    const head = new tfp.layers.IndependentPoisson({ eventShape: [] });
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: IndependentPoisson.paramsSize([]) }), head] });
    model.compile({ optimizer: tf.train.adam(0.1), loss: tfp.losses.negativeLogLikelihood(head) });
    const hist = await model.fit(xs, y, { epochs: 60, batchSize: 100, verbose: 0, shuffle: false });
    const losses = hist.history['loss'] as number[];
    const trueNll = tf.tidy(() => tf.neg(tf.mean(truth.logProb(y))).dataSync()[0]!);
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]!);
    // The fitted model's NLL is within 0.05 nats of the generating model's on its own training data.
    expect(Math.abs(losses[losses.length - 1]! - trueNll)).toBeLessThan(0.05);
    const [w, b] = model.getWeights().map((t) => t.dataSync()[0]!);
    expect(Math.abs(w! - 0.8)).toBeLessThan(0.3);
    expect(Math.abs(b! - 0.5)).toBeLessThan(0.2);
    // [N, 1] targets give the same loss as [N].
    const l1 = model.evaluate(xs, y, { batchSize: 50 }) as tf.Scalar;
    const y2 = y.reshape([n, 1]);
    const l2 = model.evaluate(xs, y2, { batchSize: 50 }) as tf.Scalar;
    expectClose(l1, l2.dataSync(), { rtol: 1e-6 });
    tf.dispose([xs, y, y2, l1, l2]);
    truth.dispose();
    model.dispose();
  });
});
