// Every bijector of tfp.bijectors through the shared conformance suite (conformance.ts).
import * as tf from '@tensorflow/tfjs';
import * as tfb from '../../src/bijectors/index.js';
import { bijectorConformance, type BijectorCase } from './conformance.js';

const positive = (z: tf.Tensor): tf.Tensor => tf.exp(tf.mul(0.7, z));
const unit = (z: tf.Tensor): tf.Tensor => tf.sigmoid(z);
const open11 = (z: tf.Tensor): tf.Tensor => tf.tanh(tf.mul(0.8, z));
/** Points of the interior of the simplex (K+1 entries from K standard normals): for Invert(SoftmaxCentered). */
const simplex = (z: tf.Tensor): tf.Tensor => tf.softmax(tf.concat([z, tf.zeros([...z.shape.slice(0, -1), 1])], -1));

const cases: BijectorCase[] = [
  { name: 'Identity', make: () => new tfb.Identity(), xShape: [3, 2] },
  { name: 'Exp', make: () => new tfb.Exp(), xShape: [3, 2] },
  { name: 'Log', make: () => new tfb.Log(), xShape: [3, 2], domain: positive },
  { name: 'Softplus', make: () => new tfb.Softplus(), xShape: [3, 2] },
  { name: 'Softplus(hingeSoftness=0.3)', make: () => new tfb.Softplus({ hingeSoftness: 0.3 }), xShape: [3, 2] },
  { name: 'Sigmoid', make: () => new tfb.Sigmoid(), xShape: [3, 2] },
  { name: 'Sigmoid(low, high) batched', make: () => new tfb.Sigmoid({ low: [-1, 2], high: [3, 2.5] }), xShape: [3, 2] },
  { name: 'Tanh', make: () => new tfb.Tanh(), xShape: [3, 2] },
  { name: 'Shift (batched)', make: () => new tfb.Shift({ shift: [1, -2] }), xShape: [3, 2] },
  { name: 'Scale', make: () => new tfb.Scale({ scale: [2, -0.5] }), xShape: [3, 2] },
  { name: 'Scale(logScale)', make: () => new tfb.Scale({ logScale: [0.3, -1] }), xShape: [3, 2] },
  { name: 'ScaleMatvecDiag', make: () => new tfb.ScaleMatvecDiag({ scaleDiag: [2, -0.5, 1.5] }), xShape: [2, 3], badXShape: [2, 4] },
  {
    name: 'ScaleMatvecDiag (batch of 2)',
    make: () => new tfb.ScaleMatvecDiag({ scaleDiag: [[2, 0.5], [0.3, 1]] }),
    xShape: [4, 2, 2],
  },
  {
    name: 'ScaleMatvecTriL',
    make: () => new tfb.ScaleMatvecTriL({ scaleTril: [[1.5, 0, 0], [0.3, -0.8, 0], [-0.4, 0.2, 2]] }),
    xShape: [2, 3],
    badXShape: [2, 2],
  },
  { name: 'FillTriangular', make: () => new tfb.FillTriangular(), xShape: [2, 6], badXShape: [2, 5] },
  { name: 'FillTriangular(upper)', make: () => new tfb.FillTriangular({ upper: true }), xShape: [2, 3] },
  { name: 'FillScaleTriL', make: () => new tfb.FillScaleTriL(), xShape: [2, 6], badXShape: [2, 4] },
  {
    name: 'FillScaleTriL(Exp, no shift)',
    make: () => new tfb.FillScaleTriL({ diagBijector: new tfb.Exp(), diagShift: null }),
    xShape: [2, 3],
  },
  { name: 'TransformDiagonal(Exp)', make: () => new tfb.TransformDiagonal({ diagBijector: new tfb.Exp() }), xShape: [2, 3, 3], badXShape: [3, 2] },
  {
    name: 'TransformDiagonal(Softplus)',
    make: () => new tfb.TransformDiagonal({ diagBijector: new tfb.Softplus() }),
    xShape: [2, 2, 2],
  },
  {
    name: 'Chain([Shift, Scale, Exp])',
    make: () => new tfb.Chain({ bijectors: [new tfb.Shift({ shift: 1 }), new tfb.Scale({ scale: 2 }), new tfb.Exp()] }),
    xShape: [3, 2],
  },
  {
    name: 'Chain([ScaleMatvecTriL, Tanh]) (min event ndims 1)',
    make: () => new tfb.Chain({ bijectors: [new tfb.ScaleMatvecTriL({ scaleTril: [[1, 0], [0.5, 2]] }), new tfb.Tanh()] }),
    xShape: [3, 2],
  },
  { name: 'Chain([]) (identity)', make: () => new tfb.Chain({ bijectors: [] }), xShape: [3] },
  { name: 'Invert(Softplus)', make: () => new tfb.Invert({ bijector: new tfb.Softplus() }), xShape: [3, 2], domain: positive },
  { name: 'Invert(Sigmoid)', make: () => new tfb.Invert({ bijector: new tfb.Sigmoid() }), xShape: [3, 2], domain: unit },
  {
    name: 'Invert(FillTriangular)',
    make: () => new tfb.Invert({ bijector: new tfb.FillTriangular() }),
    xShape: [2, 3, 3],
    domain: (z) => tf.linalg.bandPart(z, -1, 0),
    skipInverseJacobian: true,
  },
  { name: 'Reshape([6] -> [2, 3])', make: () => new tfb.Reshape({ eventShapeOut: [2, 3], eventShapeIn: [6] }), xShape: [2, 6], badXShape: [2, 5] },
  { name: 'Reshape([-1] -> [2, -1])', make: () => new tfb.Reshape({ eventShapeOut: [2, -1] }), xShape: [3, 4] },
  { name: 'Permute', make: () => new tfb.Permute({ permutation: [2, 0, 1] }), xShape: [2, 3], badXShape: [2, 4] },
  { name: 'Permute(axis=-2)', make: () => new tfb.Permute({ permutation: [1, 0], axis: -2 }), xShape: [3, 2, 2] },
  { name: 'SoftmaxCentered', make: () => new tfb.SoftmaxCentered(), xShape: [3, 3] },
  {
    name: 'Invert(SoftmaxCentered)',
    make: () => new tfb.Invert({ bijector: new tfb.SoftmaxCentered() }),
    xShape: [3, 3],
    domain: (z) => simplex(tf.slice(z, [0, 0], [3, 2])),
    // its forward maps the simplex ⊂ R^{K+1} → R^K by a formula that extends off the simplex:
    // its log-det-Jacobian is checked through the SoftmaxCentered case and ildj = -fldj
    skipForwardJacobian: true,
    skipInverseJacobian: true,
  },
  { name: 'NormalCDF', make: () => new tfb.NormalCDF(), xShape: [3, 2] },
  { name: 'Invert(NormalCDF)', make: () => new tfb.Invert({ bijector: new tfb.NormalCDF() }), xShape: [3, 2], domain: unit },
  { name: 'Power(3) on ℝ', make: () => new tfb.Power({ power: 3 }), xShape: [3, 2], domain: (z) => tf.add(z, tf.mul(0.5, tf.sign(z))) },
  { name: 'Power(0.5) on x > 0', make: () => new tfb.Power({ power: 0.5 }), xShape: [3, 2], domain: positive },
  { name: 'Power([2, -1.5]) batched', make: () => new tfb.Power({ power: [2, -1.5] }), xShape: [3, 2], domain: positive },
  { name: 'Tanh on (-1, 1) inverted', make: () => new tfb.Invert({ bijector: new tfb.Tanh() }), xShape: [3, 2], domain: open11 },
];

bijectorConformance('tfp.bijectors', cases);
