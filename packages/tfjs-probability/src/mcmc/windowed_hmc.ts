/**
 * `tfp.mcmc.windowedAdaptiveHmc`: HMC for many chains at once, the
 * throughput setting of the library (TFP's `windowed_adaptive_hmc`, with the
 * trajectory length adapted by ChEES unless `numLeapfrogSteps` is given).
 *
 * All chains share one step size, one diagonal metric and one trajectory
 * length, adapted from the whole ensemble: the metric from the variance of
 * all chains' warm-up draws in expanding windows (as Stan's, but the windows
 * start after a tenth of the warm-up, since hundreds of chains give a usable
 * variance at once), the step size by dual averaging of the chains' mean
 * acceptance probability, and the trajectory length by gradient ascent on the
 * ChEES criterion (chees.ts). Each transition's length is the adapted one
 * times a jitter in (0, 1] (a shifted van der Corput sequence, as in the
 * ChEES paper), the same for every chain, so one batched gradient serves all
 * of them at every leapfrog step.
 *
 * Chains that start where every step the ensemble can take diverges would
 * never move, and chains caught in a minor mode far below the main one would
 * stay there; either would spoil the shared adaptation. At the end of the
 * first buffer and of each metric window, chains whose log density lies far
 * below the ensemble's are restarted from another chain's state (warm-up
 * only; the count is returned), and the metric is estimated from the others.
 */
import type * as tf from '@tensorflow/tfjs';
import { Xoshiro128 } from '../math/random.js';
import { checkSeed } from '../util.js';
import { type EnsembleState, TrajectoryLengthAdam, ensembleTransition, vanDerCorput } from './chees.js';
import { type ModelArgs, prepareModel, traceTensors } from './model_target.js';
import { type ChainProgress, checkCount, pageYielder } from './sample_chain.js';
import { DualAveraging } from './step_size_adaptation.js';
import type { FlatTarget } from './target.js';
import { regularizedVariance, windowEnds } from './windowed_adaptation.js';

export interface WindowedAdaptiveHmcArgs extends ModelArgs {
  /** Draws per chain after the warm-up; default 500 (R-hat needs chains of some length, however many there are). */
  numDraws?: number;
  /** Default 256: the batched gradient of a small model costs little more for 256 chains than for 4. */
  numChains?: number;
  /** Warm-up steps; default 300. */
  numAdaptationSteps?: number;
  seed?: number;
  /** The chains' mean acceptance probability the step size is tuned to; default 0.8. */
  targetAcceptProb?: number;
  /** A fixed number of leapfrog steps per transition; by default the trajectory length is adapted (ChEES). */
  numLeapfrogSteps?: number;
  /** The most leapfrog steps one transition may take; default 1000. */
  maxLeapfrogSteps?: number;
  /**
   * What the trajectory length maximizes: `'chees'` (the ChEES criterion) or `'cheesRate'` (default:
   * ChEES per unit of trajectory length, so per gradient; shorter trajectories where ChEES gains
   * little from longer ones).
   */
  trajectoryCriterion?: 'chees' | 'cheesRate';
  /** Learning rate of the trajectory length's log (Adam); default 0.05. */
  trajectoryAdaptationRate?: number;
  onProgress?: (p: ChainProgress) => void;
}

/** Per-transition statistics, `[numDraws, numChains]` each. */
export interface WindowedAdaptiveHmcTrace {
  stepSize: tf.Tensor;
  acceptProb: tf.Tensor;
  isAccepted: tf.Tensor;
  divergent: tf.Tensor;
  numLeapfrogSteps: tf.Tensor;
  targetLogProb: tf.Tensor;
  energy: tf.Tensor;
}

export interface WindowedAdaptiveHmcResult {
  /** Per part `[numDraws, numChains, ...shape]`, constrained space. */
  states: Record<string, tf.Tensor>;
  trace: WindowedAdaptiveHmcTrace;
  /** Batched gradient evaluations (each covers all chains), warm-up included. */
  numEvaluations: number;
  /** The adapted step size, trajectory length and diagonal inverse metric (unconstrained scale), shared by all chains. */
  stepSize: number;
  trajectoryLength: number;
  inverseMetric: number[];
  /** Wall-clock milliseconds of the warm-up and of the sampling. */
  timing: { warmupMs: number; samplingMs: number };
  /**
   * Warm-up restarts of chains that lagged far behind the ensemble (see the module notes): each
   * restarted from another chain's state, at the end of the first buffer and of each metric window.
   */
  numRestarts: number;
}

