// Joint distributions: the three flavours on eight schools, a linear regression and a hierarchical
// model, log densities against scipy (fixtures/joint.json from fixtures/generate_joint.py).
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as tfd from '../../src/distributions/index.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { expectClose } from '../helpers.js';
import {
  eightSchoolsCoroutine,
  eightSchoolsNamed,
  eightSchoolsSequential,
  fx,
  hierarchicalCoroutine,
  regressionSequential,
  type Row,
} from './joint_models.js';

const take = (t: tf.Tensor): number[] => {
  const v = Array.from(t.dataSync());
  t.dispose();
  return v;
};
const shapesOf = (v: tf.Tensor[] | Record<string, tf.Tensor>): unknown =>
  Array.isArray(v) ? v.map((t) => t.shape) : Object.fromEntries(Object.entries(v).map(([k, t]) => [k, t.shape]));
const disposeAll = (v: tf.Tensor[] | Record<string, tf.Tensor>): void => tf.dispose(Array.isArray(v) ? v : Object.values(v));

/** Runs f and asserts that it leaves no tensor behind. */
function noLeak(f: () => void): void {
  const before = tf.memory().numTensors;
  f();
  expect(tf.memory().numTensors - before, 'leaked tensors').toBe(0);
}

describe('log densities against scipy', () => {
  const eightNames = ['mu', 'tau', 'theta', 'y'];
  const rowValues = (r: Row, withY: number[] | undefined) => ({ ...r.values, ...(withY ? { y: withY } : {}) }) as Record<string, number | number[]>;

  it('eight schools: Named, Sequential and Coroutine give scipy’s log density and its parts', () => {
    noLeak(() => {
      const models = [eightSchoolsNamed(), eightSchoolsSequential(), eightSchoolsCoroutine()];
      for (const r of fx.eightSchools) {
        const values = rowValues(r, fx.data.y8);
        for (const m of models) {
          const v = m instanceof tfd.JointDistributionSequential ? eightNames.map((k) => values[k]!) : values;
          expectClose(take(m.logProb(v as never)), [r.total], { rtol: 2e-5, context: m.className });
          const parts = m.logProbParts(v as never);
          const got = Array.isArray(parts) ? parts : eightNames.map((k) => parts[k]!);
          expectClose(got.map((t) => take(t)[0]!), eightNames.map((k) => r.parts[k]!), { rtol: 2e-5, atol: 1e-5, context: `${m.className} parts` });
        }
      }
      models.forEach((m) => m.dispose());
    });
  });

  it('linear regression (Sequential) and the hierarchical model (Coroutine)', () => {
    noLeak(() => {
      const reg = regressionSequential();
      for (const r of fx.regression) {
        const v = [r.values.alpha!, r.values.beta!, r.values.sigma!, fx.data.yr];
        expectClose(take(reg.logProb(v)), [r.total], { rtol: 2e-5, context: 'regression' });
      }
      const hier = hierarchicalCoroutine();
      for (const r of fx.hierarchical) {
        expectClose(take(hier.logProb({ ...r.values, y: fx.data.yh })), [r.total], { rtol: 2e-5, context: 'hierarchical' });
      }
      reg.dispose();
    });
  });

  it('a batch of points (a leading dim on every part) gives one log density per point', () => {
    noLeak(() => {
      const m = eightSchoolsNamed();
      const rows = fx.eightSchools;
      const stack = (k: string) => tf.tensor(rows.map((r) => r.values[k]!) as number[] | number[][]);
      const v = { mu: stack('mu'), tau: stack('tau'), theta: stack('theta'), y: tf.tensor1d(fx.data.y8) };
      expectClose(take(m.logProb(v)), rows.map((r) => r.total), { rtol: 2e-5 });
      disposeAll(v);
      m.dispose();
    });
  });
});

