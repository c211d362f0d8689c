/**
 * Gathers gradient requests of chains that advance independently (NUTS trees
 * of different sizes) into batched evaluations: each chain awaits
 * `request(chain, q)`; when every chain still inside the current transition
 * is waiting, one `FlatTarget.evaluate` answers all of them. Chains that have
 * finished (`done(chain)`) stop holding the batch back; their rows are
 * evaluated at their last position (the batch shape stays fixed).
 */
import type { FlatTarget } from './target.js';

export interface PointEval {
  logp: number;
  grad: Float64Array;
}

export class GradientBatcher {
  private readonly x: Float64Array;
  private readonly waiting: Array<{ resolve: (e: PointEval) => void; reject: (e: unknown) => void } | undefined>;
  private numWaiting = 0;
  private active: number;
  private firing = false;
  private failure: { error: unknown } | undefined;

  constructor(private readonly target: FlatTarget, x: Float64Array) {
    this.x = x.slice();
    this.waiting = new Array(target.numChains).fill(undefined);
    this.active = target.numChains;
  }

  request(chain: number, q: Float64Array): Promise<PointEval> {
    if (this.failure) return Promise.reject(this.failure.error);
    this.x.set(q, chain * this.target.dim);
    const p = new Promise<PointEval>((resolve, reject) => {
      this.waiting[chain] = { resolve, reject };
    });
    this.numWaiting++;
    this.maybeFire();
    return p;
  }

  done(): void {
    this.active--;
    this.maybeFire();
  }

  /** A chain pauses between transitions (it stops holding the batch back until `unpark`). */
  park(): void {
    this.done();
  }

  unpark(): void {
    this.active++;
  }

  /** Rejects every waiting and every later request with `error` (one chain failed: the others stop too). */
  abort(error: unknown): void {
    if (this.failure) return;
    this.failure = { error };
    const pending = this.waiting.slice();
    this.waiting.fill(undefined);
    this.numWaiting = 0;
    pending.forEach((w) => w?.reject(error));
  }

  private maybeFire(): void {
    if (this.failure || this.firing || this.numWaiting === 0 || this.numWaiting < this.active) return;
    this.firing = true;
    const pending = this.waiting.slice();
    this.waiting.fill(undefined);
    this.numWaiting = 0;
    const d = this.target.dim;
    this.target.evaluate(this.x).then(
      (ev) => {
        this.firing = false;
        pending.forEach((w, c) => w?.resolve({ logp: ev.logp[c]!, grad: ev.grad.subarray(c * d, (c + 1) * d) }));
      },
      (err: unknown) => {
        this.firing = false;
        pending.forEach((w) => w?.reject(err));
      },
    );
  }
}
