/**
 * Gauss–Legendre quadrature on [-1, 1]: nodes and weights of the n-point rule, computed once per n
 * in float64 by Newton's method on the Legendre polynomial (Golub–Welsch would need an
 * eigen-solver; Newton from the Chebyshev guesses converges in a few steps to machine precision).
 */
const cache = new Map<number, { nodes: number[]; weights: number[] }>();

/** The n-point Gauss–Legendre rule on [-1, 1] (nodes ascending), float64. */
export function gaussLegendre(n: number): { nodes: number[]; weights: number[] } {
  const hit = cache.get(n);
  if (hit) return hit;
  const nodes = new Array<number>(n);
  const weights = new Array<number>(n);
  for (let i = 0; i < Math.ceil(n / 2); i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let dp = 0;
    for (let it = 0; it < 100; it++) {
      // P_n(x) by the three-term recurrence, and P_n'(x)
      let p0 = 1;
      let p1 = x;
      for (let k = 2; k <= n; k++) [p0, p1] = [p1, ((2 * k - 1) * x * p1 - (k - 1) * p0) / k];
      dp = (n * (x * p1 - p0)) / (x * x - 1);
      const dx = p1 / dp;
      x -= dx;
      if (Math.abs(dx) < 1e-16) break;
    }
    const w = 2 / ((1 - x * x) * dp * dp);
    nodes[i] = -x;
    nodes[n - 1 - i] = x;
    weights[i] = w;
    weights[n - 1 - i] = w;
  }
  const rule = { nodes, weights };
  cache.set(n, rule);
  return rule;
}
