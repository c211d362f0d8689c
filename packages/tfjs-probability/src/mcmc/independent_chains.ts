/**
 * Chains that advance independently while sharing batched gradients.
 *
 * NUTS builds trees of different sizes in different chains. Run in lockstep
 * (`runChain` with all chains in one kernel step), every step waits for the
 * chain with the longest tree, and the batched gradient of the others is
 * wasted meanwhile: with 4 chains the longest of four trees sets the cost of
 * each step, with hundreds of chains nearly the largest tree the sampler ever
 * builds. Here every chain runs its own kernel stack (its own adaptation, its
 * own transitions, one after another) against a one-chain view of the model,
 * and all views forward their gradient requests to one `GradientBatcher`: a
 * batched evaluation runs as soon as every unfinished chain waits for one, so
 * a chain that finished its tree goes on with its next transition instead of
 * idling. The draws of each chain are exactly those of the same kernel run on
 * that chain alone (the scheduling never changes a chain's random stream),
 * unless `restartStuckChains` restarts a chain from another at the end of the
 * first window (stuck_chains.ts: the chains meet there, each parked in the
 * batcher until all have arrived).
 */
import { splitSeed } from '../util.js';
import { GradientBatcher } from './batcher.js';
import type { KernelResults, TransitionKernel } from './kernel.js';
import { type ChainProgress, pageYielder, runChain } from './sample_chain.js';
import { type Evaluation, FlatTarget } from './target.js';
import { type ChainExchange, ChainRendezvous } from './stuck_chains.js';

/** One chain's view of a shared batched target: its evaluations join the shared batch. */
class ChainView extends FlatTarget {
  private readonly yieldToPage = pageYielder();

  constructor(shared: FlatTarget, private readonly batcher: GradientBatcher, private readonly chain: number) {
    super(() => {
      throw new Error('ChainView: evaluations go through the shared batch');
    }, [...shared.parts], 1);
  }

  override async evaluate(x: Float64Array): Promise<Evaluation> {
    this.numEvaluations++;
    // Lets a page repaint during long runs (the batch waits for this chain meanwhile).
    if (this.chain === 0) await this.yieldToPage();
    const e = await this.batcher.request(this.chain, x);
    return { logp: Float64Array.of(e.logp), grad: e.grad };
  }

  override async evaluateValue(x: Float64Array): Promise<Float64Array> {
    return (await this.evaluate(x)).logp;
  }
}

export interface IndependentChainsOptions {
  numResults: number;
  numBurninSteps: number;
  seed: number;
  traceFn: (r: KernelResults) => object;
  /** Called once every chain has completed a step, with all chains' positions at that step. */
  onProgress?: (p: ChainProgress) => void;
  owner: string;
  /**
   * Whether the chains meet at the end of their first metric window so that chains stuck in a minor
   * mode restart from another chain (stuck_chains.ts); `makeKernel` then receives each chain's exchange.
   */
  restartStuckChains?: boolean;
}

export interface IndependentChainsResult {
  /** `[numResults, numChains, dim]` rows. */
  rows: Float64Array;
  trace: Record<string, Float64Array>;
  /** Per chain step size and `[numChains * dim]` inverse metric at the end. */
  stepSize: Float64Array;
  invMass: Float64Array;
  /** Per chain `[numChains * dim * dim]` dense metric factors, where the kernel adapts a dense metric. */
  invMassChol?: Float64Array;
  /** Milliseconds from the start until the first chain began drawing, and from then to the end. */
  warmupMs: number;
  samplingMs: number;
}

/**
 * Runs `makeKernel()` (one fresh kernel stack per chain) on every chain of `target` from the rows `x0`,
 * the chains independent but their gradients batched (see the module notes).
 */
