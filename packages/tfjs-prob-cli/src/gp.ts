/**
 * `fit --head gp`: Gaussian-process regression of one target column on standardized inputs, with
 * an ARD kernel (a `FeatureScaled` Matérn-5/2 or squared exponential: one length scale per input
 * column), an amplitude and a noise variance fitted by L-BFGS (`tfp.optimizer.lbfgsMinimize`) on
 * - the exact log marginal likelihood (`tfd.GaussianProcess.logProb`) up to `EXACT_MAX_ROWS` rows;
 * - beyond (or with `--inducing M`), Titsias' (2009) collapsed variational bound with M inducing
 *   points (a seeded random subset of the rows), which needs O(N M²) work instead of O(N³).
 * The predictive of each row is the normal of a new noisy observation: the posterior
 * (`tfd.GaussianProcessRegressionModel` when exact; `mean = k_*ᵀ w`,
 * `var = a² − ‖L⁻¹k_*‖² + ‖L_B⁻¹L⁻¹k_*‖² + σ²` with the stored Cholesky factors when sparse).
 * Public API only.
 */
import * as tf from '@tensorflow/tfjs';
import * as tfp from 'tfjs-probability';
import { CliError } from './errors.js';
import { mulberry32, permutation } from './rng.js';

/** Rows up to which the exact marginal likelihood is fitted (its cost grows as N³). */
export const EXACT_MAX_ROWS = 3000;
/** Inducing points when the rows exceed EXACT_MAX_ROWS and `--inducing` is not given. */
export const DEFAULT_INDUCING = 500;
const JITTER = 1e-6;
/** Smallest noise variance (standardized targets: a noise sd of 1% of the targets'), which keeps K + σ²I factorizable in float32. */
const NOISE_FLOOR = 1e-4;

export type GpKernelName = 'matern52' | 'rbf';

/** What a fitted Gaussian process keeps (standardized units), saved as `gp.json` in the model directory. */
export interface GpState {
  format: 'tfjs-prob-gp';
  kernel: GpKernelName;
  amplitude: number;
  lengthScales: number[];
  noiseVariance: number;
  mode: 'exact' | 'sparse';
  /** `[M, F]` row-major: the training inputs (exact) or the inducing points (sparse). */
  points: number[];
  /** Exact: the training targets `[M]`. */
  observations?: number[];
  /** Sparse: the mean weights `w [M]`, and the Cholesky factors `L` of K_mm and `L_B` of I + AAᵀ, `[M, M]` each. */
  weights?: number[];
  cholKmm?: number[];
  cholB?: number[];
  /** The objective reached: the log marginal likelihood (exact) or its lower bound (sparse), per row. */
  objectivePerRow: number;
  evaluations: number;
}

export interface GpOptions {
  kernel: GpKernelName;
  /** Inducing points; undefined: exact up to EXACT_MAX_ROWS rows, else DEFAULT_INDUCING. */
  inducing?: number;
  maxIterations: number;
  seed: number;
}

function makeKernel(name: GpKernelName, amplitude: tf.Tensor | number, lengthScales: tf.Tensor | number[]): tfp.math.psdKernels.PositiveSemidefiniteKernel {
  const K = tfp.math.psdKernels;
  const base = name === 'rbf' ? new K.ExponentiatedQuadratic({ amplitude }) : new K.MaternFiveHalves({ amplitude });
  return new K.FeatureScaled({ kernel: base, scaleDiag: lengthScales });
}

function disposeKernel(k: tfp.math.psdKernels.PositiveSemidefiniteKernel): void {
  const fs = k as unknown as { kernel?: { dispose(): void } };
  fs.kernel?.dispose();
  k.dispose();
}

/** The collapsed bound's pieces for inducing points `z [M, F]` (GPflow's SGPR formulas). */
function sparseParts(kernel: tfp.math.psdKernels.PositiveSemidefiniteKernel, z: tf.Tensor2D, x: tf.Tensor2D, y: tf.Tensor1D, noise: tf.Tensor) {
  const m = z.shape[0];
  const sigma = tf.sqrt(noise);
  const kmm = tf.add(kernel.matrix(z, z), tf.mul(JITTER, tf.eye(m)));
  const L = tfp.math.cholesky(kmm);
  const A = tf.div(tfp.math.triangularSolve(L, kernel.matrix(z, x)), sigma); // [M, N]
  const B = tf.add(tf.matMul(A, A, false, true), tf.eye(m));
  const LB = tfp.math.cholesky(B);
  const c = tf.div(tfp.math.triangularSolve(LB, tf.matMul(A, tf.reshape(y, [-1, 1]))), sigma); // [M, 1]
  return { L, LB, A, c };
}

