/**
 * `sampleChain` (TFP's `tfp.mcmc.sample_chain`): runs a kernel for
 * `numBurninSteps + numResults` steps from `currentState` (a tensor or a list
 * of tensors, each with a leading chain dimension) and returns the kept
 * draws `[numResults, numChains, ...shape]` in the constrained space, with a
 * per-step trace `[numResults, numChains]` of the kernel's statistics.
 */
import * as tf from '@tensorflow/tfjs';
import { Xoshiro128 } from '../math/random.js';
import { checkSeed, splitSeed } from '../util.js';
import type { Bijector } from '../bijectors/bijector.js';
import type { ChainState, KernelResults, StepContext, TransitionKernel } from './kernel.js';
import { FlatTarget, type PartSpec } from './target.js';

/** The per-step values traced by default, one value per chain each. */
export interface DefaultTraceValues {
  stepSize: ArrayLike<number>;
  acceptProb: ArrayLike<number>;
  isAccepted: ArrayLike<number>;
  divergent: ArrayLike<number>;
  treeDepth: ArrayLike<number>;
  numLeapfrogSteps: ArrayLike<number>;
  targetLogProb: ArrayLike<number>;
  energy: ArrayLike<number>;
}

/** Traced tensors `[numResults, numChains]` by name. */
export type Trace<T = DefaultTraceValues> = { [K in keyof T]: tf.Tensor };

/** Per-step values traced by default (each one value per chain). */
export function defaultTrace(r: KernelResults): DefaultTraceValues {
  return {
    stepSize: r.stepSize,
    acceptProb: r.acceptProb,
    isAccepted: r.isAccepted,
    divergent: r.divergent,
    treeDepth: r.treeDepth,
    numLeapfrogSteps: r.numLeapfrogSteps,
    targetLogProb: r.state.logp,
    energy: r.energy,
  };
}

/** Progress report passed to `onProgress`. */
export interface ChainProgress {
  /** Steps done so far (1-based) and in all. */
  step: number;
  numSteps: number;
  phase: 'burnin' | 'sampling';
  /** Divergent transitions so far (all chains). */
  numDivergences: number;
  /** Batched gradient (or density) evaluations so far. */
  numEvaluations: number;
  /**
   * The chains' current positions on the unconstrained scale, `[numChains * dim]` (one row per chain; the
   * parts in their declared order, each flattened and mapped by the inverse of its bijector). Valid
   * during the callback only: copy it to keep it.
   */
  position: Float64Array;
}

export interface SampleChainArgs<T extends object = DefaultTraceValues> {
  numResults: number;
  numBurninSteps?: number;
  /** Keeps every `numStepsBetweenResults + 1`-th step after burn-in (TFP's thinning). Default 0. */
  numStepsBetweenResults?: number;
  /** `[numChains, ...shape]`, or one such tensor per state part. */
  currentState: tf.Tensor | tf.Tensor[];
  kernel: TransitionKernel;
  /** Per-step values to keep, one value per chain each; default `defaultTrace`. */
  traceFn?: (results: KernelResults) => T;
  seed?: number;
  /** Called after every step. */
  onProgress?: (p: ChainProgress) => void;
}

export interface SampleChainResult<S, T extends object = DefaultTraceValues> {
  /** Draws `[numResults, numChains, ...shape]` (one per part when a list was given). */
  states: S;
  /** Each traced value as `[numResults, numChains]`. */
  trace: Trace<T>;
  finalKernelResults: KernelResults;
  /** Batched evaluations of the model (each covers all chains). */
  numEvaluations: number;
}

/** Builds the flat target of a kernel for parts given their constrained shapes. */
export function targetForKernel(kernel: TransitionKernel, shapes: number[][], numChains: number, owner: string): FlatTarget {
  const bij = kernel.bijectors;
  if (bij && bij.length !== 1 && bij.length !== shapes.length) {
    throw new Error(`${owner}: TransformedTransitionKernel has ${bij.length} bijectors for ${shapes.length} state parts`);
  }
  const specs: PartSpec[] = shapes.map((shape, i) => {
    const b: Bijector | undefined = bij ? bij[bij.length === 1 ? 0 : i] : undefined;
    return { name: `state[${i}]`, shape, ...(b ? { bijector: b } : {}) };
  });
  const fn = kernel.targetLogProbFn;
  return new FlatTarget((parts) => fn(...parts), specs, numChains, owner);
}

/**
 * A function that yields to the event loop when more than 50 ms have passed since it last did, so a
 * page repaints during a long run (the backends' reads resolve as microtasks and never yield).
 */
export function pageYielder(): () => Promise<void> {
  let last = Date.now();
  return async () => {
    if (Date.now() - last > 50) {
      await new Promise((res) => setTimeout(res, 0));
      last = Date.now();
    }
  };
}

