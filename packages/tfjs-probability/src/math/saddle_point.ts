/**
 * Loader's saddle-point pieces ("Fast and accurate computation of binomial
 * probabilities", 2000; the form of R's and scipy's `dbinom`/`dpois`), which
 * keep log-densities with large parameters accurate in float32. The direct
 * form `k log λ - λ - lgamma(k + 1)` subtracts numbers of size k log k that
 * cancel to a result of size log k: at λ = k = 1e7 each term is ~1.5e8 and
 * float32 keeps no digit of the answer (-8.978). Here:
 *
 * - stirlerr(x) = log Γ(x + 1) - (x + ½) log x + x - ½ log 2π (small: 1/(12x) - ...);
 * - bd0(x, M) = x log(x/M) + M - x ≥ 0, by the series
 *   (x - M) v + 2x Σ v^(2j+1)/(2j+1), v = (x - M)/(x + M), where |v| < 0.1
 *   (every term positive, so relative-accurate), directly otherwise;
 * - log Poisson(k; λ) = -stirlerr(k) - bd0(k, λ) - ½ log(2πk), and the
 *   binomial, negative-binomial, gamma and multinomial forms built on them;
 * - the Bregman divergence of log Γ (what the Gamma, Beta and Dirichlet KL
 *   divergences are sums of), without the cancellation of the lgamma terms.
 *
 * Everything is tensor ops with gradients (bd0 has an analytic one); the branch masks are
 * computed through maskOf, since tfjs' comparison ops have no gradients.
 */
import * as tf from '@tensorflow/tfjs';
import { digamma, lgamma, log1p, reduceTo } from './special.js';
import { maskOf } from '../util.js';

const LOG_2PI = Math.log(2 * Math.PI);

/** Stirling-series coefficients of stirlerr: 1/(12x) - 1/(360x³) + 1/(1260x⁵) - 1/(1680x⁷). */
const STIRLING = [1 / 12, -1 / 360, 1 / 1260, -1 / 1680];

/**
 * stirlerr(x) / t as a polynomial in t = 1/x on [1/16, 1] (x in [1, 16]): a least-squares fit,
 * max error 6e-10 on stirlerr, made with
 * `t = np.linspace(1/16, 1, 4000); x = 1/t; s = gammaln(x+1) - (x+0.5)*log(x) + x - 0.5*log(2*pi);`
 * `np.polyfit(t, s/t, 8)`. (A table lookup would need tf.gather, whose cpu/wasm kernels read the
 * indices back to check them.)
 */
const STIRLERR_FIT = [
  -3.9153615337542106e-5, 0.00013277844071800588, -2.9488932294196605e-5, -0.0005439581088478896, 0.0010410492154489693,
  -6.402933603479224e-5, -0.0027683751610468204, -7.104648485092527e-7, 0.08333335417483335,
];

/**
 * stirlerr(x) = log Γ(x + 1) - (x + ½) log x + x - ½ log 2π for real x >= 1 (clamped to 1 below):
 * the fit below 16, the Stirling series 1/(12x) - 1/(360x³) + 1/(1260x⁵) - 1/(1680x⁷) above.
 */
export function stirlerr(x: tf.Tensor): tf.Tensor {
  const t = tf.reciprocal(tf.clipByValue(x, 1, 16));
  let fit: tf.Tensor = tf.fill(t.shape, STIRLERR_FIT[0]!);
  for (let i = 1; i < STIRLERR_FIT.length; i++) fit = tf.add(tf.mul(fit, t), STIRLERR_FIT[i]!);
  const small = tf.mul(fit, t);
  const inv = tf.reciprocal(tf.maximum(x, 16));
  const inv2 = tf.square(inv);
  const large = tf.mul(inv, tf.add(STIRLING[0]!, tf.mul(inv2, tf.add(STIRLING[1]!, tf.mul(inv2, tf.add(STIRLING[2]!, tf.mul(inv2, STIRLING[3]!)))))));
  return tf.where(maskOf((v) => tf.less(v, 16), x), small, large);
}