/** Titsias' bound on log p(y): −N/2 log 2πσ² − Σ log diag L_B − ½(yᵀy/σ² − cᵀc) − ½(N a²/σ² − tr AAᵀ). */
function sparseBound(kernel: tfp.math.psdKernels.PositiveSemidefiniteKernel, amp2: tf.Tensor, z: tf.Tensor2D, x: tf.Tensor2D, y: tf.Tensor1D, noise: tf.Tensor): tf.Tensor {
  const n = x.shape[0];
  const { LB, A, c } = sparseParts(kernel, z, x, y, noise);
  const logDiagB = tf.sum(tf.log(tf.sum(tf.mul(LB, tf.eye(LB.shape[0]!)), -1)));
  const fit = tf.sub(tf.div(tf.sum(tf.square(y)), noise), tf.sum(tf.square(c)));
  const trace = tf.sub(tf.div(tf.mul(n, amp2), noise), tf.sum(tf.square(A)));
  return tf.neg(tf.addN([tf.mul(0.5 * n, tf.log(tf.mul(2 * Math.PI, noise))), logDiagB, tf.mul(0.5, fit), tf.mul(0.5, trace)]));
}

/** Fits the hyperparameters on standardized `x [n, f]`, `y [n]` (row-major). */
export async function fitGp(x: Float32Array, y: Float32Array, n: number, f: number, opts: GpOptions, log?: (s: string) => void): Promise<GpState> {
  const m = opts.inducing ?? (n <= EXACT_MAX_ROWS ? n : DEFAULT_INDUCING);
  const sparse = m < n;
  if (!sparse && n > 2 * EXACT_MAX_ROWS) throw new CliError(`--head gp: ${n} rows are too many for the exact Gaussian process; give --inducing M (M < ${n})`);
  const xt = tf.tensor2d(x, [n, f]);
  const yt = tf.tensor1d(y);
  const zIdx = sparse ? permutation(n, mulberry32(opts.seed ^ 0x2545f491)).subarray(0, m) : null;
  const zt = zIdx ? tf.tensor2d(Float32Array.from({ length: m * f }, (_, k) => x[zIdx[Math.floor(k / f)]! * f + (k % f)]!), [m, f]) : null;
  // θ = [log a, log ℓ_1..F, log(σ² − floor)]; the objective is the negative per-row LML (or bound).
  const unpack = (t: tf.Tensor) => {
    const la = tf.squeeze(tf.slice(t, [0], [1]));
    const ll = tf.slice(t, [1], [f]);
    const ln = tf.squeeze(tf.slice(t, [f + 1], [1]));
    return { amp: tf.exp(la), ls: tf.exp(ll), noise: tf.add(tf.exp(ln), NOISE_FLOOR) };
  };
  const objective = (t: tf.Tensor): tf.Tensor => {
    const { amp, ls, noise } = unpack(t);
    const kernel = makeKernel(opts.kernel, amp, ls);
    try {
      if (zt) return tf.div(tf.neg(sparseBound(kernel, tf.square(amp), zt, xt, yt, noise)), n);
      const gp = new tfp.distributions.GaussianProcess({ kernel, indexPoints: xt, observationNoiseVariance: noise, jitter: JITTER });
      const v = tf.div(tf.neg(gp.logProb(yt)), n);
      gp.dispose();
      return v;
    } finally {
      disposeKernel(kernel);
    }
  };
  try {
    const start = [0, ...new Array<number>(f).fill(0), Math.log(0.1)];
    // A trial point whose covariance is not positive definite in float32 (a very long length scale) is
    // reported as a non-finite value, from which the line search backs off.
    const valueAndGradient = (t: tf.Tensor): tf.Tensor[] => {
      try {
        return tfp.math.valueAndGradient(objective, t);
      } catch (e) {
        if (!/not positive definite/.test(String(e))) throw e;
        return [tf.scalar(NaN), tf.zerosLike(t)];
      }
    };
    const res = await tfp.optimizer.lbfgsMinimize(valueAndGradient, start, {
      tolerance: 1e-4, fRelativeTolerance: 1e-7, maxIterations: opts.maxIterations,
    });
    const theta = Array.from(await res.position.data());
    const obj = (await res.objectiveValue.data())[0]!;
    const evaluations = res.numObjectiveEvaluations;
    tf.dispose([res.position, res.objectiveValue, res.objectiveGradient, res.converged, res.failed]);
    if (!Number.isFinite(obj) || !theta.every(Number.isFinite)) throw new CliError('--head gp: the hyperparameter fit diverged (non-finite marginal likelihood); check the data for constant or duplicated columns');
    const amplitude = Math.exp(theta[0]!);
    const lengthScales = theta.slice(1, f + 1).map(Math.exp);
    const noiseVariance = Math.exp(theta[f + 1]!) + NOISE_FLOOR;
    log?.(`gp: ${sparse ? `${m} inducing points` : 'exact'}, L-BFGS ${evaluations} evaluations, ${sparse ? 'bound' : 'log marginal likelihood'} ${(-obj).toFixed(4)} per row`);
    const state: GpState = {
      format: 'tfjs-prob-gp', kernel: opts.kernel, amplitude, lengthScales, noiseVariance,
      mode: sparse ? 'sparse' : 'exact', points: [], objectivePerRow: -obj, evaluations,
    };
    if (!zt) {
      state.points = Array.from(x);
      state.observations = Array.from(y);
      return state;
    }
    state.points = Array.from(await zt.data());
    const kernel = makeKernel(opts.kernel, amplitude, lengthScales);
    try {
      const [w, L, LB] = tf.tidy(() => {
        const p = sparseParts(kernel, zt, xt, yt, tf.scalar(noiseVariance));
        // w = L⁻ᵀ L_B⁻ᵀ c, so that the posterior mean at x* is k(x*, Z) w.
        const v = tfp.math.triangularSolve(p.LB, p.c, { adjoint: true });
        return [tf.reshape(tfp.math.triangularSolve(p.L, v, { adjoint: true }), [-1]), p.L, p.LB];
      });
      state.weights = Array.from(await w!.data());
      state.cholKmm = Array.from(await L!.data());
      state.cholB = Array.from(await LB!.data());
      tf.dispose([w!, L!, LB!]);
    } finally {
      disposeKernel(kernel);
    }
    return state;
  } finally {
    tf.dispose([xt, yt, ...(zt ? [zt] : [])]);
  }
}

