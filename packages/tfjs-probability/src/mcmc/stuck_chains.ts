/**
 * Restarting chains stuck in a minor mode during the warm-up.
 *
 * A chain started in the basin of a local mode that holds a negligible share of the posterior mass (in
 * a normal mixture with ordered means: both components on one cluster, hundreds of log-density units
 * below the main mode) can stay there for thousands of transitions; Stan's NUTS does the same from such
 * a starting point. Worse than the lost chain: when it escapes late in the warm-up, its metric was
 * estimated in the minor mode, and every later transition in the main mode takes hundreds of leapfrogs.
 *
 * At the end of the first metric window (step 99 of Stan's schedule) each chain is summarized by a
 * Gaussian approximation of the region it explored: the mean log density of the window's draws plus
 * the entropy of a normal with the window's covariance (½ log det, the estimated metric). The sum
 * estimates the log of the posterior mass of that region up to a constant shared by all chains (an
 * evidence lower bound, as multi-path Pathfinder uses to discard minor modes). A chain whose estimate
 * lies more than `50 + dim` below the best chain's is restarted from the state and metric of another
 * chain that passed (chosen with its own random stream): its region carries less than e^-50 of the
 * mass of the best one. Chains in modes of comparable mass are left alone, so R-hat still reports them.
 */
import type { Xoshiro128 } from '../math/random.js';

/** One chain at the end of the first window: its state, the metric estimated there and its score. */
export interface ChainSummary {
  /** The position, log density and gradient of the chain. */
  x: Float64Array;
  logp: number;
  grad: Float64Array;
  /** The diagonal inverse metric `[dim]` and, with a dense metric, its factor `[dim * dim]`. */
  invMass: Float64Array;
  invMassChol?: Float64Array;
  /** Mean log density over the window plus the Gaussian entropy of the window's covariance (see module notes). */
  score: number;
}

/** Log-mass gap (nats) beyond which a chain counts as stuck. */
export function stuckThreshold(dim: number): number {
  return 50 + dim;
}

/** `0.5 log det` of the window covariance: from the diagonal inverse metric, or from the dense factor when given. */
export function metricEntropy(invMass: Float64Array, invMassChol?: Float64Array): number {
  const d = invMass.length;
  let h = 0;
  if (invMassChol) for (let i = 0; i < d; i++) h += Math.log(invMassChol[i * d + i]!);
  else for (let i = 0; i < d; i++) h += 0.5 * Math.log(invMass[i]!);
  return h;
}

/**
 * The donor of each chain (its own index when it is not stuck): stuck chains take a chain that passed,
 * drawn with their own random stream `rngs[i]`.
 */
export function donors(scores: ArrayLike<number>, dim: number, rngs: Xoshiro128[]): number[] {
  const n = scores.length;
  let best = -Infinity;
  for (let i = 0; i < n; i++) if (scores[i]! > best) best = scores[i]!;
  const ok = Array.from({ length: n }, (_, i) => i).filter((i) => scores[i]! >= best - stuckThreshold(dim));
  return Array.from({ length: n }, (_, i) => {
    if (ok.includes(i) || !Number.isFinite(best)) return i;
    return ok[Math.min(ok.length - 1, Math.floor(rngs[i]!.nextOpen01() * ok.length))]!;
  });
}

/** Given the summaries of a kernel's chains (and their random streams), each chain's donor summary. */
export type ChainExchange = (local: ChainSummary[], rngs: Xoshiro128[]) => Promise<ChainSummary[]>;

/** The exchange among the chains of one kernel (chains in lockstep). */
export const localExchange: ChainExchange = async (local, rngs) => {
  const pick = donors(local.map((s) => s.score), local[0]?.x.length ?? 0, rngs);
  return pick.map((i) => local[i]!);
};

/**
 * The rendezvous of chains that run independently (independent_chains.ts): each chain's kernel calls
 * `exchange` with its summary at the end of its first window and waits (parked, so that the others'
 * batched gradients go on without it) until every chain has arrived; then each receives its donor's
 * summary (its own when it is not stuck).
 */
export class ChainRendezvous {
  private readonly arrived: Array<{ s: ChainSummary; rng: Xoshiro128; resolve: (s: ChainSummary) => void; reject: (e: unknown) => void } | undefined>;
  private count = 0;
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly numChains: number,
    private readonly dim: number,
    private readonly park: () => void,
    private readonly unpark: () => void,
  ) {
    this.arrived = new Array(numChains).fill(undefined);
  }

  /** The exchange of chain `chain` (a kernel with that one chain). */
  forChain(chain: number): ChainExchange {
    return async (local, rngs) => [await this.exchange(chain, local[0]!, rngs[0]!)];
  }

  exchange(chain: number, s: ChainSummary, rng: Xoshiro128): Promise<ChainSummary> {
    if (this.failure) return Promise.reject(this.failure.error);
    const p = new Promise<ChainSummary>((resolve, reject) => {
      this.arrived[chain] = { s, rng, resolve, reject };
    });
    this.count++;
    this.park();
    if (this.count === this.numChains) {
      const all = this.arrived.map((a) => a!);
      const pick = donors(all.map((a) => a.s.score), this.dim, all.map((a) => a.rng));
      all.forEach((a, i) => {
        this.unpark();
        a.resolve(all[pick[i]!]!.s);
      });
    }
    return p;
  }

  /** Rejects the waiting chains and every later exchange (one chain failed). */
  abort(error: unknown): void {
    if (this.failure) return;
    this.failure = { error };
    this.arrived.forEach((a) => a?.reject(error));
  }
}
