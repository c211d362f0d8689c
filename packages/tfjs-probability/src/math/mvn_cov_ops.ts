/**
 * log N(r; 0, K) for a dense covariance K (the Gaussian-process log marginal likelihood), with the
 * standard dedicated gradient (Rasmussen & Williams 2006, eq. 5.9; what scikit-learn computes):
 *   ∂/∂r = −α,   ∂/∂K = ½ (ααᵀ − K⁻¹),   α = K⁻¹ r = L⁻ᵀ L⁻¹ r,
 * where K⁻¹ = L⁻ᵀL⁻¹ is formed from the Cholesky factor L by the blocked triangular inverse and one
 * product (src/math/spd_blocked.ts); the density itself only uses L (log|K| = 2 Σ log L_ii and
 * one forward substitution). On cpu and wasm, where the tensors are host memory, this replaces the
 * generic Cholesky gradient (two N×N triangular solves in scalar loops) by ~N³ flops of SIMD products.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, fmtShape } from '../errors.js';
import { broadcastMap } from '../kernels/linalg_js.js';
import { useKernels } from '../kernels/register.js';
import { broadcastDifferentiable, broadcastPair } from '../util.js';
import { asCustom } from './linalg.js';
import { choleskyBlocked, inverseFromCholesky } from './spd_blocked.js';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** Smallest N that takes this path (smaller problems keep the fused triangular-scale kernels). */
export const MVN_COV_MIN_N = 64;

/** Whether {@link mvnCovLogProb} runs on the active backend for event size `n`. */
export function mvnCovLogProbRuns(n: number): boolean {
  return n >= MVN_COV_MIN_N && useKernels();
}

const sizeOf = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/**
 * log N(r; 0, cov + diag·I) for residuals `r [...R, N]`, covariances `cov [...C, N, N]` (lower triangle
 * read) and diagonal shifts `diag [...D]` (the observation noise plus jitter; batch shapes broadcast),
 * differentiable in all three. Only for backends whose tensors are host memory (cpu, wasm: see
 * {@link mvnCovLogProbRuns}); `owner` names the caller in errors.
 */
export function mvnCovLogProb(r: tf.Tensor, cov: tf.Tensor, diag: tf.Tensor, owner: string): tf.Tensor {
  const n = cov.shape[cov.rank - 1]!;
  const factorBatch = broadcastPair(cov.shape.slice(0, -2), diag.shape);
  const outBatch = factorBatch === null ? null : broadcastPair(r.shape.slice(0, -1), factorBatch);
  if (factorBatch === null || outBatch === null || r.shape[r.rank - 1] !== n) {
    throw new InvalidArgumentError(`${owner}: values ${fmtShape(r.shape)}, covariance ${fmtShape(cov.shape)} and diagonal ${fmtShape(diag.shape)} do not broadcast`);
  }
  return tf.tidy(() => mvnCovLogProbImpl(r, cov, diag, owner, n, factorBatch, outBatch));
}

