import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Categorical } from '../../src/distributions/categorical.js';
import { klDivergence } from '../../src/distributions/kl.js';
import { ready } from '../../src/backend.js';
import { InvalidArgumentError, NotImplementedError } from '../../src/errors.js';
import { expectClose, loadFixture, meanTolerance, type FixtureNum as N, fixtureFlat as num, fixtureShape as shapeOf } from '../helpers.js';

interface Case {
  name: string;
  param: 'logits' | 'probs';
  value: N;
  x: N;
  log_prob: N;
  entropy: N;
  probs: N;
  mode: N;
}
interface KLCase {
  name: string;
  p_logits: N;
  q_logits: N;
  kl: N;
}
const tensorOf = (v: N): tf.Tensor => tf.tensor(num(v), shapeOf(v));
const fx = loadFixture<{ categorical: Case[]; categorical_kl: KLCase[] }>('discrete');

function make(c: Case): Categorical {
  const v = tensorOf(c.value);
  const d = c.param === 'logits' ? new Categorical({ logits: v }) : new Categorical({ probs: v });
  v.dispose();
  return d;
}

describe('Categorical values against scipy (float64 fixture)', () => {
  for (const c of fx.categorical) {
    it(c.name, () => {
      const d = make(c);
      const x = tensorOf(c.x);
      const check = (got: tf.Tensor, want: N, what: string, atol = 0, shape = shapeOf(want)) => {
        expect(got.shape, what).toEqual(shape);
        expectClose(got, num(want), { rtol: 2e-4, atol, context: { case: c.name, what } });
        got.dispose();
      };
      // atol 1e-6: a log-probability near 0 (a peaked class) carries float32 absolute error.
      check(d.logProb(x), c.log_prob, 'logProb', 1e-6);
      const xi = tf.cast(x, 'int32');
      check(d.logProb(xi), c.log_prob, 'logProb(int32)', 1e-6);
      check(d.prob(x), num(c.log_prob).map(Math.exp), 'prob', 1e-7, shapeOf(c.log_prob));
      check(d.entropy(), c.entropy, 'entropy', 1e-6);
      check(d.mode(), c.mode, 'mode');
      expectClose(d.probs, num(c.probs), { rtol: 2e-4, atol: 1e-7, context: { case: c.name, what: 'probs' } });
      tf.dispose([x, xi]);
      d.dispose();
    });
  }
});

describe('Categorical TSDoc example', () => {
  it('runs as documented', () => {
    const d = new Categorical({ logits: [0, 1, 2] });
    const s = d.sample([5], { seed: 1 });
    expect(s.shape).toEqual([5]);
    const lp = d.logProb([2, 0]);
    const z = Math.log(1 + Math.E + Math.E ** 2);
    expectClose(lp, [2 - z, -z], { rtol: 1e-5 });
    tf.dispose([s, lp]);
    d.dispose();
  });
});

describe('Categorical edge values', () => {
  it('values out of range or not integers have log-probability -Infinity (not NaN)', () => {
    const d = new Categorical({ logits: [0.1, 0.5, -0.3] });
    const lp = d.logProb([-1, 3, 1.5, 100, 2]);
    const v = Array.from(lp.dataSync());
    expect(v.slice(0, 4)).toEqual([-Infinity, -Infinity, -Infinity, -Infinity]);
    expect(Number.isFinite(v[4])).toBe(true);
    lp.dispose();
    d.dispose();
  });

  it('a zero-probability class has log-probability -Infinity, the others stay finite', () => {
    const d = new Categorical({ probs: [0.25, 0, 0.75] });
    const lp = d.logProb([0, 1, 2]);
    expectClose(lp, [Math.log(0.25), -Infinity, Math.log(0.75)]);
    const h = d.entropy();
    expectClose(h, -(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75)));
    tf.dispose([lp, h]);
    d.dispose();
  });

  it('a single class (K = 1) has log-probability 0 for 0', () => {
    const d = new Categorical({ logits: [[3], [-1]] });
    const lp = d.logProb([[0], [1]]);
    expectClose(lp, [0, 0, -Infinity, -Infinity]);
    const s = d.sample([3], { seed: 1 });
    expectClose(s, [0, 0, 0, 0, 0, 0]);
    tf.dispose([lp, s]);
    d.dispose();
  });

  it('logits are kept as given, probs computed (and the converse)', () => {
    const a = new Categorical({ logits: [1, 2, 3] });
    expectClose(a.logits, [1, 2, 3]);
    const e = [1, 2, 3].map(Math.exp);
    const z = e.reduce((s, v) => s + v, 0);
    expectClose(a.probs, e.map((v) => v / z));
    const b = new Categorical({ probs: [0.2, 0.8] });
    expectClose(b.logits, [Math.log(0.2), Math.log(0.8)]);
    a.dispose();
    b.dispose();
  });
});

