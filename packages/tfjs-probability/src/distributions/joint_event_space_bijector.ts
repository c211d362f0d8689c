/**
 * The event-space bijector of a joint distribution (TFP's
 * `experimental_default_event_space_bijector` of a `JointDistribution`): one bijector per
 * part, each the `defaultEventSpaceBijector()` of the part's distribution given the values of
 * the parts before it, applied to structures of values.
 */
import * as tf from '@tensorflow/tfjs';
import type { Bijector } from '../bijectors/bijector.js';
import { InvalidArgumentError } from '../errors.js';
import { toFloat, type TensorLike } from '../util.js';
import type { Distribution } from './distribution.js';
import type { JointDistribution, JointValues } from './joint_distribution.js';

type Direction = 'forward' | 'inverse';

/**
 * Maps a structure of unconstrained tensors (one per free part, of the part's unconstrained
 * event shape) onto the supports of the parts, and back. Parts held fixed (observed values
 * of a pinned model) are left out of the structures and keep their values.
 *
 * Mathematical details: part `i` is mapped by `bᵢ = defaultEventSpaceBijector(pᵢ(· | y₁..yᵢ₋₁))`
 * with the constrained values `y` of the earlier parts, so the Jacobian is block triangular and
 * `log |det J| = Σᵢ log |det J_bᵢ(xᵢ)|`, each summed over the part's event dims. The target
 * of MCMC in unconstrained space is `log p(forward(x)) + forwardLogDetJacobian(x)`
 * (`unconstrainedLogProb`, one run of the model).
 *
 * @example
 * ```ts
 * const model = new tfd.JointDistributionSequential([
 *   new tfd.HalfNormal({ scale: 1 }),
 *   (s) => new tfd.Normal({ loc: 0, scale: s }),
 * ]);
 * const b = model.defaultEventSpaceBijector();
 * b.forward([tf.tensor(-1), tf.tensor(0.5)]);   // [softplus(-1) > 0, 0.5]
 * ```
 */
export class JointEventSpaceBijector {
  readonly className = 'JointEventSpaceBijector';
  private disposed = false;
  private readonly pins: Map<string, tf.Tensor>;

  /** `pins` are not owned: the pinned distribution that made this bijector keeps them. */
  constructor(
    readonly distribution: JointDistribution,
    pins: Map<string, tf.Tensor>,
  ) {
    this.pins = pins;
  }

  /** The constrained values of the free parts at unconstrained `x`. */
  forward(x: unknown): JointValues {
    return this.mapped('forward', x, false).values;
  }

  /** The unconstrained values of the free parts at constrained `y`. */
  inverse(y: unknown): JointValues {
    return this.mapped('inverse', y, false).values;
  }

  /** `Σᵢ log |det J_bᵢ(xᵢ)|` over the free parts: shape the broadcast of the parts' batch shapes. */
  forwardLogDetJacobian(x: unknown): tf.Tensor {
    return this.withResult('forwardLogDetJacobian', 'forward', x, (r) => r.ldj);
  }

  /** `-forwardLogDetJacobian(inverse(y))`. */
  inverseLogDetJacobian(y: unknown): tf.Tensor {
    return this.withResult('inverseLogDetJacobian', 'inverse', y, (r) => r.ldj);
  }

  /** `[forward(x), forwardLogDetJacobian(x)]` in one run of the model. */
  forwardAndLogDetJacobian(x: unknown): [JointValues, tf.Tensor] {
    const r = this.mapped('forward', x, true);
    return [r.values, r.ldj!];
  }

  /**
   * `log p(forward(x)) + forwardLogDetJacobian(x)` in one run of the model, the observed parts
   * included: the density of the (pinned) model in unconstrained coordinates, what HMC and
   * variational inference in unconstrained space need.
   */
  unconstrainedLogProb(x: unknown): tf.Tensor {
    this.assertAlive('unconstrainedLogProb');
    return tf.tidy(() => {
      const r = this.run('forward', x, `${this.className}.unconstrainedLogProb`, true);
      return tf.add(r.logProb!, r.ldj);
    });
  }

