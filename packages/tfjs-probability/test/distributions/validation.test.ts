// Regression tests for support checks, bad arguments and leaks on error
// paths (each `it` names its row), plus the contract around them: without validateArgs no value
// is read back from a tensor; validate() is the non-blocking form of the construction check.
// The generic versions of these checks run on every distribution in conformance.ts.
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as tfp from 'tfjs-probability';
import { InvalidArgumentError } from '../../src/errors.js';
import { randomNormal, randomUniform } from '../../src/math/random.js';
import { splitSeed } from '../../src/util.js';
import { expectArgError } from './conformance.js';
import { expectNoLeak } from '../helpers.js';
import { specs } from './conformance_specs.js';

const tfd = tfp.distributions;

/** Disposes tensors and distributions. */
const free = (...xs: Array<{ dispose(): void }>): void => xs.forEach((x) => x.dispose());

describe('values outside the support with validateArgs are errors', () => {
  it('Bernoulli.logProb([0.5, 2, -1]) names index [0] and the value 0.5', () => {
    const d = new tfd.Bernoulli({ probs: 0.3, validateArgs: true });
    expectArgError(() => d.logProb([0.5, 2, -1]), [/^Bernoulli\.logProb: /, 'index [0]: 0.5', 'support of Bernoulli', '0 or 1'], 'logProb');
    expectArgError(() => d.prob([1, 2]), ['Bernoulli.prob', 'index [1]: 2'], 'prob');
    d.dispose();
  });

  it('Dirichlet.logProb([.5, .6, .2]) says the entries sum to 1.3', () => {
    const d = new tfd.Dirichlet({ concentration: [1, 2, 3], validateArgs: true });
    expectArgError(() => d.logProb([0.5, 0.6, 0.2]), ['Dirichlet.logProb', '[0.5, 0.6, 0.2]', 'entries sum to 1.3', 'probability vector'], 'logProb');
    expectArgError(() => d.logProb([[0.2, 0.3, 0.5], [1.2, -0.2, 0]]), ['index [1]', 'entry 1 is -0.2'], 'negative entry');
    d.dispose();
  });

  it('OneHotCategorical.logProb([.5, .5, 0]) says which entry is not 0 or 1', () => {
    const d = new tfd.OneHotCategorical({ probs: [0.2, 0.3, 0.5], validateArgs: true });
    expectArgError(() => d.logProb([0.5, 0.5, 0]), ['OneHotCategorical.logProb', 'entry 0 is 0.5', 'one-hot'], 'logProb');
    expectArgError(() => d.logProb([1, 1, 0]), ['it has 2 ones'], 'two ones');
    d.dispose();
  });

  it('Categorical.logProb([5, -1, 1.5]) names the first bad index and the valid classes', () => {
    const d = new tfd.Categorical({ probs: [0.2, 0.3, 0.5], validateArgs: true });
    expectArgError(() => d.logProb([5, -1, 1.5]), ['Categorical.logProb', 'index [0]: 5', 'an integer in {0, ..., 2}'], 'logProb');
    expectArgError(() => d.logProb([0, 1.5]), ['index [1]: 1.5'], 'a fraction');
    d.dispose();
  });

  it('cdf, logCdf and survival check the support too; quantile checks p in [0, 1]', () => {
    const g = new tfd.Gamma({ concentration: 2, rate: 1, validateArgs: true });
    for (const m of ['cdf', 'logCdf', 'survivalFunction', 'logSurvivalFunction'] as const) {
      expectArgError(() => g[m]([1, -1]), [`Gamma.${m}`, 'index [1]: -1', 'non-negative'], m);
    }
    const n = new tfd.Normal({ loc: 0, scale: 1, validateArgs: true });
    expectArgError(() => n.quantile([0.5, 1.5]), ['Normal.quantile', 'p (shape [2])', 'index [1]: 1.5', 'in [0, 1]'], 'quantile');
    free(g, n);
  });

  it('without validateArgs the same values give TFP’s results, not errors', () => {
    const b = new tfd.Bernoulli({ probs: 0.3 });
    const lp = b.logProb([0.5, 2, -1]); // x log p + (1 - x) log(1 - p), as TFP
    const v = Array.from(lp.dataSync());
    expect(v[0]).toBeCloseTo(0.5 * Math.log(0.3) + 0.5 * Math.log(0.7), 5);
    const c = new tfd.Categorical({ probs: [0.2, 0.3, 0.5] });
    const lc = c.logProb([5, -1, 1.5]);
    expect(Array.from(lc.dataSync())).toEqual([-Infinity, -Infinity, -Infinity]);
    free(b, lp, c, lc);
  });
});