describe('Categorical arguments and unsupported methods', () => {
  it('needs exactly one of logits and probs, naming both', () => {
    expect(() => new Categorical({ logits: [0, 1], probs: [0.5, 0.5] })).toThrow(/Categorical: .*logits.*probs.*got both/);
    expect(() => new Categorical({})).toThrow(InvalidArgumentError);
  });

  it('a scalar parameter is rejected with the expected shape', () => {
    expect(() => new Categorical({ logits: 1 })).toThrow(/Categorical: logits must have shape \[\.\.\., K\].*got \[\]/);
  });

  it('validateArgs checks probs are on the simplex', () => {
    expect(() => new Categorical({ probs: [[0.5, 0.5], [0.5, 0.6]], validateArgs: true })).toThrow(
      /Categorical: parameter probs \(shape \[2, 2\]\) must be a probability vector.*batch index \[1\]: 0.5, 0.6/,
    );
  });

  it('mean, variance, stddev and covariance throw NotImplementedError naming the method', () => {
    const d = new Categorical({ logits: [0, 1] });
    for (const m of ['mean', 'variance', 'stddev', 'covariance'] as const) {
      expect(() => d[m](), m).toThrow(NotImplementedError);
      expect(() => d[m](), m).toThrow(new RegExp(`Categorical does not implement ${m}`));
    }
    d.dispose();
  });
});

describe('Categorical sampling', () => {
  it('shape [...sampleShape, ...batch], float32 integers, reproducible under a seed', () => {
    const d = new Categorical({ logits: [[0, 1, 2], [2, 1, 0]] });
    const a = d.sample([5, 2], { seed: 9 });
    const b = d.sample([5, 2], { seed: 9 });
    const c = d.sample([5, 2], { seed: 10 });
    expect(a.shape).toEqual([5, 2, 2]);
    expect(a.dtype).toBe('float32');
    expect(Array.from(a.dataSync()).every((v) => Number.isInteger(v) && v >= 0 && v < 3)).toBe(true);
    expectClose(a, b, { rtol: 0 });
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(c.dataSync()));
    tf.dispose([a, b, c]);
    d.dispose();
  });

  it('class frequencies of 40,000 draws match the probabilities (false-failure rate 1e-4)', () => {
    const probs = [
      [0.1, 0.2, 0.3, 0.4],
      [0.7, 0.0, 0.05, 0.25],
    ];
    const d = new Categorical({ probs });
    const n = 40000;
    const x = d.sample([n], { seed: 23 });
    // frequency of class k in batch b: mean of the indicator, a binomial proportion
    const freq = tf.tidy(() => tf.mean(tf.cast(tf.oneHot(tf.cast(x, 'int32'), 4), 'float32'), 0));
    const f = freq.arraySync() as number[][];
    const tests = 8;
    probs.forEach((row, b) =>
      row.forEach((p, k) => {
        const tol = p === 0 ? 0 : meanTolerance(Math.sqrt(p * (1 - p)), n, tests);
        expect(Math.abs(f[b]![k]! - p), `batch ${b} class ${k}`).toBeLessThanOrEqual(tol);
      }),
    );
    tf.dispose([x, freq]);
    d.dispose();
  });
});

