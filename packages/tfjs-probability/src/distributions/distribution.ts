/**
 * The Distribution base class. It owns the shape bookkeeping (batch and event
 * shapes, sample shapes, broadcasting of results), argument conversion,
 * `validateArgs` checks and tensor hygiene, so that each distribution file only
 * implements the mathematics: `sampleN` and `logProbFn`, plus whatever of
 * cdf/quantile/moments/entropy it has in closed form.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, NotImplementedError, fmtShape } from '../errors.js';
import {
  asShape,
  broadcastDifferentiable,
  broadcastPair,
  broadcastShapes,
  shapeHandle as shareHandle,
  shapesEqual,
  sizeOf,
  toFloat,
  type TensorLike,
} from '../util.js';
import type { Constraint } from './constraints.js';

export type { TensorLike } from '../util.js';

/** Options every distribution constructor accepts. */
export interface DistributionOptions {
  /** Check parameter values (positivity, simplex, triangular...) at construction. Costs a read-back. */
  validateArgs?: boolean;
  /** A name for messages and debugging. Defaults to the class name. */
  name?: string;
}

/** Options of `sample`. */
export interface SampleOptions {
  /** Integer seed: the same seed gives the same draws. */
  seed?: number;
}

/** A parameter with the number of trailing dims that belong to one event (0 for elementwise). */
export interface ParamSpec {
  value: tf.Tensor;
  eventRank: number;
  constraint?: Constraint;
}

export interface DistributionInit extends DistributionOptions {
  /** The class name used in every message (robust to minification). */
  className: string;
  /** Owned parameter tensors; their batch shapes broadcast to `batchShape` unless one is given. */
  params?: Record<string, ParamSpec>;
  /** Explicit batch shape (composite distributions); otherwise derived from `params`. */
  batchShape?: number[];
  eventShape: number[];
  reparameterized: boolean;
}

/**
 * Base class of all distributions.
 *
 * Shapes follow TFP: `sample(sampleShape)` returns
 * `[...sampleShape, ...batchShape, ...eventShape]`; `logProb(x)` takes
 * `x` of shape `[...anything, ...batchShape, ...eventShape]` (broadcasting
 * against the batch) and returns `[...anything, ...batchShape]`.
 *
 * Every method returns fresh tensors owned by the caller and leaves no
 * intermediate tensors behind. `dispose()` releases the parameters.
 */
export abstract class Distribution {
  readonly className: string;
  readonly name: string;
  readonly validateArgs: boolean;
  readonly batchShape: number[];
  readonly eventShape: number[];
  /** True when `sample` is a differentiable function of the parameters (reparameterization trick). */
  readonly reparameterized: boolean;
  /** Owned parameter tensors by name (TFP's names in camelCase). */
  readonly parameters: Record<string, tf.Tensor>;
  private disposed = false;

  protected constructor(init: DistributionInit) {
    this.className = init.className;
    this.name = init.name ?? init.className;
    this.validateArgs = init.validateArgs ?? false;
    this.eventShape = [...init.eventShape];
    this.reparameterized = init.reparameterized;
    const params = init.params ?? {};
    this.parameters = {};
    for (const [k, p] of Object.entries(params)) this.parameters[k] = p.value;
    try {
      this.batchShape = init.batchShape !== undefined ? [...init.batchShape] : paramBatchShape(this.className, params);
      if (this.validateArgs) {
        for (const [k, p] of Object.entries(params)) {
          if (p.constraint) this.checkConstraint(k, p.value, p.constraint);
        }
      }
    } catch (e) {
      // The constructor owns the converted parameters: release them when it fails.
      for (const p of Object.values(params)) p.value.dispose();
      throw e;
    }
  }

  /** Event rank: 0 for scalar distributions, 1 for vectors. */
  get eventRank(): number {
    return this.eventShape.length;
  }

