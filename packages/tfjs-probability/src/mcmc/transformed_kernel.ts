/**
 * `TransformedTransitionKernel` (TFP's name): runs the inner kernel in an
 * unconstrained space. `bijector` (one, or one per state part, `undefined`
 * for identity) maps the unconstrained space onto each part's support;
 * the sampler adds the log-det-Jacobian, the user's state and the draws stay
 * in the constrained space.
 */
import type { Bijector } from '../bijectors/bijector.js';
import type { TransitionKernel } from './kernel.js';
import { WrapperKernel } from './step_size_adaptation.js';
import type { KernelResults, StepContext } from './kernel.js';

export interface TransformedTransitionKernelArgs {
  innerKernel: TransitionKernel;
  bijector: Bijector | Array<Bijector | undefined>;
}

/**
 * @example
 * ```ts
 * // A Gamma(2, 1) target sampled on the log scale.
 * const kernel = new tfp.mcmc.TransformedTransitionKernel({
 *   innerKernel: new tfp.mcmc.NoUTurnSampler({
 *     targetLogProbFn: (x) => tf.sub(tf.log(x), x).squeeze([1]), stepSize: 0.5,
 *   }),
 *   bijector: new tfb.Exp(),
 * });
 * const { states, trace } = await tfp.mcmc.sampleChain({ numResults: 100, currentState: tf.ones([4, 1]), kernel, seed: 7 });
 * (await states.min().data())[0]! > 0; // true: draws are in the support
 * states.dispose(); Object.values(trace).forEach((t) => t.dispose());
 * ```
 */
export class TransformedTransitionKernel extends WrapperKernel {
  readonly className = 'TransformedTransitionKernel';
  private readonly bij: Array<Bijector | undefined>;
  private readonly single: boolean;

  constructor(args: TransformedTransitionKernelArgs) {
    super(args.innerKernel);
    this.single = !Array.isArray(args.bijector);
    this.bij = Array.isArray(args.bijector) ? args.bijector : [args.bijector];
  }

  /** One bijector applies to every part when a single one was given. */
  override get bijectors(): Array<Bijector | undefined> {
    return this.bij;
  }

  /** Whether one bijector was given for all parts. */
  get broadcastsBijector(): boolean {
    return this.single;
  }

  oneStep(ctx: StepContext, prev: KernelResults, step: number): Promise<KernelResults> {
    return this.innerKernel.oneStep(ctx, prev, step);
  }
}
