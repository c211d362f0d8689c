/**
 * `tfp.mcmc.windowedAdaptiveNuts`: the one-call entry for Bayesian models,
 * with Stan's defaults (4 chains, 1000 warm-up steps with a windowed diagonal
 * metric and dual averaging towards an acceptance statistic of 0.8, 1000
 * draws, tree depth up to 10, initial values uniform in (-2, 2) on the
 * unconstrained scale).
 */
import type * as tf from '@tensorflow/tfjs';
import { checkSeed } from '../util.js';
import { type ChainProgress, type Trace, checkCount, defaultTrace, runChain } from './sample_chain.js';
import { NoUTurnSampler } from './nuts.js';
import { WindowedAdaptation } from './windowed_adaptation.js';
import { runIndependentChains } from './independent_chains.js';
import { type ModelArgs, prepareModel, traceTensors } from './model_target.js';
import { type ChainExchange, localExchange } from './stuck_chains.js';

export type { PartDeclaration } from './model_target.js';

export interface WindowedAdaptiveNutsArgs extends ModelArgs {
  numDraws?: number;
  /**
   * Default 4 (Stan's). The chains share the batched gradients, whose cost on wasm is mostly the fixed cost
   * of launching the model's kernels; but each chain builds its own tree, so many chains of NUTS pay for the
   * longest tree among those waiting. For throughput (effective draws per second) `windowedAdaptiveHmc`
   * runs hundreds of chains in lockstep instead (bench/stan.ts compares both with Stan).
   */
  numChains?: number;
  numAdaptationSteps?: number;
  seed?: number;
  /** Default 0.8 (Stan's adapt_delta). */
  targetAcceptProb?: number;
  /** Default 10. */
  maxTreeDepth?: number;
  onProgress?: (p: ChainProgress) => void;
  /**
   * Default true: each chain runs its own transitions and warm-up, and the batched gradient serves
   * whichever chains wait for one, so no chain idles while another builds a longer tree. False runs
   * the chains in lockstep (every transition waits for the longest tree of all chains). Both give
   * each chain the same kind of draws; the random streams differ between the two.
   */
  independentChains?: boolean;
  /**
   * The metric adapted in the warm-up: `'diag'` (default, Stan's `diag_e`) or `'dense'` (Stan's
   * `dense_e`: the full covariance of the warm-up draws, for strongly correlated posteriors).
   */
  metric?: 'diag' | 'dense';
  /**
   * Default true: at the end of the first metric window (step 100 of Stan's schedule) a chain whose
   * explored region carries a negligible share of the posterior mass against another chain's (its mean
   * log density plus the entropy of its window's covariance more than `50 + dim` below the best chain's:
   * a minor mode, e.g. both components of a mixture on one cluster) restarts from the state and metric
   * of a chain that passed. Stan has no such step; chains in modes of comparable mass are left alone, so
   * R-hat still reports real multimodality. False keeps every chain on its own path.
   */
  restartStuckChains?: boolean;
}

export interface WindowedAdaptiveNutsResult {
  /** Per part `[numDraws, numChains, ...shape]`, constrained space. */
  states: Record<string, tf.Tensor>;
  /** `stepSize, acceptProb, isAccepted, divergent, treeDepth, numLeapfrogSteps, targetLogProb, energy`, each `[numDraws, numChains]`. */
  trace: Trace;
  /** Batched gradient evaluations (each covers all chains), warm-up included. */
  numEvaluations: number;
  /** The adapted step size per chain and diagonal inverse metric `[numChains, dim]` on the unconstrained scale. */
  stepSize: number[];
  inverseMetric: number[][];
  /**
   * Wall-clock milliseconds of the warm-up (until the first chain began drawing) and of the sampling
   * (from then until the end).
   */
  timing: { warmupMs: number; samplingMs: number };
  /** With `metric: 'dense'`: the adapted dense inverse metric `[numChains, dim, dim]` (its diagonal is `inverseMetric`). */
  inverseMetricDense?: number[][][];
}

const OWNER = 'windowedAdaptiveNuts';

/** `L Lᵀ` per chain from the factors `[numChains * dim * dim]`. */
function denseMatrices(chol: Float64Array, numChains: number, d: number): number[][][] {
  return Array.from({ length: numChains }, (_, ch) =>
    Array.from({ length: d }, (_, i) =>
      Array.from({ length: d }, (_, j) => {
        let s = 0;
        for (let k = 0; k <= Math.min(i, j); k++) s += chol[ch * d * d + i * d + k]! * chol[ch * d * d + j * d + k]!;
        return s;
      }),
    ),
  );
}

