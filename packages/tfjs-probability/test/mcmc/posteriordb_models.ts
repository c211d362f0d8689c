/**
 * posteriordb models (github.com/stan-dev/posteriordb) written as batched tfjs log densities for
 * tfp.mcmc.windowedAdaptiveNuts, from the summaries in test/fixtures/posteriordb (generate_posteriordb.py).
 * Each translates its Stan program line by line (constants dropped; the same constraining transforms as
 * Stan: exp for lower bounds, logistic for (0, 1), ordered vectors as a first value plus exp increments).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { Exp } from '../../src/bijectors/exp.js';
import { Sigmoid } from '../../src/bijectors/sigmoid.js';
import { cholesky, triangularSolve } from '../../src/math/linalg.js';
import type { PartDeclaration, WindowedAdaptiveNutsArgs } from '../../src/mcmc/windowed_nuts.js';
import { diamonds } from './posteriordb_diamonds.js';
import { hmmExample } from './posteriordb_hmm.js';

type Prior = { dist: 'flat' } | { dist: 'normal'; loc: number; scale: number } | { dist: 'cauchy'; loc: number; scale: number } | { dist: 'student_t'; df: number; loc: number; scale: number };

export interface PosteriorFixture {
  posterior: string;
  source: { repository: string; commit: string; files: string[] };
  kind: 'regression' | 'eight_schools_noncentered' | 'arma11' | 'low_dim_gauss_mix' | 'gp_regr' | 'diamonds' | 'garch11' | 'hmm_example';
  data: Record<string, number | number[]>;
  priors?: { coef: Prior[]; sigma: Prior };
  names?: { coef: string[]; sigma: string };
  /** windowedAdaptiveNuts settings other than its defaults that this posterior is checked with. */
  settings?: SamplerSettings;
  reference: Record<string, { mean: number; sd: number }>;
}

export type SamplerSettings = Pick<WindowedAdaptiveNutsArgs, 'metric' | 'maxTreeDepth' | 'targetAcceptProb' | 'independentChains'>;

export interface PosteriorModel {
  /** Builds the density (its tensors are released by `dispose`). */
  targetLogProbFn: (p: Record<string, tf.Tensor>) => tf.Tensor;
  parts: Record<string, PartDeclaration>;
  /** Reference parameter name -> draws (flat over draws and chains) from the sampler's states. */
  extract: (states: Record<string, tf.Tensor>) => Record<string, Float64Array>;
  dispose: () => void;
}

const here = dirname(fileURLToPath(import.meta.url));
const dir = join(here, '..', 'fixtures', 'posteriordb');

export function posteriorNames(): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
}

export function loadPosterior(name: string): PosteriorFixture {
  return JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as PosteriorFixture;
}

/** Log density (constants dropped) of a prior at x (any shape), elementwise. */
function priorLogProb(p: Prior, x: tf.Tensor): tf.Tensor {
  switch (p.dist) {
    case 'flat':
      return tf.zerosLike(x);
    case 'normal':
      return tf.mul(-0.5, tf.square(tf.div(tf.sub(x, p.loc), p.scale)));
    case 'cauchy':
      return tf.neg(tf.log1p(tf.square(tf.div(tf.sub(x, p.loc), p.scale))));
    case 'student_t':
      return tf.mul(-(p.df + 1) / 2, tf.log1p(tf.div(tf.square(tf.div(tf.sub(x, p.loc), p.scale)), p.df)));
  }
}

/** Draws `[numDraws * numChains]` of element `i` of a part's states `[numDraws, numChains, ...shape]`. */
export function column(t: tf.Tensor, i: number): Float64Array {
  const v = t.dataSync();
  const k = t.shape.slice(2).reduce((a, b) => a * b, 1);
  const n = t.shape[0]! * t.shape[1]!;
  return Float64Array.from({ length: n }, (_, r) => v[r * k + i]!);
}

function normalLogLik(resid: tf.Tensor, sigma: tf.Tensor, n: number): tf.Tensor {
  // Σ_n log N(resid_n | 0, σ) without constants, resid [C, N], sigma [C].
  return tf.sub(tf.mul(-0.5, tf.div(tf.sum(tf.square(resid), 1), tf.square(sigma))), tf.mul(n, tf.log(sigma)));
}

