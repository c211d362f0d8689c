import type * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import { describeValue } from '../util.js';
import { Distribution } from './distribution.js';
import { JointDistribution, checkPart, partsFromRecord, structureError, type PartVisitor } from './joint_distribution.js';

/** A part of a sequential model: a distribution, or a function of the earlier values, most recent first. */
export type SequentialPart = Distribution | ((...previous: tf.Tensor[]) => Distribution);

/**
 * A joint distribution given as a list (TFP's `tfd.JointDistributionSequential`): each entry
 * is a distribution or a function that builds one from the values of the entries before it,
 * passed most recent first (`(x2, x1, x0) => ...`, as in TFP). Values are arrays of tensors,
 * one per entry.
 *
 * Mathematical details: `log p(x₀, ..., xₙ₋₁) = Σᵢ log pᵢ(xᵢ | xᵢ₋₁, ..., x₀)`; `sample`
 * draws the entries in order. A distribution entry, or a function of no arguments, is a root:
 * it is drawn with the full sample shape; a function of earlier values is drawn once, its
 * parameters carrying the sample dims of those values. The model owns the distribution
 * entries (`dispose()` releases them); what the functions build is released after each call.
 *
 * @example
 * ```ts
 * // x = [mu, y]: mu ~ N(0, 1), y | mu ~ N(mu, 0.5) with 3 i.i.d. observations
 * const model = new tfd.JointDistributionSequential([
 *   new tfd.Normal({ loc: 0, scale: 1 }),
 *   (mu) => new tfd.Sample({ distribution: new tfd.Normal({ loc: mu, scale: 0.5 }), sampleShape: [3] }),
 * ]);
 * const draw = model.sample([10], { seed: 1 });   // [mu [10], y [10, 3]]
 * model.logProb(draw).shape;                       // [10]
 * ```
 */
export class JointDistributionSequential extends JointDistribution<tf.Tensor[]> {
  readonly model: readonly SequentialPart[];

  constructor(model: SequentialPart[], options: { name?: string } = {}) {
    super('JointDistributionSequential', options?.name);
    if (!Array.isArray(model) || model.length === 0) {
      throw new InvalidArgumentError(
        `JointDistributionSequential: model must be a non-empty array of distributions and functions; got ${describeValue(model)}`,
      );
    }
    model.forEach((p, i) => {
      if (typeof p !== 'function') checkPart(this.className, String(i), p);
    });
    this.model = [...model];
  }

  protected runModel(visit: PartVisitor): void {
    const values: tf.Tensor[] = [];
    this.model.forEach((entry, i) => {
      const name = String(i);
      const isFn = !(entry instanceof Distribution);
      const d = checkPart(this.className, name, isFn ? (entry as (...p: tf.Tensor[]) => Distribution)(...[...values].reverse()) : entry);
      values.push(visit(name, d, !isFn || (entry as () => Distribution).length === 0));
    });
  }

  toStructure<T>(names: string[], parts: Map<string, T>): T[] {
    return names.map((n) => parts.get(n)!);
  }

  fromStructure<T>(names: string[], values: unknown, method: string, partial = false): Map<string, T> {
    if (partial && !Array.isArray(values)) return partsFromRecord<T>(method, names, values, true);
    if (!Array.isArray(values)) throw structureError(method, names, values, 'expected an array with one value per part');
    const out = new Map<string, T>();
    if (partial) {
      if (values.length > names.length) throw structureError(method, names, values, `${values.length} values for ${names.length} parts`);
      values.forEach((v, i) => {
        if (v !== undefined && v !== null) out.set(names[i]!, v as T);
      });
      return out;
    }
    if (values.length !== names.length) throw structureError(method, names, values, `${values.length} values for ${names.length} parts`);
    names.forEach((n, i) => {
      if (values[i] === undefined || values[i] === null) throw structureError(method, names, values, `part ${n} is missing`);
      out.set(n, values[i] as T);
    });
    return out;
  }

  protected ownedDistributions(): Distribution[] {
    return this.model.filter((p): p is Distribution => p instanceof Distribution);
  }
}
