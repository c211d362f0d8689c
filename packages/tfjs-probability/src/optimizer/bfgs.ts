import { dot } from './hager_zhang.js';
import { packResults, runBatched, startRows, type OptimizerResults, type QuasiNewtonOptions, type ValueAndGradientsFn } from './driver.js';
import { quasiNewton, type InverseHessian } from './quasi_newton.js';
import { criteria } from './lbfgs.js';
import type { TensorLike } from '../util.js';

/** The dense BFGS inverse Hessian, started at (sᵀy / yᵀy) I at the first update. */
class DenseInverseHessian implements InverseHessian {
  private h: Float64Array | undefined;
  constructor(private readonly n: number) {}
  direction(g: Float64Array): Float64Array {
    const n = this.n, h = this.h;
    if (h === undefined) return g.map((v) => -v);
    const d = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += h[i * n + j]! * g[j]!;
      d[i] = -s;
    }
    return d;
  }
  update(s: Float64Array, y: Float64Array): void {
    const n = this.n;
    const sy = dot(s, y);
    if (!(sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y)))) return;
    if (this.h === undefined) {
      this.h = new Float64Array(n * n);
      const gamma = sy / dot(y, y);
      for (let i = 0; i < n; i++) this.h[i * n + i] = gamma;
    }
    const h = this.h;
    // H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ  =  H − ρ (s (Hy)ᵀ + (Hy) sᵀ) + (ρ² yᵀHy + ρ) s sᵀ.
    const rho = 1 / sy;
    const hy = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let t = 0;
      for (let j = 0; j < n; j++) t += h[i * n + j]! * y[j]!;
      hy[i] = t;
    }
    const yhy = dot(y, hy);
    const c = rho * rho * yhy + rho;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) h[i * n + j]! += -rho * (s[i]! * hy[j]! + hy[i]! * s[j]!) + c * s[i]! * s[j]!;
    }
  }
}

/**
 * Minimizes a differentiable function with BFGS (a dense inverse-Hessian approximation) and a
 * Hager–Zhang line search (TFP's `tfp.optimizer.bfgs_minimize`). Same function, batching, options
 * and results as {@link lbfgsMinimize}; for problems of up to a few hundred parameters.
 *
 * @example
 * ```ts
 * // Rosenbrock's function from two starts at once.
 * const rosen = (x: tf.Tensor) => {
 *   const [a, b] = tf.unstack(x, -1) as [tf.Tensor, tf.Tensor];
 *   return tf.add(tf.square(tf.sub(1, a)), tf.mul(100, tf.square(tf.sub(b, tf.square(a)))));
 * };
 * const r = await tfp.optimizer.bfgsMinimize((x) => tfp.math.valueAndGradient(rosen, x), [[-1.2, 1], [2, 2]], { tolerance: 1e-5, maxIterations: 200 });
 * r.position;   // ≈ [[1, 1], [1, 1]]
 * ```
 */
export async function bfgsMinimize(
  valueAndGradientsFn: ValueAndGradientsFn,
  initialPosition: TensorLike,
  options: QuasiNewtonOptions = {},
): Promise<OptimizerResults> {
  const owner = 'bfgsMinimize';
  const c = criteria(owner, options);
  const { rows, batch, n } = await startRows(owner, initialPosition);
  const { results, evaluations } = await runBatched(owner, valueAndGradientsFn, rows, batch, n, (x0, e0) =>
    quasiNewton(x0, e0, new DenseInverseHessian(n), c),
  );
  return packResults(results, batch, n, evaluations);
}