  /** `ClassName(batchShape=[..], eventShape=[..])`. */
  toString(): string {
    return `${this.className}(batchShape=${fmtShape(this.batchShape)}, eventShape=${fmtShape(this.eventShape)})`;
  }

  /** Throws a message like torch's when `value` violates `constraint` (used under validateArgs). */
  protected checkConstraint(name: string, value: tf.Tensor, constraint: Constraint): void {
    const ok = tf.tidy(() => constraint.check(value));
    const okData = ok.dataSync();
    const okShape = ok.shape;
    ok.dispose();
    const bad = okData.findIndex((v) => !v);
    if (bad < 0) return;
    const idx = unravel(bad, okShape);
    const flat = value.dataSync();
    const inner = sizeOf(value.shape.slice(value.rank - constraint.eventRank));
    const shown = Array.from(flat.slice(bad * inner, bad * inner + Math.min(inner, 16)));
    throw new InvalidArgumentError(
      `${this.className}: parameter ${name} (shape ${fmtShape(value.shape)}) must be ${constraint.description}; ` +
        `found invalid value${inner > 1 ? 's' : ''} at batch index ${fmtShape(idx)}: ${shown.map((v) => +v.toPrecision(6)).join(', ')}`,
    );
  }

  // ---------------------------------------------------------------- sampling

  /**
   * Draws samples of shape `[...sampleShape, ...batchShape, ...eventShape]`.
   * With `{seed}` the draws are reproducible.
   */
  sample(sampleShape: number | number[] = [], options: SampleOptions = {}): tf.Tensor {
    this.assertAlive('sample');
    const s = asShape(sampleShape, `${this.className}.sample`);
    const n = sizeOf(s);
    return tf.tidy(() => {
      const draws = this.sampleN(n, options.seed);
      return tf.reshape(draws, [...s, ...this.batchShape, ...this.eventShape]);
    });
  }

  /** Subclasses: `n` draws of shape `[n, ...batchShape, ...eventShape]`. Called inside `tf.tidy`. */
  protected abstract sampleN(n: number, seed: number | undefined): tf.Tensor;

  // ---------------------------------------------------------------- densities

  /** Log density (or log mass) of `x`: shape `[...anything, ...batchShape]`. */
  logProb(x: TensorLike): tf.Tensor {
    return this.withValue('logProb', x, (v) => this.logProbFn(v));
  }

  /** Density (or mass) of `x`, `exp(logProb(x))`. */
  prob(x: TensorLike): tf.Tensor {
    return this.withValue('prob', x, (v) => this.probFn(v));
  }

  /** Cumulative distribution function P(X <= x). */
  cdf(x: TensorLike): tf.Tensor {
    return this.withValue('cdf', x, (v) => this.cdfFn(v));
  }

  /** log P(X <= x), accurate in the left tail. */
  logCdf(x: TensorLike): tf.Tensor {
    return this.withValue('logCdf', x, (v) => this.logCdfFn(v));
  }

  /** P(X > x) = 1 - cdf(x), accurate in the right tail. */
  survivalFunction(x: TensorLike): tf.Tensor {
    return this.withValue('survivalFunction', x, (v) => this.survivalFn(v));
  }

  /** log P(X > x). */
  logSurvivalFunction(x: TensorLike): tf.Tensor {
    return this.withValue('logSurvivalFunction', x, (v) => this.logSurvivalFn(v));
  }

  /** Inverse cdf: the x with cdf(x) = p, for p in [0, 1]; shape `[...anything, ...batchShape]`. */
  quantile(p: TensorLike): tf.Tensor {
    return this.withValue('quantile', p, (v) => this.quantileFn(v));
  }

