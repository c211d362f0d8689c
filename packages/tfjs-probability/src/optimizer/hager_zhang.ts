/**
 * The Hager–Zhang line search (Hager & Zhang 2006, "Algorithm 851: CG_DESCENT";
 * TFP's `tfp.optimizer.linesearch.hager_zhang`), on the host in float64, written
 * as a generator: it yields trial points `x + α d` and receives `{f, g}` there,
 * so that a driver can evaluate the trial points of a whole batch of searches
 * in one call of the user's function.
 *
 * A step is accepted as soon as an evaluated point satisfies the Wolfe
 * conditions or the approximate Wolfe conditions
 * `(2δ − 1) φ'(0) ≥ φ'(α) ≥ σ φ'(0)` with `φ(α) ≤ φ(0) + ε|φ(0)|`, which keep
 * the search working where float32 rounding hides the decrease of the objective.
 */

/** Value and gradient at a point. */
export interface Evaluation {
  f: number;
  g: Float64Array;
}

/** What the search yields (a point to evaluate) and receives back. */
export type Search<R> = Generator<Float64Array, R, Evaluation>;

export interface LineSearchResult {
  /** True when a step satisfying the (approximate) Wolfe conditions was found. */
  ok: boolean;
  alpha: number;
  x: Float64Array;
  f: number;
  g: Float64Array;
}

const DELTA = 0.1;
const SIGMA = 0.9;
const EPSILON = 1e-6;
const GAMMA = 0.66;
const EXPAND = 5;
const MAX_EVALS = 50;
/** Relative slack on φ(0) for a trial point that meets the gradient tolerance (float32 noise of long sums). */
const CONVERGED_SLACK = 1e-5;

interface Point {
  a: number;
  f: number;
  df: number;
  x: Float64Array;
  g: Float64Array;
}

class Found {
  constructor(readonly p: Point) {}
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/**
 * Searches along `d` from `x0` (value `f0`, gradient `g0`, `g0·d < 0`), starting at step `alpha0`.
 * A trial point whose largest gradient entry is at most `gradientTolerance` ends the search at once
 * when its value is within 1e-5·|φ(0)| of φ(0): the minimizer has converged there, and near a
 * minimum of a float32 objective summed over thousands of terms (a log marginal likelihood) the
 * Wolfe tests only compare rounding noise of that size.
 */
export function* hagerZhang(
  x0: Float64Array, f0: number, g0: Float64Array, d: Float64Array, alpha0: number, gradientTolerance = 0,
): Search<LineSearchResult> {
  const df0 = dot(g0, d);
  const epsK = EPSILON * Math.abs(f0);
  const fMax = f0 + epsK;
  let evals = 0;
  let best: Point = { a: 0, f: f0, df: df0, x: x0, g: g0 };

  const satisfies = (p: Point): boolean => {
    if (!Number.isFinite(p.f) || !Number.isFinite(p.df)) return false;
    const curvature = p.df >= SIGMA * df0;
    const wolfe = p.f - f0 <= DELTA * p.a * df0 && curvature;
    const approx = (2 * DELTA - 1) * df0 >= p.df && curvature && p.f <= fMax;
    return wolfe || approx;
  };

  function* ev(a: number): Generator<Float64Array, Point, Evaluation> {
    if (evals >= MAX_EVALS) throw new Found(best);
    evals++;
    const x = new Float64Array(x0.length);
    for (let i = 0; i < x.length; i++) x[i] = x0[i]! + a * d[i]!;
    const { f, g } = yield x;
    const p: Point = { a, f, df: dot(g, d), x, g };
    if (Number.isFinite(f) && f < best.f) best = p;
    if (satisfies(p)) throw new Found(p);
    if (gradientTolerance > 0 && f <= f0 + CONVERGED_SLACK * Math.abs(f0) && g.every((v) => Math.abs(v) <= gradientTolerance)) throw new Found(p);
    return p;
  }

  // U3: bisect [a, b] until the right end has φ' ≥ 0 or the left end is low with φ' < 0.
  function* bisect(a: Point, b: Point): Generator<Float64Array, [Point, Point], Evaluation> {
    for (;;) {
      const m = yield* ev(0.5 * (a.a + b.a));
      if (m.df >= 0) return [a, m];
      if (m.f <= fMax) a = m;
      else b = m;
    }
  }

  function* update(a: Point, b: Point, c: Point): Generator<Float64Array, [Point, Point], Evaluation> {
    if (!(c.a > a.a && c.a < b.a) || !Number.isFinite(c.f)) return [a, b];
    if (c.df >= 0) return [a, c];
    if (c.f <= fMax) return [c, b];
    return yield* bisect(a, c);
  }

  const secant = (a: Point, b: Point): number => {
    const den = b.df - a.df;
    const s = (a.a * b.df - b.a * a.df) / den;
    return Number.isFinite(s) && den !== 0 ? s : 0.5 * (a.a + b.a);
  };

  try {
    const p0: Point = best;
    // Bracket: expand until φ' ≥ 0 or φ rises above φ(0) + ε; halve the step on non-finite values.
    let c = yield* ev(alpha0);
    while (!Number.isFinite(c.f) || !Number.isFinite(c.df)) c = yield* ev(c.a * 0.5);
    let lo = p0;
    let a: Point, b: Point;
    for (;;) {
      if (c.df >= 0) {
        [a, b] = [lo, c];
        break;
      }
      if (c.f > fMax) {
        [a, b] = yield* bisect(p0, c);
        break;
      }
      lo = c;
      c = yield* ev(c.a * EXPAND);
      while (!Number.isFinite(c.f) || !Number.isFinite(c.df)) c = yield* ev(0.5 * (lo.a + c.a));
    }
    // Secant² steps, with a bisection when the interval does not shrink fast enough.
    for (;;) {
      const width = b.a - a.a;
      if (width <= 1e-14 * Math.max(1, b.a)) break;
      const cA = yield* ev(secant(a, b));
      let [A, B] = yield* update(a, b, cA);
      if (cA === B) {
        const c2 = yield* ev(secant(b, B));
        [A, B] = yield* update(A, B, c2);
      } else if (cA === A) {
        const c2 = yield* ev(secant(a, A));
        [A, B] = yield* update(A, B, c2);
      }
      if (B.a - A.a > GAMMA * width) {
        const m = yield* ev(0.5 * (A.a + B.a));
        [A, B] = yield* update(A, B, m);
      }
      [a, b] = [A, B];
    }
  } catch (e) {
    if (!(e instanceof Found)) throw e;
    const p = e.p;
    return { ok: p.a > 0, alpha: p.a, x: p.x, f: p.f, g: p.g };
  }
  return { ok: best.a > 0, alpha: best.a, x: best.x, f: best.f, g: best.g };
}
