import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Bernoulli } from '../../src/distributions/bernoulli.js';
import { klDivergence } from '../../src/distributions/kl.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { expectClose, loadFixture, meanTolerance } from '../helpers.js';

type N = number | string | N[];
interface Case {
  name: string;
  param: 'logits' | 'probs';
  value: N;
  x: N;
  log_prob: N;
  mean: N;
  variance: N;
  entropy: N;
  mode: N;
  probs: N;
  logits: N;
}
interface KLCase {
  name: string;
  p_logits: N;
  q_logits: N;
  kl: N;
}
/** The fixture writes ±Infinity / NaN as strings; Number() reads them back. */
const num = (v: N): number | number[] => (Array.isArray(v) ? (v.flat(Infinity as 1) as N[]).map((e) => Number(e)) : Number(v));
const mapN = (v: N, f: (x: number) => number): number | number[] => {
  const n = num(v);
  return Array.isArray(n) ? n.map(f) : f(n);
};
const fx = loadFixture<{ bernoulli: Case[]; bernoulli_kl: KLCase[] }>('discrete');

function make(c: Case): Bernoulli {
  const v = tf.tensor(num(c.value) as number[], shapeOf(c.value));
  const d = c.param === 'logits' ? new Bernoulli({ logits: v }) : new Bernoulli({ probs: v });
  v.dispose();
  return d;
}
function shapeOf(v: N): number[] {
  const s: number[] = [];
  let cur: N = v;
  while (Array.isArray(cur)) {
    s.push(cur.length);
    cur = cur[0]!;
  }
  return s;
}

describe('Bernoulli values against scipy (float64 fixture)', () => {
  for (const c of fx.bernoulli) {
    it(c.name, () => {
      const d = make(c);
      const check = (got: tf.Tensor, want: N, what: string, atol = 0) => {
        expectClose(got, num(want), { rtol: 2e-4, atol, context: { case: c.name, what } });
        got.dispose();
      };
      const x = tf.tensor(num(c.x) as number[], shapeOf(c.x));
      const lp = d.logProb(x);
      expect(lp.shape).toEqual(shapeOf(c.log_prob));
      check(lp, c.log_prob, 'logProb');
      check(d.prob(x), mapN(c.log_prob, Math.exp), 'prob', 1e-7);
      // int32 values are accepted as well
      const xi = tf.cast(x, 'int32');
      check(d.logProb(xi), c.log_prob, 'logProb(int32)');
      check(d.mean(), c.mean, 'mean');
      check(d.variance(), c.variance, 'variance', 1e-30);
      check(d.stddev(), mapN(c.variance, Math.sqrt), 'stddev', 1e-15);
      check(d.entropy(), c.entropy, 'entropy', 1e-12);
      check(d.mode(), c.mode, 'mode');
      expectClose(d.probs, num(c.probs), { rtol: 2e-4, context: { case: c.name, what: 'probs' } });
      expectClose(d.logits, num(c.logits), { rtol: 2e-4, atol: 1e-5, context: { case: c.name, what: 'logits' } });
      tf.dispose([x, xi]);
      d.dispose();
    });
  }
});

describe('Bernoulli TSDoc example', () => {
  it('runs as documented', () => {
    const d = new Bernoulli({ probs: [0.2, 0.9] });
    const s = d.sample([4], { seed: 1 });
    expect(s.shape).toEqual([4, 2]);
    const lp = d.logProb([1, 0]);
    expectClose(lp, [Math.log(0.2), Math.log(0.1)], { rtol: 1e-5 });
    tf.dispose([s, lp]);
    d.dispose();
  });
});

describe('Bernoulli arguments', () => {
  it('needs exactly one of logits and probs, naming both', () => {
    expect(() => new Bernoulli({ logits: 0, probs: 0.5 })).toThrow(InvalidArgumentError);
    expect(() => new Bernoulli({ logits: 0, probs: 0.5 })).toThrow(/Bernoulli: .*logits.*probs.*got both/);
    expect(() => new Bernoulli({})).toThrow(/Bernoulli: .*logits.*probs.*got neither/);
  });

  it('validateArgs checks probs are in [0, 1]', () => {
    expect(() => new Bernoulli({ probs: [0.2, 1.5], validateArgs: true })).toThrow(
      /Bernoulli: parameter probs \(shape \[2\]\) must be in \[0, 1\]; found invalid value at batch index \[1\]: 1.5/,
    );
    const ok = new Bernoulli({ probs: [0, 1], validateArgs: true });
    ok.dispose();
  });

  it('rejects a value that does not broadcast against the batch', () => {
    const d = new Bernoulli({ probs: [0.2, 0.5, 0.7] });
    expect(() => d.logProb([1, 0])).toThrow(/Bernoulli.logProb: x of shape \[2\] does not broadcast against batch shape \[3\]/);
    d.dispose();
  });
});

