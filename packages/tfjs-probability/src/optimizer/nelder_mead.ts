import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, fmtShape } from '../errors.js';
import { describeValue, toFloat, type TensorLike } from '../util.js';
import { numberOption } from './driver.js';

export interface NelderMeadOptions {
  /** The starting simplex `[n + 1, n]`; otherwise built around `initialVertex` with `stepSizes`. */
  initialSimplex?: TensorLike;
  /** One vertex `[n]` of the starting simplex (with `stepSizes`, default 1, along each axis). */
  initialVertex?: TensorLike;
  /** Edge lengths of the axis-aligned starting simplex, a number or `[n]` (default 1). */
  stepSizes?: number | number[];
  /** Stop when the spread of the objective over the simplex is at most this (default 1e-8). */
  funcTolerance?: number;
  /** Stop when every vertex is within this (sup norm) of the best one (default 1e-8). */
  positionTolerance?: number;
  /** Maximum iterations (default 200·n). */
  maxIterations?: number;
  /** The objective takes a batch `[k, n]` and returns `[k]` (one call per iteration's points). Default false: `[n]` → scalar. */
  batchEvaluateObjective?: boolean;
  reflection?: number;
  expansion?: number;
  contraction?: number;
  shrinkage?: number;
}

export interface NelderMeadResults {
  converged: boolean;
  numIterations: number;
  numObjectiveEvaluations: number;
  /** The best vertex `[n]` and its value. */
  position: tf.Tensor;
  objectiveValue: tf.Tensor;
  /** The final simplex `[n + 1, n]` and its values `[n + 1]`. */
  finalSimplex: tf.Tensor;
  finalObjectiveValues: tf.Tensor;
}

/**
 * Minimizes a function without gradients by the Nelder–Mead simplex method (TFP's
 * `tfp.optimizer.nelder_mead_minimize`): reflection, expansion, inside and outside contraction,
 * and shrinkage, with the standard coefficients 1, 2, ½, ½. The simplex is kept on the host in float64.
 *
 * @param objectiveFunction `x [n]` → scalar (or, with `batchEvaluateObjective`, `[k, n]` → `[k]`); it runs inside `tf.tidy`.
 *
 * @example
 * ```ts
 * const f = (x: tf.Tensor) => tf.sum(tf.square(tf.sub(x, [3, -1])));
 * const r = await tfp.optimizer.nelderMeadMinimize(f, { initialVertex: [0, 0] });
 * r.position;   // ≈ [3, -1]
 * ```
 */