describe('sampling', () => {
  it('shapes [...sampleShape, ...batch, ...event] per part, reproducible with a seed, logProb of the draws has the sample shape', () => {
    noLeak(() => {
      const m = eightSchoolsNamed();
      for (const s of [[], [3], [2, 4]]) {
        const draw = m.sample(s, { seed: 7 }) as Record<string, tf.Tensor>;
        expect(shapesOf(draw)).toEqual({ mu: s, tau: s, theta: [...s, 8], y: [...s, 8] });
        const again = m.sample(s, { seed: 7 }) as Record<string, tf.Tensor>;
        expect(take(again.theta!)).toEqual(Array.from(draw.theta!.dataSync()));
        const lp = m.logProb(draw);
        expect(lp.shape).toEqual(s);
        expect(take(lp).every(Number.isFinite)).toBe(true);
        disposeAll(draw);
        disposeAll(again);
      }
      const c = eightSchoolsCoroutine().sample([5], { seed: 1 });
      expect(shapesOf(c)).toEqual({ mu: [5], tau: [5], theta: [5, 8], y: [5, 8] });
      disposeAll(c);
      const r = regressionSequential();
      const rd = r.sample([6], { seed: 2 });
      expect(shapesOf(rd)).toEqual([[6], [6, 2], [6], [6, 5]]);
      disposeAll(rd);
      r.dispose();
      m.dispose();
    });
  });

  it('draws follow the model: y | theta has the likelihood’s spread around theta (20,000 draws)', () => {
    const m = eightSchoolsNamed();
    const d = m.sample([20000], { seed: 3 }) as Record<string, tf.Tensor>;
    // y - theta ~ N(0, sigma_j): standardized residuals have mean 0 and sd 1 (tolerances ~5 standard errors).
    const z = tf.tidy(() => tf.div(tf.sub(d.y!, d.theta!), tf.tensor1d(fx.data.sigma8)));
    const mean = take(tf.mean(z));
    const sd = take(tf.sqrt(tf.mean(tf.square(z))));
    expect(Math.abs(mean[0]!)).toBeLessThan(5 / Math.sqrt(160000));
    expect(Math.abs(sd[0]! - 1)).toBeLessThan(5 / Math.sqrt(2 * 160000));
    // mu ~ N(0, 5)
    const muSd = take(tf.tidy(() => tf.sqrt(tf.mean(tf.square(d.mu!)))));
    expect(Math.abs(muSd[0]! - 5)).toBeLessThan(5 * 5 / Math.sqrt(2 * 20000));
    tf.dispose([z, ...Object.values(d)]);
    m.dispose();
  });

  it('shapes of the parts and the batch shape of the joint', () => {
    const m = eightSchoolsSequential();
    expect(m.partNames()).toEqual(['0', '1', '2', '3']);
    expect(m.eventShapeParts()).toEqual([[], [], [8], [8]]);
    expect(m.batchShapeParts()).toEqual([[], [], [], []]);
    expect(m.batchShape).toEqual([]);
    expect(eightSchoolsCoroutine().partNames()).toEqual(['mu', 'tau', 'theta', 'y']);
    m.dispose();
  });
});

describe('pinning observed values', () => {
  it('unnormalizedLogProb is the joint log density with the observations in place', () => {
    noLeak(() => {
      for (const m of [eightSchoolsNamed(), eightSchoolsCoroutine()]) {
        const post = m.pin({ y: fx.data.y8 });
        expect(post.unpinnedNames()).toEqual(['mu', 'tau', 'theta']);
        expect(post.eventShapeParts()).toEqual({ mu: [], tau: [], theta: [8] });
        for (const r of fx.eightSchools) expectClose(take(post.unnormalizedLogProb(r.values)), [r.total], { rtol: 2e-5 });
        const init = post.sampleUnpinned([4], { seed: 1 }) as Record<string, tf.Tensor>;
        expect(shapesOf(init)).toEqual({ mu: [4], tau: [4], theta: [4, 8] });
        const lp = post.unnormalizedLogProb(init);
        expect(lp.shape).toEqual([4]);
        lp.dispose();
        disposeAll(init);
        post.dispose();
        m.dispose();
      }
      const reg = regressionSequential();
      const post = reg.pin([null, null, null, fx.data.yr] as never);
      const r = fx.regression[0]!;
      expectClose(take(post.unnormalizedLogProb([r.values.alpha!, r.values.beta!, r.values.sigma!])), [r.total], { rtol: 2e-5 });
      post.dispose();
      reg.dispose();
    });
  });

  it('errors name the parts: unknown, missing, all or none pinned; disposed models', () => {
    const m = eightSchoolsNamed();
    expect(() => m.pin({ z: 1 })).toThrow(/JointDistributionNamed.pin: values must give the parts \[mu, tau, theta, y\]; z is not one of them/);
    expect(() => m.pin({})).toThrow(/at least one/);
    const post = m.pin({ y: fx.data.y8 });
    expect(() => post.unnormalizedLogProb({ mu: 1, tau: 1 })).toThrow(/part theta is missing/);
    expect(() => m.logProb([1, 2] as never)).toThrow(InvalidArgumentError);
    post.dispose();
    m.dispose();
    expect(() => m.sample()).toThrow(/JointDistributionNamed.sample: the joint distribution was disposed/);
  });
});

