import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { xlog1py, xlogy } from '../../src/math/xlogy.js';
import { expectClose, expectNoLeak, fixtureFlat, loadFixture, type FixtureNum } from '../helpers.js';

type Arr = FixtureNum[];
interface Fixture {
  xlogy: { x: Arr; y: Arr; value: Arr; grad_x: Arr; grad_y: Arr };
  xlog1py: { x: Arr; y: Arr; value: Arr; grad_x: Arr; grad_y: Arr };
}
const fx = loadFixture<Fixture>('edges');
const N = (v: Arr): number[] => fixtureFlat(v);

describe('xlogy / xlog1py against scipy.special (edges.json)', () => {
  for (const [name, fn] of [['xlogy', xlogy], ['xlog1py', xlog1py]] as const) {
    const c = fx[name];
    it(`${name}: value, 0 where x = 0 (also at y = 0 / y = -1)`, () => {
      const v = fn(N(c.x), N(c.y));
      expectClose(v, N(c.value), { rtol: 1e-6, atol: 1e-12, context: name });
      v.dispose();
    });
    it(`${name}: d/dx is the log term also at x = 0 (not 0, the old bug), d/dy is 0 where x = 0`, () => {
      const x = tf.tensor1d(N(c.x));
      const y = tf.tensor1d(N(c.y));
      const [gx, gy] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(fn(a, b)))([x, y]);
      expectClose(gx!, N(c.grad_x), { rtol: 1e-6, context: `d${name}/dx` });
      expectClose(gy!, N(c.grad_y), { rtol: 1e-6, context: `d${name}/dy` });
      tf.dispose([x, y, gx!, gy!]);
    });
  }
  it('broadcasts and reduces both gradients to the argument shapes', () => {
    const x = tf.tensor2d([[0], [2]]);
    const y = tf.tensor1d([0.5, 1, 4]);
    const v = xlogy(x, y);
    expect(v.shape).toEqual([2, 3]);
    expectClose(v, [0, 0, 0, 2 * Math.log(0.5), 0, 2 * Math.log(4)], { rtol: 1e-6 });
    const [gx, gy] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(xlogy(a, b)))([x, y]);
    expect(gx!.shape).toEqual([2, 1]);
    expect(gy!.shape).toEqual([3]);
    const s = Math.log(0.5) + Math.log(4);
    expectClose(gx!, [s, s], { rtol: 1e-6 });
    expectClose(gy!, [2 / 0.5, 2, 2 / 4], { rtol: 1e-6 });
    tf.dispose([x, y, v, gx!, gy!]);
  });
  it('an unused -Infinity partial (x = 0 at y = 0) with zero upstream gradient gives 0, not NaN', () => {
    const x = tf.tensor1d([0, 1]);
    const y = tf.tensor1d([0, 2]);
    const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(xlogy(a, y), tf.tensor1d([0, 1]))))(x);
    expectClose(g, [0, Math.log(2)], { rtol: 1e-6 });
    tf.dispose([x, y, g]);
  });
  it('leaks no tensors (values and gradients)', () => {
    const x = tf.tensor1d([0, 2]);
    const y = tf.tensor1d([0.5, 3]);
    expectNoLeak(() => xlogy(x, y), 'xlogy');
    expectNoLeak(() => xlog1py(x, y), 'xlog1py');
    expectNoLeak(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(xlogy(a, b)))([x, y]), 'xlogy grads');
    tf.dispose([x, y]);
  });
});
