/**
 * Metropolis kernels: `RandomWalkMetropolis` (Gaussian proposal, no
 * gradients) and `MetropolisAdjustedLangevinAlgorithm` (TFP's names). All
 * chains propose together; one batched evaluation per step.
 */
import { nextNormal } from '../math/random.js';
import {
  type ChainState,
  type KernelResults,
  type StepContext,
  type TargetLogProbFn,
  InnerKernel,
  emptyResults,
} from './kernel.js';

export interface RandomWalkMetropolisArgs {
  targetLogProbFn: TargetLogProbFn;
  /** Proposal standard deviation: `x' = x + scale * N(0, I)`. A number or one per chain; default 1 (TFP's). */
  scale?: number | ArrayLike<number>;
}

abstract class MetropolisKernel extends InnerKernel {

  /** Accepts or rejects each chain's proposal given `log q(x|x') - log q(x'|x)`. */
  protected decide(ctx: StepContext, prev: KernelResults, proposal: ChainState, logCorrection: Float64Array): KernelResults {
    const c = ctx.target.numChains;
    const d = ctx.target.dim;
    const next: ChainState = { x: prev.state.x.slice(), logp: prev.state.logp.slice(), grad: prev.state.grad.slice() };
    const out = emptyResults(next, c, prev.stepSize, prev.invMass);
    for (let ch = 0; ch < c; ch++) {
      let logAccept = proposal.logp[ch]! - prev.state.logp[ch]! + logCorrection[ch]!;
      if (Number.isNaN(logAccept)) logAccept = -Infinity;
      out.acceptProb[ch] = Math.min(1, Math.exp(logAccept));
      const accept = Math.log(ctx.rngs[ch]!.nextOpen01()) < logAccept;
      out.isAccepted[ch] = accept ? 1 : 0;
      if (accept) {
        next.x.set(proposal.x.subarray(ch * d, (ch + 1) * d), ch * d);
        next.grad.set(proposal.grad.subarray(ch * d, (ch + 1) * d), ch * d);
        next.logp[ch] = proposal.logp[ch]!;
      }
      out.energy[ch] = -next.logp[ch]!;
    }
    return out;
  }
}

/**
 * Random-walk Metropolis with a Gaussian proposal (TFP's `random_walk_normal_fn`).
 *
 * @example
 * ```ts
 * const kernel = new tfp.mcmc.RandomWalkMetropolis({
 *   targetLogProbFn: (x) => tf.mul(-0.5, tf.sum(tf.square(x), -1)), scale: 1.5,
 * });
 * const { states, trace } = await tfp.mcmc.sampleChain({ numResults: 500, currentState: tf.zeros([4, 1]), kernel, seed: 2 });
 * states.shape; // [500, 4, 1]
 * states.dispose(); Object.values(trace).forEach((t) => t.dispose());
 * ```
 */
export class RandomWalkMetropolis extends MetropolisKernel {
  readonly className = 'RandomWalkMetropolis';

  constructor(args: RandomWalkMetropolisArgs) {
    super(args.targetLogProbFn, args.scale ?? 1, 'scale');
  }

  override get usesGradient(): boolean {
    return false;
  }

  async oneStep(ctx: StepContext, prev: KernelResults): Promise<KernelResults> {
    const c = ctx.target.numChains;
    const d = ctx.target.dim;
    const x = prev.state.x.slice();
    for (let ch = 0; ch < c; ch++) {
      for (let j = ch * d; j < (ch + 1) * d; j++) x[j] = x[j]! + prev.stepSize[ch]! * nextNormal(ctx.rngs[ch]!);
    }
    const logp = await ctx.target.evaluateValue(x);
    return this.decide(ctx, prev, { x, logp, grad: prev.state.grad }, new Float64Array(c));
  }
}

export interface MetropolisAdjustedLangevinAlgorithmArgs {
  targetLogProbFn: TargetLogProbFn;
  /** Time step ε: `x' = x + ε/2 ∇log p(x) + sqrt(ε) N(0, I)` (TFP's convention). A number or one per chain. */
  stepSize: number | ArrayLike<number>;
}

/**
 * MALA (Roberts & Tweedie 1996): a Langevin proposal with a Metropolis-Hastings correction.
 *
 * @example
 * ```ts
 * const kernel = new tfp.mcmc.MetropolisAdjustedLangevinAlgorithm({
 *   targetLogProbFn: (x) => tf.mul(-0.5, tf.sum(tf.square(x), -1)), stepSize: 0.5,
 * });
 * const { states, trace } = await tfp.mcmc.sampleChain({ numResults: 200, currentState: tf.zeros([2, 3]), kernel, seed: 4 });
 * states.shape; // [200, 2, 3]
 * states.dispose(); Object.values(trace).forEach((t) => t.dispose());
 * ```
 */
export class MetropolisAdjustedLangevinAlgorithm extends MetropolisKernel {
  readonly className = 'MetropolisAdjustedLangevinAlgorithm';

  constructor(args: MetropolisAdjustedLangevinAlgorithmArgs) {
    super(args.targetLogProbFn, args.stepSize, 'stepSize');
  }

  async oneStep(ctx: StepContext, prev: KernelResults): Promise<KernelResults> {
    const c = ctx.target.numChains;
    const d = ctx.target.dim;
    const { x: x0, grad: g0 } = prev.state;
    const x = new Float64Array(c * d);
    for (let ch = 0; ch < c; ch++) {
      const e = prev.stepSize[ch]!;
      const s = Math.sqrt(e);
      for (let j = ch * d; j < (ch + 1) * d; j++) x[j] = x0[j]! + 0.5 * e * g0[j]! + s * nextNormal(ctx.rngs[ch]!);
    }
    const ev = await ctx.target.evaluate(x);
    const corr = new Float64Array(c);
    for (let ch = 0; ch < c; ch++) {
      const e = prev.stepSize[ch]!;
      // log q(x0 | x) - log q(x | x0) with q(b | a) = N(b; a + e/2 ∇log p(a), e I).
      let fwd = 0;
      let bwd = 0;
      for (let j = ch * d; j < (ch + 1) * d; j++) {
        const a = x[j]! - x0[j]! - 0.5 * e * g0[j]!;
        const b = x0[j]! - x[j]! - 0.5 * e * ev.grad[j]!;
        fwd += a * a;
        bwd += b * b;
      }
      corr[ch] = (fwd - bwd) / (2 * e);
    }
    return this.decide(ctx, prev, { x, logp: ev.logp, grad: ev.grad }, corr);
  }
}
