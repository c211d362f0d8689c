/**
 * A batched Gamma sampler: one draw per element with its own concentration.
 *
 * `tf.randomGamma` takes a single alpha, so Gamma, Beta, Dirichlet and StudentT
 * draw through this instead. Algorithm: Marsaglia & Tsang (2000), "A simple
 * method for generating gamma variables", vectorized as rejection rounds:
 *
 * 1. For every element draw z ~ N(0, 1) and u ~ U(0, 1) at once, with
 *    d = a' - 1/3, c = 1/√(9d), v = (1 + c z)³, and accept where
 *    1 + c z > 0 and log u < z²/2 + d - d v + d log v (probability > 0.95
 *    for every a' >= 1). The draw is d v.
 * 2. Read the acceptance mask back once, and redraw only the rejected
 *    elements (a few percent) in further rounds until none is left.
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

/** Rejection rounds after which still-rejected elements (never seen in practice: p < 0.05^64) become NaN. */
const MAX_ROUNDS = 64;
/** Smallest positive normal float32: gamma draws that underflow are clamped here (as TFP does). */
const FLOAT32_TINY = 1.1754943508222875e-38;

/**
 * One Marsaglia–Tsang proposal for every element of `a` (all a >= 1):
 * returns the log of the candidate draw and whether it is accepted.
 */
function propose(a: tf.Tensor, z: tf.Tensor, u: tf.Tensor): { logX: tf.Tensor; accept: tf.Tensor } {
  const d = tf.sub(a, 1 / 3);
  const c = tf.rsqrt(tf.mul(d, 9));
  const t = tf.add(1, tf.mul(c, z)); // v = t³
  const ok = tf.greater(t, 0);
  const logV = tf.mul(3, tf.log(tf.where(ok, t, tf.onesLike(t))));
  const v = tf.exp(logV);
  // log u < z²/2 + d (1 - v + log v)
  const bound = tf.add(tf.mul(0.5, tf.square(z)), tf.mul(d, tf.add(tf.sub(1, v), logV)));
  const accept = tf.logicalAnd(ok, tf.less(tf.log(u), bound));
  return { logX: tf.add(tf.log(d), logV), accept };
}

/**
 * Core: log Gamma(a, 1) draws for a flat list of `count` elements whose
 * concentration is `alpha[i % alpha.length]`. Returns a JS array.
 */
function logGammaFlat(n: number, alphaT: tf.Tensor, seed: number | undefined): Float32Array {
  const alpha = alphaT.dataSync() as Float32Array;
  const b = alpha.length;
  const total = n * b;
  const out = new Float32Array(total);
  if (total === 0) return out;
  const seeds = splitSeed(seed, 3 + 2 * MAX_ROUNDS);
  const anyBoost = alpha.some((a) => a < 1);

  // Round 1, all elements at once, on tensors.
  const [logX1, accept1] = tf.tidy(() => {
    const a = tf.reshape(tf.broadcastTo(tf.reshape(alphaT, [1, b]), [n, b]), [total]);
    const valid = tf.logicalAnd(tf.greater(a, 0), tf.isFinite(a));
    const aEff = tf.where(tf.less(a, 1), tf.add(a, 1), a);
    const aSafe = tf.where(valid, aEff, tf.onesLike(a));
    const { logX, accept } = propose(aSafe, randomNormal([total], seeds[0]), randomUniform([total], seeds[1]));
    // Invalid concentrations (<= 0, NaN, Inf) give NaN draws and are never redrawn.
    const logXv = tf.where(valid, logX, tf.fill([total], NaN));
    return [logXv, tf.logicalOr(accept, tf.logicalNot(valid))];
  });
  out.set(logX1.dataSync() as Float32Array);
  const acc = accept1.dataSync();
  tf.dispose([logX1, accept1]);

  let rejected: number[] = [];
  for (let i = 0; i < total; i++) if (!acc[i]) rejected.push(i);

  // Later rounds: only the rejected elements.
  for (let round = 0; rejected.length > 0 && round < MAX_ROUNDS; round++) {
    const m = rejected.length;
    const aRej = new Float32Array(m);
    for (let j = 0; j < m; j++) {
      const a = alpha[rejected[j]! % b]!;
      aRej[j] = a < 1 ? a + 1 : a;
    }
    const [lx, ac] = tf.tidy(() => {
      const { logX, accept } = propose(
        tf.tensor1d(aRej),
        randomNormal([m], seeds[3 + 2 * round]),
        randomUniform([m], seeds[4 + 2 * round]),
      );
      return [logX, accept];
    });
    const lxd = lx.dataSync();
    const acd = ac.dataSync();
    tf.dispose([lx, ac]);
    const still: number[] = [];
    for (let j = 0; j < m; j++) {
      if (acd[j]) out[rejected[j]!] = lxd[j]!;
      else still.push(rejected[j]!);
    }
    rejected = still;
  }
  for (const i of rejected) out[i] = NaN;

  // Boost for a < 1: log G(a) = log G(a + 1) + log(U) / a.
  if (anyBoost) {
    const logU = tf.tidy(() => tf.log(randomUniform([total], seeds[2])));
    const lu = logU.dataSync();
    logU.dispose();
    for (let i = 0; i < total; i++) {
      const a = alpha[i % b]!;
      if (a > 0 && a < 1) out[i] = out[i]! + lu[i]! / a;
    }
  }
  return out;
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
    const flat = logGammaFlat(sizeOf(s), a, seed);
    return tf.tensor(flat, [...s, ...a.shape], 'float32');
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
    const flat = logGammaFlat(sizeOf(s), a, seed);
    for (let i = 0; i < flat.length; i++) {
      const v = Math.exp(flat[i]!);
      flat[i] = v < FLOAT32_TINY ? FLOAT32_TINY : v; // NaN stays NaN
    }
    return tf.tensor(flat, [...s, ...a.shape], 'float32');
  } finally {
    a.dispose();
  }
}