function mvnCovLogProbImpl(r: tf.Tensor, cov: tf.Tensor, diag: tf.Tensor, owner: string, n: number, factorBatch: number[], outBatch: number[]): tf.Tensor {
  const rb = outBatch.length === r.rank - 1 && outBatch.every((d, i) => d === r.shape[i]) ? r : broadcastDifferentiable(r, [...outBatch, n]);
  const covBatch = cov.shape.slice(0, -2);
  const nOut = sizeOf(outBatch);
  const nF = sizeOf(factorBatch);
  const map = broadcastMap(outBatch, factorBatch); // row → factor
  const covOf = broadcastMap(factorBatch, covBatch); // factor → covariance
  const diagOf = broadcastMap(factorBatch, diag.shape); // factor → diagonal shift
  const nn = n * n;
  const op = tf.customGrad(asCustom((rt: tf.Tensor, ct: tf.Tensor, dt: tf.Tensor, save: tf.GradSaveFunc) => {
    save([]);
    const rv = rt.dataSync() as Float32Array;
    const cv = ct.dataSync() as Float32Array;
    const dv = dt.dataSync() as Float32Array;
    const factors: Float32Array[] = [];
    const logDet = new Float64Array(nF);
    for (let b = 0; b < nF; b++) {
      const l = new Float32Array(nn);
      const c = covOf[b]!;
      const failed = choleskyBlocked(cv.subarray(c * nn, (c + 1) * nn), l, n, dv[diagOf[b]!]!);
      if (failed >= 0) {
        const where = factorBatch.length ? ` (batch index ${b} of ${fmtShape(factorBatch)})` : '';
        throw new InvalidArgumentError(`${owner}: the covariance ${fmtShape([...factorBatch, n, n])} is not positive definite${where}; increase the observation noise or the jitter`);
      }
      let s = 0;
      for (let i = 0; i < n; i++) s += Math.log(l[i * n + i]!);
      logDet[b] = s;
      factors.push(l);
    }
    const alpha = new Float64Array(nOut * n);
    const out = new Float32Array(nOut);
    const z = new Float64Array(n);
    for (let t = 0; t < nOut; t++) {
      const l = factors[map[t]!]!;
      // z = L⁻¹ r (rows of L), α = L⁻ᵀ z (column-oriented back substitution, rows of L).
      let q = 0;
      for (let i = 0; i < n; i++) {
        const ri = i * n;
        let s0 = rv[t * n + i]!, s1 = 0;
        let k = 0;
        for (; k + 1 < i; k += 2) {
          s0 -= l[ri + k]! * z[k]!;
          s1 -= l[ri + k + 1]! * z[k + 1]!;
        }
        if (k < i) s0 -= l[ri + k]! * z[k]!;
        const zi = (s0 + s1) / l[ri + i]!;
        z[i] = zi;
        q += zi * zi;
      }
      const a = alpha.subarray(t * n, (t + 1) * n);
      a.set(z);
      for (let i = n - 1; i >= 0; i--) {
        const ri = i * n;
        const ai = a[i]! / l[ri + i]!;
        a[i] = ai;
        for (let k = 0; k < i; k++) a[k]! -= l[ri + k]! * ai;
      }
      out[t] = -0.5 * q - logDet[map[t]!]! - n * HALF_LOG_2PI;
    }
    return {
      value: tf.tensor(out, outBatch),
      gradFunc: (dy: tf.Tensor) => {
        const g = dy.dataSync() as Float32Array;
        const dr = new Float32Array(nOut * n);
        const gF = new Float32Array(nF * nn);
        const gSum = new Float64Array(nF);
        for (let t = 0; t < nOut; t++) {
          gSum[map[t]!]! += g[t]!;
          for (let i = 0; i < n; i++) dr[t * n + i] = -g[t]! * alpha[t * n + i]!;
        }
        for (let b = 0; b < nF; b++) {
          const w = gF.subarray(b * nn, (b + 1) * nn);
          inverseFromCholesky(factors[b]!, w, n);
          const c = -0.5 * gSum[b]!;
          for (let k = 0; k < nn; k++) w[k]! *= c;
        }
        for (let t = 0; t < nOut; t++) {
          const w = gF.subarray(map[t]! * nn, (map[t]! + 1) * nn);
          const a = alpha.subarray(t * n, (t + 1) * n);
          const h = 0.5 * g[t]!;
          for (let i = 0; i < n; i++) {
            const hi = h * a[i]!;
            const ri = i * n;
            for (let j = 0; j < n; j++) w[ri + j]! += hi * a[j]!;
          }
        }
        // Sum the factors' gradients into their covariance and diagonal (trace) entries.
        const nCov = sizeOf(covBatch);
        const dcov = nCov === nF ? gF : new Float32Array(nCov * nn);
        const ddiag = new Float32Array(sizeOf(diag.shape));
        for (let b = 0; b < nF; b++) {
          const w = gF.subarray(b * nn, (b + 1) * nn);
          if (dcov !== gF) {
            const o = covOf[b]! * nn;
            for (let k = 0; k < nn; k++) dcov[o + k]! += w[k]!;
          }
          let tr = 0;
          for (let i = 0; i < n; i++) tr += w[i * n + i]!;
          ddiag[diagOf[b]!]! += tr;
        }
        return [tf.tensor(dr, rt.shape), tf.tensor(dcov, ct.shape), tf.tensor(ddiag, dt.shape)];
      },
    };
  })) as (rt: tf.Tensor, ct: tf.Tensor, dt: tf.Tensor) => tf.Tensor;
  return op(rb, cov, diag);
}
