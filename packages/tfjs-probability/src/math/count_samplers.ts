/**
 * Samplers for counts that tfjs lacks: Poisson (any rate) and Binomial, one
 * draw per element with its own parameters.
 *
 * On cpu and wasm they run as kernels (./sampler_kernels.ts): one float64 draw
 * per element, inversion for small means and Hörmann's PTRS / BTRS above,
 * each element looping until it accepts (so it cannot run out of rounds).
 *
 * On other backends (webgl) they are tensor ops only (no read-back of the
 * parameters or of acceptance masks, so no synchronous GPU read):
 * - Small means (Poisson rate < 10, Binomial n·min(p, 1-p) < 10): exact
 *   inversion against a table of K = 48 survival values S(k) = P(X > k), each a
 *   suffix sum of pmf terms `exp(log pmf)` (relative-accurate in the upper
 *   tail, unlike 1 - Σ pmf). X = #{k < K : v < S(k)} for v ~ U(0, 1). The
 *   truncation at K drops a mass below 1e-15 (Poisson(10): P(X >= 48) ≈ 4e-16).
 * - Large means: PTRS for the Poisson ("The transformed rejection method for
 *   generating Poisson random variables", 1993) and BTRS for the Binomial ("The
 *   generation of binomial random variates", 1993), with the exact acceptance
 *   test on the log-pmf (Loader's saddle-point form). Both accept a proposal
 *   with probability > 0.84 over their whole range (measured: 0.87 at rate 10
 *   and 0.92 at 1e4 for PTRS; 0.85-0.9 for BTRS). They run a fixed number of
 *   vectorized rounds, COUNT_SAMPLER_ROUNDS = 16: an element rejected in all of
 *   them (probability < 0.16^16 ≈ 2e-13 per element) is NaN, never a biased
 *   draw.
 *
 * Every random number comes from ./random.js with seeds split from the one
 * user seed (`splitSeed`), so draws are reproducible (the kernels and the
 * tensor ops draw different streams). Results are float32 tensors holding
 * integers (exact up to 2^24). Not differentiable.
 */
import * as tf from '@tensorflow/tfjs';
import { splitSeed } from '../util.js';
import { randomUniform } from './random.js';
import { log1p } from './special.js';
import { runSamplerKernel, useSamplerKernels } from './sampler_kernels.js';
import { binomialLogPmf, poissonLogPmf } from './saddle_point.js';

const LGAMMA_INT: number[] = [0, 0];
/** lgamma(j) for a positive integer j, exactly (float64 sum of logs). */
function lgammaConst(j: number): number {
  for (let i = LGAMMA_INT.length; i <= j; i++) LGAMMA_INT.push(LGAMMA_INT[i - 1]! + Math.log(i - 1));
  return LGAMMA_INT[j]!;
}

/** Number of vectorized rejection rounds of PTRS / BTRS. */
export const COUNT_SAMPLER_ROUNDS = 16;
/** Number of survival terms of the inversion branch. */
const K = 48;
/** Below this mean the inversion branch is used. */
const SMALL_MEAN = 10;

/**
 * X = #{k < K : v < S(k)} from pmf terms `logPmf(k)` (k = 0..K) at the
 * parameters' shape and uniforms `v` at the full shape.
 */
function invertFromLogPmf(logPmf: (k: number) => tf.Tensor, v: tf.Tensor): tf.Tensor {
  const terms: tf.Tensor[] = [];
  for (let k = 0; k <= K; k++) terms.push(tf.exp(logPmf(k)));
  // Suffix sums S(k) = Σ_{j > k} pmf(j), summed from the smallest terms up.
  const surv: tf.Tensor[] = new Array<tf.Tensor>(K);
  let acc: tf.Tensor = tf.zerosLike(terms[K]!);
  for (let k = K - 1; k >= 0; k--) {
    acc = tf.add(acc, terms[k + 1]!);
    surv[k] = acc;
  }
  let x: tf.Tensor = tf.zerosLike(v);
  for (let k = 0; k < K; k++) {
    const prev = x;
    x = tf.tidy(() => tf.add(prev, tf.cast(tf.less(v, surv[k]!), 'float32')));
    prev.dispose();
  }
  return x;
}