function regression(f: PosteriorFixture): PosteriorModel {
  const { N, K } = f.data as { N: number; K: number };
  const X = tf.tensor2d(f.data['X'] as number[], [N, K]);
  const y = tf.tensor1d(f.data['y'] as number[]);
  const priors = f.priors!;
  const names = f.names!;
  const groups = new Map<string, number[]>();
  priors.coef.forEach((p, i) => {
    const key = JSON.stringify(p);
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  // One mask per distinct prior (no gather: its gradient has no wasm kernel).
  const groupIdx = [...groups.entries()].filter(([k]) => JSON.parse(k).dist !== 'flat').map(([k, idx]) => ({
    prior: JSON.parse(k) as Prior,
    mask: tf.tensor1d(Array.from({ length: K }, (_, i) => (idx.includes(i) ? 1 : 0))),
  }));
  return {
    targetLogProbFn: ({ coef, sigma }) => tf.tidy(() => {
      const mu = tf.matMul(coef!, X, false, true); // [C, N]
      let lp = normalLogLik(tf.sub(y, mu), sigma!, N);
      for (const g of groupIdx) lp = tf.add(lp, tf.sum(tf.mul(priorLogProb(g.prior, coef!), g.mask), 1));
      return tf.add(lp, priorLogProb(priors.sigma, sigma!));
    }),
    parts: { coef: { shape: [K] }, sigma: { shape: [], bijector: new Exp() } },
    extract: (s) => ({ ...Object.fromEntries(names.coef.map((n, i) => [n, column(s['coef']!, i)])), [names.sigma]: column(s['sigma']!, 0) }),
    dispose: () => tf.dispose([X, y, ...groupIdx.map((g) => g.mask)]),
  };
}

function eightSchools(f: PosteriorFixture): PosteriorModel {
  const y = tf.tensor1d(f.data['y'] as number[]);
  const s = tf.tensor1d(f.data['sigma'] as number[]);
  return {
    targetLogProbFn: ({ mu, tau, thetaTrans }) => tf.tidy(() => {
      const theta = tf.add(tf.mul(thetaTrans!, tf.expandDims(tau!, 1)), tf.expandDims(mu!, 1));
      const lik = tf.sum(tf.mul(-0.5, tf.square(tf.div(tf.sub(y, theta), s))), 1);
      const pt = tf.sum(tf.mul(-0.5, tf.square(thetaTrans!)), 1);
      return tf.addN([lik, pt, tf.mul(-0.5, tf.square(tf.div(mu!, 5))), tf.neg(tf.log1p(tf.square(tf.div(tau!, 5))))]);
    }),
    parts: { thetaTrans: { shape: [8] }, mu: { shape: [] }, tau: { shape: [], bijector: new Exp() } },
    extract: (st) => {
      const mu = column(st['mu']!, 0);
      const tau = column(st['tau']!, 0);
      const out: Record<string, Float64Array> = { mu, tau };
      for (let j = 0; j < 8; j++) {
        const tt = column(st['thetaTrans']!, j);
        out[`theta[${j + 1}]`] = tt.map((v, i) => mu[i]! + tau[i]! * v);
      }
      return out;
    },
    dispose: () => tf.dispose([y, s]),
  };
}

function arma11(f: PosteriorFixture): PosteriorModel {
  const yv = f.data['y'] as number[];
  const T = yv.length;
  const y = tf.tensor1d(yv);
  // The previous value of each y_t: y_{t-1}, and for t = 1 mu (Stan's nu[1] = mu + phi * mu).
  const yPrev = tf.tensor1d([0, ...yv.slice(0, T - 1)]);
  const first = tf.tensor1d(yv.map((_, t) => (t === 0 ? 1 : 0)));
  return {
    targetLogProbFn: ({ mu, phi, theta, sigma }) => tf.tidy(() => {
      const m = tf.expandDims(mu!, 1);
      const ph = tf.expandDims(phi!, 1);
      const r = tf.sub(y, tf.add(m, tf.mul(ph, tf.add(yPrev, tf.mul(m, first))))); // [C, T]
      // The recursion err_t = r_t - θ err_{t-1} as a scan in log2(T) doubling steps (Hillis-Steele):
      // after the step of shift k, err_t sums (-θ)^j r_{t-j} for j < 2k; O(T log T) per chain, not O(T²).
      let err = r;
      let a = tf.neg(tf.expandDims(theta!, 1)); // (-θ)^k, [C, 1]
      for (let k = 1; k < T; k *= 2) {
        const shifted = tf.pad(tf.slice(err, [0, 0], [-1, T - k]), [[0, 0], [k, 0]]);
        err = tf.add(err, tf.mul(a, shifted));
        if (2 * k < T) a = tf.square(a);
      }
      const prior = tf.addN([
        tf.mul(-0.5, tf.square(tf.div(mu!, 10))),
        tf.mul(-0.5, tf.square(tf.div(phi!, 2))),
        tf.mul(-0.5, tf.square(tf.div(theta!, 2))),
        tf.neg(tf.log1p(tf.square(tf.div(sigma!, 2.5)))),
      ]);
      return tf.add(normalLogLik(err, sigma!, T), prior);
    }),
    parts: { mu: { shape: [] }, phi: { shape: [] }, theta: { shape: [] }, sigma: { shape: [], bijector: new Exp() } },
    extract: (s) => Object.fromEntries(['mu', 'phi', 'theta', 'sigma'].map((k) => [k, column(s[k]!, 0)])),
    dispose: () => tf.dispose([y, yPrev, first]),
  };
}

function gaussMix(f: PosteriorFixture): PosteriorModel {
  const y = tf.tensor1d(f.data['y'] as number[]);
  return {
    targetLogProbFn: ({ mu1, delta, sigma, theta }) => tf.tidy(() => {
      const mu2 = tf.add(mu1!, delta!);
      const [s1, s2] = tf.unstack(sigma!, 1) as [tf.Tensor, tf.Tensor];
      // log w + log N(y | m, s) without constants: the per-chain factors first, so that only four ops
      // run on [chains, N] per component.
      const comp = (m: tf.Tensor, s: tf.Tensor, w: tf.Tensor): tf.Tensor =>
        tf.add(tf.mul(tf.square(tf.sub(y, tf.expandDims(m, 1))), tf.expandDims(tf.div(-0.5, tf.square(s)), 1)), tf.expandDims(tf.sub(tf.log(w), tf.log(s)), 1));
      // log(e^a + e^b) = a + softplus(b - a): two elementwise ops (and their gradients), where a stack
      // and logSumExp over a last axis of 2 cost several times as much on wasm.
      const a = comp(mu1!, s1, theta!);
      const lik = tf.sum(tf.add(a, tf.softplus(tf.sub(comp(mu2, s2, tf.sub(1, theta!)), a))), 1);
      const prior = tf.addN([
        tf.sum(tf.mul(-0.5, tf.square(tf.div(sigma!, 2))), 1),
        tf.mul(-0.5, tf.add(tf.square(tf.div(mu1!, 2)), tf.square(tf.div(mu2, 2)))),
        tf.mul(4, tf.add(tf.log(theta!), tf.log1p(tf.neg(theta!)))),
      ]);
      return tf.add(lik, prior);
    }),
    parts: { mu1: { shape: [] }, delta: { shape: [], bijector: new Exp() }, sigma: { shape: [2], bijector: new Exp() }, theta: { shape: [], bijector: new Sigmoid() } },
    extract: (s) => {
      const mu1 = column(s['mu1']!, 0);
      const d = column(s['delta']!, 0);
      return { 'mu[1]': mu1, 'mu[2]': mu1.map((v, i) => v + d[i]!), 'sigma[1]': column(s['sigma']!, 0), 'sigma[2]': column(s['sigma']!, 1), theta: column(s['theta']!, 0) };
    },
    dispose: () => y.dispose(),
  };
}

function gpRegr(f: PosteriorFixture): PosteriorModel {
  const xv = f.data['x'] as number[];
  const n = xv.length;
  const d2 = tf.tensor2d(xv.flatMap((a) => xv.map((b) => (a - b) ** 2)), [n, n]);
  const eye = tf.eye(n);
  const y = tf.tensor2d(f.data['y'] as number[], [n, 1]);
  return {
    targetLogProbFn: ({ rho, alpha, sigma }) => tf.tidy(() => {
      const r = tf.reshape(rho!, [-1, 1, 1]);
      const a = tf.reshape(alpha!, [-1, 1, 1]);
      const s = tf.reshape(sigma!, [-1, 1, 1]);
      const cov = tf.add(tf.mul(tf.square(a), tf.exp(tf.div(tf.neg(d2), tf.mul(2, tf.square(r))))), tf.mul(s, eye));
      const L = cholesky(cov);
      const z = triangularSolve(L, tf.broadcastTo(y, [rho!.shape[0]!, n, 1]));
      const logDet = tf.sum(tf.log(tf.sum(tf.mul(L, eye), 2)), 1);
      const lik = tf.sub(tf.mul(-0.5, tf.sum(tf.square(z), [1, 2])), logDet);
      const prior = tf.addN([tf.sub(tf.mul(24, tf.log(rho!)), tf.mul(4, rho!)), tf.mul(-0.5, tf.square(tf.div(alpha!, 2))), tf.mul(-0.5, tf.square(sigma!))]);
      return tf.add(lik, prior);
    }),
    parts: { rho: { shape: [], bijector: new Exp() }, alpha: { shape: [], bijector: new Exp() }, sigma: { shape: [], bijector: new Exp() } },
    extract: (s) => Object.fromEntries(['rho', 'alpha', 'sigma'].map((k) => [k, column(s[k]!, 0)])),
    dispose: () => tf.dispose([d2, eye, y]),
  };
}

function garch11(f: PosteriorFixture): PosteriorModel {
  const yv = f.data['y'] as number[];
  const T = yv.length;
  const s1 = (f.data['sigma1'] as number) ** 2;
  const y = tf.tensor1d(yv);
  const yPrev = tf.tensor1d([0, ...yv.slice(0, T - 1)]);
  const first = tf.tensor1d(yv.map((_, t) => (t === 0 ? 1 : 0)));
  return {
    targetLogProbFn: ({ mu, alpha0, alpha1, beta1Raw }) => tf.tidy(() => {
      // Stan's beta1 in (0, 1 - alpha1): (1 - alpha1) logistic(u), whose Jacobian adds log(1 - alpha1).
      const free = tf.sub(1, alpha1!);
      const beta1 = tf.expandDims(tf.mul(free, beta1Raw!), 1);
      // sigma_t^2 = v_t + beta1 sigma_{t-1}^2 with v_1 = sigma1^2 and v_t = alpha0 + alpha1 (y_{t-1} - mu)^2:
      // the linear recursion as a scan in log2(T) doubling steps (as arma11), sigma_t^2 = sum_j beta1^j v_{t-j}.
      const v = tf.add(tf.mul(first, s1), tf.mul(tf.sub(1, first),
        tf.add(tf.expandDims(alpha0!, 1), tf.mul(tf.expandDims(alpha1!, 1), tf.square(tf.sub(yPrev, tf.expandDims(mu!, 1)))))));
      let s = v;
      let a = beta1;
      for (let k = 1; k < T; k *= 2) {
        s = tf.add(s, tf.mul(a, tf.pad(tf.slice(s, [0, 0], [-1, T - k]), [[0, 0], [k, 0]])));
        if (2 * k < T) a = tf.square(a);
      }
      const r2 = tf.square(tf.sub(y, tf.expandDims(mu!, 1)));
      const lik = tf.mul(-0.5, tf.sum(tf.add(tf.div(r2, s), tf.log(s)), 1));
      return tf.add(lik, tf.log(free));
    }),
    parts: { mu: { shape: [] }, alpha0: { shape: [], bijector: new Exp() }, alpha1: { shape: [], bijector: new Sigmoid() }, beta1Raw: { shape: [], bijector: new Sigmoid() } },
    extract: (st) => {
      const alpha1 = column(st['alpha1']!, 0);
      const raw = column(st['beta1Raw']!, 0);
      return { mu: column(st['mu']!, 0), alpha0: column(st['alpha0']!, 0), alpha1, beta1: raw.map((v, i) => (1 - alpha1[i]!) * v) };
    },
    dispose: () => tf.dispose([y, yPrev, first]),
  };
}

export function buildModel(f: PosteriorFixture): PosteriorModel {
  switch (f.kind) {
    case 'regression':
      return regression(f);
    case 'eight_schools_noncentered':
      return eightSchools(f);
    case 'arma11':
      return arma11(f);
    case 'low_dim_gauss_mix':
      return gaussMix(f);
    case 'gp_regr':
      return gpRegr(f);
    case 'diamonds':
      return diamonds(f);
    case 'garch11':
      return garch11(f);
    case 'hmm_example':
      return hmmExample(f);
  }
}

/** The acceptance criterion for one parameter (against the reference mean and sd). */
export interface ParamCheck {
  name: string;
  mean: number;
  refMean: number;
  sd: number;
  refSd: number;
  mcse: number;
  essBulk: number;
  rHat: number;
  ok: boolean;
  why: string[];
}

export function checkParam(name: string, draws: Float64Array, numDraws: number, numChains: number, ref: { mean: number; sd: number },
  diag: { ess: (c: Float64Array[]) => number; rhat: (c: Float64Array[]) => number; mcse: (c: Float64Array[]) => number; toChains: (x: ArrayLike<number>, n: number, c: number) => Float64Array[] }): ParamCheck {
  const chains = diag.toChains(draws, numDraws, numChains);
  let m = 0;
  for (const v of draws) m += v;
  m /= draws.length;
  let s2 = 0;
  for (const v of draws) s2 += (v - m) ** 2;
  const sd = Math.sqrt(s2 / (draws.length - 1));
  const mc = diag.mcse(chains);
  const essBulk = diag.ess(chains);
  const rHat = diag.rhat(chains);
  const why: string[] = [];
  if (Math.abs(m - ref.mean) > 0.1 * ref.sd + 4 * mc) why.push(`mean ${m.toPrecision(5)} vs ${ref.mean.toPrecision(5)} (allowed ${(0.1 * ref.sd + 4 * mc).toPrecision(3)})`);
  if (Math.abs(sd / ref.sd - 1) > 0.15) why.push(`sd ${sd.toPrecision(4)} vs ${ref.sd.toPrecision(4)}`);
  if (!(rHat <= 1.01)) why.push(`R-hat ${rHat.toFixed(4)}`);
  if (!(essBulk >= 400)) why.push(`bulk ESS ${essBulk.toFixed(0)}`);
  return { name, mean: m, refMean: ref.mean, sd, refSd: ref.sd, mcse: mc, essBulk, rHat, ok: why.length === 0, why };
}
