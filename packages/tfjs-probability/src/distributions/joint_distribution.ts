/**
 * The base of the joint distributions (TFP's `tfd.JointDistribution`): a model is a
 * sequence of named parts, each a distribution that may depend on the values of the
 * parts before it. The flavours differ only in how the model is written (a list, an
 * object, a generator function) and in the structure of the values (an array or an
 * object of tensors); everything else, ancestral sampling, log densities, pinning
 * observed values and the event-space bijector, is written once here on `runModel`.
 *
 * Tensor hygiene: every public method runs the model inside one `tf.tidy`, so the
 * distributions and tensors a model function makes along the way are released when
 * the call returns; only the returned tensors survive, and the caller owns them.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, fmtShape } from '../errors.js';
import { asShape, broadcastPair, checkSeed, describeValue, splitSeed, toFloat, type TensorLike } from '../util.js';
import { Distribution, checkSampleOptions, type SampleOptions } from './distribution.js';
import { JointDistributionPinned } from './joint_distribution_pinned.js';
import { JointEventSpaceBijector } from './joint_event_space_bijector.js';

/** Decides the value of one part: called in model order with the part's name, distribution and root-ness. */
export type PartVisitor = (name: string, d: Distribution, isRoot: boolean) => tf.Tensor;

/** Values of a joint distribution's parts: an array (JointDistributionSequential) or an object of tensors. */
export type JointValues = tf.Tensor[] | Record<string, tf.Tensor>;
/** Values as a user may give them: the same structure with numbers, arrays or tensors. */
export type JointValuesLike = TensorLike[] | Record<string, TensorLike>;

/** The seed of part `i` derived from the seed of a call (undefined stays undefined). */
export function partSeed(seed: number | undefined, i: number): number | undefined {
  return seed === undefined ? undefined : splitSeed(seed, i + 1)[i];
}

/**
 * Base class of `JointDistributionSequential`, `JointDistributionNamed` and
 * `JointDistributionCoroutine`. The log density of values `x₁..xₙ` is
 * `Σᵢ log pᵢ(xᵢ | x₁..xᵢ₋₁)`; `sample` draws the parts in order (ancestral sampling).
 */
export abstract class JointDistribution<V extends JointValues = JointValues> {
  readonly className: string;
  readonly name: string;
  private disposed = false;
  private shapeCache: { names: string[]; batch: Map<string, number[]>; event: Map<string, number[]> } | undefined;

  protected constructor(className: string, name?: string) {
    if (name !== undefined && typeof name !== 'string') {
      throw new InvalidArgumentError(`${className}: name must be a string; got ${describeValue(name)}`);
    }
    this.className = className;
    this.name = name ?? className;
  }

  /**
   * Runs the model once: for each part in order, builds its distribution from the values
   * of the parts before it (as `visit` returned them) and passes it to `visit`.
   * Called inside a `tf.tidy`.
   */
  protected abstract runModel(visit: PartVisitor): void;
  /** The structure of the values of the parts `names` (in model order). */
  abstract toStructure<T>(names: string[], parts: Map<string, T>): T[] | Record<string, T>;
  /**
   * The parts of a value structure by name; `names` are the parts expected, in model order.
   * With `partial`, parts may be missing (observed values given to `pin`).
   */
  abstract fromStructure<T>(names: string[], values: unknown, method: string, partial?: boolean): Map<string, T>;
  /** Distributions the model holds itself (list or object entries); `dispose()` releases them. */
  protected abstract ownedDistributions(): Distribution[];

  /** `ClassName(parts=[...])`. */
  toString(): string {
    return `${this.className}(parts=[${this.partNames().join(', ')}])`;
  }

  /** The parts' names in model order (indices as strings for JointDistributionSequential). */
  partNames(): string[] {
    return [...this.shapes().names];
  }

  /** Each part's batch shape (TFP's `batch_shape` of a joint distribution: one per part). */
  batchShapeParts(): number[][] | Record<string, number[]> {
    const s = this.shapes();
    return this.toStructure(s.names, s.batch);
  }

  /** Each part's event shape. */
  eventShapeParts(): number[][] | Record<string, number[]> {
    const s = this.shapes();
    return this.toStructure(s.names, s.event);
  }

