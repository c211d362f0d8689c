/**
 * Stan's warm-up (Stan reference manual, "HMC algorithm parameters"): dual
 * averaging of the step size throughout, and a diagonal (or, with
 * `metric: 'dense'`, a dense: dense_metric.ts) metric estimated from
 * the draws of expanding windows (an initial buffer of 75 steps, windows of
 * 25, 50, 100, ... steps, a terminal buffer of 50), regularized towards
 * 1e-3 as Stan does. After each window the step size is re-initialized by
 * Stan's heuristic and the dual averaging restarts at log(10 ε). Each chain
 * adapts on its own, as in Stan, so R-hat still compares independent chains.
 */
import { nextNormal } from '../math/random.js';
import type { ChainState, KernelResults, StepContext, TransitionKernel } from './kernel.js';
import { kinetic } from './hmc.js';
import { DenseCovariance, denseMomentum, denseVelocity, identityFactors } from './dense_metric.js';
import { DualAveraging, WrapperKernel } from './step_size_adaptation.js';
import { type ChainExchange, type ChainSummary, metricEntropy } from './stuck_chains.js';

/** Stan's regularization of a variance estimated from `n` warm-up draws: shrunk towards 1e-3 with weight 5 / (n + 5). */
export function regularizedVariance(variance: number, n: number): number {
  return (n / (n + 5)) * variance + 1e-3 * (5 / (n + 5));
}

/** Stan's window schedule for `n` adaptation steps: the steps (0-based) after which the metric is updated. */
export function windowEnds(n: number, initBuffer = 75, termBuffer = 50, baseWindow = 25): { start: number; ends: number[] } {
  if (n < 20) return { start: n, ends: [] };
  if (initBuffer + baseWindow + termBuffer > n) {
    initBuffer = Math.floor(0.15 * n);
    termBuffer = Math.floor(0.1 * n);
    baseWindow = n - (initBuffer + termBuffer);
  }
  const ends: number[] = [];
  const last = n - termBuffer - 1;
  let size = baseWindow;
  let next = initBuffer + baseWindow - 1;
  for (;;) {
    ends.push(next);
    if (next >= last) break;
    size *= 2;
    let candidate = next + size;
    if (candidate + 2 * size > last) candidate = last;
    next = Math.min(candidate, last);
  }
  return { start: initBuffer, ends };
}

/**
 * Stan's step-size initialization (base_hmc::init_stepsize): doubles or halves
 * each chain's step size until the acceptance probability of one leapfrog step
 * crosses 0.8. All chains step together (one batched evaluation per round).
 */
export async function initStepSize(
  ctx: StepContext,
  state: ChainState,
  eps: Float64Array,
  invMass: Float64Array,
  invMassChol?: Float64Array,
): Promise<Float64Array> {
  const c = ctx.target.numChains;
  const d = ctx.target.dim;
  const out = eps.slice();
  const direction = new Int8Array(c);
  const done = new Uint8Array(c);
  const log08 = Math.log(0.8);
  for (let round = 0; round < 60 && done.some((v) => !v); round++) {
    const p = new Float64Array(c * d);
    const q = new Float64Array(c * d);
    const h0 = new Float64Array(c);
    for (let ch = 0; ch < c; ch++) {
      if (invMassChol) denseMomentum(invMassChol, ch, d, Array.from({ length: d }, () => nextNormal(ctx.rngs[ch]!)), p, ch * d);
      else for (let j = ch * d; j < (ch + 1) * d; j++) p[j] = nextNormal(ctx.rngs[ch]!) / Math.sqrt(invMass[j]!);
      // H0 uses the momentum before the half step.
      h0[ch] = -state.logp[ch]! + kinetic(p, invMass, ch, d, invMassChol);
      for (let j = ch * d; j < (ch + 1) * d; j++) p[j] = p[j]! + 0.5 * out[ch]! * state.grad[j]!;
      const v = invMassChol ? denseVelocity(invMassChol, ch, d, p, ch * d) : undefined;
      for (let j = ch * d; j < (ch + 1) * d; j++) q[j] = state.x[j]! + out[ch]! * (v ? v[j - ch * d]! : invMass[j]! * p[j]!);
    }
    const ev = await ctx.target.evaluate(q);
    for (let ch = 0; ch < c; ch++) {
      if (done[ch]) continue;
      for (let j = ch * d; j < (ch + 1) * d; j++) p[j] = p[j]! + 0.5 * out[ch]! * ev.grad[j]!;
      let h = -ev.logp[ch]! + kinetic(p, invMass, ch, d, invMassChol);
      if (Number.isNaN(h)) h = Infinity;
      const dH = h0[ch]! - h;
      if (round === 0) {
        direction[ch] = dH > log08 ? 1 : -1;
        continue;
      }
      if ((direction[ch] === 1 && !(dH > log08)) || (direction[ch] === -1 && !(dH < log08))) {
        done[ch] = 1;
        continue;
      }
      out[ch] = direction[ch] === 1 ? 2 * out[ch]! : 0.5 * out[ch]!;
      if (out[ch]! > 1e7 || out[ch] === 0) done[ch] = 1;
    }
  }
  for (let ch = 0; ch < c; ch++) if (!(out[ch]! > 0) || !Number.isFinite(out[ch]!)) out[ch] = eps[ch]!;
  return out;
}