describe('Categorical gradients', () => {
  it('d logProb / d logits = onehot(x) - softmax(logits), on the wasm backend', async () => {
    // The one-hot product must be differentiable where tf.gather's gradient is not (wasm).
    const previous = tf.getBackend();
    await ready({ backend: 'wasm' });
    try {
      expect(tf.getBackend()).toBe('wasm');
      const raw = [
        [0.2, -1.0, 0.5, 1.5],
        [2.0, 0.0, -0.5, 0.1],
      ];
      const logits = tf.tensor2d(raw);
      const x = tf.tensor2d([[3, 0], [1, 0], [3, 2]]); // [3 samples, batch 2]
      const g = tf.grad((l: tf.Tensor) => {
        const d = new Categorical({ logits: l });
        const lp = tf.sum(d.logProb(x));
        d.dispose();
        return lp;
      });
      const gl = g(logits);
      const soft = raw.map((r) => {
        const m = Math.max(...r);
        const e = r.map((v) => Math.exp(v - m));
        const z = e.reduce((s, v) => s + v, 0);
        return e.map((v) => v / z);
      });
      const xs = [[3, 0], [1, 0], [3, 2]];
      const want = raw.map((r, b) => r.map((_, k) => xs.reduce((s, row) => s + (row[b] === k ? 1 : 0), 0) - 3 * soft[b]![k]!));
      expectClose(gl, want.flat(), { rtol: 1e-5, atol: 1e-6 });
      tf.dispose([logits, x, gl]);
    } finally {
      await ready({ backend: previous });
    }
  });

  it('d logProb / d probs = [k = x] / p_x - 1 / Σp (probs parameterization)', () => {
    const probs = tf.tensor1d([0.2, 0.3, 0.5]);
    const g = tf.grad((p: tf.Tensor) => {
      const d = new Categorical({ probs: p });
      const lp = tf.sum(d.logProb(1));
      d.dispose();
      return lp;
    });
    const gp = g(probs);
    expectClose(gp, [-1, 1 / 0.3 - 1, -1], { rtol: 1e-5 });
    tf.dispose([probs, gp]);
  });
});

describe('Categorical gradients of entropy and KL', () => {
  const softmax = (r: number[]) => {
    const m = Math.max(...r);
    const e = r.map((v) => Math.exp(v - m));
    const z = e.reduce((s, v) => s + v, 0);
    return e.map((v) => v / z);
  };
  it('dH/dl_k = -p_k (log p_k + H); dKL(p||q)/dl_p = p_k (log p_k - log q_k - KL)', () => {
    const a = [0.3, -1.2, 2.0];
    const b = [1.0, 0.0, -0.5];
    const pa = softmax(a);
    const pb = softmax(b);
    const h = -pa.reduce((s, p) => s + p * Math.log(p), 0);
    const kl = pa.reduce((s, p, k) => s + p * (Math.log(p) - Math.log(pb[k]!)), 0);
    const la = tf.tensor1d(a);
    const lb = tf.tensor1d(b);
    const gh = tf.grad((l: tf.Tensor) => {
      const d = new Categorical({ logits: l });
      const e = d.entropy();
      d.dispose();
      return e;
    })(la);
    expectClose(gh, pa.map((p) => -p * (Math.log(p) + h)), { rtol: 1e-4, atol: 1e-6 });
    const gk = tf.grad((l: tf.Tensor) => {
      const p = new Categorical({ logits: l });
      const q = new Categorical({ logits: lb });
      const v = klDivergence(p, q);
      p.dispose();
      q.dispose();
      return v;
    })(la);
    expectClose(gk, pa.map((p, k) => p * (Math.log(p) - Math.log(pb[k]!) - kl)), { rtol: 1e-4, atol: 1e-6 });
    tf.dispose([la, lb, gh, gk]);
  });
});

describe('Categorical KL against scipy', () => {
  for (const c of fx.categorical_kl) {
    it(c.name, () => {
      const pl = tensorOf(c.p_logits);
      const ql = tensorOf(c.q_logits);
      const p = new Categorical({ logits: pl });
      const q = new Categorical({ logits: ql });
      const kl = klDivergence(p, q);
      expect(kl.shape).toEqual(shapeOf(c.kl));
      expectClose(kl, num(c.kl), { rtol: 2e-4, atol: 1e-6, context: c.name });
      tf.dispose([pl, ql, kl]);
      p.dispose();
      q.dispose();
    });
  }
  it('different numbers of classes are an error naming both', () => {
    const p = new Categorical({ logits: [0, 1] });
    const q = new Categorical({ logits: [0, 1, 2] });
    expect(() => klDivergence(p, q)).toThrow(/Categorical with 2 classes vs Categorical with 3/);
    p.dispose();
    q.dispose();
  });
  it('+Infinity where q has a zero class that p does not, 0 terms where p has a zero class', () => {
    const p = new Categorical({ probs: [[0.5, 0.5, 0], [0.5, 0.5, 0]] });
    const q = new Categorical({ probs: [[0.5, 0, 0.5], [0.25, 0.75, 0]] });
    const kl = klDivergence(p, q);
    expectClose(kl, [Infinity, 0.5 * Math.log(2) + 0.5 * Math.log(0.5 / 0.75)]);
    kl.dispose();
    p.dispose();
    q.dispose();
  });
});

