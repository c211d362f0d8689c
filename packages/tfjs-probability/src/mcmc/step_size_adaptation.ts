/**
 * Step-size adaptation kernels (TFP's names): `DualAveragingStepSizeAdaptation`
 * (Nesterov's dual averaging as in Hoffman & Gelman 2014 and Stan) and
 * `SimpleStepSizeAdaptation` (multiply or divide by `1 + adaptationRate`).
 * Both wrap an inner kernel, adapt each chain's step size during the first
 * `numAdaptationSteps` steps and then freeze it.
 */
import type { Bijector } from '../bijectors/bijector.js';
import { type KernelResults, type StepContext, type TargetLogProbFn, TransitionKernel, type ChainState } from './kernel.js';

/** Dual averaging state of one chain (Stan's stepsize_adaptation, same constants). */
export class DualAveraging {
  private counter = 0;
  private sBar = 0;
  private xBar = 0;
  private mu: number;

  constructor(
    eps0: number,
    private readonly delta: number,
    private readonly gamma = 0.05,
    private readonly t0 = 10,
    private readonly kappa = 0.75,
  ) {
    this.mu = Math.log(10 * eps0);
  }

  /** Restarts around a new initial step size (after a metric update). */
  restart(eps0: number): void {
    this.counter = 0;
    this.sBar = 0;
    this.xBar = 0;
    this.mu = Math.log(10 * eps0);
  }

  /** The next step size after a transition whose acceptance statistic was `acceptStat`. */
  learn(acceptStat: number): number {
    this.counter++;
    const a = Number.isFinite(acceptStat) ? Math.min(1, acceptStat) : 0;
    const eta = 1 / (this.counter + this.t0);
    this.sBar = (1 - eta) * this.sBar + eta * (this.delta - a);
    const x = this.mu - (this.sBar * Math.sqrt(this.counter)) / this.gamma;
    const xEta = Math.pow(this.counter, -this.kappa);
    this.xBar = (1 - xEta) * this.xBar + xEta * x;
    return Math.exp(x);
  }

  /** The averaged step size used after adaptation. */
  final(): number {
    return Math.exp(this.xBar);
  }
}

abstract class WrapperKernel extends TransitionKernel {
  constructor(readonly innerKernel: TransitionKernel) {
    super();
  }
  get targetLogProbFn(): TargetLogProbFn {
    return this.innerKernel.targetLogProbFn;
  }
  override get bijectors(): Array<Bijector | undefined> | undefined {
    return this.innerKernel.bijectors;
  }
  override get usesGradient(): boolean {
    return this.innerKernel.usesGradient;
  }
  bootstrapResults(ctx: StepContext, state: ChainState): KernelResults {
    return this.innerKernel.bootstrapResults(ctx, state);
  }
}

function checkSteps(owner: string, n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new Error(`${owner}: numAdaptationSteps must be a non-negative integer; got ${n}`);
}

function checkProb(owner: string, p: number): void {
  if (!(p > 0 && p < 1)) throw new Error(`${owner}: targetAcceptProb must be in (0, 1); got ${p}`);
}

export interface DualAveragingStepSizeAdaptationArgs {
  innerKernel: TransitionKernel;
  numAdaptationSteps: number;
  /** Target acceptance statistic; default 0.75 (TFP's; Stan's NUTS uses 0.8). */
  targetAcceptProb?: number;
  /** Dual averaging constants (Stan's defaults). */
  decayRate?: number;
  shrinkageTarget?: number;
  explorationShrinkage?: number;
  stepCountSmoothing?: number;
}

/**
 * Dual-averaging step-size adaptation, per chain.
 *
 * @example
 * ```ts
 * const kernel = new tfp.mcmc.DualAveragingStepSizeAdaptation({
 *   innerKernel: new tfp.mcmc.HamiltonianMonteCarlo({
 *     targetLogProbFn: (x) => tf.mul(-0.5, tf.sum(tf.square(x), -1)), stepSize: 1, numLeapfrogSteps: 3,
 *   }),
 *   numAdaptationSteps: 80,
 * });
 * const { states, trace } = await tfp.mcmc.sampleChain({ numResults: 50, numBurninSteps: 100, currentState: tf.zeros([2, 2]), kernel, seed: 5 });
 * trace.stepSize.shape; // [50, 2]
 * states.dispose(); Object.values(trace).forEach((t) => t.dispose());
 * ```
 */
