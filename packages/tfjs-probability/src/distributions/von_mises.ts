import * as tf from '@tensorflow/tfjs';
import { fixedInterval } from './event_space.js';
import { Distribution, convertParams, type DistributionOptions, type TensorLike } from './distribution.js';
import { nonNegative, real, realLine } from './constraints.js';
import { registerKL } from './kl.js';
import { randomUniform } from '../math/random.js';
import { i0e, i1e, logI0 } from '../math/bessel.js';
import { ndtr } from '../math/special.js';
import { maskOf, splitSeed } from '../util.js';

const LOG_2PI = Math.log(2 * Math.PI);
/** Vectorized Best–Fisher rounds: acceptance >= 0.65 per round, so a leftover has probability < 0.35^32 ≈ 3e-15. */
const ROUNDS = 32;

export interface VonMisesArgs extends DistributionOptions {
  /** Mean direction μ (radians), shape `[...B]`. */
  loc: TensorLike;
  /** Concentration κ >= 0 (0 is the uniform distribution on the circle), shape `[...B]`. */
  concentration: TensorLike;
}

/**
 * The von Mises distribution on the circle, values in [-π, π).
 *
 * Mathematical details: `p(x; μ, κ) = exp(κ cos(x - μ)) / (2π I₀(κ))`, with
 * `log I₀` from the exponentially scaled Bessel function (no overflow at large
 * κ). As TFP: mean and mode μ, variance the circular variance `1 - I₁(κ)/I₀(κ)`,
 * entropy `-κ I₁(κ)/I₀(κ) + log(2π I₀(κ))`. `logProb` is differentiable in μ
 * and κ (d/dκ log I₀ = I₁/I₀). `cdf` as TFP (Hill's series / corrected normal approximation),
 * counting whole periods below x.
 *
 * Sampling (not reparameterized): Best & Fisher's (1979) wrapped-Cauchy
 * rejection, vectorized over a fixed 32 rounds (every round accepts with
 * probability >= 0.65; an element rejected in all of them, probability
 * < 3e-15, is NaN, never a biased draw). The constants are computed in forms that
 * avoid cancellation at small and large κ.
 *
 * @example
 * ```ts
 * const d = new tfd.VonMises({ loc: [0, 1], concentration: [0.5, 20] });
 * d.sample([4], { seed: 1 }).shape;   // [4, 2]
 * d.logProb([0, 1]);
 * ```
 */
export class VonMises extends Distribution {
  static override readonly parameterProperties = { loc: { constraint: real }, concentration: { constraint: nonNegative } };
  static override readonly eventSpace = fixedInterval(-Math.PI, Math.PI);
  readonly loc: tf.Tensor;
  readonly concentration: tf.Tensor;

  constructor(args: VonMisesArgs) {
    const params = convertParams('VonMises', args, VonMises.parameterProperties);
    super({ ...args, className: 'VonMises', params, eventShape: [], reparameterized: false, support: realLine });
    this.loc = params.loc.value;
    this.concentration = params.concentration.value;
  }


  /** I₁(κ)/I₀(κ). */
  private besselRatio(): tf.Tensor {
    return tf.div(i1e(this.concentration), i0e(this.concentration));
  }
  /**
   * 1 - I₁(κ)/I₀(κ): above κ = 50 the asymptotic series 1/(2κ) + 1/(8κ²) + 1/(8κ³) + 25/(128κ⁴) +
   * 13/(32κ⁵) (relative error < 1e-8 there), where 1 minus the float32 ratio keeps ~1% at κ = 1e5.
   */
  private oneMinusBesselRatio(): tf.Tensor {
    const k = this.concentration;
    const u = tf.reciprocal(tf.maximum(k, 50));
    const series = tf.mul(u, tf.add(0.5, tf.mul(u, tf.add(1 / 8, tf.mul(u, tf.add(1 / 8, tf.mul(u, tf.add(25 / 128, tf.mul(u, 13 / 32)))))))));
    return tf.where(tf.greaterEqual(k, 50), series, tf.sub(1, this.besselRatio()));
  }