const OWNER = 'windowedAdaptiveHmc';

/** Stan's step-size heuristic on the ensemble: double or halve until one step's mean acceptance crosses 0.8. */
async function initialStepSize(target: FlatTarget, rng: Xoshiro128, state: EnsembleState, eps: number, invMass: Float64Array): Promise<number> {
  let direction = 0;
  for (let round = 0; round < 50; round++) {
    const { step } = await ensembleTransition(target, rng, state, eps, invMass, 1);
    const a = step.acceptProb.reduce((s, v) => s + v, 0) / target.numChains;
    if (direction === 0) direction = a > 0.8 ? 1 : -1;
    if ((direction === 1 && !(a > 0.8)) || (direction === -1 && a > 0.8)) break;
    eps = direction === 1 ? eps * 2 : eps / 2;
  }
  return eps;
}

/** Each chain's running mean and sum of squared deviations over a window of warm-up draws (Welford). */
class ChainMoments {
  n = 0;
  private readonly mean: Float64Array;
  private readonly m2: Float64Array;

  constructor(private readonly c: number, private readonly d: number) {
    this.mean = new Float64Array(c * d);
    this.m2 = new Float64Array(c * d);
  }

  add(x: Float64Array): void {
    this.n++;
    for (let i = 0; i < this.c * this.d; i++) {
      const delta = x[i]! - this.mean[i]!;
      this.mean[i] = this.mean[i]! + delta / this.n;
      this.m2[i] = this.m2[i]! + delta * (x[i]! - this.mean[i]!);
    }
  }

  /**
   * The variance of the pooled draws of the chains in `keep` (within-chain plus between-chain
   * parts), regularized as Stan's towards 1e-3 with weight 5 / (n + 5).
   */
  variance(keep: number[]): Float64Array {
    const d = this.d;
    const n = this.n * keep.length;
    const out = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      let grand = 0;
      for (const ch of keep) grand += this.mean[ch * d + j]!;
      grand /= keep.length;
      let ss = 0;
      for (const ch of keep) ss += this.m2[ch * d + j]! + this.n * (this.mean[ch * d + j]! - grand) ** 2;
      out[j] = regularizedVariance(ss / (n - 1), n);
    }
    return out;
  }
}

/**
 * Chains far below the ensemble's log densities: under the lower quartile by more than five
 * interquartile ranges, or more than 100 + dim below the best chain (far beyond the spread of
 * log densities over a posterior's typical set, which is about sqrt(dim / 2)), or not finite. In the
 * warm-up these have not reached the typical set (a start where any step the ensemble can take
 * diverges, or a minor mode hundreds of nats below the main one), and they would spoil the shared
 * metric and step size.
 */
function laggingChains(logp: Float64Array, dim: number): { lagging: number[]; others: number[] } {
  const sorted = Array.from(logp).filter((v) => v > -Infinity).sort((a, b) => a - b);
  const q = (f: number): number => sorted[Math.min(sorted.length - 1, Math.floor(f * sorted.length))]!;
  const cut = sorted.length ? Math.max(q(0.25) - 5 * Math.max(q(0.75) - q(0.25), 1), sorted[sorted.length - 1]! - (100 + dim)) : Infinity;
  const lagging: number[] = [];
  const others: number[] = [];
  logp.forEach((v, ch) => (v > -Infinity && v >= cut ? others : lagging).push(ch));
  return { lagging, others };
}

/** Restarts each lagging chain from the state of a randomly chosen other chain. */
function restartLagging(state: EnsembleState, lagging: number[], others: number[], d: number, rng: Xoshiro128): void {
  for (const ch of lagging) {
    const src = others[Math.min(others.length - 1, Math.floor(rng.nextOpen01() * others.length))]!;
    state.x.copyWithin(ch * d, src * d, (src + 1) * d);
    state.grad.copyWithin(ch * d, src * d, (src + 1) * d);
    state.logp[ch] = state.logp[src]!;
  }
}

