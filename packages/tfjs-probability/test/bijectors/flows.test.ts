// Normalizing flows: MADE masks, MaskedAutoregressiveFlow, RealNVP (conformance + training + save/load),
// and tfpl.AutoregressiveTransform inside a tfjs model.
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as tfp from '../../src/index.js';
import { MultivariateNormalDiag } from '../../src/distributions/mvn_diag.js';
import { TransformedDistribution } from '../../src/distributions/transformed_distribution.js';
import { loadModel, saveModel } from '../../src/io/index.js';
import { expectClose, expectNoLeak } from '../helpers.js';
import { batchJacobians, bijectorConformance, normalDraws } from './conformance.js';

const tfb = tfp.bijectors;
const root = mkdtempSync(join(tmpdir(), 'tfp-flows-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('AutoregressiveNetwork (MADE)', () => {
  it('has TFP\'s "equal" hidden degrees and masks', () => {
    const made = new tfb.AutoregressiveNetwork({ params: 2, eventShape: [3], hiddenUnits: [4] });
    // ceil(k·(D-1)/(units+1)) for k = 1..4, D = 3: ceil(0.4, 0.8, 1.2, 1.6) = [1, 1, 2, 2]
    expect(made.degrees()).toEqual([[1, 2, 3], [1, 1, 2, 2]]);
    const [hidden, out] = made.maskArrays();
    expect(hidden).toEqual([[1, 1, 1, 1], [0, 0, 1, 1], [0, 0, 0, 0]]);
    // output unit d·2 + p sees hidden units of degree < d + 1
    expect(out![0]).toEqual([0, 0, 1, 1, 1, 1]);
    expect(out![2]).toEqual([0, 0, 0, 0, 1, 1]);
  });

  for (const inputOrder of ['left-to-right', 'right-to-left', [2, 3, 1]] as const) {
    it(`output i depends only on inputs earlier in the order (autodiff Jacobian), order ${JSON.stringify(inputOrder)}`, () => {
      const made = new tfb.AutoregressiveNetwork({
        params: 2, eventShape: [3], hiddenUnits: [8, 8], activation: 'tanh', inputOrder: inputOrder as 'left-to-right',
      });
      const x = normalDraws([2, 3], 1);
      const jac = batchJacobians((v) => made.apply(v) as tf.Tensor, x, 1); // [6 outputs (d, p)] x [3 inputs]
      const order = inputOrder === 'left-to-right' ? [1, 2, 3] : inputOrder === 'right-to-left' ? [3, 2, 1] : [...inputOrder];
      let nonzero = 0;
      for (const j of jac) {
        j.forEach((row, k) => {
          const d = Math.floor(k / 2);
          row.forEach((g, i) => {
            if (order[i]! >= order[d]!) expect(g, `output ${d} depends on input ${i}`).toBe(0);
            else if (g !== 0) nonzero++;
          });
        });
      }
      expect(nonzero).toBeGreaterThan(0); // the allowed connections exist
      x.dispose();
      made.dispose();
    });
  }

  it('rejects bad arguments by name', () => {
    expect(() => new tfb.AutoregressiveNetwork({ params: 0 })).toThrow(/AutoregressiveNetwork: params must be a positive integer/);
    expect(() => new tfb.AutoregressiveNetwork({ params: 2, eventShape: [2, 2] })).toThrow(/eventShape must be \[D\]/);
    expect(() => new tfb.AutoregressiveNetwork({ params: 2, eventShape: [3], inputOrder: [1, 1, 2] })).toThrow(/inputOrder must be a permutation of 1..3/);
    expect(() => new tfb.AutoregressiveNetwork({ params: 2, activation: 'nope' })).toThrow(/activation must be one of/);
    expect(() => new tfb.MaskedAutoregressiveFlow({ shiftAndLogScaleFn: 3 as unknown as () => tf.Tensor })).toThrow(/MaskedAutoregressiveFlow: shiftAndLogScaleFn must be/);
    const built = new tfb.AutoregressiveNetwork({ params: 2, eventShape: [2] });
    built.build([null, 2]);
    expect(() => new tfp.layers.AutoregressiveTransform({ made: built })).toThrow(/AutoregressiveTransform: made must be a new, not yet built AutoregressiveNetwork/);
    built.dispose();
    expect(() => new tfb.RealNVP({ shiftAndLogScaleFn: tfb.realNvpDefaultTemplate({ hiddenLayers: [2] }) })).toThrow(/RealNVP: give exactly one of numMasked and fractionMasked; got neither/);
  });
});

