import * as tf from '@tensorflow/tfjs';
import { Distribution, convertParams, type DistributionOptions, type TensorLike } from './distribution.js';
import { positive, unitInterval } from './constraints.js';
import { registerKL } from './kl.js';
import { binomialCore, gammaEntropyStd, lgammaBregman, stirlerrDiff } from '../math/saddle_point.js';
import { randomLogGammaBatched } from '../math/gamma_sampler.js';
import { betainc, betaincc, betaincinv, digamma, lgamma, log1p, logBetainc, logBetaincc } from '../math/special.js';
import { maskOf, splitSeed, toFloat } from '../util.js';
import { FLOAT32_BELOW_ONE, FLOAT32_TINY, runSamplerKernel, useSamplerKernels } from '../math/sampler_kernels.js';
import { xlog1py, xlogy } from './continuous_util.js';

export interface BetaArgs extends DistributionOptions {
  /** α > 0, the exponent of x ("concentration1"), shape `[...B]`. */
  concentration1: TensorLike;
  /** β > 0, the exponent of 1 - x ("concentration0"), shape `[...B]`. */
  concentration0: TensorLike;
}

/**
 * log B(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b); where the larger parameter c >= 8 (s the
 * smaller), lgamma(c) - lgamma(c + s) as stirlerr(c) - stirlerr(c + s) - (c - ½) log1p(s/c) - s log(c + s) + s,
 * since the two lgamma terms cancel (at c = 1e6 each is 1.3e7 and their difference ~ -7).
 */
export function lbeta(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const direct = tf.sub(tf.add(lgamma(a), lgamma(b)), lgamma(tf.add(a, b)));
  const s = tf.minimum(a, b);
  const c = tf.maximum(tf.maximum(a, b), 8);
  const cs = tf.add(c, s);
  const diff = tf.add(
    tf.sub(stirlerrDiff(c, cs, s), tf.mul(tf.sub(c, 0.5), log1p(tf.div(s, c)))),
    tf.sub(s, tf.mul(s, tf.log(cs))),
  );
  return tf.where(tf.greaterEqual(tf.maximum(a, b), 8), tf.add(lgamma(s), diff), direct);
}

/** x clipped to [0, 1] (NaN kept apart: clipByValue maps it to a bound on some backends). */
function clip01(x: tf.Tensor): tf.Tensor {
  return tf.clipByValue(tf.where(tf.isNaN(x), tf.zerosLike(x), x), 0, 1);
}

/** `value` with NaN where x is NaN. */
function keepNaN(x: tf.Tensor, value: tf.Tensor): tf.Tensor {
  return tf.where(tf.isNaN(tf.add(x, tf.zerosLike(value))), tf.fill(value.shape, NaN), value);
}

/**
 * The Beta distribution on [0, 1].
 *
 * Mathematical details: `p(x; α, β) = x^(α-1) (1 - x)^(β-1) / B(α, β)`;
 * `cdf(x) = I_x(α, β)`, the regularized incomplete beta function
 * (survivalFunction is the complement `1 - I_x(α, β)` evaluated directly, accurate
 * at tiny x and in the right tail; logCdf and logSurvivalFunction are computed in
 * log space and stay finite where the probabilities underflow float32).
 * `quantile(p)` inverts I_x(α, β) (tfp.math.betaincinv).
 * Mean α/(α+β), variance αβ / ((α+β)² (α+β+1)), mode (α-1)/(α+β-2).
 *
 * Undefined statistics follow TFP's default `allow_nan_stats=True`: `mode()` is
 * NaN unless α > 1 and β > 1.
 *
 * Not reparameterized: `X = G₁ / (G₁ + G₀)` with `Gᵢ ~ Gamma(concentrationᵢ, 1)`
 * from the batched gamma sampler, computed as `sigmoid(log G₁ - log G₀)` so tiny
 * concentrations (where the gammas underflow) still give valid draws; draws are
 * kept inside (0, 1), in [1.18e-38, 1 - 2^-24] (float32's smallest normal number
 * and its largest number below 1), so `logProb` is finite at every draw.
 *
 * Support: [0, 1]. Without `validateArgs`, values outside it are not checked: `logProb` is -Infinity outside [0, 1]; `cdf` clamps x to [0, 1].
 * With `validateArgs: true`, `logProb`, `prob`, `cdf`, `logCdf`, `survivalFunction` and
 * `logSurvivalFunction` throw an `InvalidArgumentError` naming the first value outside (a read-back).
 *
 * @example
 * ```ts
 * const d = new tfd.Beta({ concentration1: [0.5, 2], concentration0: [0.5, 5] });
 * d.sample([5], { seed: 1 }).shape;   // [5, 2]
 * d.mean();                            // [0.5, 0.2857]
 * ```
 */