  /** The batch shape of `logProb`: the broadcast of the parts' batch shapes. */
  get batchShape(): number[] {
    const s = this.shapes();
    let out: number[] = [];
    for (const n of s.names) out = broadcastPair(out, s.batch.get(n)!) ?? out;
    return out;
  }

  /**
   * Draws every part in model order: `[...sampleShape, ...batch, ...event]` for each.
   * A root part (one that depends on no other) is drawn with `sampleShape`; a part built from
   * earlier values inherits their sample dims through its parameters and is drawn once.
   */
  sample(sampleShape: number | number[] = [], options: SampleOptions = {}): V {
    this.assertAlive('sample');
    return this.sampleFree(`${this.className}.sample`, sampleShape, options, new Map()) as V;
  }

  /** Draws the parts not in `fixed` (which keep their values), checking the arguments for `owner`. */
  sampleFree(owner: string, sampleShape: number | number[], options: SampleOptions, fixed: Map<string, tf.Tensor>): JointValues {
    const s = asShape(sampleShape, owner);
    checkSampleOptions(owner, options);
    const seed = checkSeed(options.seed, owner);
    return tf.tidy(() => {
      const parts = new Map<string, tf.Tensor>();
      this.drawParts(owner, s, seed, fixed, parts);
      return this.toStructure([...parts.keys()], parts) as JointValues;
    });
  }

  /** Σ over the parts of `log pᵢ(xᵢ | earlier parts)`; shape: the broadcast of the parts' log densities. */
  logProb(values: JointValuesLike): tf.Tensor {
    this.assertAlive('logProb');
    return tf.tidy(() => sumParts(this.logProbMap(`${this.className}.logProb`, values)));
  }

  /** Each part's `log pᵢ(xᵢ | earlier parts)`, in the structure of the values (TFP's `log_prob_parts`). */
  logProbParts(values: JointValuesLike): V {
    this.assertAlive('logProbParts');
    return tf.tidy(() => {
      const lp = this.logProbMap(`${this.className}.logProbParts`, values);
      return this.toStructure([...lp.keys()], lp) as V;
    });
  }

  /**
   * The model with some parts fixed to observed values (TFP's `experimental_pin`): a
   * `JointDistributionPinned` over the other parts, whose `unnormalizedLogProb` is the joint
   * log density with the observed values in place: the unnormalized log posterior. It keeps its
   * own copies of the observed values and refers to this model (dispose this one after it).
   */
  pin(observed: JointValuesLike): JointDistributionPinned {
    this.assertAlive('pin');
    return new JointDistributionPinned(this, observed);
  }

  /**
   * A bijector from unconstrained reals onto the support of every part (TFP's
   * `experimental_default_event_space_bijector`), acting on value structures; each part's
   * bijector is that of its distribution given the earlier values (so a part bounded by
   * another part is handled). The caller disposes it.
   */
  defaultEventSpaceBijector(): JointEventSpaceBijector {
    this.assertAlive('defaultEventSpaceBijector');
    return new JointEventSpaceBijector(this, new Map());
  }

  /** Releases the distributions the model holds itself. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const d of this.ownedDistributions()) d.dispose();
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  // ---------------------------------------------------------------- for the pinned model and the bijector

  /** Runs the model, public for JointDistributionPinned and JointEventSpaceBijector: call inside a tidy. */
  run(visit: PartVisitor): void {
    this.assertAlive('run');
    this.runModel(visit);
  }

  /**
   * Ancestral sampling into `out`, with the parts in `fixed` taking their given values.
   * Checks that a non-root part carries the sample dims (a model error otherwise).
   */
  drawParts(owner: string, s: number[], seed: number | undefined, fixed: Map<string, tf.Tensor>, out: Map<string, tf.Tensor>): void {
    let i = 0;
    this.runModel((name, d, root) => {
      const k = i++;
      const given = fixed.get(name);
      if (given !== undefined) return given;
      const opts = partSeed(seed, k) === undefined ? {} : { seed: partSeed(seed, k)! };
      const v = d.sample(root ? s : [], opts);
      if (!root && s.length > 0 && !s.every((dim, j) => v.shape[j] === dim)) {
        throw new InvalidArgumentError(
          `${owner}: part ${name} (${d.className}, batch shape ${fmtShape(d.batchShape)}) does not carry the sample shape ` +
            `${fmtShape(s)} of the parts it depends on; a part that depends on no earlier part must be a distribution ` +
            `(or a function of no arguments, or wrapped in JointDistributionCoroutine.Root)`,
        );
      }
      out.set(name, v);
      return v;
    });
  }