/**
 * Samples a Bayesian model with NUTS after Stan's windowed warm-up.
 *
 * @example
 * ```ts
 * // Normal model with unknown mean and scale for five observations.
 * const y = tf.tensor1d([1.2, 0.4, 2.2, 1.5, 0.9]);
 * const { states, trace } = await tfp.mcmc.windowedAdaptiveNuts({
 *   targetLogProbFn: ({ mu, sigma }) => tf.tidy(() => {
 *     const lik = new tfd.Normal({ loc: mu!.expandDims(1), scale: sigma!.expandDims(1) }).logProb(y).sum(1);
 *     return lik.add(new tfd.Normal({ loc: 0, scale: 10 }).logProb(mu!)).add(new tfd.Exponential({ rate: 1 }).logProb(sigma!));
 *   }),
 *   parts: { mu: { shape: [] }, sigma: { shape: [], bijector: new tfb.Softplus() } },
 *   numDraws: 100, numAdaptationSteps: 100, seed: 1,
 * });
 * states['mu']!.shape; // [100, 4]
 * tf.dispose([y, ...Object.values(states), ...Object.values(trace)]);
 * ```
 */
export async function windowedAdaptiveNuts(args: WindowedAdaptiveNutsArgs): Promise<WindowedAdaptiveNutsResult> {
  const numDraws = args.numDraws ?? 1000;
  const numChains = args.numChains ?? 4;
  const numAdaptationSteps = args.numAdaptationSteps ?? 1000;
  checkCount(OWNER, 'numDraws', numDraws, 1);
  checkCount(OWNER, 'numChains', numChains, 1);
  checkCount(OWNER, 'numAdaptationSteps', numAdaptationSteps, 0);
  const seed = checkSeed(args.seed, OWNER) ?? Math.floor(Math.random() * 4294967296);
  const { target, partsFn, x0, states: toStates, release } = await prepareModel(args, numChains, seed, OWNER);
  try {
    const restart = (args.restartStuckChains ?? true) && numChains > 1;
    const makeKernel = (exchange?: ChainExchange): WindowedAdaptation => new WindowedAdaptation({
      innerKernel: new NoUTurnSampler({ targetLogProbFn: partsFn, stepSize: 1, maxTreeDepth: args.maxTreeDepth ?? 10 }),
      numAdaptationSteps,
      ...(args.targetAcceptProb !== undefined ? { targetAcceptProb: args.targetAcceptProb } : {}),
      ...(args.metric !== undefined ? { metric: args.metric } : {}),
      ...(exchange ? { exchange } : {}),
    });
    const run = { numResults: numDraws, numBurninSteps: numAdaptationSteps, seed, traceFn: defaultTrace, ...(args.onProgress ? { onProgress: args.onProgress } : {}), owner: OWNER };
    let rows: Float64Array;
    let trace: Record<string, Float64Array>;
    let final: { stepSize: Float64Array; invMass: Float64Array; invMassChol?: Float64Array | undefined };
    let timing: { warmupMs: number; samplingMs: number };
    if (args.independentChains ?? true) {
      const r = await runIndependentChains(target, makeKernel, x0, { ...run, restartStuckChains: restart });
      ({ rows, trace } = r);
      final = r;
      timing = { warmupMs: r.warmupMs, samplingMs: r.samplingMs };
    } else {
      const t0 = performance.now();
      let samplingStart = numAdaptationSteps === 0 ? t0 : Infinity;
      const r = await runChain(target, makeKernel(restart ? localExchange : undefined), x0, {
        ...run,
        thin: 0,
        yieldToPage: !!args.onProgress,
        onProgress: (p) => {
          if (p.step >= numAdaptationSteps && samplingStart === Infinity) samplingStart = performance.now();
          args.onProgress?.(p);
        },
      });
      ({ rows, trace, final } = r);
      const t1 = performance.now();
      samplingStart = Math.min(samplingStart, t1);
      timing = { warmupMs: samplingStart - t0, samplingMs: t1 - samplingStart };
    }
    const states = toStates(rows, numDraws);
    const traceT = traceTensors(trace, numDraws, numChains);
    const d = target.dim;
    return {
      states,
      trace: traceT as Trace,
      numEvaluations: target.numEvaluations,
      stepSize: Array.from(final.stepSize),
      inverseMetric: Array.from({ length: numChains }, (_, ch) => Array.from(final.invMass.subarray(ch * d, (ch + 1) * d))),
      timing,
      ...(final.invMassChol ? { inverseMetricDense: denseMatrices(final.invMassChol, numChains, d) } : {}),
    };
  } finally {
    release();
  }
}