/** The predictive of a new noisy observation at standardized `x [n, f]`: `Independent(Normal [n, 1])`. */
export function gpPredictive(s: GpState, x: tf.Tensor2D): tfp.distributions.Distribution {
  const f = s.lengthScales.length;
  const m = s.points.length / f;
  const kernel = makeKernel(s.kernel, s.amplitude, s.lengthScales);
  try {
    const [loc, scale] = tf.tidy(() => {
      const z = tf.tensor2d(s.points, [m, f]);
      if (s.mode === 'exact') {
        const gprm = new tfp.distributions.GaussianProcessRegressionModel({
          kernel, indexPoints: x, observationIndexPoints: z, observations: s.observations!, observationNoiseVariance: s.noiseVariance, jitter: JITTER,
        });
        const out = [gprm.mean(), gprm.stddev()];
        gprm.dispose();
        return out;
      }
      const kzx = kernel.matrix(z, x); // [M, n]
      const mean = tf.reshape(tf.matMul(tf.reshape(tf.tensor1d(s.weights!), [1, m]), kzx), [-1]);
      const t1 = tfp.math.triangularSolve(tf.tensor2d(s.cholKmm!, [m, m]), kzx);
      const t2 = tfp.math.triangularSolve(tf.tensor2d(s.cholB!, [m, m]), t1);
      const variance = tf.add(tf.sub(s.amplitude ** 2 + s.noiseVariance, tf.sum(tf.square(t1), 0)), tf.sum(tf.square(t2), 0));
      return [mean, tf.sqrt(tf.maximum(variance, s.noiseVariance))];
    });
    const [l2, s2] = [tf.reshape(loc!, [-1, 1]), tf.reshape(scale!, [-1, 1])];
    const normal = new tfp.distributions.Normal({ loc: l2, scale: s2 });
    tf.dispose([loc!, scale!, l2, s2]);
    const d = new tfp.distributions.Independent({ distribution: normal, reinterpretedBatchNdims: 1 });
    return d;
  } finally {
    disposeKernel(kernel);
  }
}

/** Checks a `gp.json` read from a model directory (untrusted): every field present, finite and of consistent size. */
export function checkGpState(v: unknown, f: number, file: string): GpState {
  const s = v as Partial<GpState> | null;
  const bad = (what: string): never => {
    throw new CliError(`${file}: not a valid Gaussian-process model (${what})`);
  };
  if (s === null || typeof s !== 'object' || s.format !== 'tfjs-prob-gp') bad('format is not "tfjs-prob-gp"');
  if (s!.kernel !== 'rbf' && s!.kernel !== 'matern52') bad(`kernel ${JSON.stringify(String(s!.kernel).slice(0, 40))}`);
  if (s!.mode !== 'exact' && s!.mode !== 'sparse') bad('mode');
  const pos = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && x > 0;
  const nums = (a: unknown, len: number | null, name: string): number[] => {
    if (!Array.isArray(a) || (len !== null && a.length !== len) || !a.every((e) => typeof e === 'number' && Number.isFinite(e))) bad(`${name}: expected ${len ?? 'an array of'} finite numbers`);
    return a as number[];
  };
  if (!pos(s!.amplitude) || !pos(s!.noiseVariance)) bad('amplitude and noiseVariance must be positive numbers');
  if (!Array.isArray(s!.lengthScales) || s!.lengthScales.length !== f || !s!.lengthScales.every(pos)) bad(`lengthScales: expected ${f} positive numbers`);
  const pts = nums(s!.points, null, 'points');
  const m = pts.length / f;
  if (!Number.isInteger(m) || m < 1) bad(`points: expected [M, ${f}]`);
  if (s!.mode === 'exact') nums(s!.observations, m, 'observations');
  else {
    nums(s!.weights, m, 'weights');
    for (const k of ['cholKmm', 'cholB'] as const) {
      const c = nums(s![k], m * m, k);
      for (let i = 0; i < m; i++) if (!(c[i * m + i]! > 0)) bad(`${k}: a Cholesky factor needs a positive diagonal`);
    }
  }
  return s as GpState;
}
