/**
 * A batched Gamma sampler: one draw per element with its own concentration.
 *
 * `tf.randomGamma` takes a single alpha, so Gamma, Beta, Dirichlet and StudentT
 * draw through this instead. Algorithm: Marsaglia & Tsang (2000), "A simple
 * method for generating gamma variables".
 *
 * On cpu and wasm it runs as a kernel (./sampler_kernels.ts): one float64 draw
 * per element, each looping until it accepts. On other backends (webgl) it is
 * vectorized as rejection rounds of tensor ops:
 *
 * 1. For every element draw z ~ N(0, 1) and u ~ U(0, 1), with
 *    d = a' - 1/3, c = 1/√(9d), w = c z, v = (1 + w)³, and accept where
 *    w > -1 and log u < z²/2 + d - d v + d log v, evaluated as 3 d r(w) with
 *    r(w) = log1p(w) - w + w²/2 - w³/3 (see `propose`: the textbook form
 *    cancels in float32 and biases the draws from a ≈ 1e5 on). The draw is d v.
 * 2. Without reading anything back, compact the first K = min(n, ⌈n/10⌉ + 64)
 *    rejected elements (rank by an exclusive cumsum of the rejection mask,
 *    `tf.scatterND` to their rank), run REDRAW_ROUNDS = 20 further rounds on
 *    those K (in groups of 4 rounds as one [4, K] tensor, keeping each
 *    element's first accepted proposal) and bring them back with
 *    `tf.gatherND` (neither op reads its indices back on webgl or wasm;
 *    `tf.topk` and `tf.gather` would).
 *
 * Everything is tensor ops, so the sampler runs on every backend without a GPU
 * sync, and a seed gives the same draws every time. Why the fixed sizes are
 * safe: one round accepts with probability at least 0.9516 for every a' >= 1
 * (its minimum, at a' = 1; measured 0.95169 over 4e6 proposals in float64).
 * So (a) more than K of n elements are rejected in
 * round 1 with probability < 1e-41 for every n (binomial tail, maximal near
 * n = 860), and (b) an element is rejected in all 21 rounds with probability
 * < 0.0484^21 < 2e-28. Either event would give NaN, never a biased draw.
 *
 * Concentrations a < 1 use the boost G(a) = G(a + 1) · U^(1/a), computed in
 * log space: log G = log G(a + 1) + log(U)/a, which stays finite for tiny a
 * where G itself underflows float32. `randomLogGammaBatched` returns that log,
 * so Beta and Dirichlet can normalize in log space and stay exact on tiny
 * concentrations.
 *
 * Every random number comes from `randomNormal`/`randomUniform` in
 * ./random.js with seeds derived from the one user seed by `splitSeed`, so
 * draws are reproducible. The sampler is not differentiable with respect to
 * the concentration (no implicit reparameterization gradient).
 */
import * as tf from '@tensorflow/tfjs';
import { asShape, sizeOf, splitSeed, toFloat, type TensorLike } from '../util.js';
import { randomNormal, randomUniform } from './random.js';
import { log1p } from './special.js';
import { FLOAT32_TINY, runSamplerKernel, useSamplerKernels } from './sampler_kernels.js';

/** Rounds run on the elements rejected in round 1 (see the module comment for the failure probability). */
const REDRAW_ROUNDS = 20;
/** Rounds evaluated together as one [ROUNDS_PER_GROUP, K] tensor. */
const ROUNDS_PER_GROUP = 4;

/**
 * r(w) = log1p(w) - w + w²/2 - w³/3 (= -w⁴/4 + w⁵/5 - ...): by its series for |w| < 0.1, where
 * the direct form cancels to nothing in float32, directly above.
 */
function logRemainder(w: tf.Tensor): tf.Tensor {
  const w2 = tf.square(w);
  // -w⁴/4 + w⁵/5 - w⁶/6 + w⁷/7 - w⁸/8 (next term < 1.2e-9 w⁴ for |w| < 0.1).
  let series: tf.Tensor = tf.fill(w.shape, -1 / 8);
  for (const c of [1 / 7, -1 / 6, 1 / 5, -1 / 4]) series = tf.add(tf.mul(series, w), c);
  series = tf.mul(series, tf.square(w2));
  const direct = tf.sub(tf.add(log1p(w), tf.mul(0.5, w2)), tf.add(w, tf.mul(1 / 3, tf.mul(w2, w))));
  return tf.where(tf.less(tf.abs(w), 0.1), series, direct);
}

