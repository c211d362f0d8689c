// What the Bijector base class and the composites add beyond the conformance suite:
// the forward/inverse cache, event-ndims shape tables, batch shapes, composition order, errors.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as tfb from '../../src/bijectors/index.js';
import { expectClose, expectNoLeak } from '../helpers.js';

describe('Bijector cache (forward/inverse pair, keyed by memory, never owning a tensor)', () => {
  it('inverse(forward(x)) returns x itself where the inverse would be inexact', () => {
    const b = new tfb.Sigmoid();
    const x = tf.tensor1d([20, -20, 0.5]);
    const y = b.forward(x); // sigmoid(20) rounds to 1 in float32: the computed inverse is Infinity
    const back = b.inverse(y);
    expectClose(back, [20, -20, 0.5], { rtol: 0 });
    const recomputed = b.inverse(y.arraySync() as number[]); // an array is never cached
    expect(recomputed.dataSync()[0]).toBe(Infinity);
    // forward again hits the cache too; results are new handles the caller may dispose.
    const y2 = b.forward(x);
    expect(y2).not.toBe(y);
    y2.dispose();
    expectClose(y, [1, 2.0611537e-9, 0.62245935], { rtol: 1e-6 });
    tf.dispose([x, y, back, recomputed]);
    b.dispose();
  });

  it('a disposed tensor is a miss; the cache keeps no memory alive', () => {
    const b = new tfb.Sigmoid();
    const before = tf.memory().numTensors;
    const x = tf.tensor1d([20]);
    const y = b.forward(x);
    x.dispose();
    const back = b.inverse(y); // recomputed: x is gone
    expect(back.dataSync()[0]).toBe(Infinity);
    tf.dispose([y, back]);
    expect(tf.memory().numTensors).toBe(before);
    b.dispose();
  });

  it('a handle sharing the memory of y hits; under a gradient tape the cache is bypassed (differentiable)', () => {
    const b = new tfb.Exp();
    const x = tf.tensor1d([0.5, 1]);
    const y = b.forward(x);
    const handle = tf.reshape(y, y.shape);
    const back = b.inverse(handle);
    expectClose(back, x, { rtol: 0 });
    const g = tf.grad((v: tf.Tensor) => tf.sum(b.inverse(v)))(y); // d log y / dy = 1/y
    expectClose(g, [Math.exp(-0.5), Math.exp(-1)], { rtol: 1e-5 });
    tf.dispose([x, y, handle, back, g]);
    b.dispose();
  });

  it('tf.Variables are never cached (assign changes their memory)', () => {
    const b = new tfb.Sigmoid();
    const v = tf.variable(tf.tensor1d([20]));
    const y = b.forward(v);
    expect(b.inverse(y).dataSync()[0]).toBe(Infinity);
    tf.dispose([v, y]);
    b.dispose();
  });
});

describe('log-det-Jacobian shape table (always the full batch shape)', () => {
  const table: Array<[string, () => tfb.Bijector, number[], number, number[]]> = [
    ['Shift [3], x [], eventNdims 0', () => new tfb.Shift({ shift: [1, 2, 3] }), [], 0, [3]],
    ['Shift [3], x [4, 3], eventNdims 1', () => new tfb.Shift({ shift: [1, 2, 3] }), [4, 3], 1, [4]],
    ['Shift [3], x [4, 3], eventNdims 2', () => new tfb.Shift({ shift: [1, 2, 3] }), [4, 3], 2, []],
    ['Scale [2, 1], x [3], eventNdims 0', () => new tfb.Scale({ scale: [[2], [3]] }), [3], 0, [2, 3]],
    ['Scale [2, 1], x [3], eventNdims 1', () => new tfb.Scale({ scale: [[2], [3]] }), [3], 1, [2]],
    ['Exp, x [5, 2, 3], eventNdims 1', () => new tfb.Exp(), [5, 2, 3], 1, [5, 2]],
    ['ScaleMatvecDiag [2, 3], x [5, 1, 3]', () => new tfb.ScaleMatvecDiag({ scaleDiag: [[1, 2, 3], [4, 5, 6]] }), [5, 1, 3], 1, [5, 2]],
    ['ScaleMatvecTriL [3, 3], x [4, 2, 3], eventNdims 2', () => new tfb.ScaleMatvecTriL({ scaleTril: [[1, 0, 0], [1, 2, 0], [1, 1, 3]] }), [4, 2, 3], 2, [4]],
    ['FillTriangular, x [7, 6]', () => new tfb.FillTriangular(), [7, 6], 1, [7]],
    ['Reshape [6]->[2,3], x [4, 6], eventNdims 2', () => new tfb.Reshape({ eventShapeOut: [2, 3], eventShapeIn: [6] }), [4, 6], 2, []],
  ];
  for (const [name, make, xShape, n, want] of table) {
    it(name, () => {
      const b = make();
      const x = tf.ones(xShape);
      const l = b.forwardLogDetJacobian(x, n);
      expect(l.shape).toEqual(want);
      tf.dispose([x, l]);
      b.dispose();
    });
  }

  it('constant Jacobians are summed over the event (Scale 2 on [3] with eventNdims 1 is 3 log 2)', () => {
    const b = new tfb.Scale({ scale: 2 });
    const l = b.forwardLogDetJacobian([1, 2, 3], 1);
    expectClose(l, 3 * Math.LN2, { rtol: 1e-6 });
    expect(b.isConstantJacobian).toBe(true);
    l.dispose();
    b.dispose();
  });

  it('experimentalBatchShape drops the parameter dims that fall into the event', () => {
    const s = new tfb.Shift({ shift: tf.zeros([2, 3]) });
    expect(s.experimentalBatchShape()).toEqual([2, 3]);
    expect(s.experimentalBatchShape(1)).toEqual([2]);
    const t = new tfb.ScaleMatvecTriL({ scaleTril: tf.ones([4, 3, 3]) });
    expect(t.experimentalBatchShape()).toEqual([4]);
    const c = new tfb.Chain({ bijectors: [new tfb.Shift({ shift: tf.zeros([5, 3]) }), new tfb.ScaleMatvecDiag({ scaleDiag: tf.ones([2, 1, 3]) })] });
    expect(c.experimentalBatchShape()).toEqual([2, 5]);
    [s, t, c].forEach((b) => b.dispose());
  });
});

