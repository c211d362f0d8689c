import type * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import { describeValue } from '../util.js';
import type { Distribution } from './distribution.js';
import { JointDistribution, checkPart, partsFromRecord, recordOf, type PartVisitor } from './joint_distribution.js';

/** Marks a yielded distribution as a root: it depends on no earlier value (TFP's `JointDistributionCoroutine.Root`). */
export class Root {
  constructor(readonly distribution: Distribution) {}
}

/** A model: a generator function that yields distributions (or `Root`s) and receives their values. */
export type CoroutineModel = () => Generator<Distribution | Root, unknown, tf.Tensor>;

/**
 * A joint distribution written as a generator function (TFP's
 * `tfd.JointDistributionCoroutine`): each `yield` hands a distribution to the joint
 * distribution and receives its value (`const mu = yield new tfd.Normal(...)`). Values are
 * objects keyed by the yielded distributions' `name`s; a part whose distribution has no
 * `name` of its own is `var0`, `var1`, ... by position (as TFP).
 *
 * Mathematical details: `log p(x) = Σᵢ log pᵢ(xᵢ | x₀..xᵢ₋₁)` over the yields in order. As in
 * TFP, a distribution that depends on no earlier value is yielded as `Root(d)` so that it is
 * drawn with the full sample shape (the first yield always is one); the others are drawn once,
 * their parameters carrying the sample dims of the values they use. The generator runs again
 * on each call; what it builds is released when the call returns.
 *
 * @example
 * ```ts
 * const { Root } = tfd.JointDistributionCoroutine;
 * const model = new tfd.JointDistributionCoroutine(function* () {
 *   const scale = yield Root(new tfd.HalfNormal({ scale: 1, name: 'scale' }));
 *   yield new tfd.Normal({ loc: 0, scale, name: 'x' });
 * });
 * const { scale, x } = model.sample([3], { seed: 1 }) as Record<string, tf.Tensor>;   // scale [3], x [3]
 * ```
 */
export class JointDistributionCoroutine extends JointDistribution<Record<string, tf.Tensor>> {
  /** Marks a yielded distribution as a root (`yield Root(new tfd.Normal(...))`). */
  static Root(distribution: Distribution): Root {
    return new Root(distribution);
  }

  readonly model: CoroutineModel;

  constructor(model: CoroutineModel, options: { name?: string } = {}) {
    super('JointDistributionCoroutine', options?.name);
    if (typeof model !== 'function') {
      throw new InvalidArgumentError(`JointDistributionCoroutine: model must be a generator function (function* () {...}); got ${describeValue(model)}`);
    }
    this.model = model;
  }

  protected runModel(visit: PartVisitor): void {
    const gen = this.model();
    if (gen === null || typeof gen !== 'object' || typeof (gen as Generator).next !== 'function') {
      throw new InvalidArgumentError(`JointDistributionCoroutine: model must be a generator function (function* () {...}); it returned ${describeValue(gen)}`);
    }
    const seen = new Set<string>();
    let step = gen.next();
    for (let i = 0; !step.done; i++) {
      const y = step.value;
      const root = y instanceof Root || i === 0;
      const d = checkPart(this.className, `#${i}`, y instanceof Root ? y.distribution : y);
      const name = d.name !== d.className ? d.name : `var${i}`;
      if (seen.has(name)) {
        gen.return(undefined);
        throw new InvalidArgumentError(`${this.className}: two parts are named ${name}; give each yielded distribution its own name`);
      }
      seen.add(name);
      step = gen.next(visit(name, d, root));
    }
  }

  toStructure<T>(names: string[], parts: Map<string, T>): Record<string, T> {
    return recordOf(names, parts);
  }

  fromStructure<T>(names: string[], values: unknown, method: string, partial = false): Map<string, T> {
    return partsFromRecord<T>(method, names, values, partial);
  }

  protected ownedDistributions(): Distribution[] {
    return [];
  }
}