/**
 * One Marsaglia–Tsang proposal for every element of `a` (all a >= 1):
 * returns the log of the candidate draw and whether it is accepted.
 * With w = c z and v = (1 + w)³ the test log u < z²/2 + d (1 - v + log v) is
 * written as log u < 3 d r(w) (the z²/2 and d·(-9w²/2) terms cancel exactly,
 * as d c² = 1/9): in float32 the textbook form loses ~d·1e-7, a bias visible
 * from a ≈ 1e5 on.
 */
function propose(a: tf.Tensor, z: tf.Tensor, u: tf.Tensor): { logX: tf.Tensor; accept: tf.Tensor } {
  const d = tf.sub(a, 1 / 3);
  const c = tf.rsqrt(tf.mul(d, 9));
  const w = tf.mul(c, z);
  const ok = tf.greater(w, -1);
  const wSafe = tf.where(ok, w, tf.zerosLike(w));
  const bound = tf.mul(tf.mul(3, d), logRemainder(wSafe));
  const accept = tf.logicalAnd(ok, tf.less(tf.log(u), bound));
  return { logX: tf.add(tf.log(d), tf.mul(3, log1p(wSafe))), accept };
}

/** The first accepted proposal of `k` rounds for each of the elements `a` [1, m]: [1, m] log draws (NaN if none) and whether any was accepted. */
function rounds(a: tf.Tensor, k: number, seedZ: number, seedU: number): { logX: tf.Tensor; any: tf.Tensor } {
  const m = a.shape[1]!;
  const p = propose(a, randomNormal([k, m], seedZ), randomUniform([k, m], seedU));
  const acc = tf.cast(p.accept, 'float32');
  const first = tf.logicalAnd(p.accept, tf.equal(tf.cumsum(acc, 0, true), 0));
  const any = tf.greater(tf.max(acc, 0, true), 0);
  const pick = tf.sum(tf.where(first, p.logX, tf.zerosLike(p.logX)), 0, true);
  return { logX: tf.where(any, pick, tf.fill([1, m], NaN)), any };
}

/**
 * Core: log Gamma(a, 1) draws of shape [n, ...alpha.shape], as tensor ops only.
 */