export async function runIndependentChains(
  target: FlatTarget,
  makeKernel: (exchange?: ChainExchange) => TransitionKernel,
  x0: Float64Array,
  opts: IndependentChainsOptions,
): Promise<IndependentChainsResult> {
  const c = target.numChains;
  const d = target.dim;
  const n = opts.numResults;
  const numSteps = opts.numBurninSteps + n;
  const batcher = new GradientBatcher(target, x0);
  const rendezvous = opts.restartStuckChains ? new ChainRendezvous(c, d, () => batcher.park(), () => batcher.unpark()) : undefined;
  const seeds = splitSeed(opts.seed, c);
  const t0 = performance.now();
  let samplingStart = opts.numBurninSteps === 0 ? t0 : Infinity;
  // Progress: per-step positions of all chains, emitted once the slowest chain has completed the step.
  const stepsDone = new Int32Array(c);
  const pending = new Map<number, Float64Array>();
  const divergences = new Int32Array(c);
  let emitted = 0;
  const report = (ch: number, p: ChainProgress): void => {
    if (p.step >= opts.numBurninSteps && samplingStart === Infinity) samplingStart = performance.now();
    if (!opts.onProgress) return;
    stepsDone[ch] = p.step;
    divergences[ch] = p.numDivergences;
    let buf = pending.get(p.step);
    if (!buf) pending.set(p.step, (buf = new Float64Array(c * d)));
    buf.set(p.position, ch * d);
    let slowest = stepsDone[0]!;
    for (const s of stepsDone) slowest = Math.min(slowest, s);
    while (emitted < slowest) {
      emitted++;
      const position = pending.get(emitted)!;
      pending.delete(emitted);
      opts.onProgress({
        step: emitted,
        numSteps,
        phase: emitted > opts.numBurninSteps ? 'sampling' : 'burnin',
        numDivergences: divergences.reduce((a, b) => a + b, 0),
        numEvaluations: target.numEvaluations,
        position,
      });
    }
  };
  const runs = Array.from({ length: c }, async (_, ch) => {
    const view = new ChainView(target, batcher, ch);
    try {
      return await runChain(view, makeKernel(rendezvous?.forChain(ch)), x0.slice(ch * d, (ch + 1) * d), {
        numResults: n,
        numBurninSteps: opts.numBurninSteps,
        thin: 0,
        ...(seeds[ch] !== undefined ? { seed: seeds[ch] } : {}),
        traceFn: opts.traceFn,
        onProgress: (p) => report(ch, p),
        owner: opts.owner,
        yieldToPage: false,
      });
    } catch (err) {
      batcher.abort(err);
      rendezvous?.abort(err);
      throw err;
    } finally {
      batcher.done();
    }
  });
  const settled = await Promise.allSettled(runs);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  const results = settled.map((s) => (s as PromiseFulfilledResult<Awaited<ReturnType<typeof runChain>>>).value);
  const t1 = performance.now();
  const rows = new Float64Array(n * c * d);
  const trace: Record<string, Float64Array> = {};
  const stepSize = new Float64Array(c);
  const invMass = new Float64Array(c * d);
  const invMassChol = results[0]!.final.invMassChol ? new Float64Array(c * d * d) : undefined;
  results.forEach((r, ch) => {
    for (let i = 0; i < n; i++) rows.set(r.rows.subarray(i * d, (i + 1) * d), (i * c + ch) * d);
    for (const [k, v] of Object.entries(r.trace)) {
      const out = (trace[k] ??= new Float64Array(n * c));
      for (let i = 0; i < n; i++) out[i * c + ch] = v[i]!;
    }
    stepSize[ch] = r.final.stepSize[0]!;
    invMass.set(r.final.invMass.subarray(0, d), ch * d);
    if (invMassChol && r.final.invMassChol) invMassChol.set(r.final.invMassChol.subarray(0, d * d), ch * d * d);
  });
  const start = Math.min(samplingStart, t1);
  return { rows, trace, stepSize, invMass, ...(invMassChol ? { invMassChol } : {}), warmupMs: start - t0, samplingMs: t1 - start };
}