  protected sampleN(n: number, seed?: number): tf.Tensor {
    const shape = [n, ...this.batchShape];
    const seeds = splitSeed(seed, 3 * ROUNDS);
    const k = tf.maximum(this.concentration, 1e-20);
    // τ = 1 + √(1 + 4κ²), ρ = (τ - √(2τ))/(2κ), r = (1 + ρ²)/(2ρ): r - 1 = (1 - ρ)²/(2ρ), with
    // ρ and 1 - ρ in forms free of cancellation.
    const s = tf.sqrt(tf.add(1, tf.mul(4, tf.square(k))));
    const tau = tf.add(1, s);
    const sq2tau = tf.sqrt(tf.mul(2, tau));
    const rho = tf.div(tf.mul(tau, tf.mul(2, k)), tf.mul(tf.add(s, 1), tf.add(tau, sq2tau)));
    // 1 - ρ: directly for κ < 1 (ρ <= 0.62), else (√(2τ) - 1 - 1/(s + 2κ))/(2κ) (ρ -> 1 as κ grows).
    const oneMinusRhoLarge = tf.div(tf.sub(tf.sub(sq2tau, 1), tf.reciprocal(tf.add(s, tf.mul(2, k)))), tf.mul(2, k));
    const oneMinusRho = tf.where(tf.less(k, 1), tf.sub(1, rho), oneMinusRhoLarge);
    const rm1 = tf.div(tf.square(oneMinusRho), tf.mul(2, rho));
    const r = tf.add(1, rm1);
    const kRm1 = tf.mul(k, rm1);
    let out: tf.Tensor = tf.fill(shape, NaN); // NaN where no round accepts
    let done: tf.Tensor = tf.zeros(shape, 'bool');
    for (let i = 0; i < ROUNDS; i++) {
      // One tidy per round: only the running result outlives it.
      const [prevOut, prevDone] = [out, done];
      [out, done] = tf.tidy(() => {
        const u1 = randomUniform(shape, seeds[3 * i]);
        const u2 = randomUniform(shape, seeds[3 * i + 1]);
        const u3 = randomUniform(shape, seeds[3 * i + 2]);
        const z = tf.cos(tf.mul(Math.PI, u1));
        const oneMinusZ = tf.mul(2, tf.square(tf.sin(tf.mul(Math.PI / 2, u1))));
        const rz = tf.add(r, z);
        const oneMinusF = tf.div(tf.mul(rm1, oneMinusZ), rz);
        const c = tf.div(tf.mul(kRm1, tf.add(r, 1)), rz); // κ (r - f) = κ (r² - 1)/(r + z)
        const accept = tf.logicalOr(
          tf.greater(tf.sub(tf.mul(c, tf.sub(2, c)), u2), 0),
          tf.greaterEqual(tf.add(tf.sub(tf.log(tf.div(c, u2)), c), 1), 0),
        );
        // θ = ±acos(f) = ±2 asin(√((1 - f)/2)), accurate near 0.
        const theta = tf.mul(2, tf.asin(tf.sqrt(tf.clipByValue(tf.mul(0.5, oneMinusF), 0, 1))));
        const signed = tf.where(tf.less(u3, 0.5), tf.neg(theta), theta);
        const take = tf.logicalAnd(accept, tf.logicalNot(prevDone));
        return [tf.where(take, signed, prevOut), tf.logicalOr(prevDone, accept)];
      });
      tf.dispose([prevOut, prevDone]);
    }
    const x = tf.add(out, this.loc);
    // Wrap to [-π, π).
    return tf.sub(x, tf.mul(2 * Math.PI, tf.floor(tf.div(tf.add(x, Math.PI), 2 * Math.PI))));
  }