  /** The log density of each part, given values for all of them. Call inside a tidy. */
  logProbMap(owner: string, values: unknown, fixed: Map<string, tf.Tensor> = new Map()): Map<string, tf.Tensor> {
    const names = this.partNames().filter((n) => !fixed.has(n));
    const given = this.fromStructure<TensorLike>(names, values, owner);
    const out = new Map<string, tf.Tensor>();
    this.runModel((name, d) => {
      const f = fixed.get(name);
      const v = f ?? toFloat(given.get(name)!, `value of part ${name}`, owner);
      out.set(name, d.logProb(v));
      return v;
    });
    return out;
  }

  protected assertAlive(method: string): void {
    if (this.disposed) throw new InvalidArgumentError(`${this.className}.${method}: the joint distribution was disposed`);
  }

  /** Names and shapes of the parts, from one run of the model on a draw (cached). */
  private shapes(): { names: string[]; batch: Map<string, number[]>; event: Map<string, number[]> } {
    this.assertAlive('shapes');
    if (this.shapeCache) return this.shapeCache;
    const names: string[] = [];
    const batch = new Map<string, number[]>();
    const event = new Map<string, number[]>();
    tf.tidy(() => {
      this.runModel((name, d) => {
        names.push(name);
        batch.set(name, [...d.batchShape]);
        event.set(name, [...d.eventShape]);
        return d.sample([], { seed: 0 });
      });
    });
    this.shapeCache = { names, batch, event };
    return this.shapeCache;
  }
}

/** The sum of log densities that broadcast against each other. */
export function sumParts(parts: Map<string, tf.Tensor>): tf.Tensor {
  let total: tf.Tensor = tf.scalar(0);
  for (const lp of parts.values()) total = tf.add(total, lp);
  return total;
}

/** Throws unless `d` is a live Distribution returned for part `name`. */
export function checkPart(owner: string, name: string, d: unknown): Distribution {
  if (!(d instanceof Distribution)) {
    throw new InvalidArgumentError(`${owner}: part ${name} must be a distribution or a function returning one; got ${describeValue(d)}`);
  }
  if (d.isDisposed) {
    throw new InvalidArgumentError(
      `${owner}: part ${name} is a disposed ${d.className}; a model function must build a new distribution on each call`,
    );
  }
  return d;
}

/** Throws naming the parts given and expected, for value structures that do not match the model. */
export function structureError(owner: string, expected: string[], got: unknown, why: string): InvalidArgumentError {
  return new InvalidArgumentError(
    `${owner}: values must give the parts [${expected.join(', ')}]; ${why} (got ${describeValue(got)})`,
  );
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof tf.Tensor) && !ArrayBuffer.isView(v);
}

/** `fromStructure` of the flavours whose values are objects keyed by part name. */
export function partsFromRecord<T>(owner: string, names: string[], values: unknown, partial: boolean): Map<string, T> {
  if (!isRecord(values)) throw structureError(owner, names, values, 'expected an object keyed by part name');
  for (const k of Object.keys(values)) {
    if (!names.includes(k)) throw structureError(owner, names, values, `${k} is not one of them`);
  }
  const out = new Map<string, T>();
  for (const n of names) {
    const v = values[n];
    if (v === undefined || v === null) {
      if (!partial) throw structureError(owner, names, values, `part ${n} is missing`);
      continue;
    }
    out.set(n, v as T);
  }
  return out;
}

/** `toStructure` of the flavours whose values are objects keyed by part name. */
export function recordOf<T>(names: string[], parts: Map<string, T>): Record<string, T> {
  return Object.fromEntries(names.map((n) => [n, parts.get(n)!]));
}
