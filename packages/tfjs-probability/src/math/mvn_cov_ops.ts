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
 * log N(r; 0, cov) for residuals `r [...R, N]` and covariances `cov [...B, N, N]` (lower triangle
 * read; batch shapes broadcast), differentiable in both. Only for backends whose tensors are host
 * memory (cpu, wasm: see {@link mvnCovLogProbRuns}); `owner` names the caller in errors.
 */
export function mvnCovLogProb(r: tf.Tensor, cov: tf.Tensor, owner: string): tf.Tensor {
  const n = cov.shape[cov.rank - 1]!;
  const covBatch = cov.shape.slice(0, -2);
  const outBatch = broadcastPair(r.shape.slice(0, -1), covBatch);
  if (outBatch === null || r.shape[r.rank - 1] !== n) {
    throw new InvalidArgumentError(`${owner}: values ${fmtShape(r.shape)} do not match the covariance ${fmtShape(cov.shape)}`);
  }
  return tf.tidy(() => mvnCovLogProbImpl(r, cov, owner, n, covBatch, outBatch));
}

function mvnCovLogProbImpl(r: tf.Tensor, cov: tf.Tensor, owner: string, n: number, covBatch: number[], outBatch: number[]): tf.Tensor {
  const rb = outBatch.length === r.rank - 1 && outBatch.every((d, i) => d === r.shape[i]) ? r : broadcastDifferentiable(r, [...outBatch, n]);
  const nOut = sizeOf(outBatch);
  const nCov = sizeOf(covBatch);
  const map = broadcastMap(outBatch, covBatch);
  const nn = n * n;
  const op = tf.customGrad(asCustom((rt: tf.Tensor, ct: tf.Tensor, save: tf.GradSaveFunc) => {
    save([]);
    const rv = rt.dataSync() as Float32Array;
    const cv = ct.dataSync() as Float32Array;
    const factors: Float32Array[] = [];
    const logDet = new Float64Array(nCov);
    for (let b = 0; b < nCov; b++) {
      const l = new Float32Array(nn);
      const failed = choleskyBlocked(cv.subarray(b * nn, (b + 1) * nn), l, n);
      if (failed >= 0) {
        const where = covBatch.length ? ` (batch index ${b} of ${fmtShape(covBatch)})` : '';
        throw new InvalidArgumentError(`${owner}: the covariance ${fmtShape(cov.shape)} is not positive definite${where}; increase the observation noise or the jitter`);
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
        const dcov = new Float32Array(nCov * nn);
        const gSum = new Float64Array(nCov);
        for (let t = 0; t < nOut; t++) {
          gSum[map[t]!]! += g[t]!;
          for (let i = 0; i < n; i++) dr[t * n + i] = -g[t]! * alpha[t * n + i]!;
        }
        for (let b = 0; b < nCov; b++) {
          const w = dcov.subarray(b * nn, (b + 1) * nn);
          inverseFromCholesky(factors[b]!, w, n);
          const c = -0.5 * gSum[b]!;
          for (let k = 0; k < nn; k++) w[k]! *= c;
        }
        for (let t = 0; t < nOut; t++) {
          const w = dcov.subarray(map[t]! * nn, (map[t]! + 1) * nn);
          const a = alpha.subarray(t * n, (t + 1) * n);
          const h = 0.5 * g[t]!;
          for (let i = 0; i < n; i++) {
            const hi = h * a[i]!;
            const ri = i * n;
            for (let j = 0; j < n; j++) w[ri + j]! += hi * a[j]!;
          }
        }
        return [tf.tensor(dr, rt.shape), tf.tensor(dcov, ct.shape)];
      },
    };
  })) as (rt: tf.Tensor, ct: tf.Tensor) => tf.Tensor;
  return op(rb, cov);
}