export interface WindowedAdaptationArgs {
  innerKernel: TransitionKernel;
  numAdaptationSteps: number;
  /** Default 0.8 (Stan's). */
  targetAcceptProb?: number;
  initBuffer?: number;
  termBuffer?: number;
  baseWindow?: number;
  /**
   * `'diag'` (default): a diagonal metric from the draws' variances; `'dense'`: a dense metric
   * from their covariance (Stan's `dense_e`), for posteriors whose correlations a diagonal
   * metric cannot undo (each NUTS step then costs O(dim²) on the host besides the gradient).
   */
  metric?: 'diag' | 'dense';
  /**
   * Restarting of chains stuck in a minor mode at the end of the first window (stuck_chains.ts):
   * receives the summaries of this kernel's chains and returns each chain's donor summary.
   * Off when omitted.
   */
  exchange?: ChainExchange;
}

/** Dual-averaging step size plus a windowed diagonal metric (see the module notes). */
export class WindowedAdaptation extends WrapperKernel {
  readonly className = 'WindowedAdaptation';
  readonly numAdaptationSteps: number;
  readonly targetAcceptProb: number;
  private readonly start: number;
  private readonly ends: Set<number>;
  private readonly lastEnd: number;
  private duals: DualAveraging[] = [];
  private mean = new Float64Array(0);
  private m2 = new Float64Array(0);
  private count = 0;
  readonly metric: 'diag' | 'dense';
  private dense: DenseCovariance | undefined;
  private readonly exchange: ChainExchange | undefined;
  private readonly firstEnd: number;
  private logpSum = new Float64Array(0);
  private logpCount = 0;

  constructor(args: WindowedAdaptationArgs) {
    super(args.innerKernel);
    this.metric = args.metric ?? 'diag';
    if (this.metric !== 'diag' && this.metric !== 'dense') {
      throw new Error(`windowedAdaptiveNuts: metric must be 'diag' or 'dense'; got ${JSON.stringify(args.metric)}`);
    }
    this.numAdaptationSteps = args.numAdaptationSteps;
    this.targetAcceptProb = args.targetAcceptProb ?? 0.8;
    if (!Number.isInteger(this.numAdaptationSteps) || this.numAdaptationSteps < 0) {
      throw new Error(`windowedAdaptiveNuts: numAdaptationSteps must be a non-negative integer; got ${args.numAdaptationSteps}`);
    }
    if (!(this.targetAcceptProb > 0 && this.targetAcceptProb < 1)) {
      throw new Error(`windowedAdaptiveNuts: targetAcceptProb must be in (0, 1); got ${args.targetAcceptProb}`);
    }
    const w = windowEnds(this.numAdaptationSteps, args.initBuffer, args.termBuffer, args.baseWindow);
    this.start = w.start;
    this.ends = new Set(w.ends);
    this.lastEnd = w.ends.length ? w.ends[w.ends.length - 1]! : -1;
    this.firstEnd = w.ends.length ? w.ends[0]! : -1;
    this.exchange = args.exchange;
  }

  override bootstrapResults(ctx: StepContext, state: ChainState): KernelResults {
    const r = this.innerKernel.bootstrapResults(ctx, state);
    this.mean = new Float64Array(r.invMass.length);
    this.m2 = new Float64Array(r.invMass.length);
    this.count = 0;
    this.logpSum = new Float64Array(ctx.target.numChains);
    this.logpCount = 0;
    if (this.metric === 'dense') {
      this.dense = new DenseCovariance(ctx.target.numChains, ctx.target.dim);
      r.invMassChol = identityFactors(ctx.target.numChains, ctx.target.dim);
    }
    return r;
  }