describe('Bernoulli sampling', () => {
  it('returns float32 0/1 of shape [...sampleShape, ...batch], reproducible under a seed', () => {
    const d = new Bernoulli({ logits: [[-1, 0, 2]] });
    const a = d.sample([4, 2], { seed: 5 });
    const b = d.sample([4, 2], { seed: 5 });
    expect(a.shape).toEqual([4, 2, 1, 3]);
    expect(a.dtype).toBe('float32');
    expect(Array.from(a.dataSync()).every((v) => v === 0 || v === 1)).toBe(true);
    expectClose(a, b, { rtol: 0 });
    tf.dispose([a, b]);
    d.dispose();
  });

  it('frequencies of 40,000 draws match p (false-failure rate 1e-4)', () => {
    const ps = [0.02, 0.3, 0.5, 0.85];
    const d = new Bernoulli({ probs: ps });
    const n = 40000;
    const x = d.sample([n], { seed: 17 });
    const f = tf.mean(x, 0);
    const fd = f.dataSync();
    ps.forEach((p, i) => {
      expect(Math.abs(fd[i]! - p), `p=${p}`).toBeLessThan(meanTolerance(Math.sqrt(p * (1 - p)), n, ps.length));
    });
    tf.dispose([x, f]);
    d.dispose();
  });

  it('p = 0 and p = 1 are deterministic', () => {
    const d = new Bernoulli({ probs: [0, 1] });
    const x = d.sample([1000], { seed: 1 });
    const s = tf.sum(x, 0);
    expect(Array.from(s.dataSync())).toEqual([0, 1000]);
    tf.dispose([x, s]);
    d.dispose();
  });
});

describe('Bernoulli gradients', () => {
  it('d logProb / d logits = x - sigmoid(logits) (runs on the active backend, wasm by default)', () => {
    const logits = tf.tensor1d([-2, 0.3, 4]);
    const x = tf.tensor1d([1, 0, 1]);
    const g = tf.grad((l: tf.Tensor) => {
      const d = new Bernoulli({ logits: l });
      const lp = tf.sum(d.logProb(x));
      d.dispose();
      return lp;
    });
    const gl = g(logits);
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    expectClose(gl, [1 - sig(-2), 0 - sig(0.3), 1 - sig(4)], { rtol: 1e-5 });
    tf.dispose([logits, x, gl]);
  });

  it('d logProb / d probs = x/p - (1-x)/(1-p)', () => {
    const probs = tf.tensor1d([0.2, 0.7]);
    const x = tf.tensor1d([1, 0]);
    const g = tf.grad((p: tf.Tensor) => {
      const d = new Bernoulli({ probs: p });
      const lp = tf.sum(d.logProb(x));
      d.dispose();
      return lp;
    });
    const gp = g(probs);
    expectClose(gp, [1 / 0.2, -1 / 0.3], { rtol: 1e-5 });
    tf.dispose([probs, x, gp]);
  });
});

describe('Bernoulli gradient of the entropy', () => {
  it('dH/dlogits = -logits p (1 - p)', () => {
    const l = [-3, -0.5, 0, 2];
    const logits = tf.tensor1d(l);
    const g = tf.grad((t: tf.Tensor) => {
      const d = new Bernoulli({ logits: t });
      const h = tf.sum(d.entropy());
      d.dispose();
      return h;
    })(logits);
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    expectClose(g, l.map((v) => -v * sig(v) * (1 - sig(v))), { rtol: 1e-4, atol: 1e-7 });
    tf.dispose([logits, g]);
  });
});

describe('Bernoulli KL against scipy', () => {
  for (const c of fx.bernoulli_kl) {
    it(c.name, () => {
      const p = new Bernoulli({ logits: tf.tidy(() => tf.tensor(num(c.p_logits) as number[], shapeOf(c.p_logits))) });
      const q = new Bernoulli({ logits: num(c.q_logits) as number[] });
      const kl = klDivergence(p, q);
      expect(kl.shape).toEqual(shapeOf(c.kl));
      expectClose(kl, num(c.kl), { rtol: 2e-4, atol: 1e-6, context: c.name });
      kl.dispose();
      p.dispose();
      q.dispose();
    });
  }
  it('is 0 against itself and +inf where q rules out an outcome p allows', () => {
    const p = new Bernoulli({ probs: [0, 0.5, 1] });
    const q = new Bernoulli({ probs: [0, 1, 1] });
    const kl = klDivergence(p, q);
    expectClose(kl, [0, Infinity, 0], { atol: 1e-7 });
    kl.dispose();
    p.dispose();
    q.dispose();
  });
});

describe('Bernoulli hygiene', () => {
  it('construction from probs leaks nothing and does not take the caller\'s tensor', () => {
    const probs = tf.tensor1d([0.2, 0.4]);
    const before = tf.memory().numTensors;
    const d = new Bernoulli({ probs });
    expect(tf.memory().numTensors).toBe(before + 2); // probs (clone) and logits
    d.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(probs.isDisposed).toBe(false);
    probs.dispose();
  });
});
