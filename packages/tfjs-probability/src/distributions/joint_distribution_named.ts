import type * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import { describeValue } from '../util.js';
import { Distribution } from './distribution.js';
import { JointDistribution, checkPart, partsFromRecord, recordOf, type PartVisitor } from './joint_distribution.js';

/** A part of a named model: a distribution, or a function of an object of the earlier parts' values. */
export type NamedPart<K extends string = string> = Distribution | ((previous: Record<K, tf.Tensor>) => Distribution);

/**
 * A joint distribution given as an object (TFP's `tfd.JointDistributionNamed`): each entry
 * is a distribution or a function that receives an object of the values of the entries before
 * it (in insertion order) and builds one. Values are objects of tensors keyed by entry name.
 * Unlike TFP, which reads a function's parameter names, the function gets all earlier values
 * in one object (destructure what it needs), so minified code works the same.
 *
 * Mathematical details: `log p(x) = Σₖ log pₖ(xₖ | entries before k)`; `sample` draws the
 * entries in order. A distribution entry, or a function of no arguments, is a root (drawn
 * with the full sample shape); a function of earlier values is drawn once, its parameters
 * carrying their sample dims. The model owns the distribution entries.
 *
 * @example
 * ```ts
 * const model = new tfd.JointDistributionNamed({
 *   mu: new tfd.Normal({ loc: 0, scale: 10 }),
 *   sigma: new tfd.HalfNormal({ scale: 1 }),
 *   y: ({ mu, sigma }) => new tfd.Sample({ distribution: new tfd.Normal({ loc: mu, scale: sigma }), sampleShape: [5] }),
 * });
 * const draw = model.sample([4], { seed: 1 });   // { mu: [4], sigma: [4], y: [4, 5] }
 * model.logProb(draw).shape;                      // [4]
 * ```
 */
export class JointDistributionNamed<K extends string = string> extends JointDistribution<Record<K, tf.Tensor>> {
  readonly model: Readonly<Record<K, NamedPart<K>>>;

  constructor(model: Record<K, NamedPart<K>>, options: { name?: string } = {}) {
    super('JointDistributionNamed', options?.name);
    if (model === null || typeof model !== 'object' || Array.isArray(model) || Object.keys(model).length === 0) {
      throw new InvalidArgumentError(
        `JointDistributionNamed: model must be a non-empty object of distributions and functions; got ${describeValue(model)}`,
      );
    }
    for (const [k, p] of Object.entries<NamedPart<K>>(model)) if (typeof p !== 'function') checkPart(this.className, k, p);
    this.model = { ...model };
  }

  protected runModel(visit: PartVisitor): void {
    const values: Record<string, tf.Tensor> = {};
    for (const [name, entry] of Object.entries<NamedPart<K>>(this.model)) {
      const isFn = !(entry instanceof Distribution);
      const d = checkPart(this.className, name, isFn ? (entry as (p: Record<string, tf.Tensor>) => Distribution)({ ...values }) : entry);
      values[name] = visit(name, d, !isFn || (entry as () => Distribution).length === 0);
    }
  }

  toStructure<T>(names: string[], parts: Map<string, T>): Record<string, T> {
    return recordOf(names, parts);
  }

  fromStructure<T>(names: string[], values: unknown, method: string, partial = false): Map<string, T> {
    return partsFromRecord<T>(method, names, values, partial);
  }

  protected ownedDistributions(): Distribution[] {
    return Object.values<NamedPart<K>>(this.model).filter((p): p is Distribution => p instanceof Distribution);
  }
}