  protected logProbFn(_x: tf.Tensor): tf.Tensor {
    throw this.notImplemented('logProb');
  }
  protected probFn(x: tf.Tensor): tf.Tensor {
    return tf.exp(this.logProbFn(x));
  }
  protected cdfFn(x: tf.Tensor): tf.Tensor {
    if (this.overrides('logCdfFn')) return tf.exp(this.logCdfFn(x));
    throw this.notImplemented('cdf');
  }
  protected logCdfFn(x: tf.Tensor): tf.Tensor {
    if (this.overrides('cdfFn')) return tf.log(this.cdfFn(x));
    throw this.notImplemented('logCdf');
  }
  protected survivalFn(x: tf.Tensor): tf.Tensor {
    if (this.overrides('cdfFn')) return tf.sub(1, this.cdfFn(x));
    throw this.notImplemented('survivalFunction');
  }
  protected logSurvivalFn(x: tf.Tensor): tf.Tensor {
    if (this.overrides('survivalFn')) return tf.log(this.survivalFn(x));
    if (this.overrides('cdfFn')) return tf.log1p(tf.neg(this.cdfFn(x)));
    throw this.notImplemented('logSurvivalFunction');
  }
  protected quantileFn(_p: tf.Tensor): tf.Tensor {
    throw this.notImplemented('quantile');
  }

  // ---------------------------------------------------------------- moments

  /** Mean, shape `[...batchShape, ...eventShape]`. */
  mean(): tf.Tensor {
    return this.batchEventResult('mean', () => this.meanFn());
  }
  /** Mode, shape `[...batchShape, ...eventShape]`. */
  mode(): tf.Tensor {
    return this.batchEventResult('mode', () => this.modeFn());
  }
  /** Variance (elementwise for vector events), shape `[...batchShape, ...eventShape]`. */
  variance(): tf.Tensor {
    return this.batchEventResult('variance', () => this.varianceFn());
  }
  /** Standard deviation, shape `[...batchShape, ...eventShape]`. */
  stddev(): tf.Tensor {
    return this.batchEventResult('stddev', () => this.stddevFn());
  }
  /**
   * Covariance: for vector events `[...batchShape, d, d]`; for scalar events
   * the variance, `batchShape`.
   */
  covariance(): tf.Tensor {
    this.assertAlive('covariance');
    return tf.tidy(() => {
      const c = this.covarianceFn();
      const d = this.eventShape;
      const want = d.length === 0 ? this.batchShape : [...this.batchShape, ...d, ...d];
      return shapesEqual(c.shape, want) ? this.fresh(c) : broadcastDifferentiable(c, want);
    });
  }
  /** Differential (or Shannon) entropy in nats, shape `batchShape`. */
  entropy(): tf.Tensor {
    this.assertAlive('entropy');
    return tf.tidy(() => {
      const e = this.entropyFn();
      return shapesEqual(e.shape, this.batchShape) ? this.fresh(e) : broadcastDifferentiable(e, this.batchShape);
    });
  }

  protected meanFn(): tf.Tensor {
    throw this.notImplemented('mean');
  }
  protected modeFn(): tf.Tensor {
    throw this.notImplemented('mode');
  }
  protected varianceFn(): tf.Tensor {
    if (this.overrides('stddevFn')) return tf.square(this.stddevFn());
    throw this.notImplemented('variance');
  }
  protected stddevFn(): tf.Tensor {
    if (this.overrides('varianceFn')) return tf.sqrt(this.varianceFn());
    throw this.notImplemented('stddev');
  }
  protected covarianceFn(): tf.Tensor {
    if (this.eventShape.length === 0) return this.varianceFn();
    throw this.notImplemented('covariance');
  }
  protected entropyFn(): tf.Tensor {
    throw this.notImplemented('entropy');
  }

  // ---------------------------------------------------------------- lifetime

  /** Releases the parameter tensors (and owned inner distributions). Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const t of Object.values(this.parameters)) t.dispose();
    for (const d of this.ownedDistributions()) d.dispose();
  }

  /** True after `dispose()`. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Inner distributions whose lifetime this one owns (composites override). */
  protected ownedDistributions(): Distribution[] {
    return [];
  }

  // ---------------------------------------------------------------- helpers