export async function nelderMeadMinimize(objectiveFunction: (x: tf.Tensor) => tf.Tensor, options: NelderMeadOptions): Promise<NelderMeadResults> {
  const owner = 'nelderMeadMinimize';
  if (typeof objectiveFunction !== 'function') {
    throw new InvalidArgumentError(`${owner}: objectiveFunction must be a function; got ${describeValue(objectiveFunction)}`);
  }
  const simplex = await initialSimplex(owner, options);
  const n = simplex[0]!.length;
  const funcTol = numberOption(owner, options, 'funcTolerance', 1e-8);
  const posTol = numberOption(owner, options, 'positionTolerance', 1e-8);
  const maxIt = numberOption(owner, options, 'maxIterations', 200 * n, 1);
  const rho = numberOption(owner, options, 'reflection', 1);
  const chi = numberOption(owner, options, 'expansion', 2);
  const psi = numberOption(owner, options, 'contraction', 0.5);
  const sigma = numberOption(owner, options, 'shrinkage', 0.5);
  let evals = 0;
  const evaluate = async (pts: Float64Array[]): Promise<number[]> => {
    evals += pts.length;
    const vals = tf.tidy(() => {
      if (options.batchEvaluateObjective) {
        const flat = new Float32Array(pts.length * n);
        pts.forEach((p, i) => flat.set(p, i * n));
        return objectiveFunction(tf.tensor2d(flat, [pts.length, n]));
      }
      return tf.stack(pts.map((p) => tf.reshape(objectiveFunction(tf.tensor1d(Float32Array.from(p))), [])));
    });
    try {
      if (vals.size !== pts.length) {
        throw new InvalidArgumentError(`${owner}: objectiveFunction returned shape ${fmtShape(vals.shape)} for ${pts.length} point(s); expected one value per point`);
      }
      return Array.from(await vals.data()).map((v) => (Number.isNaN(v) ? Infinity : v));
    } finally {
      vals.dispose();
    }
  };
  let f = await evaluate(simplex);
  let it = 0;
  let converged = false;
  const combine = (a: Float64Array, b: Float64Array, t: number) => a.map((v, i) => v + t * (b[i]! - v));
  for (; it < maxIt; it++) {
    const order = f.map((_, i) => i).sort((a, b) => f[a]! - f[b]!);
    const s = order.map((i) => simplex[i]!);
    const fs = order.map((i) => f[i]!);
    simplex.splice(0, simplex.length, ...s);
    f = fs;
    const spread = Math.abs(f[n]! - f[0]!);
    const size = Math.max(...simplex.slice(1).map((v) => Math.max(...v.map((x, i) => Math.abs(x - simplex[0]![i]!)))));
    if (spread <= funcTol || size <= posTol) {
      converged = true;
      break;
    }
    const centroid = new Float64Array(n);
    for (let k = 0; k < n; k++) for (let i = 0; i < n; i++) centroid[i]! += simplex[k]![i]! / n;
    const worst = simplex[n]!;
    const xr = combine(centroid, worst, -rho);
    const [fr] = await evaluate([xr]);
    if (fr! < f[0]!) {
      const xe = combine(centroid, worst, -rho * chi);
      const [fe] = await evaluate([xe]);
      if (fe! < fr!) [simplex[n], f[n]] = [xe, fe!];
      else [simplex[n], f[n]] = [xr, fr!];
      continue;
    }
    if (fr! < f[n - 1]!) {
      [simplex[n], f[n]] = [xr, fr!];
      continue;
    }
    const outside = fr! < f[n]!;
    const xc = outside ? combine(centroid, worst, -rho * psi) : combine(centroid, worst, psi);
    const [fc] = await evaluate([xc]);
    if (outside ? fc! <= fr! : fc! < f[n]!) {
      [simplex[n], f[n]] = [xc, fc!];
      continue;
    }
    for (let k = 1; k <= n; k++) simplex[k] = combine(simplex[0]!, simplex[k]!, sigma);
    const fsh = await evaluate(simplex.slice(1));
    for (let k = 1; k <= n; k++) f[k] = fsh[k - 1]!;
  }
  const best = f.indexOf(Math.min(...f));
  const flat = new Float32Array((n + 1) * n);
  simplex.forEach((v, i) => flat.set(v, i * n));
  return {
    converged,
    numIterations: it,
    numObjectiveEvaluations: evals,
    position: tf.tensor1d(Float32Array.from(simplex[best]!)),
    objectiveValue: tf.scalar(f[best]!),
    finalSimplex: tf.tensor2d(flat, [n + 1, n]),
    finalObjectiveValues: tf.tensor1d(f),
  };
}

async function initialSimplex(owner: string, options: NelderMeadOptions): Promise<Float64Array[]> {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError(`${owner}: options must be an object with initialSimplex or initialVertex; got ${describeValue(options)}`);
  }
  if (options.initialSimplex !== undefined) {
    const s = toFloat(options.initialSimplex, 'initialSimplex', owner);
    try {
      const [k, n] = s.shape;
      if (s.rank !== 2 || k !== n! + 1) throw new InvalidArgumentError(`${owner}: initialSimplex must be [n + 1, n]; got shape ${fmtShape(s.shape)}`);
      const d = await s.data();
      return Array.from({ length: k! }, (_, i) => Float64Array.from(d.subarray(i * n!, (i + 1) * n!)));
    } finally {
      s.dispose();
    }
  }
  if (options.initialVertex === undefined) {
    throw new InvalidArgumentError(`${owner}: give initialSimplex [n + 1, n] or initialVertex [n]; got neither`);
  }
  const v = toFloat(options.initialVertex, 'initialVertex', owner);
  try {
    if (v.rank !== 1 || v.size === 0) throw new InvalidArgumentError(`${owner}: initialVertex must be [n]; got shape ${fmtShape(v.shape)}`);
    const x0 = Float64Array.from(await v.data());
    const n = x0.length;
    const steps = options.stepSizes ?? 1;
    const step = (i: number) => (typeof steps === 'number' ? steps : steps[i]);
    const out = [x0];
    for (let i = 0; i < n; i++) {
      const h = step(i);
      if (typeof h !== 'number' || !Number.isFinite(h) || h === 0) {
        throw new InvalidArgumentError(`${owner}: stepSizes must be a nonzero number or [${n}] of them; got ${describeValue(steps)}`);
      }
      const x = Float64Array.from(x0);
      x[i]! += h;
      out.push(x);
    }
    return out;
  } finally {
    v.dispose();
  }
}
