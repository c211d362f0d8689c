/**
 * The unconstrained space a surrogate posterior lives in: the free parts of a (pinned) joint
 * distribution, or named parts with their own bijectors, flattened into one vector of size D
 * (each part's unconstrained event, in order) and mapped back onto the parts' supports.
 */
import * as tf from '@tensorflow/tfjs';
import { Bijector } from '../bijectors/bijector.js';
import { JointDistribution, type JointValues } from '../distributions/joint_distribution.js';
import { JointDistributionPinned } from '../distributions/joint_distribution_pinned.js';
import type { JointEventSpaceBijector } from '../distributions/joint_event_space_bijector.js';
import { InvalidArgumentError, fmtShape } from '../errors.js';
import { describeValue, sizeOf } from '../util.js';

/** A named part of a target log density: its event shape and the bijector from reals onto its support. */
export interface PartSpec {
  /** Event shape of the part (constrained space). */
  shape: number[];
  /** Maps unconstrained reals onto the part's support; default the identity. Stays the caller's. */
  bijector?: Bijector;
}

/** What a surrogate is built over: a (pinned) joint distribution, or named parts. */
export type SurrogateTarget = JointDistribution | JointDistributionPinned | Record<string, PartSpec>;

/** The flattened unconstrained space of a target, and the map onto its parts. */
export class UnconstrainedSpace {
  readonly names: string[];
  /** Unconstrained event shape of each part. */
  readonly shapes: number[][];
  /** Size D of the flat vector. */
  readonly dim: number;
  private readonly joint: JointEventSpaceBijector | undefined;
  private readonly jd: JointDistribution | undefined;
  private readonly parts: Record<string, PartSpec> | undefined;

  constructor(owner: string, target: SurrogateTarget) {
    if (target instanceof JointDistribution || target instanceof JointDistributionPinned) {
      this.jd = target instanceof JointDistribution ? target : target.distribution;
      this.joint = target.defaultEventSpaceBijector();
      const shapes = this.joint.unconstrainedEventShapeParts();
      const names = target instanceof JointDistribution ? target.partNames() : target.unpinnedNames();
      const byName = this.jd.fromStructure<number[]>(names, shapes, owner);
      this.names = names;
      this.shapes = names.map((n) => byName.get(n)!);
    } else if (target !== null && typeof target === 'object' && !Array.isArray(target) && Object.keys(target).length > 0) {
      this.parts = target;
      this.names = Object.keys(target);
      this.shapes = this.names.map((n) => {
        const p = target[n]!;
        if (!p || !Array.isArray(p.shape) || !p.shape.every((d) => Number.isInteger(d) && d > 0)) {
          throw new InvalidArgumentError(`${owner}: part ${n} must be {shape: number[] of positive integers, bijector?}; got ${describeValue(p)}`);
        }
        if (p.bijector !== undefined && !(p.bijector instanceof Bijector)) {
          throw new InvalidArgumentError(`${owner}: part ${n}.bijector must be a tfp.bijectors Bijector; got ${describeValue(p.bijector)}`);
        }
        return p.bijector ? p.bijector.inverseEventShape(p.shape) : [...p.shape];
      });
    } else {
      throw new InvalidArgumentError(
        `${owner}: expected a joint distribution, a pinned one (jd.pin(observed)) or parts {name: {shape, bijector?}}; got ${describeValue(target)}`,
      );
    }
    this.dim = this.shapes.reduce((a, s) => a + sizeOf(s), 0);
  }

  /** Splits flat `[n, D]` into the parts `[n, ...shape]`. Call inside a tidy. */
  split(flat: tf.Tensor): Map<string, tf.Tensor> {
    // Slices rather than tf.split: tfjs' gradient of split fails when some pieces get no gradient.
    const n = flat.shape[0]!;
    let start = 0;
    return new Map(
      this.names.map((name, i) => {
        const size = sizeOf(this.shapes[i]!);
        const piece = tf.slice(flat, [0, start], [n, size]);
        start += size;
        return [name, tf.reshape(piece, [n, ...this.shapes[i]!])];
      }),
    );
  }

  /** Flat `[n, D]` → the constrained values (the target's structure) and `log |det J|` `[n]`. Call inside a tidy. */
  forward(flat: tf.Tensor): { values: JointValues; ldj: tf.Tensor } {
    const x = this.split(flat);
    if (this.joint) {
      const [values, ldj] = this.joint.forwardAndLogDetJacobian(this.jd!.toStructure(this.names, x));
      return { values, ldj: tf.broadcastTo(ldj, [flat.shape[0]!]) };
    }
    const values: Record<string, tf.Tensor> = {};
    let ldj: tf.Tensor = tf.zeros([flat.shape[0]!]);
    for (const [name, v] of x) {
      const b = this.parts![name]!.bijector;
      values[name] = b ? b.forward(v) : v;
      if (b) ldj = tf.add(ldj, b.forwardLogDetJacobian(v, v.rank - 1));
    }
    return { values, ldj };
  }

  /** Constrained values `[n, ...]` per part → flat `[n, D]` and the inverse `log |det J|` `[n]`. Call inside a tidy. */
  inverse(values: unknown, owner: string): { flat: tf.Tensor; ildj: tf.Tensor } {
    let x: Map<string, tf.Tensor>;
    let ildj: tf.Tensor;
    if (this.joint) {
      x = this.jd!.fromStructure<tf.Tensor>(this.names, this.joint.inverse(values), owner);
      ildj = this.joint.inverseLogDetJacobian(values);
    } else {
      if (values === null || typeof values !== 'object') throw new InvalidArgumentError(`${owner}: values must be an object of the parts [${this.names.join(', ')}]`);
      const given = values as Record<string, tf.Tensor>;
      x = new Map();
      ildj = tf.scalar(0);
      for (const name of this.names) {
        const y = given[name];
        if (!(y instanceof tf.Tensor)) throw new InvalidArgumentError(`${owner}: part ${name} must be a tensor; got ${describeValue(y)}`);
        const b = this.parts![name]!.bijector;
        const rank = this.parts![name]!.shape.length;
        x.set(name, b ? b.inverse(y) : y);
        if (b) ildj = tf.add(ildj, b.inverseLogDetJacobian(y, rank));
      }
    }
    const flats = this.names.map((name, i) => {
      const v = x.get(name)!;
      const r = this.shapes[i]!.length;
      const lead = v.shape.slice(0, v.rank - r);
      if (lead.length !== 1) throw new InvalidArgumentError(`${owner}: part ${name} must be [n, ...${fmtShape(this.shapes[i]!)}] (one leading sample dim); got ${fmtShape(v.shape)}`);
      return tf.reshape(v, [lead[0]!, sizeOf(this.shapes[i]!)]);
    });
    return { flat: tf.concat(flats, -1), ildj };
  }

  dispose(): void {
    this.joint?.dispose();
  }
}
