/**
 * Regression tests for the numerical findings of issue 10 (values from
 * test/fixtures/generate_edges.py, scipy / mpmath in float64).
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Beta } from '../../src/distributions/beta.js';
import { Dirichlet } from '../../src/distributions/dirichlet.js';
import { Gamma } from '../../src/distributions/gamma.js';
import { expectClose, loadFixture } from '../helpers.js';

type Arr = number[];
interface Fixture {
  gamma_grad: Array<{ concentration: number; rate: number; x: number; grad_concentration: number }>;
  beta_grad: Array<{ a: number; b: number; x: number; grad_a: number; grad_b: number }>;
  dirichlet_grad: Array<{ concentration: Arr; x: Arr; grad_concentration: Arr }>;
}
const fx = loadFixture<Fixture>('edges');

describe('gradient of logProb with respect to the concentration, including exactly 1 ((a-1)·log x kept)', () => {
  it.each(fx.gamma_grad)('Gamma($concentration, $rate) at $x', (c) => {
    const a = tf.scalar(c.concentration);
    const g = tf.grad((u: tf.Tensor) => {
      const d = new Gamma({ concentration: u, rate: c.rate });
      return d.logProb(c.x);
    })(a);
    expectClose(g, [c.grad_concentration], { rtol: 2e-5, atol: 2e-6, context: c });
    tf.dispose([a, g]);
  });
  it.each(fx.beta_grad)('Beta($a, $b) at $x', (c) => {
    const a = tf.scalar(c.a);
    const b = tf.scalar(c.b);
    const [ga, gb] = tf.grads((u: tf.Tensor, v: tf.Tensor) => {
      const d = new Beta({ concentration1: u, concentration0: v });
      return d.logProb(c.x);
    })([a, b]);
    expectClose(ga!, [c.grad_a], { rtol: 2e-5, atol: 2e-6, context: c });
    expectClose(gb!, [c.grad_b], { rtol: 2e-5, atol: 2e-6, context: c });
    tf.dispose([a, b, ga!, gb!]);
  });
  it.each(fx.dirichlet_grad)('Dirichlet($concentration) at $x', (c) => {
    const a = tf.tensor1d(c.concentration);
    const g = tf.grad((u: tf.Tensor) => {
      const d = new Dirichlet({ concentration: u });
      return d.logProb(c.x);
    })(a);
    expectClose(g, c.grad_concentration, { rtol: 2e-5, atol: 2e-6, context: c });
    tf.dispose([a, g]);
  });
});