const made3 = new tfb.AutoregressiveNetwork({ params: 2, eventShape: [3], hiddenUnits: [16], activation: 'tanh' });
const madeShift = new tfb.AutoregressiveNetwork({ params: 1, eventShape: [2], hiddenUnits: [8], activation: 'relu' });
const nvpFn = tfb.realNvpDefaultTemplate({ hiddenLayers: [8, 8], activation: 'tanh' });
const nvpFnNeg = tfb.realNvpDefaultTemplate({ hiddenLayers: [8] });
bijectorConformance('flows', [
  { name: 'MaskedAutoregressiveFlow(MADE [16])', make: () => new tfb.MaskedAutoregressiveFlow({ shiftAndLogScaleFn: made3 }), xShape: [4, 3], rtol: 5e-3, atol: 1e-3, roundTripAtol: 5e-4 },
  { name: 'MaskedAutoregressiveFlow (shift only)', make: () => new tfb.MaskedAutoregressiveFlow({ shiftAndLogScaleFn: madeShift }), xShape: [4, 2] },
  { name: 'RealNVP(numMasked=1, template [8, 8])', make: () => new tfb.RealNVP({ numMasked: 1, shiftAndLogScaleFn: nvpFn }), xShape: [4, 3], rtol: 5e-3, atol: 1e-3 },
  { name: 'RealNVP(numMasked=-2)', make: () => new tfb.RealNVP({ numMasked: -2, shiftAndLogScaleFn: nvpFnNeg }), xShape: [4, 5], rtol: 5e-3, atol: 1e-3 },
  {
    name: 'Chain of RealNVP and Permute',
    make: () => new tfb.Chain({ bijectors: [new tfb.RealNVP({ numMasked: 1, shiftAndLogScaleFn: nvpFn }), new tfb.Permute({ permutation: [2, 0, 1] })] }),
    xShape: [4, 3], rtol: 5e-3, atol: 1e-3,
  },
]);

/** Correlated Gaussian data (ρ = 0.9): a diagonal Gaussian misses 0.83 nats per point that an affine MAF can capture. */
function correlated(n: number, seed: number): tf.Tensor {
  return tf.tidy(() => {
    const z = normalDraws([n, 2], seed);
    const L = tf.tensor2d([[1, 0], [0.9, Math.sqrt(1 - 0.81)]]);
    return tf.add(tf.matMul(z, L, false, true), tf.tensor1d([1, -1]));
  });
}

function diagNll(data: tf.Tensor): number {
  return tf.tidy(() => {
    const m = tf.moments(data, 0);
    const d = new MultivariateNormalDiag({ loc: m.mean, scaleDiag: tf.sqrt(m.variance) });
    const v = -tf.mean(d.logProb(data)).dataSync()[0]!;
    d.dispose();
    return v;
  });
}

function trainCustom(flow: TransformedDistribution, data: tf.Tensor, steps: number, lr: number): number {
  const opt = tf.train.adam(lr);
  // One call first: a lazily built network (realNvpDefaultTemplate) creates its variables,
  // which minimize() must see before it records gradients.
  tf.tidy(() => flow.logProb(data)).dispose();
  let last = NaN;
  for (let i = 0; i < steps; i++) {
    const cost = opt.minimize(() => tf.neg(tf.mean(flow.logProb(data))) as tf.Scalar, true)!;
    last = cost.dataSync()[0]!;
    cost.dispose();
  }
  opt.dispose();
  return last;
}