/**
 * stirlerr(b) - stirlerr(a) given d = b - a exactly: above 16 term by term, with
 * b^-(2j+1) - a^-(2j+1) = (1/b - 1/a) Σ a^-i b^-(2j-i) and 1/b - 1/a = -d/(ab), so a
 * difference far below either value keeps its digits.
 */
export function stirlerrDiff(a: tf.Tensor, b: tf.Tensor, d: tf.Tensor): tf.Tensor {
  const big = maskOf((u, v) => tf.logicalAnd(tf.greaterEqual(u, 16), tf.greaterEqual(v, 16)), a, b);
  const ua = tf.reciprocal(tf.maximum(a, 16));
  const ub = tf.reciprocal(tf.maximum(b, 16));
  const d1 = tf.where(big, tf.neg(tf.mul(tf.mul(d, ua), ub)), tf.zerosLike(ua));
  let acc: tf.Tensor = tf.mul(STIRLING[0]!, d1);
  for (let j = 1; j < STIRLING.length; j++) {
    const k = 2 * j + 1;
    let s: tf.Tensor = tf.zerosLike(ua);
    for (let i = 0; i < k; i++) s = tf.add(s, tf.mul(tf.pow(ua, i), tf.pow(ub, k - 1 - i)));
    acc = tf.add(acc, tf.mul(STIRLING[j]!, tf.mul(d1, s)));
  }
  return tf.where(big, acc, tf.sub(stirlerr(b), stirlerr(a)));
}

/** Terms of the bd0 series after the first (|v| < 0.1: the next one is below 1e-16 relative). */
const BD0_TERMS = 7;

function bd0Value(x: tf.Tensor, M: tf.Tensor, diff: tf.Tensor): tf.Tensor {
  const v = tf.div(diff, tf.add(tf.add(x, M), 1e-37));
  const v2 = tf.square(v);
  let ej = tf.mul(tf.mul(2, x), v);
  let s = tf.mul(diff, v);
  for (let j = 1; j <= BD0_TERMS; j++) {
    ej = tf.mul(ej, v2);
    s = tf.add(s, tf.div(ej, 2 * j + 1));
  }
  const safeM = tf.where(tf.equal(M, 0), tf.onesLike(M), M);
  const ratio = tf.where(tf.equal(M, 0), tf.fill(M.shape, Infinity), tf.div(diff, safeM));
  const direct = tf.sub(tf.mul(x, log1p(tf.maximum(ratio, -1))), diff);
  const series = tf.less(tf.abs(v), 0.1);
  const val = tf.where(series, s, direct);
  return tf.where(tf.lessEqual(x, 0), M, val);
}

const bd0Op = tf.customGrad((...args: unknown[]) => {
  const [x, M, diff] = args.slice(0, 3) as tf.Tensor[];
  const save = args[3] as tf.GradSaveFunc;
  const shape = tf.backend_util.assertAndGetBroadcastShape(tf.backend_util.assertAndGetBroadcastShape(x!.shape, M!.shape), diff!.shape);
  const [xb, Mb, db] = [x!, M!, diff!].map((t) => tf.broadcastTo(t, shape));
  save([x!, M!, diff!]);
  return {
    value: bd0Value(xb!, Mb!, db!),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sM, sd] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
      // ∂/∂x = log(x/M), ∂/∂M = 1 - x/M = -(x - M)/M; the difference argument is a shortcut for x - M and carries none.
      const safeM = tf.where(tf.equal(sM, 0), tf.onesLike(sM), sM);
      const r = tf.div(sd, safeM);
      const gx = tf.where(tf.equal(dy, 0), tf.zerosLike(dy), tf.mul(dy, log1p(tf.maximum(r, -1))));
      const gM = tf.where(tf.equal(dy, 0), tf.zerosLike(dy), tf.mul(dy, tf.neg(r)));
      return [reduceTo(gx, sx.shape), reduceTo(gM, sM.shape), tf.zerosLike(sd)];
    },
  };
});

