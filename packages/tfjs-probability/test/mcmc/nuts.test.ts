import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { NoUTurnSampler } from '../../src/mcmc/nuts.js';
import { HamiltonianMonteCarlo } from '../../src/mcmc/hmc.js';
import { sampleChain } from '../../src/mcmc/sample_chain.js';
import { Xoshiro128, nextNormal } from '../../src/math/random.js';
import { ksCritical } from '../helpers.js';

/** Sup distance between the empirical cdf of `z` and the standard normal cdf. */
function ksNormal(z: number[]): number {
  const s = [...z].sort((a, b) => a - b);
  let d = 0;
  s.forEach((v, i) => {
    const f = 0.5 * (1 + erf(v / Math.SQRT2));
    d = Math.max(d, Math.abs(f - i / s.length), Math.abs(f - (i + 1) / s.length));
  });
  return d;
}

function erf(x: number): number {
  // Abramowitz-Stegun 7.1.26 is too coarse for KS at n = 1e4; use a series / continued fraction split.
  const t = Math.abs(x);
  if (t < 3) {
    let sum = t;
    let term = t;
    for (let n = 1; n < 100; n++) {
      term *= (-t * t) / n;
      sum += term / (2 * n + 1);
      if (Math.abs(term) < 1e-17) break;
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  return Math.sign(x) * (1 - Math.exp(-t * t) / (t * Math.sqrt(Math.PI)) * (1 - 1 / (2 * t * t) + 3 / (4 * t ** 4)));
}

/** A random rotation (Gram-Schmidt of a seeded Gaussian matrix), `[d, d]` row-major. */
function rotation(d: number, rng: Xoshiro128): Float64Array {
  const q = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    const v = Float64Array.from({ length: d }, () => nextNormal(rng));
    for (let k = 0; k < i; k++) {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += v[j]! * q[k * d + j]!;
      for (let j = 0; j < d; j++) v[j] = v[j]! - dot * q[k * d + j]!;
    }
    const n = Math.hypot(...v);
    for (let j = 0; j < d; j++) q[i * d + j] = v[j]! / n;
  }
  return q;
}

describe('NoUTurnSampler', () => {
  it('leaves a 100-d Gaussian with condition number 1e4 invariant (exact start, KS on whitened draws)', async () => {
    const d = 100;
    const chains = 64;
    const rng = new Xoshiro128(11);
    const rot = rotation(d, rng); // rows: eigenvectors
    const sds = Float64Array.from({ length: d }, (_, i) => Math.pow(10, -2 + (2 * i) / (d - 1))); // sd 0.01 .. 1
    // Precision P = Rᵀ diag(1/sd²) R, formed from the eigen-decomposition (no inversion).
    const p = new Float32Array(d * d);
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += (rot[k * d + a]! * rot[k * d + b]!) / (sds[k]! * sds[k]!);
      p[a * d + b] = s;
    }
    const prec = tf.tensor2d(p, [d, d]);
    const target = (x: tf.Tensor): tf.Tensor => tf.mul(-0.5, tf.sum(tf.mul(tf.matMul(x, prec), x), -1));
    // Exact draws: x = Rᵀ (sd ⊙ z).
    const x0 = new Float32Array(chains * d);
    for (let c = 0; c < chains; c++) {
      const z = Float64Array.from({ length: d }, (_, k) => sds[k]! * nextNormal(rng));
      for (let a = 0; a < d; a++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += rot[k * d + a]! * z[k]!;
        x0[c * d + a] = s;
      }
    }
    const start = tf.tensor2d(x0, [chains, d]);
    const kernel = new NoUTurnSampler({ targetLogProbFn: target, stepSize: 0.008, maxTreeDepth: 9 });
    const { states, trace } = await sampleChain({ numResults: 1, numBurninSteps: 1, currentState: start, kernel, seed: 3 });
    const xs = await states.data();
    // Whitened coordinates z_k = (R x)_k / sd_k are i.i.d. N(0, 1) across chains and k under the target.
    const z: number[] = [];
    let moved = 0;
    for (let c = 0; c < chains; c++) {
      for (let k = 0; k < d; k++) {
        let s = 0;
        for (let a = 0; a < d; a++) s += rot[k * d + a]! * xs[c * d + a]!;
        z.push(s / sds[k]!);
        if (k === d - 1) {
          let s0 = 0;
          for (let a = 0; a < d; a++) s0 += rot[k * d + a]! * x0[c * d + a]!;
          moved += Math.abs(s - s0) / sds[k]!;
        }
      }
    }
    expect(ksNormal(z)).toBeLessThan(ksCritical(z.length, 1e-4));
    // The widest direction moved (on average by a sizeable fraction of its sd): the kernel is not standing still.
    expect(moved / chains).toBeGreaterThan(0.5);
    const depth = await trace.treeDepth.data();
    expect(Math.max(...depth)).toBeGreaterThanOrEqual(7);
    tf.dispose([prec, start, states, ...Object.values(trace)]);
  });

  it('is reproducible, and chain 0 of a 3-chain batch equals the same chain run alone', async () => {
    const fn = (x: tf.Tensor): tf.Tensor => tf.mul(-0.5, tf.sum(tf.square(tf.div(x, tf.tensor1d([1, 3]))), -1));
    const run = async (chains: number, seed: number): Promise<Float32Array> => {
      const kernel = new NoUTurnSampler({ targetLogProbFn: fn, stepSize: 0.4 });
      const init = tf.zeros([chains, 2]);
      const r = await sampleChain({ numResults: 30, currentState: init, kernel, seed });
      const v = (await r.states.data()) as Float32Array;
      tf.dispose([init, r.states, ...Object.values(r.trace)]);
      // chain 0's draws
      return Float32Array.from({ length: 60 }, (_, i) => v[Math.floor(i / 2) * chains * 2 + (i % 2)]!);
    };
    const before = tf.memory().numTensors;
    const a = await run(3, 5);
    const b = await run(3, 5);
    const alone = await run(1, 5);
    const other = await run(3, 6);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(alone)).toEqual(Array.from(a));
    expect(Array.from(other)).not.toEqual(Array.from(a));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reports divergences and stops the tree on them', async () => {
    // A step size far too large for a narrow Gaussian: every trajectory diverges at once.
    const kernel = new NoUTurnSampler({ targetLogProbFn: (x) => tf.mul(-5000, tf.sum(tf.square(x), -1)), stepSize: 5 });
    const init = tf.fill([2, 1], 0.01);
    const r = await sampleChain({ numResults: 5, currentState: init, kernel, seed: 1 });
    init.dispose();
    expect(Array.from(await r.trace.divergent.data()).every((v) => v === 1)).toBe(true);
    expect(Math.max(...(await r.trace.numLeapfrogSteps.data()))).toBeLessThanOrEqual(2);
    tf.dispose([r.states, ...Object.values(r.trace)]);
  });
});

