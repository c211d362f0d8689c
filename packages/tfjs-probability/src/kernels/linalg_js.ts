import { HALF_LOG_2PI } from './scalar_fns.js';

/**
 * Plain-loop linear algebra on Float32Arrays (accumulating in float64), shared
 * by the cpu and wasm kernels. Matrices are row-major `[batch, n, n]`.
 * Broadcasting between operands is expressed with index maps: for each output
 * batch element, the batch element of each operand (see `broadcastMap`).
 */

/** For each flat index of `outShape`, the flat index of the broadcast operand of `inShape` (right-aligned). */
export function broadcastMap(outShape: readonly number[], inShape: readonly number[]): Int32Array {
  const r = outShape.length;
  let size = 1;
  for (const d of outShape) size *= d;
  const map = new Int32Array(size);
  const inStrides = new Array<number>(r).fill(0);
  let s = 1;
  for (let k = inShape.length - 1, o = r - 1; k >= 0; k--, o--) {
    const d = inShape[k]!;
    inStrides[o] = d === 1 ? 0 : s;
    s *= d;
  }
  let inSize = 1;
  for (const d of inShape) inSize *= d;
  if (inSize === size) {
    for (let i = 0; i < size; i++) map[i] = i;
    return map;
  }
  // Common case: the operand's shape is a trailing part of the output's (e.g. loc [N]
  // against samples [S, N]), possibly with leading 1s: the map repeats 0..inSize-1.
  let suffix = true;
  for (let k = 0; k < inShape.length; k++) {
    const o = outShape[r - inShape.length + k]!;
    const d = inShape[k]!;
    if (d !== o && !(d === 1 && inShape.slice(0, k + 1).every((e) => e === 1))) suffix = false;
  }
  if (suffix && inSize > 0) {
    for (let i = 0; i < size; i++) map[i] = i % inSize;
    return map;
  }
  const idx = new Array<number>(r).fill(0);
  let off = 0;
  for (let i = 0; i < size; i++) {
    map[i] = off;
    // increment the multi-index (last axis fastest)
    for (let a = r - 1; a >= 0; a--) {
      idx[a]!++;
      off += inStrides[a]!;
      if (idx[a]! < outShape[a]!) break;
      off -= inStrides[a]! * outShape[a]!;
      idx[a] = 0;
    }
  }
  return map;
}

/**
 * Cholesky factors of `batch` symmetric matrices (reads the lower triangle).
 * Returns the index of the first batch element that is not positive definite
 * (or has a non-finite entry), or -1 when all factored.
 */
export function choleskyJs(a: Float32Array, out: Float32Array, batch: number, n: number): number {
  const l = new Float64Array(n * n);
  for (let b = 0; b < batch; b++) {
    const base = b * n * n;
    l.fill(0);
    for (let j = 0; j < n; j++) {
      let d = a[base + j * n + j]!;
      const rj = j * n;
      for (let k = 0; k < j; k++) d -= l[rj + k]! * l[rj + k]!;
      if (!(d > 0) || !Number.isFinite(d)) return b;
      const ljj = Math.sqrt(d);
      l[rj + j] = ljj;
      const inv = 1 / ljj;
      for (let i = j + 1; i < n; i++) {
        const ri = i * n;
        let s = a[base + ri + j]!;
        for (let k = 0; k < j; k++) s -= l[ri + k]! * l[rj + k]!;
        l[ri + j] = s * inv;
      }
    }
    for (let i = 0; i < n * n; i++) {
      const v = l[i]!;
      if (!Number.isFinite(v)) return b;
      out[base + i] = v;
    }
  }
  return -1;
}

/**
 * Solves op(A) X = B for triangular A, op = identity or transpose (`adjoint`).
 * `a` is `[*, n, n]`, `b` is `[*, n, m]`, `out` is `[batch, n, m]`; `aMap[i]` and
 * `bMap[i]` give the operand batch element of output batch element `i`.
 */
