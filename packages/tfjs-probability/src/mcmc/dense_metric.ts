/**
 * A dense (full) Euclidean metric for HMC and NUTS (Stan's `dense_e`): the inverse metric is a
 * positive-definite matrix `M⁻¹ = L Lᵀ`, stored per chain by its lower Cholesky factor L
 * (`KernelResults.invMassChol`, `[numChains * dim * dim]`, row-major). Momenta are drawn as
 * `p = L⁻ᵀ z` (`z ~ N(0, I)`, one back substitution: p ~ N(0, M)), positions move along the
 * velocity `M⁻¹ p = L (Lᵀ p)`, and the kinetic energy is `½ ‖Lᵀ p‖²`; nothing is inverted.
 * `DenseCovariance` estimates the covariance of the warm-up draws per chain (Welford) and
 * regularizes it as Stan does, `n/(n + 5) Σ + 10⁻³ · 5/(n + 5) I`.
 */

/** Lᵀ p for chain `ch`'s factor `l` (`[dim * dim]` at offset `ch * dim * dim`). */
function lowerTransposeTimes(l: Float64Array, ch: number, d: number, p: ArrayLike<number>, pOff: number): Float64Array {
  const o = ch * d * d;
  const out = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    let s = 0;
    for (let i = j; i < d; i++) s += l[o + i * d + j]! * p[pOff + i]!;
    out[j] = s;
  }
  return out;
}

/** The velocity `M⁻¹ p = L (Lᵀ p)` of chain `ch` for the momentum `p[pOff .. pOff + dim)`. */
export function denseVelocity(l: Float64Array, ch: number, d: number, p: ArrayLike<number>, pOff = 0): Float64Array {
  const o = ch * d * d;
  const u = lowerTransposeTimes(l, ch, d, p, pOff);
  const out = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let s = 0;
    for (let j = 0; j <= i; j++) s += l[o + i * d + j]! * u[j]!;
    out[i] = s;
  }
  return out;
}

/** The kinetic energy `½ pᵀ M⁻¹ p = ½ ‖Lᵀ p‖²`. */
export function denseKinetic(l: Float64Array, ch: number, d: number, p: ArrayLike<number>, pOff = 0): number {
  const u = lowerTransposeTimes(l, ch, d, p, pOff);
  let k = 0;
  for (let j = 0; j < d; j++) k += u[j]! * u[j]!;
  return 0.5 * k;
}

/** A momentum `p = L⁻ᵀ z` ~ N(0, M) from standard normals `z`, written into `out[outOff ..)` (back substitution). */
export function denseMomentum(l: Float64Array, ch: number, d: number, z: ArrayLike<number>, out: Float64Array, outOff = 0): void {
  const o = ch * d * d;
  for (let i = d - 1; i >= 0; i--) {
    let s = z[i]!;
    for (let k = i + 1; k < d; k++) s -= l[o + k * d + i]! * out[outOff + k]!;
    out[outOff + i] = s / l[o + i * d + i]!;
  }
}

/** `numChains` identity factors, `[numChains * dim * dim]`. */
export function identityFactors(numChains: number, d: number): Float64Array {
  const out = new Float64Array(numChains * d * d);
  for (let ch = 0; ch < numChains; ch++) for (let i = 0; i < d; i++) out[ch * d * d + i * d + i] = 1;
  return out;
}

/** The lower Cholesky factor of a symmetric positive-definite `[d * d]` matrix (float64), or null if it is not. */
export function choleskyHost(a: Float64Array, d: number): Float64Array | null {
  const l = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    let s = a[j * d + j]!;
    for (let k = 0; k < j; k++) s -= l[j * d + k]! ** 2;
    if (!(s > 0) || !Number.isFinite(s)) return null;
    const ljj = Math.sqrt(s);
    l[j * d + j] = ljj;
    for (let i = j + 1; i < d; i++) {
      let t = a[i * d + j]!;
      for (let k = 0; k < j; k++) t -= l[i * d + k]! * l[j * d + k]!;
      l[i * d + j] = t / ljj;
    }
  }
  return l;
}

/** Running per-chain means and covariances of warm-up draws (Welford), with Stan's regularization. */
export class DenseCovariance {
  private mean: Float64Array;
  private m2: Float64Array;
  private count = 0;

  constructor(private readonly numChains: number, private readonly d: number) {
    this.mean = new Float64Array(numChains * d);
    this.m2 = new Float64Array(numChains * d * d);
  }

  /** Adds one draw per chain (`x`: `[numChains * dim]`). */
  add(x: Float64Array): void {
    const { d } = this;
    this.count++;
    const delta = new Float64Array(d);
    for (let ch = 0; ch < this.numChains; ch++) {
      const mo = ch * d;
      const so = ch * d * d;
      for (let i = 0; i < d; i++) {
        delta[i] = x[mo + i]! - this.mean[mo + i]!;
        this.mean[mo + i] = this.mean[mo + i]! + delta[i]! / this.count;
      }
      for (let i = 0; i < d; i++) {
        const after = x[mo + i]! - this.mean[mo + i]!;
        for (let j = 0; j <= i; j++) this.m2[so + i * d + j] = this.m2[so + i * d + j]! + after * delta[j]!;
      }
    }
  }

  /**
   * The regularized covariances' Cholesky factors `[numChains * dim * dim]` and their diagonals
   * `[numChains * dim]` (the marginal variances), then a fresh start for the next window. A chain
   * whose estimate is not positive definite (too few distinct draws) keeps `previous`.
   */
  takeFactors(previous: Float64Array): { chol: Float64Array; diag: Float64Array } {
    const { d } = this;
    const n = this.count;
    const chol = new Float64Array(this.numChains * d * d);
    const diag = new Float64Array(this.numChains * d);
    const w = n / (n + 5);
    const ridge = 1e-3 * (5 / (n + 5));
    for (let ch = 0; ch < this.numChains; ch++) {
      const so = ch * d * d;
      const cov = new Float64Array(d * d);
      for (let i = 0; i < d; i++) {
        for (let j = 0; j <= i; j++) {
          const v = n > 1 ? this.m2[so + i * d + j]! / (n - 1) : i === j ? 1 : 0;
          cov[i * d + j] = w * v + (i === j ? ridge : 0);
          cov[j * d + i] = cov[i * d + j]!;
        }
      }
      const l = choleskyHost(cov, d) ?? previous.subarray(so, so + d * d);
      chol.set(l, so);
      for (let i = 0; i < d; i++) {
        let s = 0;
        for (let k = 0; k <= i; k++) s += chol[so + i * d + k]! ** 2;
        diag[ch * d + i] = s;
      }
    }
    this.mean.fill(0);
    this.m2.fill(0);
    this.count = 0;
    return { chol, diag };
  }
}