/**
 * bd0(x, M) = x log(x/M) + M - x (the deviance term of Loader's algorithm), elementwise with
 * broadcasting, x >= 0, M >= 0 (M at x = 0, +Infinity at M = 0 < x). `diff`, when given, is
 * x - M computed by the caller without rounding (e.g. n p - k for the binomial's failures):
 * the result's accuracy rests on it. Gradient: log(x/M) in x, 1 - x/M in M.
 */
export function bd0(x: tf.Tensor, M: tf.Tensor, diff?: tf.Tensor): tf.Tensor {
  return bd0Op(x, M, diff ?? tf.sub(x, M));
}

/**
 * log P(X = k) of Poisson(λ) for integer k >= 0 and λ >= 0 (Loader): -λ at k = 0,
 * -stirlerr(k) - bd0(k, λ) - ½ log(2πk) above (-Infinity for k > 0 at λ = 0).
 * Gradient in λ: k/λ - 1.
 */
export function poissonLogPmf(k: tf.Tensor, lam: tf.Tensor): tf.Tensor {
  const k1 = tf.maximum(k, 1);
  const lp = tf.neg(tf.add(tf.add(stirlerr(k1), bd0(k1, lam)), tf.mul(0.5, tf.log(tf.mul(2 * Math.PI, k1)))));
  return tf.where(maskOf((v) => tf.less(v, 0.5), k), tf.neg(tf.add(lam, tf.zerosLike(k))), lp);
}

/**
 * Loader's log C(n, x) p^x q^y for real x, y >= 1, n = x + y, q = 1 - p (both given, neither
 * rounded). The deviations x - n p and y - n q = -(x - n p) are formed from the smaller of p and
 * q, so they keep their digits when n p is large.
 */
export function binomialCore(x: tf.Tensor, y: tf.Tensor, p: tf.Tensor, q: tf.Tensor): tf.Tensor {
  const n = tf.add(x, y);
  const diff = tf.where(maskOf((v) => tf.lessEqual(v, 0.5), p), tf.sub(x, tf.mul(n, p)), tf.sub(tf.mul(n, q), y));
  const st = tf.sub(tf.sub(stirlerr(n), stirlerr(x)), stirlerr(y));
  const dev = tf.add(bd0(x, tf.mul(n, p), diff), bd0(y, tf.mul(n, q), tf.neg(diff)));
  const lf = tf.add(tf.add(LOG_2PI, tf.log(x)), tf.sub(tf.log(y), tf.log(n)));
  return tf.sub(tf.sub(st, dev), tf.mul(0.5, lf));
}

/**
 * log P(X = k) of Binomial(n, p) (q = 1 - p) for integer 0 <= k <= n, n >= 1 (Loader):
 * n log q at k = 0, n log p at k = n, binomialCore between.
 */
export function binomialLogPmf(k: tf.Tensor, n: tf.Tensor, p: tf.Tensor, q: tf.Tensor): tf.Tensor {
  const nk = tf.sub(n, k);
  const k1 = tf.maximum(k, 1);
  const nk1 = tf.maximum(nk, 1);
  const lp = binomialCore(k1, nk1, p, q);
  const at0 = tf.mul(n, log1p(tf.neg(p))); // k = 0: n log q
  const atN = tf.mul(n, tf.log(p)); // k = n: n log p
  return tf.where(maskOf((v) => tf.less(v, 0.5), k), at0, tf.where(maskOf((v) => tf.less(v, 0.5), nk), atN, lp));
}

/**
 * log(λ^(a-1) e^(-λ) / Γ(a)) for a >= 2 and λ >= 0 (Loader's `dpois_raw(a - 1, λ)`): the
 * gamma density with rate 1 at λ, without the cancellation of (a-1) log λ, λ and lgamma(a).
 */