  private restartDuals(eps: Float64Array): void {
    this.duals = Array.from(eps, (e) => new DualAveraging(e, this.targetAcceptProb));
  }

  async oneStep(ctx: StepContext, prev: KernelResults, step: number): Promise<KernelResults> {
    const n = this.numAdaptationSteps;
    if (step === 0 && n > 0) {
      prev = { ...prev, stepSize: await initStepSize(ctx, prev.state, prev.stepSize, prev.invMass, prev.invMassChol) };
      this.restartDuals(prev.stepSize);
    }
    const r = await this.innerKernel.oneStep(ctx, prev, step);
    if (step >= n) return r;
    const c = ctx.target.numChains;
    const d = ctx.target.dim;
    r.stepSize = Float64Array.from(this.duals, (s, ch) => s.learn(r.acceptProb[ch]!));
    if (step >= this.start && step <= this.firstEnd) {
      for (let ch = 0; ch < c; ch++) this.logpSum[ch] = this.logpSum[ch]! + r.state.logp[ch]!;
      this.logpCount++;
    }
    if (this.dense && step >= this.start && step <= this.lastEnd) this.dense.add(r.state.x);
    else if (step >= this.start && step <= this.lastEnd) {
      this.count++;
      const x = r.state.x;
      for (let j = 0; j < c * d; j++) {
        const delta = x[j]! - this.mean[j]!;
        this.mean[j] = this.mean[j]! + delta / this.count;
        this.m2[j] = this.m2[j]! + delta * (x[j]! - this.mean[j]!);
      }
    }
    if (this.dense && this.ends.has(step)) {
      const { chol, diag } = this.dense.takeFactors(r.invMassChol!);
      r.invMass = diag;
      r.invMassChol = chol;
      if (step === this.firstEnd) await this.restartStuck(ctx, r);
      r.stepSize = await initStepSize(ctx, r.state, r.stepSize, r.invMass, r.invMassChol);
      this.restartDuals(r.stepSize);
    } else if (this.ends.has(step)) {
      const k = this.count;
      const invMass = new Float64Array(c * d);
      for (let j = 0; j < c * d; j++) {
        const v = k > 1 ? this.m2[j]! / (k - 1) : 1;
        invMass[j] = regularizedVariance(v, k);
      }
      r.invMass = invMass;
      this.mean.fill(0);
      this.m2.fill(0);
      this.count = 0;
      if (step === this.firstEnd) await this.restartStuck(ctx, r);
      r.stepSize = await initStepSize(ctx, r.state, r.stepSize, r.invMass);
      this.restartDuals(r.stepSize);
    }
    if (step === n - 1) r.stepSize = Float64Array.from(this.duals, (s) => s.final());
    return r;
  }

  /** Replaces the state and metric of chains stuck in a minor mode by those of a donor chain (stuck_chains.ts). */
  private async restartStuck(ctx: StepContext, r: KernelResults): Promise<void> {
    if (!this.exchange || this.logpCount === 0) return;
    const c = ctx.target.numChains;
    const d = ctx.target.dim;
    const chol = r.invMassChol;
    const local: ChainSummary[] = Array.from({ length: c }, (_, ch) => {
      const invMass = r.invMass.slice(ch * d, (ch + 1) * d);
      const l = chol?.slice(ch * d * d, (ch + 1) * d * d);
      return {
        x: r.state.x.slice(ch * d, (ch + 1) * d),
        logp: r.state.logp[ch]!,
        grad: r.state.grad.slice(ch * d, (ch + 1) * d),
        invMass,
        ...(l ? { invMassChol: l } : {}),
        score: this.logpSum[ch]! / this.logpCount + metricEntropy(invMass, l),
      };
    });
    const got = await this.exchange(local, ctx.rngs);
    got.forEach((s, ch) => {
      if (s === local[ch]) return;
      r.state.x.set(s.x, ch * d);
      r.state.logp[ch] = s.logp;
      r.state.grad.set(s.grad, ch * d);
      r.invMass.set(s.invMass, ch * d);
      if (chol && s.invMassChol) chol.set(s.invMassChol, ch * d * d);
    });
  }
}
