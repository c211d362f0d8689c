/**
 * The descriptions of the built-in distributions that the conformance suite
 * (conformance.ts) runs. A new distribution adds one entry here (see the
 * comment at the top of conformance.ts).
 */
import type * as fcType from 'fast-check';
import type { Distribution } from '../../src/distributions/distribution.js';
import { Bernoulli } from '../../src/distributions/bernoulli.js';
import { Beta } from '../../src/distributions/beta.js';
import { Categorical } from '../../src/distributions/categorical.js';
import { Dirichlet } from '../../src/distributions/dirichlet.js';
import { Gamma } from '../../src/distributions/gamma.js';
import { Independent } from '../../src/distributions/independent.js';
import { Laplace } from '../../src/distributions/laplace.js';
import { LogNormal } from '../../src/distributions/log_normal.js';
import { Mixture } from '../../src/distributions/mixture.js';
import { MixtureSameFamily } from '../../src/distributions/mixture_same_family.js';
import { MultivariateNormalDiag } from '../../src/distributions/mvn_diag.js';
import { MultivariateNormalFullCovariance } from '../../src/distributions/mvn_full_covariance.js';
import { MultivariateNormalTriL } from '../../src/distributions/mvn_tril.js';
import { Normal } from '../../src/distributions/normal.js';
import { OneHotCategorical } from '../../src/distributions/one_hot_categorical.js';
import { StudentT } from '../../src/distributions/student_t.js';
import type { Args, ConformanceSpec } from './conformance.js';

type Fc = typeof fcType;
// Arbitraries of parameters, kept inside float32's comfortable range.
const real = (fc: Fc, m = 50) => fc.double({ min: -m, max: m, noNaN: true, noDefaultInfinity: true });
/** Log-uniform on [lo, hi]. */
const positive = (fc: Fc, lo = 0.05, hi = 20) => fc.double({ min: Math.log(lo), max: Math.log(hi), noNaN: true }).map(Math.exp);
const unit = (fc: Fc) => fc.double({ min: 0.001, max: 0.999, noNaN: true });
/** `k` draws of `a`. */
const vec = <T>(fc: Fc, a: fcType.Arbitrary<T>, k: number) => fc.array(a, { minLength: k, maxLength: k });
/** A point of the open (k-1)-simplex. */
const simplexPoint = (fc: Fc, k: number) =>
  fc.array(positive(fc, 0.01, 1), { minLength: k, maxLength: k }).map((v) => {
    const s = v.reduce((x, y) => x + y, 0);
    return v.map((x) => x / s);
  });

// Constructors taking the loose argument objects of the suite.
/* eslint-disable @typescript-eslint/no-explicit-any */
const ctor =
  <A>(C: new (a: A) => Distribution) =>
  (a: Args): Distribution =>
    new C(a as unknown as A);

const locScale = (name: string, C: new (a: any) => Distribution, inside: number[], outside: { value: number[]; index: number[] }) => ({
  name,
  make: ctor(C),
  args: () => ({ loc: [0, 1], scale: [1, 2] }),
  shapes: [
    { name: 'scalar', args: () => ({ loc: 0, scale: 1 }), batch: [], event: [] },
    { name: 'vector', args: () => ({ loc: [0, 1, 2], scale: [1, 1, 1] }), batch: [3], event: [] },
    { name: 'broadcast loc', args: () => ({ loc: 0, scale: [1, 2] }), batch: [2], event: [] },
    { name: 'rank 2 broadcast', args: () => ({ loc: [[0], [1]], scale: [1, 2, 3] }), batch: [2, 3], event: [] },
  ],
  inside,
  outside,
});

