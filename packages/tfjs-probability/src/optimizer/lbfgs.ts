import { dot } from './hager_zhang.js';
import { numberOption, packResults, runBatched, startRows, type OptimizerResults, type QuasiNewtonOptions, type ValueAndGradientsFn } from './driver.js';
import { quasiNewton, type Criteria, type InverseHessian } from './quasi_newton.js';
import type { TensorLike } from '../util.js';

export interface LbfgsOptions extends QuasiNewtonOptions {
  /** Number of step/gradient-change pairs kept (default 10, as TFP). */
  numCorrectionPairs?: number;
}

/** The limited-memory inverse Hessian (two-loop recursion, scaled by sᵀy / yᵀy of the latest pair). */
class LimitedMemory implements InverseHessian {
  private readonly s: Float64Array[] = [];
  private readonly y: Float64Array[] = [];
  private readonly rho: number[] = [];
  constructor(private readonly m: number) {}
  direction(g: Float64Array): Float64Array {
    const q = Float64Array.from(g);
    const k = this.s.length;
    const alpha = new Array<number>(k);
    for (let i = k - 1; i >= 0; i--) {
      alpha[i] = this.rho[i]! * dot(this.s[i]!, q);
      const yi = this.y[i]!;
      for (let j = 0; j < q.length; j++) q[j]! -= alpha[i]! * yi[j]!;
    }
    if (k > 0) {
      const gamma = dot(this.s[k - 1]!, this.y[k - 1]!) / dot(this.y[k - 1]!, this.y[k - 1]!);
      for (let j = 0; j < q.length; j++) q[j]! *= gamma;
    }
    for (let i = 0; i < k; i++) {
      const beta = this.rho[i]! * dot(this.y[i]!, q);
      const si = this.s[i]!;
      for (let j = 0; j < q.length; j++) q[j]! += (alpha[i]! - beta) * si[j]!;
    }
    return q.map((v) => -v);
  }
  update(s: Float64Array, y: Float64Array): void {
    const sy = dot(s, y);
    // Keep the approximation positive definite: skip pairs without positive curvature.
    if (!(sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y)))) return;
    this.s.push(s);
    this.y.push(y);
    this.rho.push(1 / sy);
    if (this.s.length > this.m) {
      this.s.shift();
      this.y.shift();
      this.rho.shift();
    }
  }
}

/** Reads the criteria shared by BFGS and L-BFGS. */
export function criteria(owner: string, options: QuasiNewtonOptions): Criteria {
  return {
    tolerance: numberOption(owner, options, 'tolerance', 1e-8),
    xTolerance: numberOption(owner, options, 'xTolerance', 0),
    fRelativeTolerance: numberOption(owner, options, 'fRelativeTolerance', 0),
    maxIterations: numberOption(owner, options, 'maxIterations', 50, 1),
  };
}

/**
 * Minimizes a differentiable function with L-BFGS and a Hager–Zhang line search (TFP's
 * `tfp.optimizer.lbfgs_minimize`). The function takes positions `x [..., n]` and returns
 * `[value [...], gradient [..., n]]`: the leading dims are independent problems (a batch of starts),
 * each optimized separately, all evaluated in one call per round. The optimizer's state is kept on
 * the host in float64; values and gradients are read back asynchronously.
 *
 * Stops a batch member when the largest gradient entry is at most `tolerance`, a step moves no
 * coordinate more than `xTolerance`, the objective changes by at most `fRelativeTolerance` of its
 * magnitude, or the line search finds no acceptable step (`failed`; near the optimum in float32).
 *
 * @param valueAndGradientsFn `x [..., n]` → `[value [...], gradient [..., n]]`, synchronous; tensors it
 *   creates are released after each call (it runs inside `tf.tidy`). `tfp.math.valueAndGradient` builds one.
 * @param initialPosition Starting points `[..., n]`.
 * @returns `{position, objectiveValue, objectiveGradient, converged, failed, numIterations, numObjectiveEvaluations}`;
 *   the caller owns (and disposes) the tensors.
 *
 * @example
 * ```ts
 * // A quadratic bowl centred at [1, 2].
 * const fn = (x: tf.Tensor) => tfp.math.valueAndGradient((v) => tf.sum(tf.square(tf.sub(v, [1, 2])), -1), x);
 * const r = await tfp.optimizer.lbfgsMinimize(fn, [0, 0], { tolerance: 1e-6 });
 * r.position;    // ≈ [1, 2]
 * r.converged;   // true
 * ```
 */
export async function lbfgsMinimize(
  valueAndGradientsFn: ValueAndGradientsFn,
  initialPosition: TensorLike,
  options: LbfgsOptions = {},
): Promise<OptimizerResults> {
  const owner = 'lbfgsMinimize';
  const c = criteria(owner, options);
  const m = numberOption(owner, options, 'numCorrectionPairs', 10, 1);
  const { rows, batch, n } = await startRows(owner, initialPosition);
  const { results, evaluations } = await runBatched(owner, valueAndGradientsFn, rows, batch, n, (x0, e0) =>
    quasiNewton(x0, e0, new LimitedMemory(Math.floor(m)), c),
  );
  return packResults(results, batch, n, evaluations);
}