function logGammaDraws(n: number, alphaT: tf.Tensor, seed: number | undefined): tf.Tensor {
  const shape = [n, ...alphaT.shape];
  const total = n * alphaT.size;
  if (total === 0) return tf.zeros(shape);
  if (useSamplerKernels()) return runSamplerKernel('TfpRandomGamma', shape, [alphaT], seed, 1);
  const groups = REDRAW_ROUNDS / ROUNDS_PER_GROUP;
  const seeds = splitSeed(seed, 3 + 2 * groups);
  return tf.tidy(() => {
    const a = tf.reshape(tf.broadcastTo(tf.reshape(alphaT, [1, alphaT.size]), [n, alphaT.size]), [1, total]);
    const valid = tf.logicalAnd(tf.greater(a, 0), tf.isFinite(a));
    const boost = tf.logicalAnd(valid, tf.less(a, 1));
    const aSafe = tf.where(valid, tf.where(boost, tf.add(a, 1), a), tf.onesLike(a));
    // Round 1 on every element; invalid concentrations (<= 0, NaN, Inf) give NaN and are not redrawn.
    const r1 = rounds(aSafe, 1, seeds[1]!, seeds[2]!);
    const rejected = tf.logicalAnd(valid, tf.logicalNot(r1.any));
    // Compact the first K rejected elements without reading anything back: element i, rejected with
    // rank j (exclusive cumsum of the mask) < K, is scattered to slot j; the others go to a spare slot K.
    const K = Math.min(total, Math.ceil(total / 10) + 64);
    const flatRej = tf.reshape(rejected, [total]);
    const rank = tf.cumsum(tf.cast(flatRej, 'int32'), 0, true);
    const inK = tf.logicalAnd(flatRej, tf.less(rank, K));
    const slot = tf.reshape(tf.where(inK, rank, tf.fill([total], K, 'int32')), [total, 1]);
    const filled = tf.greater(tf.slice(tf.scatterND(slot, tf.onesLike(rank), [K + 1]), 0, K), 0);
    const aScattered = tf.slice(tf.scatterND(slot, tf.reshape(aSafe, [total]), [K + 1]), 0, K);
    const aK = tf.reshape(tf.where(filled, aScattered, tf.onesLike(aScattered)), [1, K]);
    let logXK: tf.Tensor = tf.fill([1, K], NaN);
    let doneK: tf.Tensor = tf.zeros([1, K], 'bool');
    for (let g = 0; g < groups; g++) {
      const r = rounds(aK, ROUNDS_PER_GROUP, seeds[3 + 2 * g]!, seeds[4 + 2 * g]!);
      logXK = tf.where(tf.logicalAnd(tf.logicalNot(doneK), r.any), r.logX, logXK);
      doneK = tf.logicalOr(doneK, r.any);
    }
    // Back: element i reads slot rank_i (gatherND: no index read-back on the GPU backends).
    const back = tf.reshape(tf.minimum(rank, tf.scalar(K - 1, 'int32')), [total, 1]);
    const redrawn = tf.gatherND(tf.reshape(logXK, [K]), back);
    const ok = tf.logicalAnd(inK, tf.greater(tf.gatherND(tf.cast(tf.reshape(doneK, [K]), 'float32'), back), 0));
    const logX1 = tf.where(valid, r1.logX, tf.fill([1, total], NaN));
    const logX = tf.where(tf.reshape(ok, [1, total]), tf.reshape(redrawn, [1, total]), logX1);
    // Boost for a < 1: log G(a) = log G(a + 1) + log(U) / a.
    const logU = tf.log(randomUniform([1, total], seeds[0]));
    const boosted = tf.where(boost, tf.add(logX, tf.div(logU, tf.where(boost, a, tf.onesLike(a)))), logX);
    return tf.reshape(boosted, shape);
  });
}

function prepare(sampleShape: number | number[], concentration: TensorLike, owner: string): [number[], tf.Tensor] {
  const s = asShape(sampleShape, owner);
  const a = toFloat(concentration, 'concentration', owner);
  return [s, a];
}

/**
 * Log of Gamma(concentration, 1) draws, shape `[...sampleShape, ...concentration.shape]`:
 * each element has its own concentration. Finite even where the draw itself
 * underflows float32 (concentration ≲ 0.05). Not differentiable.
 *
 * @example
 * ```ts
 * const logG = tfp.math.randomLogGammaBatched([1000], [0.01, 1, 50], 7);  // [1000, 3]
 * ```
 */
export function randomLogGammaBatched(sampleShape: number | number[], concentration: TensorLike, seed?: number): tf.Tensor {
  const [s, a] = prepare(sampleShape, concentration, 'randomLogGammaBatched');
  try {
    return tf.tidy(() => tf.reshape(logGammaDraws(sizeOf(s), a, seed), [...s, ...a.shape]));
  } finally {
    a.dispose();
  }
}

/**
 * Gamma(concentration, 1) draws, shape `[...sampleShape, ...concentration.shape]`,
 * with a different concentration per element (`tf.randomGamma` takes one).
 * Draws that underflow float32 are clamped to its smallest normal number
 * (1.18e-38), as in TFP. Divide by a rate for Gamma(concentration, rate).
 *
 * @example
 * ```ts
 * const g = tfp.math.randomGammaBatched([5], [0.5, 2, 10], 1);  // [5, 3]
 * ```
 */
export function randomGammaBatched(sampleShape: number | number[], concentration: TensorLike, seed?: number): tf.Tensor {
  const [s, a] = prepare(sampleShape, concentration, 'randomGammaBatched');
  try {
    return tf.tidy(() => {
      const shape = [...s, ...a.shape];
      if (useSamplerKernels() && sizeOf(shape) > 0) return runSamplerKernel('TfpRandomGamma', shape, [a], seed, 0);
      const g = tf.exp(logGammaDraws(sizeOf(s), a, seed));
      const clamped = tf.where(tf.isNaN(g), g, tf.maximum(g, FLOAT32_TINY)); // NaN stays NaN
      return tf.reshape(clamped, [...s, ...a.shape]);
    });
  } finally {
    a.dispose();
  }
}