export class DualAveragingStepSizeAdaptation extends WrapperKernel {
  readonly className = 'DualAveragingStepSizeAdaptation';
  readonly numAdaptationSteps: number;
  readonly targetAcceptProb: number;
  private states: DualAveraging[] = [];

  constructor(private readonly args: DualAveragingStepSizeAdaptationArgs) {
    super(args.innerKernel);
    this.numAdaptationSteps = args.numAdaptationSteps;
    this.targetAcceptProb = args.targetAcceptProb ?? 0.75;
    checkSteps(this.className, this.numAdaptationSteps);
    checkProb(this.className, this.targetAcceptProb);
  }

  override bootstrapResults(ctx: StepContext, state: ChainState): KernelResults {
    const r = this.innerKernel.bootstrapResults(ctx, state);
    const a = this.args;
    this.states = Array.from(r.stepSize, (e) => new DualAveraging(e, this.targetAcceptProb, a.explorationShrinkage, a.stepCountSmoothing, a.decayRate));
    return r;
  }

  async oneStep(ctx: StepContext, prev: KernelResults, step: number): Promise<KernelResults> {
    const r = await this.innerKernel.oneStep(ctx, prev, step);
    if (step < this.numAdaptationSteps) {
      const last = step === this.numAdaptationSteps - 1;
      r.stepSize = Float64Array.from(this.states, (s, ch) => {
        const e = s.learn(r.acceptProb[ch]!);
        return last ? s.final() : e;
      });
    }
    return r;
  }
}

export interface SimpleStepSizeAdaptationArgs {
  innerKernel: TransitionKernel;
  numAdaptationSteps: number;
  /** Default 0.75 (TFP's). */
  targetAcceptProb?: number;
  /** Default 0.01 (TFP's). */
  adaptationRate?: number;
}

/**
 * Multiplies each chain's step size by `1 + adaptationRate` after an acceptance
 * statistic above the target and divides by it otherwise (TFP's SimpleStepSizeAdaptation).
 *
 * @example
 * ```ts
 * const kernel = new tfp.mcmc.SimpleStepSizeAdaptation({
 *   innerKernel: new tfp.mcmc.MetropolisAdjustedLangevinAlgorithm({
 *     targetLogProbFn: (x) => tf.mul(-0.5, tf.sum(tf.square(x), -1)), stepSize: 0.1,
 *   }),
 *   numAdaptationSteps: 100, adaptationRate: 0.05,
 * });
 * const { states, trace } = await tfp.mcmc.sampleChain({ numResults: 20, numBurninSteps: 100, currentState: tf.zeros([3, 2]), kernel, seed: 6 });
 * states.dispose(); Object.values(trace).forEach((t) => t.dispose());
 * ```
 */
export class SimpleStepSizeAdaptation extends WrapperKernel {
  readonly className = 'SimpleStepSizeAdaptation';
  readonly numAdaptationSteps: number;
  readonly targetAcceptProb: number;
  readonly adaptationRate: number;

  constructor(args: SimpleStepSizeAdaptationArgs) {
    super(args.innerKernel);
    this.numAdaptationSteps = args.numAdaptationSteps;
    this.targetAcceptProb = args.targetAcceptProb ?? 0.75;
    this.adaptationRate = args.adaptationRate ?? 0.01;
    checkSteps(this.className, this.numAdaptationSteps);
    checkProb(this.className, this.targetAcceptProb);
    if (!(this.adaptationRate > 0)) throw new Error(`${this.className}: adaptationRate must be positive; got ${this.adaptationRate}`);
  }

  async oneStep(ctx: StepContext, prev: KernelResults, step: number): Promise<KernelResults> {
    const r = await this.innerKernel.oneStep(ctx, prev, step);
    if (step < this.numAdaptationSteps) {
      const f = 1 + this.adaptationRate;
      r.stepSize = Float64Array.from(r.stepSize, (e, ch) => (r.acceptProb[ch]! > this.targetAcceptProb ? e * f : e / f));
    }
    return r;
  }
}

export { WrapperKernel };
