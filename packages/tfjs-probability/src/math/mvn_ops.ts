/**
 * Fused multivariate-normal operations on a Cholesky-type scale:
 * the log-density log N(x; loc, L Lᵀ) and the reparameterized sample
 * loc + L eps, batched with broadcasting and with analytic gradients.
 *
 * On 'cpu' and 'wasm' each is one plain-loop kernel (src/kernels/) that never
 * materializes L⁻¹ or the broadcast operands; elsewhere they are composed
 * from {@link triangularSolve} and tf ops (the same math, autodiffed).
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, fmtShape } from '../errors.js';
import {
  MVN_TRIL_LOG_PROB,
  MVN_TRIL_LOG_PROB_GRAD,
  MVN_TRIL_SAMPLE,
  MVN_TRIL_SAMPLE_GRAD,
  useKernels,
} from '../kernels/register.js';
import { TensorLike, broadcastPair, toFloat } from '../util.js';
import { asCustom, sumToShape, triangularSolve } from './linalg.js';

const LOG_2PI = Math.log(2 * Math.PI);

function batchOf(owner: string, parts: Array<[string, tf.Tensor, number]>): number[] {
  let out: number[] = [];
  for (const [name, t, core] of parts) {
    const next = broadcastPair(out, t.shape.slice(0, t.rank - core));
    if (next === null) {
      throw new InvalidArgumentError(
        `${owner}: batch shapes do not broadcast: ${parts.map(([n, u]) => `${n} ${fmtShape(u.shape)}`).join(', ')} (failed at ${name})`,
      );
    }
    out = next;
  }
  return out;
}

function checkScale(owner: string, l: tf.Tensor): number {
  const d = l.shape[l.rank - 1];
  if (l.rank < 2 || d !== l.shape[l.rank - 2]) {
    throw new InvalidArgumentError(`${owner}: scaleTril must be [..., k, k]; got ${fmtShape(l.shape)}`);
  }
  return d!;
}

function checkVector(owner: string, name: string, t: tf.Tensor, d: number): void {
  if (t.rank < 1 || t.shape[t.rank - 1] !== d) {
    throw new InvalidArgumentError(`${owner}: ${name} must be [..., ${d}] to match scaleTril; got ${fmtShape(t.shape)}`);
  }
}

let gradsRegistered = false;
function registerGrads(): void {
  if (gradsRegistered) return;
  gradsRegistered = true;
  tf.registerGradient({
    kernelName: MVN_TRIL_LOG_PROB,
    inputsToSave: ['x', 'loc', 'scaleTril'],
    gradFunc: (dy, saved) => {
      const [x, loc, scaleTril] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
      // One fused backward kernel computes all three gradients (the tape asks for each).
      const [gx, gloc, gl] = tf.engine().runKernel(MVN_TRIL_LOG_PROB_GRAD, { x, loc, scaleTril, dy: dy as tf.Tensor }, {}) as tf.Tensor[];
      return { x: () => gx!, loc: () => gloc!, scaleTril: () => gl! };
    },
  });
  tf.registerGradient({
    kernelName: MVN_TRIL_SAMPLE,
    inputsToSave: ['loc', 'scaleTril', 'eps'],
    gradFunc: (dy, saved) => {
      const [loc, scaleTril, eps] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
      const [gloc, gl, geps] = tf.engine().runKernel(MVN_TRIL_SAMPLE_GRAD, { loc, scaleTril, eps, dy: dy as tf.Tensor }, {}) as tf.Tensor[];
      return { loc: () => gloc!, scaleTril: () => gl!, eps: () => geps! };
    },
  });
}

/** Composed log-density (any backend); differentiable through triangularSolve. */
function logProbComposed(x: tf.Tensor, loc: tf.Tensor, l: tf.Tensor, batch: number[], d: number): tf.Tensor {
  const diff = tf.broadcastTo(tf.sub(x, loc), [...batch, d]);
  const lb = tf.broadcastTo(l, [...batch, d, d]);
  const z = triangularSolve(lb, tf.expandDims(diff, -1), { lower: true });
  const maha = tf.sum(tf.square(z), [-2, -1]);
  const diag = tf.sum(tf.mul(l, tf.eye(d)), -1);
  const logDet = tf.sum(tf.log(tf.abs(diag)), -1);
  return tf.sub(tf.sub(tf.mul(-0.5, maha), logDet), 0.5 * d * LOG_2PI);
}

/**
 * Shared-scale path for the wasm backend: one L for every row, so the
 * whitening is a dense product with the (float64-computed, tiny) L⁻ᵀ that
 * runs in the backend's SIMD matMul: Z = Δ L⁻ᵀ, and for the gradient
 * W = (dy ∘ Z) L⁻¹, dL = tril(Wᵀ Z) − Σdy · diag(1/L_ii). Transposes are
 * explicit (a matMul with transpose flags is ~10x slower on wasm).
 */