describe('composition', () => {
  it('Chain applies the last bijector first, with TFP minimum event ndims', () => {
    const c = new tfb.Chain({ bijectors: [new tfb.Shift({ shift: 1 }), new tfb.Scale({ scale: 2 })] });
    expectClose(c.forward([1, 2]), [3, 5], { rtol: 0 });
    expectClose(c.inverse([3, 5]), [1, 2], { rtol: 0 });
    c.dispose();
    const m = new tfb.Chain({ bijectors: [new tfb.ScaleMatvecTriL({ scaleTril: [[1, 0], [1, 1]] }), new tfb.Exp()] });
    expect([m.forwardMinEventNdims, m.inverseMinEventNdims]).toEqual([1, 1]);
    m.dispose();
    const f = new tfb.FillScaleTriL();
    expect([f.forwardMinEventNdims, f.inverseMinEventNdims]).toEqual([1, 2]);
    expect(f.forwardEventShape([6])).toEqual([3, 3]);
    expect(f.inverseEventShape([4, 4])).toEqual([10]);
    const L = f.forward([0, 0, 0, -50, 0, 0]);
    const diag = tf.tidy(() => tf.sum(tf.mul(L, tf.eye(3)), -1));
    expect(Array.from(diag.dataSync()).every((d) => d > 0)).toBe(true);
    tf.dispose([L, diag]);
    f.dispose();
  });

  it('Invert swaps forward and inverse, log-det-Jacobians and event shapes', () => {
    const i = new tfb.Invert({ bijector: new tfb.FillTriangular() });
    expect([i.forwardMinEventNdims, i.inverseMinEventNdims]).toEqual([2, 1]);
    expect(i.forwardEventShape([3, 3])).toEqual([6]);
    const v = i.forward([[4, 0, 0], [6, 5, 0], [3, 2, 1]]);
    expectClose(v, [1, 2, 3, 4, 5, 6], { rtol: 0 });
    v.dispose();
    i.dispose();
    const log = new tfb.Log();
    expect(log.className).toBe('Log');
    expectClose(log.forwardLogDetJacobian([1, Math.E], 1), -1, { rtol: 1e-6 });
    log.dispose();
  });

  it('Sigmoid(low, high), Softplus(hingeSoftness), Power and NormalCDF are increasing', () => {
    expect(new tfb.Sigmoid({ low: 0, high: 2 }).isIncreasing()).toBe(true);
    expect(new tfb.Power({ power: -1 }).isIncreasing()).toBe(false);
    expect(new tfb.Chain({ bijectors: [new tfb.Exp(), new tfb.Power({ power: -2 })] }).isIncreasing()).toBe(false);
  });
});

