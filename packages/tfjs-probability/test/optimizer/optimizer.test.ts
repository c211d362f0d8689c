// tfp.optimizer: L-BFGS and BFGS (Hager–Zhang line search) and Nelder–Mead on Rosenbrock's function,
// ill-conditioned quadratics and batches of starts; error messages and no leaks.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { bfgsMinimize, lbfgsMinimize, nelderMeadMinimize, type OptimizerResults } from '../../src/optimizer/index.js';
import { valueAndGradient } from '../../src/optimizer/value_and_gradient.js';
import { hagerZhang } from '../../src/optimizer/hager_zhang.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { expectClose } from '../helpers.js';

/** Rosenbrock's function in n dims, batched over leading dims: Σ 100 (x_{i+1} − x_i²)² + (1 − x_i)². */
function rosenbrock(x: tf.Tensor): tf.Tensor {
  const n = x.shape[x.rank - 1]!;
  const a = tf.slice(x, Array(x.rank).fill(0), [...x.shape.slice(0, -1), n - 1]);
  const b = tf.slice(x, [...Array(x.rank - 1).fill(0), 1], [...x.shape.slice(0, -1), n - 1]);
  return tf.sum(tf.add(tf.mul(100, tf.square(tf.sub(b, tf.square(a)))), tf.square(tf.sub(1, a))), -1);
}
const rosenVG = (x: tf.Tensor) => valueAndGradient(rosenbrock, x);

/** ½ Σ cᵢ (xᵢ − tᵢ)² with condition number max c / min c. */
function quadratic(c: number[], t: number[]) {
  return (x: tf.Tensor) => valueAndGradient((v) => tf.mul(0.5, tf.sum(tf.mul(c, tf.square(tf.sub(v, t))), -1)), x);
}

function release(r: OptimizerResults): void {
  tf.dispose([r.position, r.objectiveValue, r.objectiveGradient, r.converged, r.failed]);
}

const MINIMIZERS = [['lbfgsMinimize', lbfgsMinimize], ['bfgsMinimize', bfgsMinimize]] as const;