  /** Each free part's event shape in unconstrained space (SoftmaxCentered drops one entry, FillScaleTriL flattens). */
  unconstrainedEventShapeParts(): number[][] | Record<string, number[]> {
    this.assertAlive('unconstrainedEventShapeParts');
    const shapes = new Map<string, number[]>();
    tf.tidy(() => {
      let i = 0;
      this.distribution.run((name, d) => {
        const pinned = this.pins.get(name);
        if (pinned !== undefined) return pinned;
        const b = d.defaultEventSpaceBijector();
        try {
          shapes.set(name, b.inverseEventShape(d.eventShape));
        } finally {
          b.dispose();
        }
        return d.sample([], { seed: i++ });
      });
    });
    return this.distribution.toStructure([...shapes.keys()], shapes);
  }

  /** Releases nothing of its own (each run makes and releases its bijectors); idempotent, for symmetry. */
  dispose(): void {
    this.disposed = true;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  private withResult(method: string, dir: Direction, v: unknown, pick: (r: { values: JointValues; ldj: tf.Tensor }) => tf.Tensor): tf.Tensor {
    this.assertAlive(method);
    return tf.tidy(() => {
      const r = this.run(dir, v, `${this.className}.${method}`, false);
      const out = pick(r);
      return dir === 'inverse' ? tf.neg(out) : out;
    });
  }

  private mapped(dir: Direction, v: unknown, withLdj: boolean): { values: JointValues; ldj?: tf.Tensor } {
    this.assertAlive(dir);
    const out = tf.tidy(() => {
      const r = this.run(dir, v, `${this.className}.${dir}`, false);
      return withLdj ? { values: r.values, ldj: r.ldj } : { values: r.values };
    });
    return out as { values: JointValues; ldj?: tf.Tensor };
  }

  /**
   * One run of the model mapping each free part in direction `dir`; `ldj` is the forward
   * log-det-Jacobian (at the unconstrained values) summed over the free parts. Call in a tidy.
   */
  private run(dir: Direction, v: unknown, owner: string, withLogProb: boolean): { values: JointValues; ldj: tf.Tensor; logProb?: tf.Tensor } {
    const jd = this.distribution;
    const names = jd.partNames().filter((n) => !this.pins.has(n));
    const given = jd.fromStructure<TensorLike>(names, v, owner);
    const mapped = new Map<string, tf.Tensor>();
    let ldj: tf.Tensor = tf.scalar(0);
    let logProb: tf.Tensor = tf.scalar(0);
    jd.run((name, d: Distribution) => {
      const pinned = this.pins.get(name);
      let y: tf.Tensor;
      if (pinned !== undefined) {
        y = pinned;
      } else {
        const value = toFloat(given.get(name)!, `value of part ${name}`, owner);
        const b: Bijector = d.defaultEventSpaceBijector();
        try {
          const eventNdims = b.inverseEventNdims(d.eventShape.length);
          if (dir === 'forward') {
            y = b.forward(value);
            ldj = tf.add(ldj, b.forwardLogDetJacobian(value, eventNdims));
            mapped.set(name, y);
          } else {
            const x = b.inverse(value);
            ldj = tf.add(ldj, b.forwardLogDetJacobian(x, eventNdims));
            mapped.set(name, x);
            y = value;
          }
        } finally {
          b.dispose();
        }
      }
      if (withLogProb) logProb = tf.add(logProb, d.logProb(y));
      return y;
    });
    return { values: jd.toStructure([...mapped.keys()], mapped) as JointValues, ldj, ...(withLogProb ? { logProb } : {}) };
  }

  private assertAlive(method: string): void {
    if (this.disposed) throw new InvalidArgumentError(`${this.className}.${method}: the bijector was disposed`);
    if (this.distribution.isDisposed) throw new InvalidArgumentError(`${this.className}.${method}: its ${this.distribution.className} was disposed`);
  }
}
