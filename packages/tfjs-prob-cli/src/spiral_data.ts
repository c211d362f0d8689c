/**
 * The noisy spiral of recipe 002 (its `create_noisy_spiral`), with no Node or plotting
 * imports, so pages and benchmarks in a browser can draw the same points.
 */

import { mulberry32 } from './rng.js';

// ------------------------------------------------------------------ data

/**
 * The recipe's `create_noisy_spiral(n, jitter_std=0.2, revolutions=2)`: angle ~ U(0, 4π),
 * r = angle, (r cos, r sin) + N(0, 0.2²) jitter, then 5·(v - min)/(max - min) over all coordinates.
 * Returns x [n] and y [n].
 */
export function noisySpiral(n: number, seed = 1, jitterStd = 0.2, revolutions = 2): { x: Float32Array; y: Float32Array } {
  const u = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const angle = u() * 2 * Math.PI * revolutions;
    xs[i] = angle * Math.cos(angle) + jitterStd * gauss();
    ys[i] = angle * Math.sin(angle) + jitterStd * gauss();
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    lo = Math.min(lo, xs[i]!, ys[i]!);
    hi = Math.max(hi, xs[i]!, ys[i]!);
  }
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = (5 * (xs[i]! - lo)) / (hi - lo);
    y[i] = (5 * (ys[i]! - lo)) / (hi - lo);
  }
  return { x, y };
}
