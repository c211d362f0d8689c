/**
 * Runs one optimizer per batch member on the host (float64 state), evaluating
 * the user's function once per round for the whole batch: each member is a
 * generator that yields the point it needs next (see `hager_zhang.ts`).
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, fmtShape } from '../errors.js';
import { describeValue, toFloat, type TensorLike } from '../util.js';
import type { Evaluation, Search } from './hager_zhang.js';

/** `x [..., n]` → `[value [...], gradient [..., n]]`, synchronous (it runs inside `tf.tidy`). */
export type ValueAndGradientsFn = (x: tf.Tensor) => [tf.Tensor, tf.Tensor] | tf.Tensor[];

/** Options shared by `lbfgsMinimize` and `bfgsMinimize` (TFP's names). */
export interface QuasiNewtonOptions {
  /** Stop when the largest absolute gradient entry is at most this (default 1e-8, as TFP). */
  tolerance?: number;
  /** Stop when a step moves no coordinate by more than this (default 0: off). */
  xTolerance?: number;
  /** Stop when a step changes the objective by at most this times its magnitude (default 0: off). */
  fRelativeTolerance?: number;
  /** Maximum number of iterations (default 50, as TFP). */
  maxIterations?: number;
  /** Maximum number of line-search evaluations in all (default: 20 per iteration). */
  maxLineSearchIterations?: number;
}

/** What the quasi-Newton minimizers resolve to (TFP's fields, camelCase). */
export interface OptimizerResults {
  /** Whether each batch member met a convergence criterion, `bool [...]`. */
  converged: tf.Tensor;
  /** Whether each batch member stopped because its line search found no acceptable step, `bool [...]`. */
  failed: tf.Tensor;
  /** The most iterations any batch member ran. */
  numIterations: number;
  /** Calls of the function (each evaluates the whole batch). */
  numObjectiveEvaluations: number;
  /** The final position `[..., n]`. */
  position: tf.Tensor;
  /** The objective there, `[...]`. */
  objectiveValue: tf.Tensor;
  /** The gradient there, `[..., n]`. */
  objectiveGradient: tf.Tensor;
}

/** One batch member's outcome. */
export interface MemberResult {
  x: Float64Array;
  f: number;
  g: Float64Array;
  converged: boolean;
  failed: boolean;
  iterations: number;
}

/** Converts and checks the start `[..., n]`; returns the float64 rows and the batch shape. */
export async function startRows(owner: string, initialPosition: TensorLike): Promise<{ rows: Float64Array[]; batch: number[]; n: number }> {
  const x = toFloat(initialPosition, 'initialPosition', owner);
  try {
    if (x.rank < 1 || x.shape[x.rank - 1] === 0) {
      throw new InvalidArgumentError(`${owner}: initialPosition must be [..., n] with n ≥ 1; got shape ${fmtShape(x.shape)}`);
    }
    const n = x.shape[x.rank - 1]!;
    const flat = await x.data();
    const rows: Float64Array[] = [];
    for (let i = 0; i < flat.length; i += n) rows.push(Float64Array.from(flat.subarray(i, i + n)));
    return { rows, batch: x.shape.slice(0, -1), n };
  } finally {
    x.dispose();
  }
}

/** Checks a numeric option (finite, at least `min`), or returns its default. */
export function numberOption(owner: string, options: unknown, name: string, dflt: number, min = 0): number {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new InvalidArgumentError(`${owner}: options must be an object; got ${describeValue(options)}`);
  }
  const v = (options as Record<string, unknown> | undefined)?.[name];
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !(v >= min) || Number.isNaN(v)) {
    throw new InvalidArgumentError(`${owner}: ${name} must be a number ≥ ${min}; got ${describeValue(v)}`);
  }
  return v;
}

/**
 * Evaluates `fn` at the rows (one call, `[...batch, n]`), reading value and gradient back asynchronously.
 */
export async function evaluateBatch(owner: string, fn: ValueAndGradientsFn, rows: Float64Array[], batch: number[], n: number): Promise<Evaluation[]> {
  const flat = new Float32Array(rows.length * n);
  rows.forEach((r, i) => flat.set(r, i * n));
  const [v, g] = tf.tidy(() => {
    const out = fn(tf.tensor(flat, [...batch, n]));
    if (!Array.isArray(out) || out.length !== 2 || !(out[0] instanceof tf.Tensor) || !(out[1] instanceof tf.Tensor)) {
      throw new InvalidArgumentError(`${owner}: valueAndGradientsFn must return [value, gradient] tensors; got ${describeValue(out)}`);
    }
    return [out[0], out[1]] as [tf.Tensor, tf.Tensor];
  });
  try {
    if (v.size !== rows.length || g.size !== rows.length * n) {
      throw new InvalidArgumentError(
        `${owner}: valueAndGradientsFn at x ${fmtShape([...batch, n])} returned value ${fmtShape(v.shape)} and gradient ` +
          `${fmtShape(g.shape)}; expected ${fmtShape(batch)} and ${fmtShape([...batch, n])}`,
      );
    }
    const [vd, gd] = await Promise.all([v.data(), g.data()]);
    return rows.map((_, i) => ({ f: vd[i]!, g: Float64Array.from(gd.subarray(i * n, (i + 1) * n)) }));
  } finally {
    tf.dispose([v, g]);
  }
}

/**
 * Drives one generator per batch member to completion; rounds evaluate every member still running
 * (finished members are evaluated at their last point and ignored).
 */
export async function runBatched(
  owner: string,
  fn: ValueAndGradientsFn,
  starts: Float64Array[],
  batch: number[],
  n: number,
  member: (x0: Float64Array, e0: Evaluation) => Search<MemberResult>,
): Promise<{ results: MemberResult[]; evaluations: number }> {
  let evaluations = 1;
  const e0 = await evaluateBatch(owner, fn, starts, batch, n);
  const gens = starts.map((x, i) => member(x, e0[i]!));
  const results: Array<MemberResult | undefined> = [];
  const pending: Float64Array[] = [];
  gens.forEach((gen, i) => {
    const r = gen.next();
    if (r.done) results[i] = r.value;
    else pending[i] = r.value;
  });
  while (results.filter((r) => r !== undefined).length < gens.length) {
    const points = starts.map((s, i) => pending[i] ?? results[i]?.x ?? s);
    const evals = await evaluateBatch(owner, fn, points, batch, n);
    evaluations++;
    gens.forEach((gen, i) => {
      if (results[i] !== undefined) return;
      const r = gen.next(evals[i]!);
      if (r.done) results[i] = r.value;
      else pending[i] = r.value;
    });
  }
  return { results: results as MemberResult[], evaluations };
}

/** Packs the members' results as tensors of the batch's shape. */
export function packResults(results: MemberResult[], batch: number[], n: number, evaluations: number): OptimizerResults {
  const pos = new Float32Array(results.length * n);
  const grad = new Float32Array(results.length * n);
  results.forEach((r, i) => {
    pos.set(r.x, i * n);
    grad.set(r.g, i * n);
  });
  return {
    converged: tf.tensor(results.map((r) => (r.converged ? 1 : 0)), batch, 'bool'),
    failed: tf.tensor(results.map((r) => (r.failed ? 1 : 0)), batch, 'bool'),
    numIterations: Math.max(...results.map((r) => r.iterations)),
    numObjectiveEvaluations: evaluations,
    position: tf.tensor(pos, [...batch, n]),
    objectiveValue: tf.tensor(results.map((r) => r.f), batch),
    objectiveGradient: tf.tensor(grad, [...batch, n]),
  };
}

/** Largest absolute entry. */
export function supNorm(v: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]!));
  return m;
}