  /** A `NotImplementedError` naming this class and `method`. */
  protected notImplemented(method: string, why = ''): NotImplementedError {
    return new NotImplementedError(`${this.className} does not implement ${method}${why ? `: ${why}` : ''}`);
  }

  /** True when a subclass overrides the protected method `name`. */
  private overrides(name: keyof Distribution | string): boolean {
    const base = (Distribution.prototype as unknown as Record<string, unknown>)[name];
    return (this as unknown as Record<string, unknown>)[name] !== base;
  }

  private assertAlive(method: string): void {
    if (this.disposed) throw new InvalidArgumentError(`${this.className}.${method}: the distribution was disposed`);
  }

  /**
   * Converts the value argument of `method`, checks that its trailing dims are
   * the event shape and its batch part broadcasts with `batchShape`, and runs
   * `fn` in a tidy; the result is broadcast to `[...anything, ...batchShape]`.
   */
  protected withValue(method: string, x: TensorLike, fn: (x: tf.Tensor) => tf.Tensor): tf.Tensor {
    this.assertAlive(method);
    return tf.tidy(() => {
      const v = this.convertValue(x, method);
      const e = this.eventShape.length;
      const vEvent = v.shape.slice(v.rank - e);
      if (v.rank < e || !vEvent.every((d, i) => d === this.eventShape[i] || d === 1)) {
        throw new InvalidArgumentError(
          `${this.className}.${method}: x must have shape [..., ${[...this.batchShape, ...this.eventShape].join(', ')}] ` +
            `(trailing event shape ${fmtShape(this.eventShape)}); got ${fmtShape(v.shape)}`,
        );
      }
      const vBatch = v.shape.slice(0, v.rank - e);
      const want = broadcastPair(vBatch, this.batchShape);
      if (want === null) {
        throw new InvalidArgumentError(
          `${this.className}.${method}: x of shape ${fmtShape(v.shape)} does not broadcast against batch shape ` +
            `${fmtShape(this.batchShape)} and event shape ${fmtShape(this.eventShape)}`,
        );
      }
      const out = fn(v);
      return shapesEqual(out.shape, want) ? this.fresh(out) : broadcastDifferentiable(out, want);
    });
  }

  /**
   * The caller owns (and may dispose) what a public method returns, so a
   * `*Fn` that hands back one of this distribution's own parameter tensors
   * (e.g. `meanFn() { return this.probs; }`) must not give away the original:
   * it is cloned (sharing memory, no copy).
   */
  private fresh(out: tf.Tensor): tf.Tensor {
    return Object.values(this.parameters).includes(out) ? shareHandle(out) : out;
  }

  /** Converts a method's value argument; discrete distributions may override. */
  protected convertValue(x: TensorLike, method: string): tf.Tensor {
    return toFloat(x, 'x', `${this.className}.${method}`);
  }

  private batchEventResult(method: string, fn: () => tf.Tensor): tf.Tensor {
    this.assertAlive(method);
    return tf.tidy(() => {
      const out = fn();
      const want = [...this.batchShape, ...this.eventShape];
      return shapesEqual(out.shape, want) ? this.fresh(out) : broadcastDifferentiable(out, want);
    });
  }
}

function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i]!;
    idx[i] = flat % d;
    flat = Math.floor(flat / d);
  }
  return idx;
}

/** Broadcast of the parameters' batch shapes (each shape less its `eventRank` trailing dims). */
function paramBatchShape(className: string, params: Record<string, ParamSpec>): number[] {
  const shapes: Array<[string, number[]]> = [];
  for (const [k, p] of Object.entries(params)) {
    const r = p.value.rank;
    if (r < p.eventRank) {
      throw new InvalidArgumentError(`${className}: ${k} must have rank >= ${p.eventRank}; got shape ${fmtShape(p.value.shape)}`);
    }
    shapes.push([k, p.value.shape.slice(0, r - p.eventRank)]);
  }
  return broadcastShapes(className, shapes);
}