export function gammaKernelLog(a: tf.Tensor, lam: tf.Tensor): tf.Tensor {
  const am1 = tf.maximum(tf.sub(a, 1), 1);
  return tf.neg(tf.add(tf.add(stirlerr(am1), bd0(am1, lam)), tf.mul(0.5, tf.log(tf.mul(2 * Math.PI, am1)))));
}

/** Below this the direct lgamma forms are used (no cancellation worth the name there). */
export const SADDLE_MIN = 2;

/**
 * ψ(a) - log a + 1/(2a) (≈ -1/(12a²)): the asymptotic series above 16, digamma below.
 */
function digammaRemainder(a: tf.Tensor): tf.Tensor {
  const big = tf.maximum(a, 16);
  const i2 = tf.reciprocal(tf.square(big));
  const series = tf.mul(i2, tf.add(-1 / 12, tf.mul(i2, tf.add(1 / 120, tf.mul(i2, tf.add(-1 / 252, tf.mul(i2, 1 / 240)))))));
  const small = tf.clipByValue(a, 1e-30, 16);
  const direct = tf.add(tf.sub(digamma(small), tf.log(small)), tf.div(0.5, small));
  return tf.where(maskOf((v) => tf.less(v, 16), a), direct, series);
}

/**
 * lgamma(b) - lgamma(a) - (b - a) ψ(a) >= 0, the Bregman divergence of log Γ (a, b > 0).
 * For a, b >= 1 through stirlerr and bd0, relative-accurate when b is close to a (the KL
 * divergence of Gamma(a, 1) from Gamma(b, 1) is this); by the lgamma terms otherwise. `diff`,
 * when given, is b - a formed by the caller without rounding.
 */
export function lgammaBregman(a: tf.Tensor, b: tf.Tensor, diff?: tf.Tensor): tf.Tensor {
  const stable = maskOf((u, v) => tf.logicalAnd(tf.greaterEqual(u, 1), tf.greaterEqual(v, 1)), a, b);
  const as = tf.where(stable, a, tf.onesLike(a));
  const bs = tf.where(stable, b, tf.onesLike(b));
  const d = tf.where(stable, diff ?? tf.sub(b, a), tf.zerosLike(as));
  const t = tf.div(d, as);
  // bd0(b, a) + ½ (t - log1p(t)) - d r(a) + stirlerr(b) - stirlerr(a), where t - log1p(t) = bd0(1, 1 + t)
  const s = tf.add(
    tf.add(bd0(bs, as, d), tf.mul(0.5, bd0(tf.onesLike(t), tf.add(1, t), tf.neg(t)))),
    tf.sub(stirlerrDiff(as, bs, d), tf.mul(d, digammaRemainder(as))),
  );
  const ad = tf.where(stable, tf.onesLike(a), a);
  const bd = tf.where(stable, tf.onesLike(b), b);
  const direct = tf.sub(tf.sub(lgamma(bd), lgamma(ad)), tf.mul(tf.sub(bd, ad), digamma(ad)));
  return tf.where(stable, s, direct);
}

/**
 * The entropy of Gamma(a, rate 1), a + lgamma(a) + (1 - a) ψ(a), for a > 0; above 16 as
 * ½ log(2πa) + ½ + stirlerr(a) - 1/(2a) + (1 - a) r(a) with r = ψ - log + 1/(2a)
 * (the direct form loses whole nats to cancellation at a = 1e6).
 */
export function gammaEntropyStd(a: tf.Tensor): tf.Tensor {
  const big = maskOf((v) => tf.greaterEqual(v, 16), a);
  const ab = tf.maximum(a, 16);
  const asym = tf.add(
    tf.add(tf.mul(0.5, tf.log(tf.mul(2 * Math.PI, ab))), tf.sub(0.5, tf.div(0.5, ab))),
    tf.add(stirlerr(ab), tf.mul(tf.sub(1, ab), digammaRemainder(ab))),
  );
  const as = tf.minimum(a, 16);
  const direct = tf.add(tf.add(as, lgamma(as)), tf.mul(tf.sub(1, as), digamma(as)));
  return tf.where(big, asym, direct);
}
