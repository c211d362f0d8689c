/**
 * Data of the playground panels, generated in the page with fixed seeds: recipe 002's spiral
 * from the CLI package's browser-safe generator, and the covariance panel's law.
 */
import { mulberry32 as rng } from '../../packages/tfjs-prob-cli/src/rng.js';
export { noisySpiral } from '../../packages/tfjs-prob-cli/src/spiral_data.js';
export { rng };

/** A standard normal draw from a uniform generator (Box–Muller). */
export function gaussian(u: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/**
 * The true conditional law of the covariance panel (recipes 001/000 in 2-D): for an input
 * t in [-1, 1], y ~ N(μ(t), Σ(t)) with μ(t) = (1.5 sin 2t, t) and Σ(t) = L Lᵀ, where L is
 * lower-triangular with diagonal (0.25 + 0.35(1 + t)/2, 0.15 + 0.2|t|) and off-diagonal
 * 0.3 sin 3t: the ellipse grows, shrinks and turns as t moves.
 */
export function trueLaw(t: number): { mean: [number, number]; tril: [number, number, number] } {
  return {
    mean: [1.5 * Math.sin(2 * t), t],
    tril: [0.25 + 0.35 * ((1 + t) / 2), 0.3 * Math.sin(3 * t), 0.15 + 0.2 * Math.abs(t)],
  };
}

/** Covariance [a, b, c] (= [[a, b], [b, c]]) of a lower-triangular factor [l11, l21, l22]. */
export function covOfTril([l11, l21, l22]: [number, number, number]): [number, number, number] {
  return [l11 * l11, l11 * l21, l21 * l21 + l22 * l22];
}

/** `n` rows of (t, y1, y2) from `trueLaw`, t uniform on [-1, 1]. */
export function covarianceData(n: number, seed = 7): { t: Float32Array; y: Float32Array } {
  const u = rng(seed);
  const t = new Float32Array(n);
  const y = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const ti = 2 * u() - 1;
    const { mean, tril } = trueLaw(ti);
    const z1 = gaussian(u);
    const z2 = gaussian(u);
    t[i] = ti;
    y[2 * i] = mean[0] + tril[0] * z1;
    y[2 * i + 1] = mean[1] + tril[1] * z1 + tril[2] * z2;
  }
  return { t, y };
}