// Training checks are deterministic: seeded initial weights (seed), data and optimizer, so on a
// given backend they pass or fail the same way every run (no false-failure rate to state).
describe('flows train with a custom loop', () => {
  it('MAF: the fitted flow beats the diagonal Gaussian on correlated data by most of the 0.83-nat gap', () => {
    const data = correlated(512, 3);
    const made = new tfb.AutoregressiveNetwork({ params: 2, eventShape: [2], hiddenUnits: [16], activation: 'tanh', seed: 1 });
    const flow = new TransformedDistribution({
      distribution: new MultivariateNormalDiag({ loc: [0, 0] }),
      bijector: new tfb.MaskedAutoregressiveFlow({ shiftAndLogScaleFn: made }),
    });
    const before = tf.tidy(() => -tf.mean(flow.logProb(data)).dataSync()[0]!);
    const nll = trainCustom(flow, data, 300, 2e-2);
    const diag = diagNll(data);
    // Exact optimum: diag - 0.83 (the full-covariance Gaussian); require at least half of the gap.
    expect(nll, `MAF nll ${nll} (start ${before}) vs diagonal ${diag}`).toBeLessThan(diag - 0.4);
    // Samples (the D-pass forward) follow the fitted correlation.
    const s = flow.sample([2000], { seed: 5 });
    const c = tf.tidy(() => {
      const m = tf.moments(s, 0);
      const cov = tf.mean(tf.prod(tf.sub(s, m.mean), 1));
      return cov.dataSync()[0]! / Math.sqrt(m.variance.dataSync()[0]! * m.variance.dataSync()[1]!);
    });
    expect(c).toBeGreaterThan(0.75);
    tf.dispose([data, s]);
    flow.dispose();
    made.dispose();
  });

  it('RealNVP with the default template trains and its network saves and loads', async () => {
    const data = correlated(512, 4);
    const tmpl = tfb.realNvpDefaultTemplate({ hiddenLayers: [16], activation: 'tanh', seed: 2 });
    const flow = new TransformedDistribution({
      distribution: new MultivariateNormalDiag({ loc: [0, 0] }),
      bijector: new tfb.Chain({
        bijectors: [new tfb.Shift({ shift: [1, -1] }), new tfb.RealNVP({ numMasked: 1, shiftAndLogScaleFn: tmpl })],
      }),
    });
    const nll = trainCustom(flow, data, 300, 2e-2);
    expect(nll).toBeLessThan(diagNll(data) - 0.4);
    expect(tmpl.trainableWeights.length).toBe(4);
    await saveModel(tmpl.model!, join(root, 'nvp'));
    const loaded = await loadModel(join(root, 'nvp'));
    const again = new TransformedDistribution({
      distribution: new MultivariateNormalDiag({ loc: [0, 0] }),
      bijector: new tfb.Chain({ bijectors: [new tfb.Shift({ shift: [1, -1] }), new tfb.RealNVP({ numMasked: 1, shiftAndLogScaleFn: loaded })] }),
    });
    expectClose(again.logProb(data), flow.logProb(data), { rtol: 1e-5, atol: 1e-5 });
    tf.dispose(data);
    flow.dispose();
    again.dispose();
    tmpl.dispose();
    loaded.dispose();
  });

  it('logProb and sample of a flow leak nothing', () => {
    const made = new tfb.AutoregressiveNetwork({ params: 2, eventShape: [2], hiddenUnits: [4] });
    const flow = new TransformedDistribution({
      distribution: new MultivariateNormalDiag({ loc: [0, 0] }),
      bijector: new tfb.MaskedAutoregressiveFlow({ shiftAndLogScaleFn: made }),
    });
    flow.logProb([[0, 0]]).dispose(); // builds the network's weights
    expectNoLeak(() => flow.logProb([[0, 1], [2, 3]]), 'logProb');
    expectNoLeak(() => flow.sample([3], { seed: 1 }), 'sample');
    const ones = tf.ones([2, 2]);
    expectNoLeak(() => tf.grad((x: tf.Tensor) => tf.sum(flow.logProb(x)))(ones), 'gradient');
    ones.dispose();
    flow.dispose();
    made.dispose();
  });
});

describe('flows train with opt.minimize right after construction', () => {
  it('MAF: the network given its eventShape has its weights at construction and the first step trains them', () => {
    const data = correlated(64, 6);
    const made = new tfb.AutoregressiveNetwork({ params: 2, eventShape: [2], hiddenUnits: [8], activation: 'relu', seed: 3 });
    const flow = new TransformedDistribution({
      distribution: new MultivariateNormalDiag({ loc: [0, 0] }),
      bijector: new tfb.MaskedAutoregressiveFlow({ shiftAndLogScaleFn: made }),
    });
    expect(made.built).toBe(true);
    expect(made.trainableWeights.length).toBe(4);
    const before = made.trainableWeights.map((w) => w.read().arraySync());
    const opt = tf.train.adam(1e-2);
    const loss = opt.minimize(() => tf.neg(tf.mean(flow.logProb(data))) as tf.Scalar, true);
    expect(Number.isFinite(loss!.dataSync()[0])).toBe(true);
    const after = made.trainableWeights.map((w) => w.read().arraySync());
    expect(after).not.toEqual(before);
    tf.dispose([data, loss!]);
    opt.dispose();
    flow.dispose();
    made.dispose();
  });

  it('a network that would create its weights inside opt.minimize gets a clear error instead', () => {
    const data = correlated(16, 7);
    const cases = [
      new tfb.MaskedAutoregressiveFlow({ shiftAndLogScaleFn: new tfb.AutoregressiveNetwork({ params: 2, hiddenUnits: [4] }) }),
      new tfb.RealNVP({ numMasked: 1, shiftAndLogScaleFn: tfb.realNvpDefaultTemplate({ hiddenLayers: [4] }) }),
    ];
    for (const bijector of cases) {
      const flow = new TransformedDistribution({ distribution: new MultivariateNormalDiag({ loc: [0, 0] }), bijector });
      const opt = tf.train.sgd(0.1);
      // (No leak check here: tfjs' tape keeps the tensors of ops it recorded before any error
      // thrown inside a gradient function, ours or not.)
      expect(() => opt.minimize(() => tf.neg(tf.mean(flow.logProb(data))) as tf.Scalar)).toThrow(
        new RegExp(`${bijector.className}: its shiftAndLogScaleFn network has no weights yet.*call the flow once before training`),
      );
      // Called once outside, the same flow then trains.
      flow.logProb(data).dispose();
      const loss = opt.minimize(() => tf.neg(tf.mean(flow.logProb(data))) as tf.Scalar, true);
      expect(Number.isFinite(loss!.dataSync()[0])).toBe(true);
      tf.dispose(loss!);
      opt.dispose();
      flow.dispose();
    }
    tf.dispose(data);
  });
});