export function triangularSolveJs(
  a: Float32Array,
  b: Float32Array,
  out: Float32Array,
  batch: number,
  n: number,
  m: number,
  lower: boolean,
  adjoint: boolean,
  aMap: Int32Array,
  bMap: Int32Array,
): void {
  const x = new Float64Array(n * m);
  const nn = n * n;
  const nm = n * m;
  // op(A) is lower triangular when exactly one of (lower, adjoint) is false... i.e. lower XOR adjoint.
  const effLower = lower !== adjoint;
  for (let t = 0; t < batch; t++) {
    const ab = aMap[t]! * nn;
    const bb = bMap[t]! * nm;
    for (let i = 0; i < nm; i++) x[i] = b[bb + i]!;
    if (effLower) {
      for (let i = 0; i < n; i++) {
        const ri = i * m;
        for (let k = 0; k < i; k++) {
          // op(A)[i, k]
          const aik = adjoint ? a[ab + k * n + i]! : a[ab + i * n + k]!;
          if (aik === 0) continue;
          const rk = k * m;
          for (let c = 0; c < m; c++) x[ri + c]! -= aik * x[rk + c]!;
        }
        const inv = 1 / a[ab + i * n + i]!;
        for (let c = 0; c < m; c++) x[ri + c]! *= inv;
      }
    } else {
      for (let i = n - 1; i >= 0; i--) {
        const ri = i * m;
        for (let k = i + 1; k < n; k++) {
          const aik = adjoint ? a[ab + k * n + i]! : a[ab + i * n + k]!;
          if (aik === 0) continue;
          const rk = k * m;
          for (let c = 0; c < m; c++) x[ri + c]! -= aik * x[rk + c]!;
        }
        const inv = 1 / a[ab + i * n + i]!;
        for (let c = 0; c < m; c++) x[ri + c]! *= inv;
      }
    }
    const ob = t * nm;
    for (let i = 0; i < nm; i++) out[ob + i] = x[i]!;
  }
}

/** Per-matrix 1/L_ii and Σ log|L_ii| for `nL` matrices `[nL, d, d]`. */
function diagTerms(l: Float32Array, nL: number, d: number, wantLogDet = true): { invDiag: Float64Array; logDet: Float64Array } {
  const invDiag = new Float64Array(nL * d);
  const logDet = new Float64Array(wantLogDet ? nL : 0);
  if (!wantLogDet) {
    for (let t = 0; t < nL; t++) for (let i = 0; i < d; i++) invDiag[t * d + i] = 1 / l[t * d * d + i * d + i]!;
    return { invDiag, logDet };
  }
  for (let t = 0; t < nL; t++) {
    // Σ log|L_ii| as logs of products of up to 8 factors: float32 magnitudes lie in
    // [1e-45, 3.4e38], so 8 of them multiply without double over/underflow.
    let s = 0;
    let prod = 1;
    for (let i = 0; i < d; i++) {
      const v = l[t * d * d + i * d + i]!;
      invDiag[t * d + i] = 1 / v;
      prod *= v < 0 ? -v : v;
      if ((i & 7) === 7) {
        s += Math.log(prod);
        prod = 1;
      }
    }
    logDet[t] = s + Math.log(prod);
  }
  return { invDiag, logDet };
}


/**
 * log N(x; loc, L Lᵀ) for `batch` output rows with event size `d`:
 * −½‖L⁻¹(x − loc)‖² − Σ log|L_ii| − d/2 log 2π.
 */
export function mvnTrilLogProbJs(
  x: Float32Array,
  loc: Float32Array,
  l: Float32Array,
  out: Float32Array,
  batch: number,
  d: number,
  xMap: Int32Array,
  locMap: Int32Array,
  lMap: Int32Array,
  nL: number,
): void {
  if (nL < batch) {
    mvnTrilLogProbReusedJs(x, loc, l, out, batch, d, xMap, locMap, lMap, nL);
    return;
  }
  // One L per row: a single pass over each L (the diagonal terms inline, no separate pass
  // over all diagonals, which touches every cache line of L a second time), and the
  // forward substitution's dot products split over four independent accumulators so they
  // do not wait on each other's additions.
  const z = new Float64Array(d);
  const dd = d * d;
  const c = d * HALF_LOG_2PI;
  for (let t = 0; t < batch; t++) {
    const xb = xMap[t]! * d;
    const mb = locMap[t]! * d;
    const lb = lMap[t]! * dd;
    let q = 0;
    let logDet = 0;
    let prod = 1;
    for (let i = 0; i < d; i++) {
      const ri = lb + i * d;
      // The reciprocal depends only on L, so it is computed while the dot product runs; a
      // division after the sum would sit on the substitution's critical path (~5% here).
      const lii = l[ri + i]!;
      const inv = 1 / lii;
      let s0 = x[xb + i]! - loc[mb + i]!;
      let s1 = 0, s2 = 0, s3 = 0;
      let k = 0;
      for (; k + 3 < i; k += 4) {
        s0 -= l[ri + k]! * z[k]!;
        s1 -= l[ri + k + 1]! * z[k + 1]!;
        s2 -= l[ri + k + 2]! * z[k + 2]!;
        s3 -= l[ri + k + 3]! * z[k + 3]!;
      }
      for (; k < i; k++) s0 -= l[ri + k]! * z[k]!;
      const zi = (s0 + s1 + (s2 + s3)) * inv;
      z[i] = zi;
      q += zi * zi;
      // Σ log|L_ii| as logs of products of up to 8 factors (no double over/underflow).
      prod *= lii < 0 ? -lii : lii;
      if ((i & 7) === 7) {
        logDet += Math.log(prod);
        prod = 1;
      }
    }
    out[t] = -0.5 * q - (logDet + Math.log(prod)) - c;
  }
}