function logProbSharedMatMul(x: tf.Tensor, loc: tf.Tensor, l: tf.Tensor, batch: number[], d: number): tf.Tensor {
  const op = tf.customGrad(asCustom((xt: tf.Tensor, mt: tf.Tensor, lt: tf.Tensor, save: tf.GradSaveFunc) => {
    const l2 = tf.reshape(lt, [d, d]);
    const linv = triangularSolve(l2, tf.eye(d), { lower: true }); // L⁻¹, lower
    const diff = tf.reshape(tf.broadcastTo(tf.sub(xt, mt), [...batch, d]), [-1, d]);
    const z = tf.matMul(diff, tf.transpose(linv));
    const diag = tf.sum(tf.mul(l2, tf.eye(d)), -1);
    const logDet = tf.sum(tf.log(tf.abs(diag)));
    const lp = tf.sub(tf.mul(-0.5, tf.sum(tf.square(z), 1)), tf.add(logDet, 0.5 * d * LOG_2PI));
    save([z, linv, diag]);
    return {
      value: tf.reshape(lp, batch),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [zs, li, dg] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        const g = tf.reshape(dy, [-1, 1]);
        const w = tf.matMul(tf.mul(zs, g), li); // rows (dy_t L⁻ᵀ z_t)ᵀ
        const mask = tf.linalg.bandPart(tf.ones([d, d]), -1, 0);
        const dl = tf.sub(tf.mul(tf.matMul(tf.transpose(w), zs), mask), tf.mul(tf.sum(dy), tf.diag(tf.reciprocal(dg))));
        const wb = tf.reshape(w, [...batch, d]);
        return [sumToShape(tf.neg(wb), xt.shape), sumToShape(wb, mt.shape), tf.reshape(dl, lt.shape)];
      },
    };
  }));
  return (op as unknown as (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.Tensor)(x, loc, l);
}

/** Smallest event size for which the shared-scale matMul path beats the JS loop on wasm. */
const SHARED_MATMUL_MIN_D = 4;

/**
 * Multivariate normal log-density with a lower-triangular scale:
 * log N(x; loc, L Lᵀ) = −½‖L⁻¹(x − loc)‖² − Σᵢ log|Lᵢᵢ| − (D/2) log 2π.
 * Only the lower triangle of `scaleTril` is read. Batch dimensions of the three
 * arguments broadcast (e.g. x `[S, N, D]`, loc `[N, D]`, scaleTril `[D, D]`).
 * Differentiable with respect to all three (analytic gradients).
 *
 * @param x `[..., D]`.
 * @param loc `[..., D]`.
 * @param scaleTril `[..., D, D]`.
 * @returns `[...broadcast batch]`.
 *
 * @example
 * ```ts
 * tfp.math.mvnTrilLogProb(tf.tensor1d([0, 0]), tf.tensor1d([0, 0]), tf.eye(2)).print(); // -1.8379
 * ```
 */
export function mvnTrilLogProb(x: TensorLike, loc: TensorLike, scaleTril: TensorLike): tf.Tensor {
  return tf.tidy(() => {
    const owner = 'mvnTrilLogProb';
    const xt = toFloat(x, 'x', owner);
    const mt = toFloat(loc, 'loc', owner);
    const lt = toFloat(scaleTril, 'scaleTril', owner);
    const d = checkScale(owner, lt);
    checkVector(owner, 'x', xt, d);
    checkVector(owner, 'loc', mt, d);
    const batch = batchOf(owner, [['x', xt, 1], ['loc', mt, 1], ['scaleTril', lt, 2]]);
    if (batch.some((s) => s === 0)) return tf.zeros(batch);
    if (useKernels()) {
      const rows = batch.reduce((a, b) => a * b, 1);
      if (tf.getBackend() === 'wasm' && lt.size === d * d && d >= SHARED_MATMUL_MIN_D && rows >= 64) {
        return logProbSharedMatMul(xt, mt, lt, batch, d);
      }
      registerGrads();
      return tf.engine().runKernel(MVN_TRIL_LOG_PROB, { x: xt, loc: mt, scaleTril: lt }, {}) as tf.Tensor;
    }
    return logProbComposed(xt, mt, lt, batch, d);
  });
}

/**
 * Reparameterized multivariate normal draw: loc + L · eps, with eps standard
 * normal draws supplied by the caller. Batch dimensions broadcast
 * (eps `[S, ..., D]` against loc `[..., D]` and scaleTril `[..., D, D]`);
 * differentiable with respect to loc, scaleTril and eps.
 *
 * @param loc `[..., D]`.
 * @param scaleTril `[..., D, D]` (lower triangle read).
 * @param eps `[..., D]`.
 * @returns `[...broadcast batch, D]`.
 *
 * @example
 * ```ts
 * tfp.math.mvnTrilSample(tf.tensor1d([1, 2]), tf.tensor2d([[1, 0], [1, 1]]), tf.tensor2d([[1, 1]])).print(); // [[2, 4]]
 * ```
 */
export function mvnTrilSample(loc: TensorLike, scaleTril: TensorLike, eps: TensorLike): tf.Tensor {
  return tf.tidy(() => {
    const owner = 'mvnTrilSample';
    const mt = toFloat(loc, 'loc', owner);
    const lt = toFloat(scaleTril, 'scaleTril', owner);
    const et = toFloat(eps, 'eps', owner);
    const d = checkScale(owner, lt);
    checkVector(owner, 'loc', mt, d);
    checkVector(owner, 'eps', et, d);
    const batch = batchOf(owner, [['eps', et, 1], ['loc', mt, 1], ['scaleTril', lt, 2]]);
    if (batch.some((s) => s === 0)) return tf.zeros([...batch, d]);
    if (useKernels()) {
      registerGrads();
      return tf.engine().runKernel(MVN_TRIL_SAMPLE, { loc: mt, scaleTril: lt, eps: et }, {}) as tf.Tensor;
    }
    // Composed: L eps as a batched matMul over the broadcast batch.
    const mask = tf.linalg.bandPart(tf.ones([d, d]), -1, 0);
    const lb = tf.reshape(tf.broadcastTo(tf.mul(lt, mask), [...batch, d, d]), [-1, d, d]);
    const eb = tf.reshape(tf.broadcastTo(et, [...batch, d]), [-1, d, 1]);
    const le = tf.reshape(tf.matMul(lb, eb), [...batch, d]);
    return tf.add(mt, le);
  });
}