describe('tfpl.AutoregressiveTransform in a tfjs model', () => {
  it('an unconditional flow trains with model.fit and saves / loads with tfp.io', async () => {
    const data = correlated(512, 6);
    const made = new tfb.AutoregressiveNetwork({ params: 2, eventShape: [2], hiddenUnits: [16], activation: 'tanh', seed: 3 });
    const flowLayer = new tfp.layers.AutoregressiveTransform({ made });
    const input = tf.input({ shape: [2] });
    const model = tf.model({ inputs: input, outputs: flowLayer.apply(input) as tf.SymbolicTensor });
    model.compile({ optimizer: tf.train.adam(2e-2), loss: tfp.losses.negativeLogLikelihood(flowLayer) });
    expect(model.trainableWeights.length).toBe(4);
    // Base N(loc = input, I): zero inputs give the standard normal base.
    const zeros = tf.zeros([512, 2]);
    const h = await model.fit(zeros, data, { epochs: 150, batchSize: 512, verbose: 0 });
    const losses = h.history['loss'] as number[];
    expect(losses[losses.length - 1]!).toBeLessThan(diagNll(data) - 0.4);
    await saveModel(model, join(root, 'maf'));
    const loaded = await loadModel(join(root, 'maf'));
    const head = loaded.layers[loaded.layers.length - 1] as InstanceType<typeof tfp.layers.AutoregressiveTransform>;
    expect(head.getClassName()).toBe('AutoregressiveTransform');
    const p1 = model.predict(zeros.slice([0, 0], [5, 2])) as tf.Tensor;
    const d1 = flowLayer.toDistribution(p1);
    const d2 = head.toDistribution(loaded.predict(zeros.slice([0, 0], [5, 2])) as tf.Tensor);
    const y = data.slice([0, 0], [5, 2]);
    expectClose(d2.logProb(y), d1.logProb(y), { rtol: 1e-6, atol: 1e-6 });
    tf.dispose([data, zeros, p1, y]);
    d1.dispose();
    d2.dispose();
    model.dispose();
    loaded.dispose();
  });

  it('on top of an IndependentNormal head: a conditional flow whose base depends on the input', async () => {
    const n = 256;
    const x = tf.tidy(() => tf.mul(normalDraws([n, 1], 8), 2));
    // y | x ~ correlated noise around (x, -x)
    const y = tf.tidy(() => tf.add(correlated(n, 9), tf.concat([x, tf.neg(x)], 1)));
    const made = new tfb.AutoregressiveNetwork({ params: 2, eventShape: [2], hiddenUnits: [8], activation: 'tanh', seed: 4 });
    const headLayer = new tfp.layers.IndependentNormal({ eventShape: [2] });
    const flowLayer = new tfp.layers.AutoregressiveTransform({ made });
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [1], units: 16, activation: 'tanh' }), tf.layers.dense({ units: headLayer.paramsSize }), headLayer, flowLayer],
    });
    expect(flowLayer.paramsSize).toBe(4);
    model.compile({ optimizer: tf.train.adam(2e-2), loss: tfp.losses.negativeLogLikelihood(flowLayer) });
    const h = await model.fit(x, y, { epochs: 60, batchSize: 64, verbose: 0 });
    const losses = h.history['loss'] as number[];
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]! - 0.5);
    const d = tfp.predictDistribution(model, x.slice([0, 0], [3, 1]));
    expect(d.batchShape).toEqual([3]);
    expect(d.eventShape).toEqual([2]);
    d.dispose();
    tf.dispose([x, y]);
    model.dispose();
  });
});

describe('seeded initial weights', () => {
  it('two networks with the same seed start equal, another seed differs', () => {
    const mk = (seed: number) => new tfb.AutoregressiveNetwork({ params: 2, eventShape: [3], hiddenUnits: [5], seed });
    const [a, b, c] = [mk(7), mk(7), mk(8)];
    for (const m of [a, b, c]) m.build([null, 3]);
    const w = (m: InstanceType<typeof tfb.AutoregressiveNetwork>) => Array.from(m.getWeights()[0]!.dataSync());
    expect(w(a)).toEqual(w(b));
    expect(w(a)).not.toEqual(w(c));
    expect(a.getConfig()['seed']).toBe(7);
    [a, b, c].forEach((m) => m.dispose());
  });
});