/**
 * Samples a Bayesian model with many chains of HMC whose step size, metric and trajectory length
 * are adapted from the whole ensemble (ChEES). Takes the model as `windowedAdaptiveNuts` does.
 *
 * @example
 * ```ts
 * const y = tf.tensor1d([1.2, 0.4, 2.2, 1.5, 0.9]);
 * const { states, trace } = await tfp.mcmc.windowedAdaptiveHmc({
 *   targetLogProbFn: ({ mu, sigma }) => tf.tidy(() => {
 *     const lik = new tfd.Normal({ loc: mu!.expandDims(1), scale: sigma!.expandDims(1) }).logProb(y).sum(1);
 *     return lik.add(new tfd.Normal({ loc: 0, scale: 10 }).logProb(mu!)).add(new tfd.Exponential({ rate: 1 }).logProb(sigma!));
 *   }),
 *   parts: { mu: { shape: [] }, sigma: { shape: [], bijector: new tfb.Softplus() } },
 *   numChains: 64, numAdaptationSteps: 100, numDraws: 50, seed: 1,
 * });
 * states['mu']!.shape; // [50, 64]
 * tf.dispose([y, ...Object.values(states), ...Object.values(trace)]);
 * ```
 */
export async function windowedAdaptiveHmc(args: WindowedAdaptiveHmcArgs): Promise<WindowedAdaptiveHmcResult> {
  const numDraws = args.numDraws ?? 500;
  const numChains = args.numChains ?? 256;
  const numAdaptationSteps = args.numAdaptationSteps ?? 300;
  const maxSteps = args.maxLeapfrogSteps ?? 1000;
  const delta = args.targetAcceptProb ?? 0.8;
  const rate = args.trajectoryAdaptationRate ?? 0.05;
  const criterion = args.trajectoryCriterion ?? 'cheesRate';
  if (criterion !== 'chees' && criterion !== 'cheesRate') throw new Error(`${OWNER}: trajectoryCriterion must be 'chees' or 'cheesRate'; got ${String(args.trajectoryCriterion)}`);
  checkCount(OWNER, 'numDraws', numDraws, 1);
  checkCount(OWNER, 'numChains', numChains, 2);
  checkCount(OWNER, 'numAdaptationSteps', numAdaptationSteps, 0);
  checkCount(OWNER, 'maxLeapfrogSteps', maxSteps, 1);
  if (args.numLeapfrogSteps !== undefined) checkCount(OWNER, 'numLeapfrogSteps', args.numLeapfrogSteps, 1);
  if (!(delta > 0 && delta < 1)) throw new Error(`${OWNER}: targetAcceptProb must be in (0, 1); got ${args.targetAcceptProb}`);
  if (!(rate > 0)) throw new Error(`${OWNER}: trajectoryAdaptationRate must be positive; got ${args.trajectoryAdaptationRate}`);
  const seed = checkSeed(args.seed, OWNER) ?? Math.floor(Math.random() * 4294967296);
  const { target, x0, states: toStates, release } = await prepareModel(args, numChains, seed, OWNER);
  try {
    const c = numChains;
    const d = target.dim;
    const rng = new Xoshiro128(seed);
    const shift = rng.nextOpen01();
    const t0 = performance.now();
    let state: EnsembleState = { x: x0, ...(await target.evaluate(x0)) };
    const bad = Array.from(state.logp).findIndex((l) => !(l > -Infinity));
    if (bad >= 0) throw new Error(`${OWNER}: the log density (or its gradient) is not finite at the initial state of chain ${bad}; start inside the support`);
    let invMass: Float64Array = new Float64Array(d).fill(1);
    let eps = await initialStepSize(target, rng, state, 1, invMass);
    const dual = new DualAveraging(eps, delta);
    const adam = new TrajectoryLengthAdam(eps, rate);
    const tenth = Math.floor(0.1 * numAdaptationSteps);
    const windows = windowEnds(numAdaptationSteps, tenth, tenth, tenth);
    const lastEnd = windows.ends.length ? windows.ends[windows.ends.length - 1]! : -1;
    let moments = new ChainMoments(c, d);
    let numRestarts = 0;
    const numSteps = numAdaptationSteps + numDraws;
    const rows = new Float64Array(numDraws * c * d);
    const names = ['stepSize', 'acceptProb', 'isAccepted', 'divergent', 'numLeapfrogSteps', 'targetLogProb', 'energy'] as const;
    const trace = Object.fromEntries(names.map((n) => [n, new Float64Array(numDraws * c)])) as Record<(typeof names)[number], Float64Array>;
    let divergences = 0;
    const yieldToPage = pageYielder();
    let samplingStart = numAdaptationSteps === 0 ? t0 : Infinity;
    let trajectory = 0;
    for (let step = 0; step < numSteps; step++) {
      const warm = step < numAdaptationSteps;
      if (step === numAdaptationSteps) {
        if (numAdaptationSteps > 0) eps = dual.final();
        trajectory = adam.averaged();
        samplingStart = performance.now();
      }
      const jitter = ((vanDerCorput(step + 1) + shift) % 1) || 1;
      const length = warm ? adam.logT : Math.log(trajectory);
      const numLeapfrog = args.numLeapfrogSteps ?? Math.min(maxSteps, Math.max(1, Math.ceil((jitter * Math.exp(length)) / eps)));
      const r = await ensembleTransition(target, rng, state, eps, invMass, numLeapfrog, warm && args.numLeapfrogSteps === undefined ? jitter : 0, criterion === 'cheesRate');
      state = r.next;
      for (const v of r.step.divergent) divergences += v;
      if (warm) {
        if (args.numLeapfrogSteps === undefined) adam.update(r.step.cheesGradLogT, eps, eps * maxSteps);
        eps = dual.learn(r.step.acceptProb.reduce((s, v) => s + v, 0) / c);
        if (step >= windows.start && step <= lastEnd) moments.add(state.x);
        const end = windows.ends.includes(step);
        if (step === windows.start - 1 || end) {
          const { lagging, others } = laggingChains(state.logp, d);
          if (end) invMass = moments.variance(others);
          if (lagging.length && others.length) {
            restartLagging(state, lagging, others, d, rng);
            numRestarts += lagging.length;
          }
        }
        if (end) {
          moments = new ChainMoments(c, d);
          // The metric whitens the posterior, so a trajectory length of 1 is its scale there.
          adam.logT = Math.max(adam.logT, 0);
          eps = await initialStepSize(target, rng, state, eps, invMass);
          dual.restart(eps);
        }
        if (step > lastEnd) adam.accumulate();
      } else {
        const k = step - numAdaptationSteps;
        rows.set(state.x, k * c * d);
        const at = k * c;
        trace.stepSize.fill(eps, at, at + c);
        trace.numLeapfrogSteps.fill(numLeapfrog, at, at + c);
        trace.acceptProb.set(r.step.acceptProb, at);
        trace.isAccepted.set(r.step.isAccepted, at);
        trace.divergent.set(r.step.divergent, at);
        trace.targetLogProb.set(state.logp, at);
        trace.energy.set(r.step.energy, at);
      }
      if (args.onProgress) {
        args.onProgress({ step: step + 1, numSteps, phase: warm ? 'burnin' : 'sampling', numDivergences: divergences, numEvaluations: target.numEvaluations, position: state.x });
        await yieldToPage();
      }
    }
    const t1 = performance.now();
    const states = toStates(rows, numDraws);
    return {
      states,
      trace: traceTensors(trace, numDraws, c) as unknown as WindowedAdaptiveHmcTrace,
      numEvaluations: target.numEvaluations,
      stepSize: eps,
      trajectoryLength: args.numLeapfrogSteps === undefined ? trajectory : args.numLeapfrogSteps * eps,
      inverseMetric: Array.from(invMass),
      timing: { warmupMs: samplingStart - t0, samplingMs: t1 - samplingStart },
      numRestarts,
    };
  } finally {
    release();
  }
}