/**
 * Poisson(rate) draws of `shape`; `rate` (rate >= 0) broadcasts to `shape`.
 * Rate 0 gives 0; NaN or negative rates give NaN. `rounds` (tensor-op path
 * only) is the number of PTRS rounds.
 *
 * @example
 * ```ts
 * const x = randomPoisson([1000, 2], tf.tensor1d([0.05, 900]), 1);
 * ```
 */
export function randomPoisson(shape: number[], rate: tf.Tensor, seed?: number, rounds = COUNT_SAMPLER_ROUNDS): tf.Tensor {
  if (useSamplerKernels()) return runSamplerKernel('TfpRandomPoisson', shape, [rate], seed);
  return tf.tidy(() => {
    const seeds = splitSeed(seed, 1 + 2 * rounds);
    const lam = tf.cast(rate, 'float32');
    // Inversion for rate < 10 (rates >= 10 are clamped here; that branch is discarded for them).
    const lamLow = tf.clipByValue(lam, 1e-30, SMALL_MEAN);
    const logLamLow = tf.log(lamLow);
    const small = invertFromLogPmf(
      (k) => tf.sub(tf.sub(tf.mul(logLamLow, k), lamLow), lgammaConst(k + 1)),
      randomUniform(shape, seeds[0]),
    );
    // PTRS for rate >= 10.
    const lamHi = tf.maximum(lam, SMALL_MEAN);
    const slam = tf.sqrt(lamHi);
    const b = tf.add(0.931, tf.mul(2.53, slam));
    const a = tf.add(-0.059, tf.mul(0.02483, b));
    const logInvAlpha = tf.log(tf.add(1.1239, tf.div(1.1328, tf.sub(b, 3.4))));
    const vr = tf.sub(0.9277, tf.div(3.6224, tf.sub(b, 2)));
    let out: tf.Tensor = tf.fill(shape, NaN); // NaN where no round accepts
    let done: tf.Tensor = tf.zeros(shape, 'bool');
    for (let r = 0; r < rounds; r++) {
      const [prevOut, prevDone] = [out, done];
      [out, done] = tf.tidy(() => {
        const u = tf.sub(randomUniform(shape, seeds[1 + 2 * r]), 0.5);
        const v = randomUniform(shape, seeds[2 + 2 * r]);
        const us = tf.sub(0.5, tf.abs(u));
        const k = tf.floor(tf.add(tf.mul(tf.add(tf.div(tf.mul(2, a), us), b), u), tf.add(lamHi, 0.43)));
        const squeeze = tf.logicalAnd(tf.greaterEqual(us, 0.07), tf.lessEqual(v, vr));
        const reject = tf.logicalOr(tf.less(k, 0), tf.logicalAnd(tf.less(us, 0.013), tf.greater(v, us)));
        const kSafe = tf.maximum(k, 0);
        const lhs = tf.sub(tf.add(tf.log(v), logInvAlpha), tf.log(tf.add(tf.div(a, tf.square(us)), b)));
        const rhs = poissonLogPmf(kSafe, lamHi);
        const accept = tf.logicalOr(squeeze, tf.logicalAnd(tf.logicalNot(reject), tf.lessEqual(lhs, rhs)));
        const take = tf.logicalAnd(accept, tf.logicalNot(prevDone));
        return [tf.where(take, kSafe, prevOut), tf.logicalOr(prevDone, accept)];
      });
      tf.dispose([prevOut, prevDone]);
    }
    const x = tf.where(tf.less(lam, SMALL_MEAN), small, out);
    const bad = tf.logicalOr(tf.isNaN(lam), tf.less(lam, 0));
    return tf.where(bad, tf.fill(shape, NaN), x);
  });
}

/**
 * Binomial(totalCount, probs) draws of `shape`; `totalCount` (non-negative
 * integers) and `probs` (in [0, 1]) broadcast to `shape`. `rounds` (tensor-op
 * path only) is the number of BTRS rounds.
 *
 * @example
 * ```ts
 * const x = randomBinomial([1000, 3], tf.scalar(50), tf.tensor1d([0.1, 0.5, 0.97]).reshape([1, 3]), 3);   // [1000, 3]
 * ```
 */