/** Runs the kernel over the state; the shared loop of `sampleChain` and `windowedAdaptiveNuts`. */
export async function runChain(
  target: FlatTarget,
  kernel: TransitionKernel,
  x0: Float64Array,
  opts: {
    numResults: number;
    numBurninSteps: number;
    thin: number;
    seed?: number;
    traceFn: (r: KernelResults) => object;
    onProgress?: (p: ChainProgress) => void;
    owner: string;
    /** Yield to the event loop every 50 ms while reporting progress (default true). */
    yieldToPage?: boolean;
  },
): Promise<{ rows: Float64Array; trace: Record<string, Float64Array>; final: KernelResults }> {
  const c = target.numChains;
  const d = target.dim;
  const seeds = splitSeed(opts.seed ?? Math.floor(Math.random() * 4294967296), c);
  const ctx: StepContext = { target, rngs: seeds.map((s) => new Xoshiro128(s!)) };
  const init: ChainState = kernel.usesGradient
    ? { x: x0, ...(await target.evaluate(x0)) }
    : { x: x0, logp: await target.evaluateValue(x0), grad: new Float64Array(c * d) };
  const bad = Array.from(init.logp).findIndex((l) => !(l > -Infinity));
  if (bad >= 0) {
    throw new Error(`${opts.owner}: the log density (or its gradient) is not finite at the initial state of chain ${bad}; start inside the support`);
  }
  let r = kernel.bootstrapResults(ctx, init);
  const rows = new Float64Array(opts.numResults * c * d);
  const trace: Record<string, Float64Array> = {};
  const numSteps = opts.numBurninSteps + opts.numResults * (opts.thin + 1) - opts.thin;
  let kept = 0;
  let divergences = 0;
  const yieldToPage = pageYielder();
  for (let step = 0; step < numSteps; step++) {
    r = await kernel.oneStep(ctx, r, step);
    for (const v of r.divergent) divergences += v;
    const after = step - opts.numBurninSteps;
    if (after >= 0 && after % (opts.thin + 1) === 0) {
      rows.set(r.state.x, kept * c * d);
      const t = opts.traceFn(r);
      for (const [k, v] of Object.entries(t) as Array<[string, ArrayLike<number>]>) {
        if (v.length !== c) throw new Error(`${opts.owner}: traceFn's ${k} must hold one value per chain (${c}); got ${v.length}`);
        (trace[k] ??= new Float64Array(opts.numResults * c)).set(Array.from(v), kept * c);
      }
      kept++;
    }
    if (opts.onProgress) {
      opts.onProgress({
        step: step + 1,
        numSteps,
        phase: after >= 0 ? 'sampling' : 'burnin',
        numDivergences: divergences,
        numEvaluations: target.numEvaluations,
        position: r.state.x,
      });
      if (opts.yieldToPage !== false) await yieldToPage();
    }
  }
  return { rows, trace, final: r };
}

/** Throws, naming `owner` and `name`, unless `v` is an integer >= `min`. */
export function checkCount(owner: string, name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new Error(`${owner}: ${name} must be an integer >= ${min}; got ${v}`);
}

/**
 * Runs a Markov chain (many chains as one batch) and returns its draws and trace.
 *
 * @example
 * ```ts
 * const kernel = new tfp.mcmc.RandomWalkMetropolis({ targetLogProbFn: (x) => tf.mul(-0.5, tf.sum(tf.square(x), -1)) });
 * const { states, trace } = await tfp.mcmc.sampleChain({
 *   numResults: 500, numBurninSteps: 100, currentState: tf.zeros([4, 2]), kernel, seed: 42,
 * });
 * states.shape;            // [500, 4, 2]
 * trace.isAccepted.shape;  // [500, 4]
 * states.dispose(); Object.values(trace).forEach((t) => t.dispose());
 * ```
 */
export async function sampleChain<S extends tf.Tensor | tf.Tensor[], T extends object = DefaultTraceValues>(
  args: SampleChainArgs<T> & { currentState: S },
): Promise<SampleChainResult<S, T>> {
  const owner = 'sampleChain';
  const numBurninSteps = args.numBurninSteps ?? 0;
  const thin = args.numStepsBetweenResults ?? 0;
  checkCount(owner, 'numResults', args.numResults, 1);
  checkCount(owner, 'numBurninSteps', numBurninSteps, 0);
  checkCount(owner, 'numStepsBetweenResults', thin, 0);
  const seed = checkSeed(args.seed, owner);
  const list = Array.isArray(args.currentState) ? args.currentState : [args.currentState];
  if (list.length === 0) throw new Error(`${owner}: currentState must have at least one part`);
  for (const [i, t] of list.entries()) {
    if (!(t instanceof tf.Tensor) || t.rank < 1) {
      throw new Error(`${owner}: currentState[${i}] must be a tensor [numChains, ...shape] (use numChains = 1 for one chain); got ${t instanceof tf.Tensor ? `shape [${t.shape.join(', ')}]` : typeof t}`);
    }
    if (t.shape[0] !== list[0]!.shape[0]) {
      throw new Error(`${owner}: every part of currentState needs the same chain dimension; got ${list[0]!.shape[0]} and ${t.shape[0]} (part ${i})`);
    }
  }
  const numChains = list[0]!.shape[0]!;
  const target = targetForKernel(args.kernel, list.map((t) => t.shape.slice(1)), numChains, owner);
  const u = target.unconstrain(list);
  let x0: Float64Array;
  try {
    x0 = Float64Array.from(await u.data());
  } finally {
    u.dispose();
  }
  const { rows, trace, final } = await runChain(target, args.kernel, x0, {
    numResults: args.numResults,
    numBurninSteps,
    thin,
    ...(seed !== undefined ? { seed } : {}),
    traceFn: (args.traceFn ?? defaultTrace) as (r: KernelResults) => object,
    ...(args.onProgress ? { onProgress: args.onProgress } : {}),
    owner,
  });
  const parts = target.toConstrained(rows, args.numResults);
  const traceT: Record<string, tf.Tensor> = {};
  for (const [k, v] of Object.entries(trace)) traceT[k] = tf.tensor2d(Float32Array.from(v), [args.numResults, numChains]);
  const states = (Array.isArray(args.currentState) ? parts : parts[0]!) as S;
  return { states, trace: traceT as Trace<T>, finalKernelResults: final, numEvaluations: target.numEvaluations };
}