export class Beta extends Distribution {
  static override readonly parameterProperties = { concentration1: { constraint: positive }, concentration0: { constraint: positive } };
  readonly concentration1: tf.Tensor;
  readonly concentration0: tf.Tensor;

  constructor(args: BetaArgs) {
    const params = convertParams('Beta', args, Beta.parameterProperties);
    super({ ...args, className: 'Beta', params, eventShape: [], reparameterized: false, support: unitInterval });
    this.concentration1 = params.concentration1.value;
    this.concentration0 = params.concentration0.value;
  }

  protected sampleN(n: number, seed?: number): tf.Tensor {
    const params = [tf.broadcastTo(this.concentration1, this.batchShape), tf.broadcastTo(this.concentration0, this.batchShape)];
    if (useSamplerKernels()) return runSamplerKernel('TfpRandomBeta', [n, ...this.batchShape], params, seed);
    const [s1, s0] = splitSeed(seed, 2);
    const l1 = randomLogGammaBatched([n], tf.broadcastTo(this.concentration1, this.batchShape), s1);
    const l0 = randomLogGammaBatched([n], tf.broadcastTo(this.concentration0, this.batchShape), s0);
    // Inside (0, 1) as float32 can hold it: [FLOAT32_TINY, 1 - 2^-24], where logProb is finite. (At
    // concentrations 0.01 about 42% of the exact draws round to 1 and 18% to 0 in float32.)
    const x = tf.sigmoid(tf.sub(l1, l0));
    return tf.where(tf.isNaN(x), x, tf.minimum(tf.maximum(x, FLOAT32_TINY), FLOAT32_BELOW_ONE));
  }

