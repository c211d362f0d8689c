/**
 * The iteration shared by BFGS and L-BFGS: a search direction from the
 * inverse-Hessian approximation, a Hager–Zhang line search, the convergence
 * tests, and the update of the approximation with the step and gradient change.
 */
import { dot, hagerZhang, type Evaluation, type Search } from './hager_zhang.js';
import { supNorm, type MemberResult } from './driver.js';

export interface Criteria {
  tolerance: number;
  xTolerance: number;
  fRelativeTolerance: number;
  maxIterations: number;
}

/** An inverse-Hessian approximation: `direction(g) = −H g`, `update(s, y)` with the last step and gradient change. */
export interface InverseHessian {
  direction(g: Float64Array): Float64Array;
  update(s: Float64Array, y: Float64Array): void;
}

export function* quasiNewton(x0: Float64Array, e0: Evaluation, h: InverseHessian, c: Criteria): Search<MemberResult> {
  let x = x0, f = e0.f, g = e0.g;
  const done = (converged: boolean, failed: boolean, iterations: number): MemberResult => ({ x, f, g, converged, failed, iterations });
  if (!Number.isFinite(f) || !g.every(Number.isFinite)) return done(false, true, 0);
  if (supNorm(g) <= c.tolerance) return done(true, false, 0);
  for (let it = 1; it <= c.maxIterations; it++) {
    let d = h.direction(g);
    if (!(dot(d, g) < 0)) d = g.map((v) => -v); // not a descent direction: restart along −g
    // The first step along −g has no scale: cap its length at 1 (as scipy); afterwards the unit quasi-Newton step.
    const alpha0 = it === 1 ? Math.min(1, 1 / Math.sqrt(dot(d, d))) : 1;
    const ls = yield* hagerZhang(x, f, g, d, alpha0, c.tolerance);
    if (!ls.ok) return done(false, true, it);
    const s = ls.x.map((v, i) => v - x[i]!);
    const y = ls.g.map((v, i) => v - g[i]!);
    const fPrev = f;
    x = ls.x;
    f = ls.f;
    g = ls.g;
    if (supNorm(g) <= c.tolerance) return done(true, false, it);
    if (supNorm(s) <= c.xTolerance) return done(true, false, it);
    if (Math.abs(fPrev - f) <= c.fRelativeTolerance * Math.abs(fPrev)) return done(true, false, it);
    h.update(s, y);
  }
  return done(false, false, c.maxIterations);
}