describe('errors name the class, the parameter, and what was expected (and leak nothing)', () => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['Scale without scale', () => new tfb.Scale({}), /Scale: give exactly one of scale and logScale; got neither/],
    ['Scale with both', () => new tfb.Scale({ scale: 1, logScale: 0 }), /Scale: .*got both/],
    ['Scale zero under validateArgs', () => new tfb.Scale({ scale: [1, 0], validateArgs: true }), /Scale: scale must be nonzero/],
    ['Softplus hingeSoftness 0', () => new tfb.Softplus({ hingeSoftness: 0 }), /Softplus: hingeSoftness must be a finite number > 0; got 0/],
    ['Sigmoid only low', () => new tfb.Sigmoid({ low: 0 }), /Sigmoid: give both low and high or neither; got only low/],
    ['Sigmoid high <= low', () => new tfb.Sigmoid({ low: 1, high: 0, validateArgs: true }), /Sigmoid: high must be greater than low/],
    ['Permute not a permutation', () => new tfb.Permute({ permutation: [0, 0, 2] }), /Permute: permutation must be a permutation of 0..d-1.*\[0,0,2\]/],
    ['Reshape sizes differ', () => new tfb.Reshape({ eventShapeOut: [2, 3], eventShapeIn: [5] }), /Reshape: eventShapeIn \[5\] and eventShapeOut \[2, 3\] have different sizes/],
    ['ScaleMatvecTriL not square', () => new tfb.ScaleMatvecTriL({ scaleTril: [[1, 2, 3], [4, 5, 6]] }), /ScaleMatvecTriL: scaleTril must be \[\.\.\., d, d\]; got \[2, 3\]/],
    ['ScaleMatvecTriL zero diagonal', () => new tfb.ScaleMatvecTriL({ scaleTril: [[1, 0], [1, 0]], validateArgs: true }), /ScaleMatvecTriL: scaleTril must have a nonzero diagonal/],
    ['Shift batch mismatch in a Chain', () => new tfb.Shift({ shift: [1, 2] }).forward([1, 2, 3]), /./],
    ['Power 0', () => new tfb.Power({ power: 0 }), /Power: power must be finite and nonzero/],
    ['Chain of non-bijectors', () => new tfb.Chain({ bijectors: [1 as unknown as tfb.Bijector] }), /Chain: bijectors must be an array of tfp.bijectors Bijectors/],
    ['TransformDiagonal of a matrix bijector', () => new tfb.TransformDiagonal({ diagBijector: new tfb.Invert({ bijector: new tfb.FillTriangular() }) }), /TransformDiagonal: diagBijector must act on vectors/],
    ['eventNdims below the minimum', () => new tfb.ScaleMatvecDiag({ scaleDiag: [1, 2] }).forwardLogDetJacobian([1, 2], 0), /ScaleMatvecDiag.forwardLogDetJacobian: eventNdims must be an integer >= 1.*got 0/],
    ['x of the wrong event size', () => new tfb.ScaleMatvecDiag({ scaleDiag: [1, 2] }).forward([1, 2, 3]), /ScaleMatvecDiag: x must be \[\.\.\., 2\] to match scaleDiag \[2\]; got \[3\]/],
    ['x of rank below the event rank', () => new tfb.FillTriangular().forward(3), /FillTriangular.forward: x must have rank >= 1/],
    ['FillScaleTriL on a non-triangular size', () => new tfb.FillScaleTriL().forward([1, 2]), /FillScaleTriL: FillTriangular: x must end in m = n\(n\+1\)\/2/],
  ];
  for (const [name, fn, re] of cases) {
    it(name, () => {
      // Bijectors built inside fn are not disposed on success paths here, so count only throwing paths.
      const before = tf.memory().numTensors;
      expect(fn).toThrow(re);
      if (name !== 'Shift batch mismatch in a Chain' && !name.startsWith('eventNdims') && !name.startsWith('x of') && !name.startsWith('FillScaleTriL') && !name.startsWith('TransformDiagonal')) {
        expect(tf.memory().numTensors - before, `${name} leaked`).toBe(0);
      }
    });
  }

  it('a disposed bijector says so', () => {
    const b = new tfb.Shift({ shift: 1 });
    b.dispose();
    expect(() => b.forward([1])).toThrow(/Shift.forward: the bijector was disposed/);
  });

  it('method error paths leak nothing', () => {
    const b = new tfb.ScaleMatvecDiag({ scaleDiag: [1, 2] });
    expectNoLeak(() => {
      expect(() => b.forward([1, 2, 3])).toThrow();
    }, 'forward');
    expectNoLeak(() => {
      expect(() => b.inverseLogDetJacobian([1, 2, 3], 1)).toThrow();
    }, 'ildj');
    b.dispose();
  });
});
