import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as tfp from '../../src/index.js';
import { IndependentNormal } from '../../src/layers/independent_normal.js';
import { expectClose, expectNoLeak, loadFixture } from '../helpers.js';

interface Case {
  name: string;
  batch: number[];
  event_shape: number[];
  params_size: number;
  params: number[];
  loc: number[];
  scale: number[];
  y: number[];
  log_prob: number[];
}
const fx = loadFixture<{ independent_normal: Case[] }>('layers');

describe('IndependentNormal', () => {
  it('paramsSize is 2 * prod(eventShape), as TFP', () => {
    expect(IndependentNormal.paramsSize()).toBe(2);
    expect(IndependentNormal.paramsSize(3)).toBe(6);
    expect(IndependentNormal.paramsSize([2, 3])).toBe(12);
    expect(new IndependentNormal({ eventShape: [2, 3] }).paramsSize).toBe(12);
    expect(() => IndependentNormal.paramsSize([0])).toThrow(/eventShape must be a positive integer/);
  });

  for (const c of fx.independent_normal) {
    it(`matches TFP's transform (split, softplus scale): ${c.name}`, () => {
      const params = tf.tensor(c.params);
      const head = new IndependentNormal({ eventShape: c.event_shape });
      expect(head.paramsSize).toBe(c.params_size);
      const d = head.toDistribution(params);
      expect(d.batchShape).toEqual(c.batch);
      expect(d.eventShape).toEqual(c.event_shape);
      const mean = d.mean();
      const sd = d.stddev();
      const lp = d.logProb(c.y);
      expectClose(mean, c.loc.flat(4), { context: c.name });
      expectClose(sd, c.scale.flat(4), { context: c.name });
      expectClose(lp, c.log_prob, { context: c.name });
      expect(lp.shape).toEqual(c.batch);
      // The static form gives the same distribution.
      const d2 = IndependentNormal.toDistribution(params, c.event_shape);
      const lp2 = d2.logProb(c.y);
      expectClose(lp2, lp, { rtol: 0 });
      tf.dispose([params, mean, sd, lp, lp2]);
      d.dispose();
      d2.dispose();
    });
  }

  it('is the identity on its input inside a model and reports the output shape', () => {
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [3], units: IndependentNormal.paramsSize([2]) }), new IndependentNormal({ eventShape: [2] })],
    });
    expect(model.outputs[0]!.shape).toEqual([null, null]); // width 4, declared unknown so that fit takes natural targets
    const x = tf.ones([5, 3]);
    const a = model.predict(x) as tf.Tensor;
    const b = model.layers[0]!.apply(x) as tf.Tensor;
    expectClose(a, b, { rtol: 0 });
    tf.dispose([x, a, b]);
    model.dispose();
  });

  it('rejects params of the wrong width, naming the class and shapes', () => {
    const p = tf.zeros([2, 5]);
    expect(() => IndependentNormal.toDistribution(p, [2])).toThrow(/IndependentNormal: params must be \[\.\.\., 4\]; got \[2, 5\]/);
    const head = new IndependentNormal({ eventShape: [2] });
    expect(() => head.apply(p)).toThrow(/IndependentNormal: input must have last dimension paramsSize = 4/);
    p.dispose();
  });

  it('config round-trips through tf.serialization', () => {
    const head = new IndependentNormal({ eventShape: [2, 3], name: 'out' });
    const cfg = head.getConfig();
    expect(cfg['eventShape']).toEqual([2, 3]);
    const again = tf.serialization.SerializationMap.getMap().classNameMap['IndependentNormal']![1](
      IndependentNormal as never,
      cfg,
    ) as IndependentNormal;
    expect(again.eventShape).toEqual([2, 3]);
    expect(again.name).toBe('out');
    expect(tfp.layers.IndependentNormal).toBe(IndependentNormal);
  });

  it('toDistribution and its methods leak nothing', () => {
    const p = tf.randomNormal([4, 6], 0, 1, 'float32', 3);
    const head = new IndependentNormal({ eventShape: [3] });
    expectNoLeak(() => head.toDistribution(p), 'toDistribution');
    const d = head.toDistribution(p);
    const y = tf.zeros([4, 3]);
    expectNoLeak(() => d.logProb(y), 'logProb');
    y.dispose();
    expectNoLeak(() => d.sample([2], { seed: 1 }), 'sample');
    d.dispose();
    p.dispose();
  });

  it('gradients of the NLL reach the raw parameters (d/dloc = -(y-μ)/σ², d/draw = sigmoid(raw)·(1/σ - (y-μ)²/σ³))', () => {
    const raw = tf.tensor2d([[0.3, -0.2, 0.5, 1.5]]); // loc [0.3, -0.2], scale raw [0.5, 1.5]
    const y = tf.tensor2d([[1.0, -1.0]]);
    const head = new IndependentNormal({ eventShape: [2] });
    const g = tf.grad((p: tf.Tensor) => {
      const d = head.toDistribution(p);
      const out = tf.neg(tf.sum(d.logProb(y)));
      d.dispose();
      return out;
    })(raw);
    const r = [0.5, 1.5];
    const mu = [0.3, -0.2];
    const yy = [1.0, -1.0];
    const exp: number[] = [];
    const s = r.map((v) => Math.log1p(Math.exp(v)));
    for (let i = 0; i < 2; i++) exp.push(-(yy[i]! - mu[i]!) / s[i]! ** 2);
    for (let i = 0; i < 2; i++) {
      const sig = 1 / (1 + Math.exp(-r[i]!));
      exp.push(sig * (1 / s[i]! - (yy[i]! - mu[i]!) ** 2 / s[i]! ** 3));
    }
    expectClose(g, exp, { rtol: 1e-4 });
    tf.dispose([raw, y, g]);
  });
});