export function randomBinomial(shape: number[], totalCount: tf.Tensor, probs: tf.Tensor, seed?: number, rounds = COUNT_SAMPLER_ROUNDS): tf.Tensor {
  if (useSamplerKernels()) return runSamplerKernel('TfpRandomBinomial', shape, [totalCount, probs], seed);
  return tf.tidy(() => {
    const seeds = splitSeed(seed, 1 + 2 * rounds);
    const n = tf.cast(totalCount, 'float32');
    const p0 = tf.cast(probs, 'float32');
    // Draw the count of the rarer outcome and flip back: q = min(p, 1 - p) <= 1/2.
    const flip = tf.greater(p0, 0.5);
    const p = tf.where(flip, tf.sub(1, p0), p0);
    const mean = tf.mul(n, p);
    // Inversion for n·p < 10; log C(n, k) = log C(n, k-1) + log(n - k + 1) - log k, term by term.
    const pLow = tf.maximum(p, 1e-30);
    const logP = tf.log(pLow);
    const log1mP = log1p(tf.neg(pLow));
    let logC: tf.Tensor = tf.zerosLike(n);
    const small = invertFromLogPmf((k) => {
      if (k > 0) logC = tf.add(logC, tf.sub(tf.log(tf.maximum(tf.sub(n, k - 1), 1e-30)), Math.log(k)));
      const nk = tf.sub(n, k);
      const lp = tf.add(logC, tf.add(tf.mul(logP, k), tf.mul(tf.maximum(nk, 0), log1mP)));
      return tf.where(tf.less(nk, 0), tf.fill(lp.shape, -Infinity), lp);
    }, randomUniform(shape, seeds[0]));
    // BTRS for n·p >= 10 (parameters made safe where the branch is discarded).
    const big = tf.greaterEqual(mean, SMALL_MEAN);
    const nB = tf.where(big, n, tf.fill(n.shape, 40));
    const pB = tf.where(big, p, tf.fill(p.shape, 0.5));
    const qB = tf.sub(1, pB);
    const spq = tf.sqrt(tf.mul(tf.mul(nB, pB), qB));
    const b = tf.add(1.15, tf.mul(2.53, spq));
    const a = tf.add(tf.add(-0.0873, tf.mul(0.0248, b)), tf.mul(0.01, pB));
    const c = tf.add(tf.mul(nB, pB), 0.5);
    const vr = tf.sub(0.92, tf.div(4.2, b));
    const logAlpha = tf.log(tf.mul(tf.add(2.83, tf.div(5.1, b)), spq));
    const m = tf.floor(tf.mul(tf.add(nB, 1), pB));
    const logPmfM = binomialLogPmf(m, nB, pB, qB);
    let out: tf.Tensor = tf.fill(shape, NaN); // NaN where no round accepts
    let done: tf.Tensor = tf.zeros(shape, 'bool');
    for (let r = 0; r < rounds; r++) {
      const [prevOut, prevDone] = [out, done];
      [out, done] = tf.tidy(() => {
        const u = tf.sub(randomUniform(shape, seeds[1 + 2 * r]), 0.5);
        const v = randomUniform(shape, seeds[2 + 2 * r]);
        const us = tf.sub(0.5, tf.abs(u));
        const k = tf.floor(tf.add(tf.mul(tf.add(tf.div(tf.mul(2, a), us), b), u), c));
        const squeeze = tf.logicalAnd(tf.greaterEqual(us, 0.07), tf.lessEqual(v, vr));
        const outside = tf.logicalOr(tf.less(k, 0), tf.greater(k, nB));
        const kSafe = tf.clipByValue(k, 0, 1e30);
        const kc = tf.minimum(kSafe, nB);
        const lhs = tf.add(tf.log(v), tf.sub(logAlpha, tf.log(tf.add(tf.div(a, tf.square(us)), b))));
        const rhs = tf.sub(binomialLogPmf(kc, nB, pB, qB), logPmfM);
        const accept = tf.logicalOr(squeeze, tf.logicalAnd(tf.logicalNot(outside), tf.lessEqual(lhs, rhs)));
        const take = tf.logicalAnd(accept, tf.logicalNot(prevDone));
        return [tf.where(take, kc, prevOut), tf.logicalOr(prevDone, accept)];
      });
      tf.dispose([prevOut, prevDone]);
    }
    const drawn = tf.where(tf.broadcastTo(big, shape), out, small);
    const x = tf.where(tf.broadcastTo(flip, shape), tf.sub(n, drawn), drawn);
    const bad = tf.logicalOr(tf.logicalOr(tf.isNaN(p0), tf.less(p0, 0)), tf.logicalOr(tf.greater(p0, 1), tf.less(n, 0)));
    return tf.where(tf.broadcastTo(bad, shape), tf.fill(shape, NaN), x);
  });
}
