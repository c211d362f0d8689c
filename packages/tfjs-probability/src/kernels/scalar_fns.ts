/** Float64 scalar helpers shared by the JS kernel loops. */

/** ½ ln 2π. */
export const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** ln(1 + eˣ) without overflow (x for x > 20, eˣ for x < −20). */
export function softplus(x: number): number {
  return x > 20 ? x : x < -20 ? Math.exp(x) : Math.log1p(Math.exp(x));
}

/** 1 / (1 + e⁻ˣ) without overflow on either side. */
export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}