describe('bad arguments are one InvalidArgumentError naming class and parameter', () => {
  it('new tfd.Normal() and new tfd.Normal(null)', () => {
    const N = tfd.Normal as unknown as new (a?: unknown) => unknown;
    expectArgError(() => new N(), ['Normal: expected an argument object {loc, scale}; got undefined'], 'no args');
    expectArgError(() => new N(null), ['Normal', 'got null'], 'null');
  });

  it('sample(null), sample("x"), sample([2, -1])', () => {
    const d = new tfd.Normal({ loc: 0, scale: 1 });
    for (const s of [null, 'x', [2, -1]]) {
      expectArgError(() => d.sample(s as unknown as number[]), ['Normal.sample: sampleShape must be a non-negative integer'], String(s));
    }
    d.dispose();
  });

  it('low >= high under validateArgs (Uniform, TruncatedNormal); accepted without it, as TFP does', () => {
    const cases: Array<[string, () => tfp.distributions.Distribution]> = [
      ['Uniform', () => new tfd.Uniform({ low: [0, 2], high: [1, 2], validateArgs: true })],
      ['TruncatedNormal', () => new tfd.TruncatedNormal({ loc: 0, scale: 1, low: [-1, 3], high: [1, 2], validateArgs: true })],
    ];
    for (const [name, make] of cases) {
      expectArgError(make, [`${name}: low must be < high elementwise (under validateArgs); found low >= high`], name);
    }
    expectNoLeak(() => new tfd.Uniform({ low: [0, 2], high: [1, 2] }), 'Uniform without validateArgs');
  });

  it('a disposed parameter tensor', () => {
    const scale = tf.tensor1d([1, 2]);
    scale.dispose();
    expectArgError(() => new tfd.Normal({ loc: 0, scale }), ['Normal: scale is a disposed tensor'], 'disposed scale');
    const inner = new tfd.Normal({ loc: [0, 1], scale: 1 });
    inner.dispose();
    expectArgError(() => new tfd.Independent({ distribution: inner }), ['Independent: distribution is a disposed Normal'], 'disposed inner');
  });

  it('seeds NaN, "x", 1.5, Infinity are errors (they used to give the draws of seed 0)', () => {
    const d = new tfd.Normal({ loc: 0, scale: 1 });
    for (const seed of [NaN, 'x', 1.5, Infinity, -Infinity]) {
      expectArgError(() => d.sample([3], { seed: seed as number }), ['Normal.sample: seed must be an integer'], String(seed));
      expect(() => randomNormal([2], seed as number)).toThrow(/randomNormal: seed must be an integer/);
      expect(() => randomUniform([2], seed as number)).toThrow(/randomUniform: seed must be an integer/);
      expect(() => splitSeed(seed as number, 2)).toThrow(InvalidArgumentError);
    }
    // integers, negative ones included, still work and are reproducible
    const a = d.sample([3], { seed: -7 });
    const b = d.sample([3], { seed: -7 });
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    free(a, b, d);
  });

  it('["1", "2"] is not coerced to numbers', () => {
    expectArgError(() => new tfd.Normal({ loc: ['1', '2'] as unknown as number[], scale: 1 }), ['Normal: loc', 'entry [0] is the string "1"'], 'strings');
    const d = new tfd.Normal({ loc: 0, scale: 1 });
    expectArgError(() => d.logProb(['1', '2'] as unknown as number[]), ['Normal.logProb: x'], 'logProb strings');
    d.dispose();
  });

  it('Gamma({concentration: Infinity}) and NaN / -Infinity parameters are rejected', () => {
    expectArgError(() => new tfd.Gamma({ concentration: Infinity, rate: 1 }), ['Gamma: parameter concentration', 'positive (> 0) and finite', 'Infinity'], 'Infinity');
    expectArgError(() => new tfd.Normal({ loc: [0, NaN], scale: 1 }), ['Normal: parameter loc', 'batch index [1]: NaN'], 'NaN loc');
    expectArgError(() => new tfd.StudentT({ df: 3, loc: 0, scale: -Infinity }), ['StudentT: parameter scale'], '-Infinity scale');
    // a tensor is checked only under validateArgs (a read-back)
    const inf = tf.scalar(Infinity);
    expectArgError(() => new tfd.Gamma({ concentration: inf, rate: 1, validateArgs: true }), ['Gamma: parameter concentration'], 'Infinity tensor');
    inf.dispose();
  });

  it('-Infinity logits stay valid (a class of probability 0)', () => {
    const d = new tfd.Categorical({ logits: [0, -Infinity], validateArgs: true });
    const lp = d.logProb([0, 1]);
    expect(Array.from(lp.dataSync())).toEqual([0, -Infinity]);
    free(d, lp);
  });
});

