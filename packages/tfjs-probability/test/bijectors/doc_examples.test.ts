// The @example blocks of the bijector TSDoc, run and checked (values as the comments state).
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as tfb from '../../src/bijectors/index.js';
import { expectClose } from '../helpers.js';

const sp = (v: number): number => Math.log1p(Math.exp(v));

describe('bijector TSDoc examples', () => {
  it('the documented values hold', () => {
    const checks: Array<[string, () => tf.Tensor, number[] | number]> = [
      ['Bijector: Exp ildj over the event', () => new tfb.Exp().inverseLogDetJacobian(new tfb.Exp().forward([0, 1]), 1), -1],
      ['Exp forward', () => new tfb.Exp().forward([0, 1]), [1, Math.E]],
      ['Exp ildj', () => new tfb.Exp().inverseLogDetJacobian([1, 2]), [-0, -Math.LN2]],
      ['Log forward', () => new tfb.Log().forward([1, Math.E]), [0, 1]],
      ['Invert(Exp) forward', () => new tfb.Invert({ bijector: new tfb.Exp() }).forward([1, Math.E]), [0, 1]],
      ['Softplus(0.5) forward', () => new tfb.Softplus({ hingeSoftness: 0.5 }).forward([0]), [0.5 * Math.LN2]],
      ['Sigmoid(-1, 3) forward', () => new tfb.Sigmoid({ low: -1, high: 3 }).forward([0]), [1]],
      ['Tanh inverse', () => new tfb.Tanh().inverse([0.5]), [Math.atanh(0.5)]],
      ['NormalCDF forward', () => new tfb.NormalCDF().forward([0]), [0.5]],
      ['Shift forward', () => new tfb.Shift({ shift: [1, -1] }).forward([0, 0]), [1, -1]],
      ['Scale forward', () => new tfb.Scale({ scale: 2 }).forward([1, 3]), [2, 6]],
      ['Scale fldj', () => new tfb.Scale({ scale: 2 }).forwardLogDetJacobian([1, 3], 1), 2 * Math.LN2],
      ['ScaleMatvecDiag forward', () => new tfb.ScaleMatvecDiag({ scaleDiag: [1, 2] }).forward([3, 3]), [3, 6]],
      ['ScaleMatvecDiag fldj', () => new tfb.ScaleMatvecDiag({ scaleDiag: [1, 2] }).forwardLogDetJacobian([3, 3], 1), Math.LN2],
      ['ScaleMatvecTriL forward', () => new tfb.ScaleMatvecTriL({ scaleTril: [[2, 0], [1, 1]] }).forward([1, 1]), [2, 2]],
      ['FillTriangular forward', () => new tfb.FillTriangular().forward([1, 2, 3]), [3, 0, 2, 1]],
      ['FillScaleTriL forward', () => new tfb.FillScaleTriL().forward([0.5, -1, 2]), [sp(2) + 1e-5, 0, -1, sp(0.5) + 1e-5]],
      ['TransformDiagonal(Exp) forward', () => new tfb.TransformDiagonal({ diagBijector: new tfb.Exp() }).forward([[0, 0], [3, 1]]), [1, 0, 3, Math.E]],
      ['Chain forward', () => new tfb.Chain({ bijectors: [new tfb.Shift({ shift: 1 }), new tfb.Scale({ scale: 2 })] }).forward([1]), [3]],
      ['Permute forward', () => new tfb.Permute({ permutation: [1, 2, 0] }).forward([10, 20, 30]), [20, 30, 10]],
      ['SoftmaxCentered forward', () => new tfb.SoftmaxCentered().forward([0, 0]), [1 / 3, 1 / 3, 1 / 3]],
      ['Power forward', () => new tfb.Power({ power: 2 }).forward([3]), [9]],
    ];
    for (const [name, f, want] of checks) {
      const v = f();
      expectClose(v, want, { rtol: 1e-5, atol: 1e-6, context: name });
      v.dispose();
    }
    const r = new tfb.Reshape({ eventShapeOut: [2, 3], eventShapeIn: [6] });
    const z = tf.zeros([4, 6]);
    expect(r.forward(z).shape).toEqual([4, 2, 3]);
    const nvp = new tfb.RealNVP({ numMasked: 1, shiftAndLogScaleFn: tfb.realNvpDefaultTemplate({ hiddenLayers: [32, 32] }) });
    expect(nvp.forward(tf.randomNormal([5, 2])).shape).toEqual([5, 2]);
  });
});