  protected override logProbFn(x: tf.Tensor): tf.Tensor {
    const k = this.concentration;
    return tf.sub(tf.mul(k, tf.cos(tf.sub(x, this.loc))), tf.add(logI0(k), LOG_2PI));
  }
  /**
   * The cdf on the whole line (TFP's convention: each full period below x adds 1), after Hill (1977)
   * as TFP computes it: for κ < 10.5 the backward recursion of the series
   * `½ + x/(2π) + (1/π) Σ_n I_n(κ)/I_0(κ) sin(nx)/n` (20 terms), above it the normal approximation
   * with Hill's correction of `z = √(2/π) sin(x/2) / i0e(κ)`.
   */
  protected override cdfFn(x: tf.Tensor): tf.Tensor {
    const k = tf.add(this.concentration, tf.zerosLike(x));
    const centered = tf.sub(x, this.loc);
    const periods = tf.round(tf.div(centered, 2 * Math.PI));
    const t = tf.sub(centered, tf.mul(2 * Math.PI, periods)); // in [-π, π]
    // Series (κ < 10.5), κ clamped away from 0 (the series tends to the uniform cdf).
    const ks = tf.maximum(tf.minimum(k, 10.5), 1e-6);
    let rn: tf.Tensor = tf.zerosLike(t);
    let vn: tf.Tensor = tf.zerosLike(t);
    for (let n = 20; n >= 1; n--) {
      rn = tf.reciprocal(tf.add(tf.div(2 * n, ks), rn));
      vn = tf.mul(rn, tf.add(tf.div(tf.sin(tf.mul(n, t)), n), vn));
    }
    const series = tf.clipByValue(tf.add(tf.add(0.5, tf.div(t, 2 * Math.PI)), tf.div(vn, Math.PI)), 0, 1);
    // Normal approximation with Hill's correction (κ >= 10.5).
    const kl = tf.maximum(k, 10.5);
    const z = tf.mul(tf.div(Math.sqrt(2 / Math.PI), i0e(kl)), tf.sin(tf.mul(0.5, t)));
    const z2 = tf.square(z);
    const c = tf.mul(24, kl);
    const denom = tf.sub(tf.div(tf.sub(tf.sub(c, tf.mul(2, z2)), 16), 3), tf.div(tf.add(tf.add(tf.square(z2), tf.mul(1.75, z2)), 83.5), tf.add(tf.sub(tf.sub(c, 56), z2), 3)));
    const xi = tf.sub(z, tf.div(tf.mul(z2, z), tf.square(denom)));
    const normal = ndtr(xi);
    return tf.add(tf.where(maskOf((v) => tf.less(v, 10.5), k), series, normal), periods);
  }
  protected override meanFn(): tf.Tensor {
    return tf.add(this.loc, tf.zerosLike(this.concentration));
  }
  protected override modeFn(): tf.Tensor {
    return this.meanFn();
  }
  protected override varianceFn(): tf.Tensor {
    return tf.add(this.oneMinusBesselRatio(), tf.zerosLike(this.loc));
  }
  protected override entropyFn(): tf.Tensor {
    // log I₀(κ) - κ A(κ) + log 2π = log i0e(κ) + κ (1 - A(κ)) + log 2π: no κ-sized terms cancel.
    const k = this.concentration;
    const h = tf.add(tf.add(tf.log(i0e(k)), tf.mul(k, this.oneMinusBesselRatio())), LOG_2PI);
    return tf.add(h, tf.zerosLike(this.loc));
  }
}

registerKL(VonMises, VonMises, (p, q) => {
  // E_p[cos(x - μp)] = A(κp) = I₁/I₀, so KL = A(κp)(κp - κq cos(μp - μq)) + log I₀(κq) - log I₀(κp).
  const a = p['besselRatio']();
  const t = tf.mul(a, tf.sub(p.concentration, tf.mul(q.concentration, tf.cos(tf.sub(p.loc, q.loc)))));
  return tf.add(t, tf.sub(logI0(q.concentration), logI0(p.concentration)));
});