describe('quasi-Newton minimizers', () => {
  for (const [name, minimize] of MINIMIZERS) {
    it(`${name}: Rosenbrock from (-1.2, 1) reaches (1, 1)`, async () => {
      const r = await minimize(rosenVG, [-1.2, 1], { tolerance: 1e-4, maxIterations: 200 });
      expectClose(r.position, [1, 1], { atol: 2e-3, context: name });
      expect(r.objectiveValue.dataSync()[0]).toBeLessThan(1e-5);
      expect(r.numIterations).toBeGreaterThan(5);
      expect(r.numIterations).toBeLessThan(200);
      expect(r.position.shape).toEqual([2]);
      expect(r.converged.shape).toEqual([]);
      release(r);
    });

    it(`${name}: 5-d Rosenbrock`, async () => {
      const r = await minimize(rosenVG, [-1, 1.5, -0.5, 0.8, 2], { tolerance: 1e-4, maxIterations: 300 });
      expectClose(r.position, [1, 1, 1, 1, 1], { atol: 5e-3, context: name });
      release(r);
    });

    it(`${name}: an ill-conditioned quadratic (condition 1e4) converges to its centre`, async () => {
      const c = [1e-2, 1, 10, 100];
      const t = [3, -2, 0.5, 1];
      const r = await minimize(quadratic(c, t), [0, 0, 0, 0], { tolerance: 1e-5, maxIterations: 100 });
      expectClose(r.position, t, { atol: 2e-3, context: name });
      expect(r.converged.dataSync()[0]).toBe(1);
      expect(r.failed.dataSync()[0]).toBe(0);
      release(r);
    });

    it(`${name}: a batch of starts is optimized member by member in one call per round`, async () => {
      const starts = [[-1.2, 1], [2, 2], [0, 0], [1.5, -0.5]];
      let calls = 0;
      const fn = (x: tf.Tensor) => {
        calls++;
        expect(x.shape).toEqual([4, 2]);
        return rosenVG(x);
      };
      const r = await minimize(fn, starts, { tolerance: 1e-4, maxIterations: 200 });
      expect(r.position.shape).toEqual([4, 2]);
      expect(r.objectiveValue.shape).toEqual([4]);
      expectClose(r.position, [[1, 1], [1, 1], [1, 1], [1, 1]], { atol: 3e-3, context: name });
      expect(r.numObjectiveEvaluations).toBe(calls);
      // Each member alone gives the same answer as in the batch.
      const one = await minimize(rosenVG, starts[1]!, { tolerance: 1e-4, maxIterations: 200 });
      expectClose(tf.slice(r.position, [1, 0], [1, 2]), one.position, { atol: 1e-5 });
      release(r);
      release(one);
    });

    it(`${name}: leaves no tensors behind; rejects bad input naming the argument`, async () => {
      const before = tf.memory().numTensors;
      const r = await minimize(quadratic([1, 2], [1, 1]), [0, 0], { tolerance: 1e-6 });
      release(r);
      expect(tf.memory().numTensors).toBe(before);
      await expect(minimize(quadratic([1, 2], [1, 1]), 3)).rejects.toThrow(new RegExp(`${name}: initialPosition must be \\[\\.\\.\\., n\\]`));
      await expect(minimize(quadratic([1, 2], [1, 1]), [0, 0], { maxIterations: -1 })).rejects.toThrow(InvalidArgumentError);
      await expect(minimize((x) => [tf.sum(x), x, x] as unknown as [tf.Tensor, tf.Tensor], [0, 0])).rejects.toThrow(/must return \[value, gradient\]/);
      await expect(minimize((x) => [tf.sum(x), tf.ones([3])], [0, 0])).rejects.toThrow(/returned value \[\] and gradient \[3\]; expected \[\] and \[2\]/);
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('lbfgsMinimize: a non-finite start is reported as failed, not thrown', async () => {
    const r = await lbfgsMinimize((x) => valueAndGradient((v) => tf.sum(tf.log(v)), x), [-1, 1]);
    expect(r.failed.dataSync()[0]).toBe(1);
    expect(r.converged.dataSync()[0]).toBe(0);
    release(r);
  });

  it('stops on fRelativeTolerance and xTolerance', async () => {
    const a = await lbfgsMinimize(rosenVG, [-1.2, 1], { fRelativeTolerance: 1e-1, maxIterations: 200 });
    const b = await lbfgsMinimize(rosenVG, [-1.2, 1], { tolerance: 1e-6, maxIterations: 200 });
    expect(a.converged.dataSync()[0]).toBe(1);
    expect(a.numIterations).toBeLessThan(b.numIterations);
    release(a);
    release(b);
  });
});

describe('Hager–Zhang line search near a float32 minimum', () => {
  it('accepts a trial point that meets the gradient tolerance though its value is rounding noise above φ(0)', () => {
    // φ(0) = 250 with slope −1; the trial at α = 1 has a converged gradient and a value 1e-3 higher (4e-6
    // relative: the float32 noise of a log marginal likelihood over ~1,000 points), which fails both
    // Wolfe tests: without a gradient tolerance the search goes on bisecting.
    const run = (tol: number) => {
      const s = hagerZhang(Float64Array.of(0), 250, Float64Array.of(-1), Float64Array.of(1), 1, tol);
      expect(Array.from(s.next().value as Float64Array)).toEqual([1]);
      return s.next({ f: 250.001, g: Float64Array.of(0.005) });
    };
    const r = run(1e-2);
    expect(r.done).toBe(true);
    expect(r.value).toMatchObject({ ok: true, alpha: 1 });
    expect(run(0).done).toBe(false);
    expect(run(1e-3).done).toBe(false);
  });
});

describe('nelderMeadMinimize', () => {
  it('Rosenbrock from (-1.2, 1)', async () => {
    const r = await nelderMeadMinimize(rosenbrock, { initialVertex: [-1.2, 1], stepSizes: 0.5, funcTolerance: 1e-10, positionTolerance: 1e-6 });
    expectClose(r.position, [1, 1], { atol: 5e-3 });
    expect(r.converged).toBe(true);
    expect(r.finalSimplex.shape).toEqual([3, 2]);
    tf.dispose([r.position, r.objectiveValue, r.finalSimplex, r.finalObjectiveValues]);
  });

  it('a batch-evaluated objective and an explicit simplex; no leaks; errors', async () => {
    const before = tf.memory().numTensors;
    const f = (x: tf.Tensor) => tf.sum(tf.mul([1, 50, 0.1], tf.square(tf.sub(x, [1, -2, 3]))), -1);
    const r = await nelderMeadMinimize(f, {
      initialSimplex: [[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]],
      batchEvaluateObjective: true,
      funcTolerance: 1e-12,
      positionTolerance: 1e-7,
    });
    expectClose(r.position, [1, -2, 3], { atol: 1e-3 });
    tf.dispose([r.position, r.objectiveValue, r.finalSimplex, r.finalObjectiveValues]);
    expect(tf.memory().numTensors).toBe(before);
    await expect(nelderMeadMinimize(f, {})).rejects.toThrow(/nelderMeadMinimize: give initialSimplex \[n \+ 1, n\] or initialVertex \[n\]/);
    await expect(nelderMeadMinimize(f, { initialSimplex: [[0, 0]] })).rejects.toThrow(/initialSimplex must be \[n \+ 1, n\]/);
  });
});

describe('valueAndGradient', () => {
  it('returns the values and the gradient of their sum, leak-free', () => {
    const before = tf.memory().numTensors;
    const [v, g] = valueAndGradient((x) => tf.sum(tf.square(x), -1), [[1, 2], [3, 4]]);
    expectClose(v, [5, 25]);
    expectClose(g, [[2, 4], [6, 8]]);
    tf.dispose([v, g]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