  protected override logProbFn(x: tf.Tensor): tf.Tensor {
    // (α-1) log x + (β-1) log1p(-x) - log B(α, β); -Infinity outside [0, 1].
    // Conditions use greaterEqual and arithmetic only: they have gradients (continuous_util.ts).
    const inSupport = tf.greaterEqual(tf.minimum(x, tf.sub(1, x)), 0);
    const safeX = tf.where(inSupport, x, tf.fill(x.shape, 0.5));
    const a = this.concentration1;
    const b = this.concentration0;
    const direct = tf.sub(tf.add(xlogy(tf.sub(a, 1), safeX), xlog1py(tf.sub(b, 1), tf.neg(safeX))), lbeta(a, b));
    // α, β >= 2: Loader's form (as R's dbeta), log(α + β - 1) + log[C(α+β-2, α-1) x^(α-1) (1-x)^(β-1)],
    // without the cancelling lgamma terms of B(α, β).
    const both = maskOf((u, v) => tf.logicalAnd(tf.greaterEqual(u, 2), tf.greaterEqual(v, 2)), a, b);
    const a2 = tf.where(both, tf.add(a, tf.zerosLike(b)), tf.fill(both.shape, 2));
    const b2 = tf.where(both, tf.add(b, tf.zerosLike(a)), tf.fill(both.shape, 2));
    const saddle = tf.add(tf.log(tf.sub(tf.add(a2, b2), 1)), binomialCore(tf.sub(a2, 1), tf.sub(b2, 1), safeX, tf.sub(1, safeX)));
    const lp = tf.where(both, saddle, direct);
    return tf.where(inSupport, lp, tf.fill(lp.shape, -Infinity));
  }
  protected override cdfFn(x: tf.Tensor): tf.Tensor {
    return keepNaN(x, betainc(this.concentration1, this.concentration0, clip01(x)));
  }
  protected override survivalFn(x: tf.Tensor): tf.Tensor {
    // 1 - I_x(α, β) with 1 - x formed in float64 (betaincc): float32 1 - x would round tiny x away.
    return keepNaN(x, betaincc(this.concentration1, this.concentration0, clip01(x)));
  }
  protected override logCdfFn(x: tf.Tensor): tf.Tensor {
    return keepNaN(x, logBetainc(this.concentration1, this.concentration0, clip01(x)));
  }
  protected override logSurvivalFn(x: tf.Tensor): tf.Tensor {
    return keepNaN(x, logBetaincc(this.concentration1, this.concentration0, clip01(x)));
  }
  protected override quantileFn(p: tf.Tensor): tf.Tensor {
    return betaincinv(this.concentration1, this.concentration0, p);
  }
  protected override meanFn(): tf.Tensor {
    return tf.div(this.concentration1, tf.add(this.concentration1, this.concentration0));
  }
  protected override modeFn(): tf.Tensor {
    const a = this.concentration1;
    const b = this.concentration0;
    const m = tf.div(tf.sub(a, 1), tf.sub(tf.add(a, b), 2));
    // NaN unless α > 1 and β > 1, i.e. where min(α, β) <= 1
    const undefinedMode = tf.greaterEqual(tf.sub(1, tf.minimum(a, b)), 0);
    return tf.where(undefinedMode, tf.fill(m.shape, NaN), m);
  }
  protected override varianceFn(): tf.Tensor {
    const a = this.concentration1;
    const b = this.concentration0;
    const t = tf.add(a, b);
    return tf.div(tf.mul(a, b), tf.mul(tf.square(t), tf.add(t, 1)));
  }
  protected override entropyFn(): tf.Tensor {
    // log B(α, β) - (α-1) ψ(α) - (β-1) ψ(β) + (α+β-2) ψ(α+β) = G(α) + G(β) - G(α+β) - ψ(α+β) with
    // G(a) = a + lgamma(a) + (1 - a) ψ(a) (the entropy of Gamma(a, 1), stable at large a): the
    // α- and β-sized terms cancel exactly instead of in float32.
    const a = this.concentration1;
    const b = this.concentration0;
    const t = tf.add(a, b);
    return tf.sub(tf.sub(tf.add(gammaEntropyStd(a), gammaEntropyStd(b)), gammaEntropyStd(t)), digamma(t));
  }
}

registerKL(Beta, Beta, (p, q) => {
  // log B(α₂, β₂) - log B(α₁, β₁) + (α₁-α₂) ψ(α₁) + (β₁-β₂) ψ(β₁) + (α₂-α₁+β₂-β₁) ψ(α₁+β₁)
  // = G(α₁, α₂) + G(β₁, β₂) - G(α₁+β₁, α₂+β₂), G the Bregman divergence of lgamma: no lgamma terms
  // of size α log α cancel (KL(Beta(1000, 1000) ‖ Beta(1001, 1000)) = 2.5e-4).
  const a1 = p.concentration1;
  const b1 = p.concentration0;
  const a2 = q.concentration1;
  const b2 = q.concentration0;
  const da = tf.sub(a2, a1);
  const db = tf.sub(b2, b1);
  const gs = lgammaBregman(tf.add(a1, b1), tf.add(a2, b2), tf.add(da, db));
  return tf.sub(tf.add(lgammaBregman(a1, a2, da), lgammaBregman(b1, b2, db)), gs);
});