/** mvnTrilLogProbJs when the `nL` scale matrices are shared by several rows (diagonal terms once per matrix). */
function mvnTrilLogProbReusedJs(
  x: Float32Array, loc: Float32Array, l: Float32Array, out: Float32Array, batch: number, d: number,
  xMap: Int32Array, locMap: Int32Array, lMap: Int32Array, nL: number,
): void {
  const { invDiag, logDet } = diagTerms(l, nL, d);
  const z = new Float64Array(d);
  const dd = d * d;
  const c = d * HALF_LOG_2PI;
  for (let t = 0; t < batch; t++) {
    const xb = xMap[t]! * d;
    const mb = locMap[t]! * d;
    const li = lMap[t]!;
    const lb = li * dd;
    const ib = li * d;
    let q = 0;
    for (let i = 0; i < d; i++) {
      let s = x[xb + i]! - loc[mb + i]!;
      const ri = lb + i * d;
      for (let k = 0; k < i; k++) s -= l[ri + k]! * z[k]!;
      const zi = s * invDiag[ib + i]!;
      z[i] = zi;
      q += zi * zi;
    }
    out[t] = -0.5 * q - logDet[li]! - c;
  }
}

/**
 * Gradients of Σ_t dy[t] · mvnTrilLogProb[t] with respect to x, loc and L,
 * summed over broadcast batch elements into `dx`, `dloc`, `dl` (which must be
 * zero-filled and have the operands' sizes). With z = L⁻¹(x − loc) and
 * w = L⁻ᵀ z: d/dx = −w, d/dloc = w, d/dL = tril(w zᵀ) − diag(1/L_ii).
 */
export function mvnTrilLogProbGradJs(
  x: Float32Array,
  loc: Float32Array,
  l: Float32Array,
  dy: Float32Array,
  dx: Float32Array | Float64Array,
  dloc: Float32Array | Float64Array,
  dl: Float32Array | Float64Array,
  batch: number,
  d: number,
  xMap: Int32Array,
  locMap: Int32Array,
  lMap: Int32Array,
  nL: number,
): void {
  // One L per row: 1/L_ii inline (row-local), else once per matrix.
  const perRow = nL >= batch;
  const invDiag = perRow ? new Float64Array(d) : diagTerms(l, nL, d, false).invDiag;
  const z = new Float64Array(d);
  const w = new Float64Array(d);
  const dd = d * d;
  for (let t = 0; t < batch; t++) {
    const g = dy[t]!;
    const xb = xMap[t]! * d;
    const mb = locMap[t]! * d;
    const li = lMap[t]!;
    const lb = li * dd;
    const ib = perRow ? 0 : li * d;
    for (let i = 0; i < d; i++) {
      const ri = lb + i * d;
      let s0 = x[xb + i]! - loc[mb + i]!;
      let s1 = 0, s2 = 0, s3 = 0;
      let k = 0;
      for (; k + 3 < i; k += 4) {
        s0 -= l[ri + k]! * z[k]!;
        s1 -= l[ri + k + 1]! * z[k + 1]!;
        s2 -= l[ri + k + 2]! * z[k + 2]!;
        s3 -= l[ri + k + 3]! * z[k + 3]!;
      }
      for (; k < i; k++) s0 -= l[ri + k]! * z[k]!;
      if (perRow) invDiag[i] = 1 / l[ri + i]!;
      z[i] = (s0 + s1 + (s2 + s3)) * invDiag[ib + i]!;
    }
    // w = L⁻ᵀ z by column-oriented back substitution (reads rows of L).
    for (let i = 0; i < d; i++) w[i] = z[i]!;
    for (let i = d - 1; i >= 0; i--) {
      const wi = w[i]! * invDiag[ib + i]!;
      w[i] = wi;
      const ri = lb + i * d;
      for (let k = 0; k < i; k++) w[k]! -= l[ri + k]! * wi;
    }
    for (let i = 0; i < d; i++) {
      const gw = g * w[i]!;
      dx[xb + i]! -= gw;
      dloc[mb + i]! += gw;
      const ri = lb + i * d;
      for (let j = 0; j < i; j++) dl[ri + j]! += gw * z[j]!;
      dl[ri + i]! += gw * z[i]! - g * invDiag[ib + i]!;
    }
  }
}