describe('no leaks on error paths', () => {
  it('Normal({loc: [0, 1]}) with no scale', () => {
    expectArgError(() => new tfd.Normal({ loc: [0, 1] } as unknown as tfp.distributions.NormalArgs), ['Normal: parameter scale is missing'], 'no scale');
  });

  it("StudentT({df: 3, loc: 0, scale: 'x'})", () => {
    expectArgError(() => new tfd.StudentT({ df: 3, loc: 0, scale: 'x' as unknown as number }), ['StudentT: scale', 'the string "x"'], 'string scale');
  });

  it('MultivariateNormalFullCovariance failing validation (not symmetric; not positive definite; bad loc)', () => {
    const cls = tfd.MultivariateNormalFullCovariance;
    expectArgError(() => new cls({ covarianceMatrix: [[1, 0.5], [0.2, 1]], validateArgs: true }), ['covarianceMatrix', 'symmetric'], 'asymmetric');
    expectArgError(() => new cls({ covarianceMatrix: [[1, 2], [2, 1]] }), ['covarianceMatrix', 'not positive definite'], 'not PD');
    expectArgError(() => new cls({ covarianceMatrix: [[1, 0], [0, 1]], loc: 'x' as unknown as number }), ['loc'], 'bad loc');
    expectArgError(() => new cls({ covarianceMatrix: [[1, 0], [0, 1]], loc: [0, 0, 0] }), ['loc has event size 3'], 'loc size');
  });

  it('tensors the caller passed in stay alive when a constructor fails', () => {
    const loc = tf.tensor1d([0, 1]);
    expect(() => new tfd.Normal({ loc, scale: 'x' as unknown as number })).toThrow(InvalidArgumentError);
    expect(loc.isDisposed).toBe(false);
    loc.dispose();
  });
});

describe('validateArgs contract', () => {
  afterEach(() => vi.restoreAllMocks());

  it('without validateArgs, construction and logProb read nothing back (every distribution but MVN FullCovariance)', () => {
    for (const spec of specs) {
      // MultivariateNormalFullCovariance factors Σ at construction, which reports a matrix that is not positive definite.
      if (spec.name === 'MultivariateNormalFullCovariance') continue;
      const args = spec.args();
      const sync = vi.spyOn(tf.Tensor.prototype, 'dataSync');
      const arr = vi.spyOn(tf.Tensor.prototype, 'arraySync');
      const d = spec.make(args);
      const lp = d.logProb(spec.inside);
      expect(sync.mock.calls.length + arr.mock.calls.length, `${spec.name}: read-backs without validateArgs`).toBe(0);
      vi.restoreAllMocks();
      free(lp, d);
    }
    // the spy does see the read-backs that validateArgs makes
    const sync = vi.spyOn(tf.Tensor.prototype, 'dataSync');
    const d = new tfd.Normal({ loc: 0, scale: 1, validateArgs: true });
    const lp = d.logProb(0.5);
    expect(sync.mock.calls.length).toBeGreaterThan(0);
    free(lp, d);
  });

  it('validate() checks tensor parameters without blocking, with the validateArgs message', async () => {
    const scale = tf.tensor1d([1, -2]);
    const d = new tfd.Normal({ loc: 0, scale });
    await expect(d.validate()).rejects.toThrow(/Normal: parameter scale \(shape \[2\]\) must be positive \(> 0\) and finite; found invalid value at batch index \[1\]: -2/);
    const ok = new tfd.Dirichlet({ concentration: tf.tensor1d([1, 2]) });
    await expect(ok.validate()).resolves.toBeUndefined();
    const conc = tf.tensor1d([1, 0]);
    const inner = new tfd.Independent({ distribution: new tfd.Gamma({ concentration: conc, rate: 1 }) });
    await expect(inner.validate()).rejects.toThrow(/Gamma: parameter concentration .* batch index \[1\]: 0/);
    free(inner, conc);
    const before = tf.memory().numTensors;
    await d.validate().catch(() => undefined);
    expect(tf.memory().numTensors).toBe(before);
    free(scale, d, ok);
  });
});
