/**
 * Hamiltonian Monte Carlo with a fixed number of leapfrog steps (TFP's
 * `tfp.mcmc.HamiltonianMonteCarlo`). All chains move in lockstep: one batched
 * gradient evaluation per leapfrog step for every chain.
 */
import { nextNormal } from '../math/random.js';
import { denseKinetic, denseMomentum, denseVelocity } from './dense_metric.js';
import {
  type ChainState,
  type KernelResults,
  type StepContext,
  type TargetLogProbFn,
  InnerKernel,
  emptyResults,
} from './kernel.js';

export interface HamiltonianMonteCarloArgs {
  targetLogProbFn: TargetLogProbFn;
  /** Leapfrog step size: a number or one per chain. */
  stepSize: number | ArrayLike<number>;
  /** Leapfrog steps per transition. */
  numLeapfrogSteps: number;
}

/** Kinetic energy `0.5 pᵀ M⁻¹ p` of chain `c` (with `invMassChol`, the dense metric's). */
export function kinetic(p: Float64Array, invMass: Float64Array, c: number, d: number, invMassChol?: Float64Array): number {
  if (invMassChol) return denseKinetic(invMassChol, c, d, p, c * d);
  let k = 0;
  for (let j = c * d; j < (c + 1) * d; j++) k += p[j]! * p[j]! * invMass[j]!;
  return 0.5 * k;
}

/**
 * HMC (Neal 2011) with a diagonal metric, or a dense one when the results carry `invMassChol`
 * (set by `WindowedAdaptation` with `metric: 'dense'`).
 *
 * @example
 * ```ts
 * const kernel = new tfp.mcmc.HamiltonianMonteCarlo({
 *   targetLogProbFn: (x) => tf.mul(-0.5, tf.sum(tf.square(x), -1)),
 *   stepSize: 0.3, numLeapfrogSteps: 5,
 * });
 * const { states, trace } = await tfp.mcmc.sampleChain({ numResults: 100, currentState: tf.zeros([2, 2]), kernel, seed: 3 });
 * states.shape; // [100, 2, 2]
 * states.dispose(); Object.values(trace).forEach((t) => t.dispose());
 * ```
 */
export class HamiltonianMonteCarlo extends InnerKernel {
  readonly className = 'HamiltonianMonteCarlo';
  readonly numLeapfrogSteps: number;

  constructor(args: HamiltonianMonteCarloArgs) {
    super(args.targetLogProbFn, args.stepSize, 'stepSize');
    this.numLeapfrogSteps = args.numLeapfrogSteps;
    if (!Number.isInteger(args.numLeapfrogSteps) || args.numLeapfrogSteps < 1) {
      throw new Error(`HamiltonianMonteCarlo: numLeapfrogSteps must be a positive integer; got ${args.numLeapfrogSteps}`);
    }
  }

  async oneStep(ctx: StepContext, prev: KernelResults): Promise<KernelResults> {
    const c = ctx.target.numChains;
    const d = ctx.target.dim;
    const { invMass, stepSize, invMassChol: chol } = prev;
    const p = new Float64Array(c * d);
    for (let ch = 0; ch < c; ch++) {
      if (chol) denseMomentum(chol, ch, d, Array.from({ length: d }, () => nextNormal(ctx.rngs[ch]!)), p, ch * d);
      else for (let j = ch * d; j < (ch + 1) * d; j++) p[j] = nextNormal(ctx.rngs[ch]!) / Math.sqrt(invMass[j]!);
    }
    const h0 = Float64Array.from(prev.state.logp, (l, ch) => -l + kinetic(p, invMass, ch, d, chol));
    const q = prev.state.x.slice();
    let grad = prev.state.grad;
    let logp = prev.state.logp;
    for (let l = 0; l < this.numLeapfrogSteps; l++) {
      for (let ch = 0; ch < c; ch++) {
        const e = stepSize[ch]!;
        for (let j = ch * d; j < (ch + 1) * d; j++) {
          p[j] = p[j]! + 0.5 * e * grad[j]!;
          if (!chol) q[j] = q[j]! + e * invMass[j]! * p[j]!;
        }
        if (chol) {
          const v = denseVelocity(chol, ch, d, p, ch * d);
          for (let i = 0; i < d; i++) q[ch * d + i] = q[ch * d + i]! + e * v[i]!;
        }
      }
      const ev = await ctx.target.evaluate(q);
      grad = ev.grad;
      logp = ev.logp;
      for (let ch = 0; ch < c; ch++) {
        const e = stepSize[ch]!;
        for (let j = ch * d; j < (ch + 1) * d; j++) p[j] = p[j]! + 0.5 * e * grad[j]!;
      }
    }
    const next: ChainState = { x: prev.state.x.slice(), logp: prev.state.logp.slice(), grad: prev.state.grad.slice() };
    const out = emptyResults(next, c, stepSize, invMass);
    if (chol) out.invMassChol = chol;
    for (let ch = 0; ch < c; ch++) {
      const h1 = -logp[ch]! + kinetic(p, invMass, ch, d, chol);
      let logAccept = h0[ch]! - h1;
      if (Number.isNaN(logAccept)) logAccept = -Infinity;
      out.acceptProb[ch] = Math.min(1, Math.exp(logAccept));
      out.divergent[ch] = -logAccept > 1000 ? 1 : 0;
      out.numLeapfrogSteps[ch] = this.numLeapfrogSteps;
      const accept = Math.log(ctx.rngs[ch]!.nextOpen01()) < logAccept;
      out.isAccepted[ch] = accept ? 1 : 0;
      if (accept) {
        next.x.set(q.subarray(ch * d, (ch + 1) * d), ch * d);
        next.grad.set(grad.subarray(ch * d, (ch + 1) * d), ch * d);
        next.logp[ch] = logp[ch]!;
      }
      out.energy[ch] = accept ? h1 : h0[ch]!;
    }
    return out;
  }
}