describe('the event-space bijector of a joint distribution', () => {
  it('maps unconstrained values onto the supports; inverse ∘ forward = identity; ldj = Σ parts', () => {
    noLeak(() => {
      const m = eightSchoolsNamed();
      const post = m.pin({ y: fx.data.y8 });
      const b = post.defaultEventSpaceBijector();
      expect(b.unconstrainedEventShapeParts()).toEqual({ mu: [], tau: [], theta: [8] });
      const x = { mu: tf.tensor1d([0.3, -1]), tau: tf.tensor1d([-2, 1.5]), theta: tf.randomNormal([2, 8], 0, 1, 'float32', 1) };
      const [y, ldj] = b.forwardAndLogDetJacobian(x) as [Record<string, tf.Tensor>, tf.Tensor];
      // tau = softplus(x): ldj = log sigmoid(x_tau) (mu and theta by the identity)
      expectClose(y.tau!, [-2, 1.5].map((v) => Math.log1p(Math.exp(v))), { rtol: 1e-5 });
      expectClose(ldj, [-2, 1.5].map((v) => -Math.log1p(Math.exp(-v))), { rtol: 1e-5 });
      const tauFresh = tf.tensor1d([-2, 1.5].map((v) => Math.log1p(Math.exp(v))));
      const back = b.inverse({ mu: y.mu!, tau: tauFresh, theta: y.theta! }) as Record<string, tf.Tensor>;
      expectClose(back.tau!, [-2, 1.5], { rtol: 1e-4 });
      const ildj = b.inverseLogDetJacobian(y);
      expectClose(ildj, Array.from(ldj.dataSync()).map((v) => -v), { rtol: 1e-5 });
      // The unconstrained target: log p(forward(x)) + ldj in one run.
      const target = b.unconstrainedLogProb(x);
      const want = tf.tidy(() => tf.add(post.unnormalizedLogProb(y), ldj));
      expectClose(target, want, { rtol: 1e-5 });
      tf.dispose(Object.values(b.forward(x) as Record<string, tf.Tensor>));
      tf.dispose([tauFresh, ldj, ildj, target, want, ...Object.values(x), ...Object.values(y), ...Object.values(back)]);
      b.dispose();
      post.dispose();
      m.dispose();
    });
  });

  it('a part bounded by an earlier part gets the bounds of that value (Uniform(0, s))', () => {
    noLeak(() => {
      const m = new tfd.JointDistributionSequential([
        new tfd.Exponential({ rate: 1 }),
        (s) => new tfd.Uniform({ low: 0, high: s! }),
      ]);
      const b = m.defaultEventSpaceBijector();
      const x = [tf.tensor1d([0, 3]), tf.tensor1d([20, 20])];
      const [s, u] = b.forward(x) as tf.Tensor[];
      expectClose(take(u!), take(s!), { rtol: 1e-5 });
      tf.dispose(x);
      b.dispose();
      m.dispose();
    });
  });

  it('gradients of the unconstrained target flow through the model', () => {
    noLeak(() => {
      const m = eightSchoolsNamed();
      const post = m.pin({ y: fx.data.y8 });
      const b = post.defaultEventSpaceBijector();
      const theta = tf.zeros([8]);
      const [mu0, tau0] = [tf.scalar(0.5), tf.scalar(1)];
      const g = tf.grad((mu: tf.Tensor) => b.unconstrainedLogProb({ mu, tau: tau0, theta }) as tf.Scalar)(mu0);
      // d/dmu [log N(mu; 0, 5) + Σ log N(0; mu, tau)] = -mu/25 - 8 mu / tau², tau = softplus(1)
      const tau = Math.log1p(Math.E);
      expectClose(g, [-0.5 / 25 - (8 * 0.5) / (tau * tau)], { rtol: 1e-4 });
      tf.dispose([g, theta, mu0, tau0]);
      post.dispose();
      m.dispose();
    });
  });
});

describe('model errors', () => {
  it('a model function that returns no distribution, a non-root part without the sample dims', () => {
    const bad = new tfd.JointDistributionSequential([new tfd.Normal({ loc: 0, scale: 1 }), () => 3 as unknown as tfd.Distribution]);
    expect(() => bad.sample()).toThrow(/JointDistributionSequential: part 1 must be a distribution or a function returning one; got/);
    bad.dispose();
    const noDims = new tfd.JointDistributionNamed({
      a: new tfd.Normal({ loc: 0, scale: 1 }),
      b: (_: Record<string, tf.Tensor>) => new tfd.Normal({ loc: 0, scale: 1 }),
    });
    const before = tf.memory().numTensors;
    expect(() => noDims.sample([3])).toThrow(/part b \(Normal, batch shape \[\]\) does not carry the sample shape \[3\]/);
    expect(tf.memory().numTensors).toBe(before);
    noDims.dispose();
    expect(() => new tfd.JointDistributionSequential([])).toThrow(/non-empty array/);
    expect(() => new tfd.JointDistributionNamed({ a: 3 as unknown as tfd.Distribution })).toThrow(/part a must be a distribution/);
  });
});