/** out[t] = loc + L eps for `batch` output rows of size `d`. */
export function mvnTrilSampleJs(
  loc: Float32Array,
  l: Float32Array,
  eps: Float32Array,
  out: Float32Array,
  batch: number,
  d: number,
  locMap: Int32Array,
  lMap: Int32Array,
  epsMap: Int32Array,
): void {
  const dd = d * d;
  for (let t = 0; t < batch; t++) {
    const mb = locMap[t]! * d;
    const lb = lMap[t]! * dd;
    const eb = epsMap[t]! * d;
    const ob = t * d;
    for (let i = 0; i < d; i++) {
      let s = loc[mb + i]!;
      const ri = lb + i * d;
      for (let k = 0; k <= i; k++) s += l[ri + k]! * eps[eb + k]!;
      out[ob + i] = s;
    }
  }
}

/**
 * mvnTrilSampleJs when every operand's batch is a trailing part of the output batch (eps
 * [S, ...B, d] against loc [...B, d] and L [...B, d, d], the shape of `sample`): the operand
 * row of output row t is t mod its row count, kept as wrapping counters instead of three index
 * maps of `batch` entries each.
 */
export function mvnTrilSampleSuffixJs(
  loc: Float32Array, l: Float32Array, eps: Float32Array, out: Float32Array,
  batch: number, d: number, locRows: number, lRows: number, epsRows: number,
): void {
  const dd = d * d;
  let mi = 0, li = 0, ei = 0;
  for (let t = 0; t < batch; t++) {
    const mb = mi * d;
    const lb = li * dd;
    const eb = ei * d;
    const ob = t * d;
    for (let i = 0; i < d; i++) {
      let s = loc[mb + i]!;
      const ri = lb + i * d;
      for (let k = 0; k <= i; k++) s += l[ri + k]! * eps[eb + k]!;
      out[ob + i] = s;
    }
    if (++mi === locRows) mi = 0;
    if (++li === lRows) li = 0;
    if (++ei === epsRows) ei = 0;
  }
}

/**
 * Gradients of Σ dy · (loc + L eps): dloc += dy, dL += tril(dy epsᵀ), deps += Lᵀ dy,
 * accumulated into zero-filled buffers of the operands' sizes.
 */
export function mvnTrilSampleGradJs(
  l: Float32Array,
  eps: Float32Array,
  dy: Float32Array,
  dloc: Float32Array | Float64Array,
  dl: Float32Array | Float64Array,
  deps: Float32Array | Float64Array,
  batch: number,
  d: number,
  locMap: Int32Array,
  lMap: Int32Array,
  epsMap: Int32Array,
): void {
  const dd = d * d;
  for (let t = 0; t < batch; t++) {
    const mb = locMap[t]! * d;
    const lb = lMap[t]! * dd;
    const eb = epsMap[t]! * d;
    const ob = t * d;
    for (let i = 0; i < d; i++) {
      const g = dy[ob + i]!;
      dloc[mb + i]! += g;
      const ri = lb + i * d;
      for (let k = 0; k <= i; k++) {
        dl[ri + k]! += g * eps[eb + k]!;
        deps[eb + k]! += l[ri + k]! * g;
      }
    }
  }
}

/**
 * Shared-scale variants (one L for every row): the rows are processed in
 * column blocks of CHUNK, with Z = L⁻¹ Δᵀ stored [d, CHUNK] so that every inner
 * loop is a contiguous axpy or dot product over the block (no loop-carried
 * dependency, cache resident), which runs several times faster in JS than
 * one short dependent solve per row.
 */
const CHUNK = 256;

function solveBlock(l: Float32Array, invDiag: Float64Array, z: Float64Array, d: number, nb: number): void {
  for (let i = 0; i < d; i++) {
    const zi = i * CHUNK;
    const ri = i * d;
    for (let k = 0; k < i; k++) {
      const lik = l[ri + k]!;
      if (lik === 0) continue;
      const zk = k * CHUNK;
      for (let c = 0; c < nb; c++) z[zi + c]! -= lik * z[zk + c]!;
    }
    const inv = invDiag[i]!;
    for (let c = 0; c < nb; c++) z[zi + c]! *= inv;
  }
}

