/**
 * Transition kernels (TFP's `tfp.mcmc.TransitionKernel`): the state of all
 * chains lives on the host as float64 rows in the unconstrained space, and a
 * kernel's `oneStep` advances every chain by one transition, asking the
 * batched target (`FlatTarget`) for log densities and gradients of all chains
 * at once.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Bijector } from '../bijectors/bijector.js';
import { Xoshiro128 } from '../math/random.js';
import type { FlatTarget } from './target.js';

/** The user's log density: one tensor per state part (leading chain dimension) -> `[numChains]`. */
export type TargetLogProbFn = (...parts: tf.Tensor[]) => tf.Tensor;

/** Positions of all chains with their log densities and gradients. */
export interface ChainState {
  /** `[numChains * dim]`, one unconstrained row per chain. */
  x: Float64Array;
  /** `[numChains]` */
  logp: Float64Array;
  /** `[numChains * dim]` */
  grad: Float64Array;
}

/** Kernel results: the state plus per-chain tuning parameters and per-step statistics. */
export interface KernelResults {
  state: ChainState;
  /** Per-chain step size (gradient kernels; the proposal scale for RandomWalkMetropolis). */
  stepSize: Float64Array;
  /** Per-chain diagonal inverse metric (mass matrix), `[numChains * dim]`. */
  invMass: Float64Array;
  /**
   * A dense inverse metric `M⁻¹ = L Lᵀ` (dense_metric.ts), per chain its lower Cholesky factor L,
   * `[numChains * dim * dim]`; when present, HMC and NUTS use it instead of `invMass` (which then
   * holds its diagonal, the marginal variances).
   */
  invMassChol?: Float64Array;
  /** Metropolis acceptance probability of the step (NUTS: mean over the trajectory, as Stan's accept_stat). */
  acceptProb: Float64Array;
  isAccepted: Uint8Array;
  divergent: Uint8Array;
  treeDepth: Int32Array;
  numLeapfrogSteps: Int32Array;
  /** Hamiltonian at the new state (gradient kernels; -logp otherwise). */
  energy: Float64Array;
}

/** What a kernel step sees: the batched target and one random stream per chain. */
export interface StepContext {
  target: FlatTarget;
  rngs: Xoshiro128[];
}

/** Base of all kernels. */
export abstract class TransitionKernel {
  abstract readonly className: string;
  /** The user's density in the constrained space (the innermost kernel's). */
  abstract get targetLogProbFn(): TargetLogProbFn;
  /** Per-part bijectors R^n -> support (set by TransformedTransitionKernel). */
  get bijectors(): Array<Bijector | undefined> | undefined {
    return undefined;
  }
  /** Whether the kernel uses gradients (Metropolis kernels do not). */
  get usesGradient(): boolean {
    return true;
  }
  /** Initial results for a state (tuning parameters at their starting values). */
  abstract bootstrapResults(ctx: StepContext, state: ChainState): KernelResults;
  /** One transition of every chain. `step` counts from 0 (adaptation kernels use it). */
  abstract oneStep(ctx: StepContext, prev: KernelResults, step: number): Promise<KernelResults>;
}

/**
 * A kernel that moves the chains itself (not a wrapper): it holds the user's density and the
 * starting value of its step parameter (`stepSize`, or a Metropolis proposal's `scale`), one
 * number or one per chain, and starts every chain with a unit diagonal metric.
 */
export abstract class InnerKernel extends TransitionKernel {
  protected constructor(
    private readonly fn: TargetLogProbFn,
    private readonly initialStep: number | ArrayLike<number>,
    private readonly stepName: string,
  ) {
    super();
  }

  get targetLogProbFn(): TargetLogProbFn {
    return this.fn;
  }

  bootstrapResults(ctx: StepContext, state: ChainState): KernelResults {
    const c = ctx.target.numChains;
    return emptyResults(state, c, perChain(this.initialStep, c, this.className, this.stepName), new Float64Array(c * ctx.target.dim).fill(1));
  }
}

/** Fresh results around a state with all statistics zero. */
export function emptyResults(state: ChainState, numChains: number, stepSize: Float64Array, invMass: Float64Array): KernelResults {
  return {
    state,
    stepSize,
    invMass,
    acceptProb: new Float64Array(numChains),
    isAccepted: new Uint8Array(numChains),
    divergent: new Uint8Array(numChains),
    treeDepth: new Int32Array(numChains),
    numLeapfrogSteps: new Int32Array(numChains),
    energy: Float64Array.from(state.logp, (l) => -l),
  };
}

/** A per-chain step size from a number or array (checked). */
export function perChain(value: number | ArrayLike<number>, numChains: number, owner: string, name: string): Float64Array {
  const out = new Float64Array(numChains);
  if (typeof value === 'number') out.fill(value);
  else {
    if (value.length !== numChains && value.length !== 1) {
      throw new Error(`${owner}: ${name} must be a number or one value per chain (${numChains}); got ${value.length} values`);
    }
    for (let i = 0; i < numChains; i++) out[i] = value[value.length === 1 ? 0 : i]!;
  }
  for (const v of out) {
    if (!(v > 0) || !Number.isFinite(v)) throw new Error(`${owner}: ${name} must be positive and finite; got ${v}`);
  }
  return out;
}

/** Copies row `c` of a `[numChains * dim]` array into a new array. */
export function row(a: Float64Array, c: number, dim: number): Float64Array {
  return a.slice(c * dim, (c + 1) * dim);
}

export function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/** Copies a ChainState. */
export function cloneState(s: ChainState): ChainState {
  return { x: s.x.slice(), logp: s.logp.slice(), grad: s.grad.slice() };
}
