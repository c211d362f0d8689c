/**
 * A joint distribution with some parts fixed to observed values (TFP's
 * `JointDistributionPinned`, made by `jd.pin(observed)`): the unnormalized posterior over
 * the other parts, the target of MCMC and variational inference.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import { toFloat, type TensorLike } from '../util.js';
import type { SampleOptions } from './distribution.js';
import type { JointDistribution, JointValues } from './joint_distribution.js';
import { sumParts } from './joint_distribution.js';
import { JointEventSpaceBijector } from './joint_event_space_bijector.js';

/**
 * The model `jd` with the parts in `observed` fixed (the observed data). Values of the
 * pinned model are structures over the other ("unpinned") parts only, in the model's own
 * structure: an array in model order for JointDistributionSequential, an object otherwise.
 *
 * Mathematical details: `unnormalizedLogProb(z) = log p(z, y_obs)` (the joint log density
 * with the observed values in place), which is `log p(z | y_obs) + log p(y_obs)`: the log
 * posterior up to a constant.
 *
 * @example
 * ```ts
 * const model = new tfd.JointDistributionNamed({
 *   mu: new tfd.Normal({ loc: 0, scale: 1 }),
 *   y: ({ mu }) => new tfd.Normal({ loc: mu, scale: 1 }),
 * });
 * const posterior = model.pin({ y: 2 });
 * posterior.unnormalizedLogProb({ mu: 1 });   // log N(1; 0, 1) + log N(2; 1, 1)
 * ```
 */
export class JointDistributionPinned {
  readonly className = 'JointDistributionPinned';
  /** The model (not owned: dispose it after this one). */
  readonly distribution: JointDistribution;
  /** The observed values by part name (owned copies). */
  readonly pins: Map<string, tf.Tensor>;
  private disposed = false;

  constructor(distribution: JointDistribution, observed: unknown) {
    this.distribution = distribution;
    const all = distribution.partNames();
    const owner = `${distribution.className}.pin`;
    const given = distribution.fromStructure<TensorLike | undefined | null>(all, observed, owner, true);
    this.pins = new Map();
    try {
      for (const [k, v] of given) if (v !== undefined && v !== null) this.pins.set(k, toFloat(v, `observed value of part ${k}`, owner));
      if (this.pins.size === 0) throw new InvalidArgumentError(`${owner}: observed must fix at least one of the parts [${all.join(', ')}]`);
      if (this.pins.size === all.length) throw new InvalidArgumentError(`${owner}: observed fixes every part [${all.join(', ')}]; leave at least one free`);
    } catch (e) {
      for (const t of this.pins.values()) t.dispose();
      throw e;
    }
  }

  /** The names of the free parts, in model order. */
  unpinnedNames(): string[] {
    return this.distribution.partNames().filter((n) => !this.pins.has(n));
  }

  /** Each free part's event shape (constrained space), in the structure of the values. */
  eventShapeParts(): number[][] | Record<string, number[]> {
    const all = this.distribution.eventShapeParts();
    const names = this.distribution.partNames();
    const byName = this.distribution.fromStructure<number[]>(names, all, this.className);
    const free = this.unpinnedNames();
    return this.distribution.toStructure(free, new Map(free.map((n) => [n, byName.get(n)!])));
  }

  /** `log p(z, y_obs)`: the joint log density at the free values `z` and the observed ones. */
  unnormalizedLogProb(values: unknown): tf.Tensor {
    this.assertAlive('unnormalizedLogProb');
    return tf.tidy(() => sumParts(this.distribution.logProbMap(`${this.className}.unnormalizedLogProb`, values, this.pins)));
  }

  /** Each part's log density (observed parts included), as an object by part name. */
  unnormalizedLogProbParts(values: unknown): Record<string, tf.Tensor> {
    this.assertAlive('unnormalizedLogProbParts');
    return tf.tidy(() => Object.fromEntries(this.distribution.logProbMap(`${this.className}.unnormalizedLogProbParts`, values, this.pins)));
  }

  /**
   * Draws the free parts from the prior given the observed values (ancestral sampling with the
   * observed parts in place): starting points for MCMC, say. Shapes as `JointDistribution.sample`.
   */
  sampleUnpinned(sampleShape: number | number[] = [], options: SampleOptions = {}): JointValues {
    this.assertAlive('sampleUnpinned');
    return this.distribution.sampleFree(`${this.className}.sampleUnpinned`, sampleShape, options, this.pins);
  }

  /**
   * A bijector from unconstrained reals onto the support of the free parts, acting on
   * structures of the free parts (the observed parts are held at their values). The caller
   * disposes it.
   */
  defaultEventSpaceBijector(): JointEventSpaceBijector {
    this.assertAlive('defaultEventSpaceBijector');
    return new JointEventSpaceBijector(this.distribution, this.pins);
  }

  /** Releases the observed values. Idempotent; the model stays alive. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const t of this.pins.values()) t.dispose();
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  private assertAlive(method: string): void {
    if (this.disposed) throw new InvalidArgumentError(`${this.className}.${method}: the pinned distribution was disposed`);
    if (this.distribution.isDisposed) {
      throw new InvalidArgumentError(`${this.className}.${method}: its ${this.distribution.className} was disposed`);
    }
  }
}