function loadDiffBlock(
  x: Float32Array, loc: Float32Array, z: Float64Array, d: number, t0: number, nb: number, xMap: Int32Array, locMap: Int32Array,
): void {
  for (let c = 0; c < nb; c++) {
    const xb = xMap[t0 + c]! * d;
    const mb = locMap[t0 + c]! * d;
    for (let i = 0; i < d; i++) z[i * CHUNK + c] = x[xb + i]! - loc[mb + i]!;
  }
}

/** mvnTrilLogProbJs for a single shared L (nL = 1). */
export function mvnTrilLogProbSharedJs(
  x: Float32Array, loc: Float32Array, l: Float32Array, out: Float32Array, batch: number, d: number,
  xMap: Int32Array, locMap: Int32Array,
): void {
  const { invDiag, logDet } = diagTerms(l, 1, d);
  const c0 = -logDet[0]! - d * HALF_LOG_2PI;
  const z = new Float64Array(d * CHUNK);
  const q = new Float64Array(CHUNK);
  for (let t0 = 0; t0 < batch; t0 += CHUNK) {
    const nb = Math.min(CHUNK, batch - t0);
    loadDiffBlock(x, loc, z, d, t0, nb, xMap, locMap);
    solveBlock(l, invDiag, z, d, nb);
    q.fill(0);
    for (let i = 0; i < d; i++) {
      const zi = i * CHUNK;
      for (let c = 0; c < nb; c++) q[c]! += z[zi + c]! * z[zi + c]!;
    }
    for (let c = 0; c < nb; c++) out[t0 + c] = -0.5 * q[c]! + c0;
  }
}

/** mvnTrilLogProbGradJs for a single shared L (nL = 1); `dl` is [d, d]. */
export function mvnTrilLogProbGradSharedJs(
  x: Float32Array, loc: Float32Array, l: Float32Array, dy: Float32Array,
  dx: Float32Array | Float64Array, dloc: Float32Array | Float64Array, dl: Float32Array | Float64Array,
  batch: number, d: number, xMap: Int32Array, locMap: Int32Array,
): void {
  const { invDiag } = diagTerms(l, 1, d, false);
  const z = new Float64Array(d * CHUNK);
  const w = new Float64Array(d * CHUNK);
  const acc = new Float64Array(d * d);
  let gsum = 0;
  for (let t0 = 0; t0 < batch; t0 += CHUNK) {
    const nb = Math.min(CHUNK, batch - t0);
    loadDiffBlock(x, loc, z, d, t0, nb, xMap, locMap);
    solveBlock(l, invDiag, z, d, nb);
    // w = L⁻ᵀ z (back substitution, rows of w as axpys), then scale columns by dy.
    w.set(z);
    for (let i = d - 1; i >= 0; i--) {
      const wi = i * CHUNK;
      const inv = invDiag[i]!;
      for (let c = 0; c < nb; c++) w[wi + c]! *= inv;
      const ri = i * d;
      for (let k = 0; k < i; k++) {
        const lik = l[ri + k]!;
        if (lik === 0) continue;
        const wk = k * CHUNK;
        for (let c = 0; c < nb; c++) w[wk + c]! -= lik * w[wi + c]!;
      }
    }
    for (let c = 0; c < nb; c++) gsum += dy[t0 + c]!;
    for (let i = 0; i < d; i++) {
      const wi = i * CHUNK;
      for (let c = 0; c < nb; c++) w[wi + c]! *= dy[t0 + c]!;
    }
    // dL += tril(W Zᵀ): dot products over the block.
    for (let i = 0; i < d; i++) {
      const wi = i * CHUNK;
      for (let j = 0; j <= i; j++) {
        const zj = j * CHUNK;
        let s = 0;
        for (let c = 0; c < nb; c++) s += w[wi + c]! * z[zj + c]!;
        acc[i * d + j]! += s;
      }
    }
    for (let c = 0; c < nb; c++) {
      const xb = xMap[t0 + c]! * d;
      const mb = locMap[t0 + c]! * d;
      for (let i = 0; i < d; i++) {
        const gw = w[i * CHUNK + c]!;
        dx[xb + i]! -= gw;
        dloc[mb + i]! += gw;
      }
    }
  }
  for (let i = 0; i < d; i++) acc[i * d + i]! -= gsum * invDiag[i]!;
  for (let k = 0; k < d * d; k++) dl[k]! += acc[k]!;
}