describe('HamiltonianMonteCarlo', () => {
  it('leaves a correlated 2-d Gaussian invariant (exact start, KS per whitened coordinate)', async () => {
    const chains = 2000;
    const rng = new Xoshiro128(4);
    // Covariance [[1, 0.9], [0.9, 1]] = L Lᵀ; x = L z.
    const l10 = 0.9;
    const l11 = Math.sqrt(1 - 0.81);
    const x0 = new Float32Array(chains * 2);
    for (let c = 0; c < chains; c++) {
      const z0 = nextNormal(rng);
      const z1 = nextNormal(rng);
      x0[2 * c] = z0;
      x0[2 * c + 1] = l10 * z0 + l11 * z1;
    }
    const fn = (x: tf.Tensor): tf.Tensor => tf.tidy(() => {
      const [a, b] = tf.split(x, 2, 1);
      const z1 = tf.div(tf.sub(b!, tf.mul(l10, a!)), l11);
      return tf.mul(-0.5, tf.add(tf.square(a!), tf.square(z1))).squeeze([1]);
    });
    const kernel = new HamiltonianMonteCarlo({ targetLogProbFn: fn, stepSize: 0.25, numLeapfrogSteps: 4 });
    const start = tf.tensor2d(x0, [chains, 2]);
    const { states, trace } = await sampleChain({ numResults: 1, numBurninSteps: 2, currentState: start, kernel, seed: 9 });
    const v = await states.data();
    const za: number[] = [];
    const zb: number[] = [];
    for (let c = 0; c < chains; c++) {
      za.push(v[2 * c]!);
      zb.push((v[2 * c + 1]! - l10 * v[2 * c]!) / l11);
    }
    expect(ksNormal(za)).toBeLessThan(ksCritical(chains, 1e-4 / 2));
    expect(ksNormal(zb)).toBeLessThan(ksCritical(chains, 1e-4 / 2));
    const acc = await trace.acceptProb.mean().data();
    expect(acc[0]).toBeGreaterThan(0.5);
    tf.dispose([start, states, ...Object.values(trace)]);
  });
});