export const specs: ConformanceSpec[] = [
  {
    ...locScale('Normal', Normal, [0.5, -1], { value: [0.5, NaN], index: [1] }),
    stats: { args: () => ({ loc: [1, -3], scale: [0.5, 4] }) },
    gradient: { key: 'Normal', make: (p) => new Normal({ loc: p['loc']!, scale: p['scale']! }) },
    property: { args: (fc) => fc.record({ loc: real(fc), scale: positive(fc) }), x: (fc) => real(fc, 100) },
  },
  {
    ...locScale('Laplace', Laplace, [0.5, -1], { value: [NaN, 0], index: [0] }),
    stats: { args: () => ({ loc: [1, -3], scale: [0.5, 4] }) },
    gradient: { key: 'Laplace', make: (p) => new Laplace({ loc: p['loc']!, scale: p['scale']! }) },
    property: { args: (fc) => fc.record({ loc: real(fc), scale: positive(fc) }), x: (fc) => real(fc, 100) },
  },
  {
    ...locScale('LogNormal', LogNormal, [0.5, 2], { value: [0.5, -1], index: [1] }),
    stats: { args: () => ({ loc: [0.2, -1], scale: [0.3, 0.5] }) },
    gradient: { key: 'LogNormal', make: (p) => new LogNormal({ loc: p['loc']!, scale: p['scale']! }) },
    property: {
      args: (fc) => fc.record({ loc: real(fc, 3), scale: positive(fc, 0.05, 3) }),
      x: (fc) => positive(fc, 1e-3, 1e3),
    },
  },
  {
    name: 'StudentT',
    make: ctor(StudentT),
    args: () => ({ df: [3, 10], loc: [0, 1], scale: [1, 2] }),
    shapes: [
      { name: 'scalar', args: () => ({ df: 5, loc: 0, scale: 1 }), batch: [], event: [] },
      { name: 'broadcast df', args: () => ({ df: [[3], [30]], loc: [0, 1, 2], scale: 1 }), batch: [2, 3], event: [] },
    ],
    inside: [0.5, -1],
    outside: { value: [0, NaN], index: [1] },
    stats: { args: () => ({ df: [12, 30], loc: [1, -3], scale: [0.5, 2] }) },
    gradient: { key: 'StudentT', make: (p) => new StudentT({ df: p['df']!, loc: p['loc']!, scale: p['scale']! }) },
    property: {
      args: (fc) => fc.record({ df: positive(fc, 0.5, 100), loc: real(fc), scale: positive(fc) }),
      x: (fc) => real(fc, 100),
      pMin: 1e-3,
    },
  },
  {
    name: 'Gamma',
    make: ctor(Gamma),
    args: () => ({ concentration: [0.5, 3], rate: [1, 2] }),
    shapes: [
      { name: 'scalar', args: () => ({ concentration: 2, rate: 1 }), batch: [], event: [] },
      { name: 'broadcast', args: () => ({ concentration: [[0.5], [3]], rate: [1, 2, 3] }), batch: [2, 3], event: [] },
    ],
    inside: [0.5, 2],
    outside: { value: [-1, 2], index: [0] },
    stats: { args: () => ({ concentration: [0.5, 3], rate: [1, 2] }) },
    gradient: { key: 'Gamma', make: (p) => new Gamma({ concentration: p['concentration']!, rate: p['rate']! }) },
    property: {
      args: (fc) => fc.record({ concentration: positive(fc, 0.2, 50), rate: positive(fc, 0.1, 10) }),
      x: (fc) => positive(fc, 1e-3, 100),
      pMin: 1e-3,
    },
  },
  {
    name: 'Beta',
    make: ctor(Beta),
    args: () => ({ concentration1: [0.5, 3], concentration0: [2, 0.7] }),
    shapes: [
      { name: 'scalar', args: () => ({ concentration1: 2, concentration0: 3 }), batch: [], event: [] },
      { name: 'broadcast', args: () => ({ concentration1: [[0.5], [3]], concentration0: [1.5, 2, 3] }), batch: [2, 3], event: [] },
    ],
    inside: [0.3, 0.9],
    outside: { value: [0.3, 1.5], index: [1] },
    stats: { args: () => ({ concentration1: [0.5, 3], concentration0: [2, 0.7] }) },
    gradient: { key: 'Beta', make: (p) => new Beta({ concentration1: p['concentration1']!, concentration0: p['concentration0']! }) },
    property: {
      args: (fc) => fc.record({ concentration1: positive(fc, 0.2, 50), concentration0: positive(fc, 0.2, 50) }),
      x: (fc) => unit(fc),
      pMin: 1e-3,
    },
  },
  {
    name: 'Dirichlet',
    make: ctor(Dirichlet),
    args: () => ({ concentration: [[1.5, 2.5, 0.7], [3, 1.2, 2]] }),
    shapes: [
      { name: 'k = 3', args: () => ({ concentration: [1, 2, 3] }), batch: [], event: [3] },
      { name: 'batch [2, 1], k = 2', args: () => ({ concentration: [[[1, 2]], [[0.5, 0.5]]] }), batch: [2, 1], event: [2] },
    ],
    inside: [0.2, 0.3, 0.5],
    outside: { value: [[0.2, 0.3, 0.5], [0.5, 0.6, 0.2]], index: [1] },
    stats: { args: () => ({ concentration: [1.5, 2.5, 0.7] }) },
    marginal: { index: 0, reference: () => new Beta({ concentration1: 1.5, concentration0: 3.2 }) },
    gradient: { key: 'Dirichlet', make: (p) => new Dirichlet({ concentration: p['concentration']! }) },
    property: { args: (fc) => fc.record({ concentration: vec(fc, positive(fc, 0.2, 20), 3) }), x: (fc) => simplexPoint(fc, 3) },
  },
  {
    name: 'Bernoulli',
    make: ctor(Bernoulli),
    args: () => ({ probs: [0.2, 0.9, 0.5] }),
    nonFinite: { logits: [Infinity, -Infinity] },
    shapes: [
      { name: 'scalar probs', args: () => ({ probs: 0.3 }), batch: [], event: [] },
      { name: 'logits [2, 3]', args: () => ({ logits: [[0, 1, -1], [2, -2, 0.5]] }), batch: [2, 3], event: [] },
    ],
    inside: [1, 0, 1],
    outside: { value: [0.5, 2, -1], index: [0] },
    stats: { args: () => ({ logits: [-1, 0.5, 3] }) },
    discrete: { support: [0, 1] },
    gradient: { key: 'Bernoulli', make: (p) => new Bernoulli({ logits: p['logits']! }) },
    property: { args: (fc) => fc.record({ logits: real(fc, 15) }), x: (fc) => fc.constantFrom(0, 1) },
  },
  {
    name: 'Categorical',
    make: ctor(Categorical),
    args: () => ({ logits: [[0, 1, 2], [-1, 0, -Infinity]] }),
    nonFinite: { logits: [-Infinity] },
    shapes: [
      { name: 'K = 3', args: () => ({ logits: [0, 1, 2] }), batch: [], event: [] },
      { name: 'probs batch [2], K = 4', args: () => ({ probs: [[0.1, 0.2, 0.3, 0.4], [0.25, 0.25, 0.25, 0.25]] }), batch: [2], event: [] },
    ],
    inside: [1, 0],
    outside: { value: [[0, -1], [1, 1.5]], index: [0, 1] },
    stats: { args: () => ({ probs: [[0.1, 0.2, 0.3, 0.4], [0.5, 0, 0.25, 0.25]] }) },
    discrete: { support: [0, 1, 2, 3] },
    gradient: { key: 'Categorical', make: (p) => new Categorical({ logits: p['logits']! }) },
    property: { args: (fc) => fc.record({ logits: vec(fc, real(fc, 15), 4) }), x: (fc) => fc.constantFrom(0, 1, 2, 3) },
  },
  {
    name: 'OneHotCategorical',
    make: ctor(OneHotCategorical),
    args: () => ({ probs: [0.2, 0.3, 0.5] }),
    shapes: [
      { name: 'K = 3', args: () => ({ probs: [0.2, 0.3, 0.5] }), batch: [], event: [3] },
      { name: 'batch [2, 1], K = 2', args: () => ({ logits: [[[0, 1]], [[1, 0]]] }), batch: [2, 1], event: [2] },
    ],
    inside: [0, 0, 1],
    outside: { value: [[0, 1, 0], [0.5, 0.5, 0]], index: [1] },
    stats: { args: () => ({ logits: [[0, 1, 2], [1, 1, -1]] }) },
    discrete: { support: [[1, 0, 0], [0, 1, 0], [0, 0, 1]] },
    gradient: { key: 'OneHotCategorical', make: (p) => new OneHotCategorical({ logits: p['logits']! }) },
    property: { args: (fc) => fc.record({ logits: vec(fc, real(fc, 15), 3) }), x: (fc) => fc.constantFrom([1, 0, 0], [0, 1, 0], [0, 0, 1]) },
  },
  {
    name: 'MultivariateNormalDiag',
    make: ctor(MultivariateNormalDiag),
    args: () => ({ loc: [[0, 1], [2, 3]], scaleDiag: [1, 2] }),
    optional: ['loc', 'scaleDiag'],
    shapes: [
      { name: 'D = 2', args: () => ({ loc: [0, 1], scaleDiag: [1, 2] }), batch: [], event: [2] },
      { name: 'scaleDiag only, batch [3]', args: () => ({ scaleDiag: [[1, 2], [3, 4], [5, 6]] }), batch: [3], event: [2] },
    ],
    inside: [0.5, -1],
    outside: { value: [[0.5, -1], [0, NaN]], index: [1, 1] },
    stats: { args: () => ({ loc: [1, -3], scaleDiag: [0.5, 4] }) },
    marginal: { index: 1, reference: () => new Normal({ loc: -3, scale: 4 }) },
    gradient: { key: 'MultivariateNormalDiag', make: (p) => new MultivariateNormalDiag({ loc: p['loc']!, scaleDiag: p['scaleDiag']! }) },
    property: { args: (fc) => fc.record({ loc: vec(fc, real(fc), 2), scaleDiag: vec(fc, positive(fc), 2) }), x: (fc) => vec(fc, real(fc, 100), 2) },
  },
  {
    name: 'MultivariateNormalTriL',
    make: ctor(MultivariateNormalTriL),
    args: () => ({ loc: [0, 1], scaleTril: [[1.2, 0], [0.3, 0.8]] }),
    optional: ['loc'],
    shapes: [
      { name: 'D = 2', args: () => ({ loc: [0, 1], scaleTril: [[1, 0], [0.5, 2]] }), batch: [], event: [2] },
      { name: 'batch [2] scale, no loc', args: () => ({ scaleTril: [[[1, 0], [0.5, 2]], [[2, 0], [0, 1]]] }), batch: [2], event: [2] },
    ],
    inside: [0.5, -1],
    outside: { value: [NaN, -1], index: [0] },
    stats: { args: () => ({ loc: [1, -3], scaleTril: [[1.2, 0], [0.3, 0.8]] }) },
    marginal: { index: 0, reference: () => new Normal({ loc: 1, scale: 1.2 }) },
    gradient: { key: 'MultivariateNormalTriL', make: (p) => new MultivariateNormalTriL({ loc: p['loc']!, scaleTril: p['scaleTril']! }) },
    property: {
      args: (fc) =>
        fc.record({
          loc: vec(fc, real(fc), 2),
          scaleTril: fc.tuple(positive(fc, 0.1, 10), real(fc, 5), positive(fc, 0.1, 10)).map(([a, b, c]) => [[a, 0], [b, c]]),
        }),
      x: (fc) => vec(fc, real(fc, 100), 2),
    },
  },
  {
    name: 'MultivariateNormalFullCovariance',
    make: ctor(MultivariateNormalFullCovariance),
    args: () => ({ loc: [0, 1], covarianceMatrix: [[1.5, 0.3], [0.3, 0.8]] }),
    optional: ['loc'],
    shapes: [
      { name: 'D = 2', args: () => ({ loc: [0, 1], covarianceMatrix: [[2, 0.5], [0.5, 1]] }), batch: [], event: [2] },
      { name: 'batch [2]', args: () => ({ loc: [[0, 1], [1, 0]], covarianceMatrix: [[2, 0.5], [0.5, 1]] }), batch: [2], event: [2] },
    ],
    inside: [0.5, -1],
    outside: { value: [[0.5, -1], [NaN, 0]], index: [1, 0] },
    stats: { args: () => ({ loc: [1, -3], covarianceMatrix: [[1.5, 0.3], [0.3, 0.8]] }) },
    marginal: { index: 1, reference: () => new Normal({ loc: -3, scale: Math.sqrt(0.8) }) },
    gradient: {
      key: 'MultivariateNormalFullCovariance',
      make: (p) => new MultivariateNormalFullCovariance({ loc: p['loc']!, covarianceMatrix: p['covarianceMatrix']! }),
    },
  },
  {
    name: 'Independent',
    make: ctor(Independent),
    args: () => ({ distribution: new Normal({ loc: [[0, 1, 2], [3, 4, 5]], scale: 1 }), reinterpretedBatchNdims: 1 }),
    optional: ['reinterpretedBatchNdims'],
    nonTensor: ['reinterpretedBatchNdims'],
    shapes: [
      {
        name: 'Normal [2, 3], 1',
        args: () => ({ distribution: new Normal({ loc: [[0, 1, 2], [3, 4, 5]], scale: 1 }), reinterpretedBatchNdims: 1 }),
        batch: [2],
        event: [3],
      },
      {
        name: 'Normal [2, 3], default = all batch dims',
        args: () => ({ distribution: new Normal({ loc: [[0, 1, 2], [3, 4, 5]], scale: 1 }) }),
        batch: [],
        event: [2, 3],
      },
      {
        name: 'OneHotCategorical [4], 1',
        args: () => ({ distribution: new OneHotCategorical({ logits: [[0, 1], [1, 0], [0, 0], [2, 1]] }), reinterpretedBatchNdims: 1 }),
        batch: [],
        event: [4, 2],
      },
    ],
    inside: [0.5, 1, 2],
    outside: { value: [[0.5, 1, 2], [0, 0, NaN]], index: [1, 2] },
    stats: { args: () => ({ distribution: new Normal({ loc: [1, -3, 0], scale: [0.5, 4, 1] }), reinterpretedBatchNdims: 1 }) },
    marginal: { index: 1, reference: () => new Normal({ loc: -3, scale: 4 }) },
    gradient: {
      key: 'Independent',
      make: (p) => new Independent({ distribution: new Normal({ loc: p['loc']!, scale: p['scale']! }), reinterpretedBatchNdims: 1 }),
    },
  },
  {
    name: 'Mixture',
    make: ctor(Mixture),
    args: () => ({
      cat: new Categorical({ probs: [0.3, 0.7] }),
      components: [new Normal({ loc: -1, scale: 0.5 }), new Laplace({ loc: 2, scale: 1 })],
    }),
    shapes: [
      {
        name: 'Normal + Laplace',
        args: () => ({ cat: new Categorical({ probs: [0.3, 0.7] }), components: [new Normal({ loc: -1, scale: 0.5 }), new Laplace({ loc: 2, scale: 1 })] }),
        batch: [],
        event: [],
      },
      {
        name: 'batch [2] Normal + Laplace',
        args: () => ({
          cat: new Categorical({ logits: [[0, 1], [1, 0]] }),
          components: [new Normal({ loc: [0, 1], scale: 1 }), new Laplace({ loc: [3, 4], scale: [1, 2] })],
        }),
        batch: [2],
        event: [],
      },
      {
        name: 'batch [2] MVN components',
        args: () => ({
          cat: new Categorical({ logits: [[0, 1], [1, 0]] }),
          components: [
            new MultivariateNormalDiag({ loc: [[0, 0], [1, 1]], scaleDiag: [1, 2] }),
            new MultivariateNormalDiag({ loc: [[2, 0], [0, 2]], scaleDiag: [0.5, 0.5] }),
          ],
        }),
        batch: [2],
        event: [2],
      },
    ],
    inside: [0.5, -1],
    outside: { value: [0.5, NaN], index: [1] },
    stats: {
      args: () => ({ cat: new Categorical({ probs: [0.3, 0.7] }), components: [new Normal({ loc: -1, scale: 0.5 }), new Laplace({ loc: 2, scale: 1 })] }),
    },
    gradient: {
      key: 'Mixture',
      make: (p) =>
        new Mixture({
          cat: new Categorical({ logits: p['logits']! }),
          components: [new Normal({ loc: p['loc']!, scale: p['scale']! }), new Laplace({ loc: p['laplaceLoc']!, scale: p['laplaceScale']! })],
        }),
    },
  },
  {
    name: 'MixtureSameFamily',
    make: ctor(MixtureSameFamily),
    args: () => ({
      mixtureDistribution: new Categorical({ logits: [0.2, -0.3, 0.5] }),
      componentsDistribution: new Normal({ loc: [-2, 0, 3], scale: [0.5, 1, 2] }),
    }),
    shapes: [
      {
        name: 'Normal K = 3',
        args: () => ({
          mixtureDistribution: new Categorical({ logits: [0.2, -0.3, 0.5] }),
          componentsDistribution: new Normal({ loc: [-2, 0, 3], scale: [0.5, 1, 2] }),
        }),
        batch: [],
        event: [],
      },
      {
        name: 'batch [2], K = 2',
        args: () => ({
          mixtureDistribution: new Categorical({ logits: [[0, 1], [1, 0]] }),
          componentsDistribution: new Normal({ loc: [[0, 1], [2, 3]], scale: 1 }),
        }),
        batch: [2],
        event: [],
      },
      {
        name: 'logits [K] broadcast against components [3, K]',
        args: () => ({
          mixtureDistribution: new Categorical({ logits: [0, 1] }),
          componentsDistribution: new Normal({ loc: [[0, 1], [2, 3], [4, 5]], scale: 1 }),
        }),
        batch: [3],
        event: [],
      },
      {
        name: 'batch [2], MVNDiag K = 2',
        args: () => ({
          mixtureDistribution: new Categorical({ logits: [[0, 1], [1, 0]] }),
          componentsDistribution: new MultivariateNormalDiag({ loc: [[[0, 0], [1, 1]], [[2, 0], [0, 2]]], scaleDiag: [1, 2] }),
        }),
        batch: [2],
        event: [2],
      },
    ],
    inside: [0.5, -1],
    outside: { value: [NaN, 0], index: [0] },
    stats: {
      args: () => ({
        mixtureDistribution: new Categorical({ logits: [0.2, -0.3, 0.5] }),
        componentsDistribution: new Normal({ loc: [-2, 0, 3], scale: [0.5, 1, 2] }),
      }),
    },
    gradient: {
      key: 'MixtureSameFamily',
      make: (p) =>
        new MixtureSameFamily({
          mixtureDistribution: new Categorical({ logits: p['logits']! }),
          componentsDistribution: new Normal({ loc: p['loc']!, scale: p['scale']! }),
        }),
    },
  },
];

