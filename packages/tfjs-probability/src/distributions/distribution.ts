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
  checkSeed,
  describeValue,
  shapeHandle as shareHandle,
  shapesEqual,
  sizeOf,
  toFloat,
  unravelIndex,
  type TensorLike,
} from '../util.js';
import { unitInterval, type Constraint } from './constraints.js';
import type { Bijector } from '../bijectors/bijector.js';
import { constrainingBijector, supportBijector, type EventSpace } from './event_space.js';
import { checkSampleSize } from './sample_limits.js';

export type { TensorLike } from '../util.js';

/** Options every distribution constructor accepts. */
export interface DistributionOptions {
  /**
   * Check values that live in tensors: parameters at construction (positivity,
   * simplex, triangular...) and the arguments of logProb/prob/cdf/logCdf/
   * survivalFunction/logSurvivalFunction (in the support) and quantile (in
   * [0, 1]). Each check is a synchronous read-back (`dataSync`): keep it off
   * hot paths. Without it no value is read back; host values (numbers, arrays)
   * given as parameters are checked always, at no device cost.
   */
  validateArgs?: boolean;
  /** A name for messages and debugging. Defaults to the class name. */
  name?: string;
}

/** Options of `sample`. */
export interface SampleOptions {
  /** Integer seed: the same seed gives the same draws. Anything else but `undefined` is an error. */
  seed?: number;
}

/** How a constructor declares one parameter for `convertParams`. */
export interface ParamDecl {
  /** Trailing dims that belong to one event (0 elementwise, 1 vectors, 2 matrices). Default 0. */
  eventRank?: number;
  /** What a valid value is (host values always, tensors under validateArgs). */
  constraint?: Constraint;
  /** May be left out (`undefined` or `null`); then it is absent from the result. */
  optional?: boolean;
}

/**
 * The static declaration of a distribution's parameters (TFP's `_parameter_properties`,
 * torch's `arg_constraints`): for each parameter its event rank and constraint. Constructors
 * convert their arguments with it (`convertParams`), and the constraint's bijector
 * (`parameterBijector`) maps unconstrained reals onto the valid values (trainable parameters).
 */
export type ParameterProperties = Readonly<Record<string, ParamDecl>>;

/**
 * The bijector from unconstrained reals onto the valid values of parameter `name` of the
 * distribution class `cls`, from its static `parameterProperties` (TFP's
 * `default_constraining_bijector_fn`); a NotImplementedError when the parameter has no such map.
 */
export function parameterBijector(cls: { readonly name: string; readonly parameterProperties: ParameterProperties }, name: string): Bijector {
  const decl = cls.parameterProperties[name];
  if (decl === undefined) {
    throw new InvalidArgumentError(
      `${cls.name}: no parameter ${name}; declared parameters: {${Object.keys(cls.parameterProperties).join(', ')}}`,
    );
  }
  const b = decl.constraint ? constrainingBijector(decl.constraint) : undefined;
  if (b === undefined) {
    throw new NotImplementedError(`${cls.name}: parameter ${name} (${decl.constraint?.description ?? 'unconstrained'}) has no constraining bijector`);
  }
  return b;
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
  /** The set of values (for validateArgs checks of logProb, cdf, ...); none: values are not checked. */
  support?: Constraint;
  /**
   * Further tensors the subclass made before `super()` (a normalizer, a factor): released with the
   * parameters, if construction fails and by `dispose()`.
   */
  owned?: tf.Tensor[];
}

/**
 * Under `validateArgs`, the check of a bounded family (Uniform, TruncatedNormal) that `low < high`
 * elementwise: otherwise disposes `d` (a failed constructor holds nothing) and throws an
 * `InvalidArgumentError` naming the class. One read-back, only under `validateArgs`.
 */
export function checkLowBelowHigh(d: Distribution, className: string, low: tf.Tensor, high: tf.Tensor): void {
  if (!d.validateArgs) return;
  const bad = tf.tidy(() => tf.any(tf.greaterEqual(low, high)).dataSync()[0]);
  if (bad) {
    d.dispose();
    throw new InvalidArgumentError(`${className}: low must be < high elementwise (under validateArgs); found low >= high`);
  }
}

/**
 * The first step of every constructor: checks that `args` is an object and
 * converts each parameter `decl` names, in order, with `toFloat` (a missing
 * parameter, a string, an array of strings, a disposed tensor, a host value
 * that violates the constraint: an `InvalidArgumentError` naming the class and
 * the parameter). If one fails, those already converted are released, so a
 * failed constructor leaks nothing. Returns ParamSpecs ready for `params`.
 */
export function convertParams<K extends string>(
  className: string,
  args: unknown,
  decl: Record<K, ParamDecl>,
): Record<K, ParamSpec> {
  checkArgsObject(className, args, Object.keys(decl));
  const a = args as Record<string, unknown>;
  const out = {} as Record<K, ParamSpec>;
  try {
    for (const k of Object.keys(decl) as K[]) {
      const d = decl[k];
      const v = a[k];
      if ((v === undefined || v === null) && d.optional) continue;
      if (v === undefined || v === null) {
        throw new InvalidArgumentError(
          `${className}: parameter ${k} is missing (got ${describeValue(v)}); expected a number, array or tf.Tensor` +
            ` (arguments given: {${Object.keys(a).join(', ')}})`,
        );
      }
      const value = toFloat(v as TensorLike, k, className, d.constraint);
      out[k] = { value, eventRank: d.eventRank ?? 0, ...(d.constraint ? { constraint: d.constraint } : {}) };
    }
  } catch (e) {
    for (const p of Object.values(out) as ParamSpec[]) p.value.dispose();
    throw e;
  }
  return out;
}

/**
 * Throws unless `value` is a live Distribution (composites: Independent's
 * `distribution`, a mixture's `cat` and components), naming class and argument.
 */
export function checkDistributionArg(className: string, name: string, value: unknown, expected = 'a distribution'): void {
  if (!(value instanceof Distribution)) {
    throw new InvalidArgumentError(`${className}: ${name} must be ${expected} (a tfd Distribution instance); got ${describeValue(value)}`);
  }
  if (value.isDisposed) {
    throw new InvalidArgumentError(`${className}: ${name} is a disposed ${value.className}; pass a live distribution`);
  }
}

/** Throws unless the options of `sample` are an object (`{seed: 1}`). */
export function checkSampleOptions(owner: string, options: unknown): void {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new InvalidArgumentError(`${owner}: options must be an object such as {seed: 1}; got ${describeValue(options)}`);
  }
}

/** Throws unless `args` is a plain argument object (`new tfd.Normal()` names what is expected). */
export function checkArgsObject(className: string, args: unknown, keys: readonly string[]): void {
  if (args === null || typeof args !== 'object' || Array.isArray(args) || args instanceof tf.Tensor) {
    throw new InvalidArgumentError(
      `${className}: expected an argument object {${keys.join(', ')}}; got ${describeValue(args)}`,
    );
  }
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
  /** The values this distribution puts mass on; under validateArgs, logProb & co. reject others. */
  readonly support: Constraint | undefined;
  private readonly constraints: Record<string, Constraint> = {};
  private disposed = false;
  /** The `owned` tensors of the constructor, released by `dispose()`. */
  private readonly ownedTensors: tf.Tensor[];

  /**
   * Each parameter's event rank and constraint, declared once per class (TFP's
   * `_parameter_properties`); the constructor converts and checks its arguments with it.
   * Empty for composites, whose arguments are distributions.
   */
  static readonly parameterProperties: ParameterProperties = {};

  /**
   * How unconstrained reals reach the support, where it is not simply the bijector of the
   * declared `support` constraint (an interval between two parameters, say). Declared per class.
   */
  static readonly eventSpace: EventSpace | undefined = undefined;

  protected constructor(init: DistributionInit) {
    this.className = init.className;
    this.name = init.name ?? init.className;
    this.validateArgs = init.validateArgs ?? false;
    this.eventShape = [...init.eventShape];
    this.reparameterized = init.reparameterized;
    this.support = init.support;
    this.ownedTensors = [...(init.owned ?? [])];
    const params = init.params ?? {};
    this.parameters = {};
    for (const [k, p] of Object.entries(params)) {
      this.parameters[k] = p.value;
      if (p.constraint) this.constraints[k] = p.constraint;
    }
    try {
      if (init.validateArgs !== undefined && typeof init.validateArgs !== 'boolean') {
        throw new InvalidArgumentError(`${this.className}: validateArgs must be true or false; got ${describeValue(init.validateArgs)}`);
      }
      if (init.name !== undefined && typeof init.name !== 'string') {
        throw new InvalidArgumentError(`${this.className}: name must be a string; got ${describeValue(init.name)}`);
      }
      this.batchShape = init.batchShape !== undefined ? [...init.batchShape] : paramBatchShape(this.className, params);
      if (this.validateArgs) {
        for (const [k, p] of Object.entries(params)) {
          if (p.constraint) this.checkConstraint(k, p.value, p.constraint);
        }
      }
    } catch (e) {
      // The constructor owns the converted parameters: release them when it fails.
      for (const p of Object.values(params)) p.value.dispose();
      for (const t of init.owned ?? []) t.dispose();
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
    const bad = findViolationSync(value, constraint);
    if (bad !== null) throw this.parameterError(name, value, constraint, bad);
  }

  /**
   * Checks every parameter against its constraint, like `validateArgs` does at
   * construction, but without blocking: the reads are `await data()`; composites
   * validate their inner distributions too. Resolves
   * when all hold; rejects with the same InvalidArgumentError otherwise.
   *
   * @example
   * ```ts
   * const d = new tfd.Normal({ loc: 0, scale: scaleTensor });   // no read-back
   * await d.validate();                                         // throws if some scale <= 0
   * ```
   */
  async validate(): Promise<void> {
    this.assertAlive('validate');
    for (const [name, constraint] of Object.entries(this.constraints)) {
      const value = this.parameters[name]!;
      const ok = tf.tidy(() => constraint.check(value));
      const okData = await ok.data();
      ok.dispose();
      if (firstFalse(okData) < 0) continue;
      const flat = await value.data();
      const bad = violation(okData, ok.shape, value, () => flat, constraint);
      if (bad !== null) throw this.parameterError(name, value, constraint, bad);
    }
    for (const d of this.ownedDistributions()) await d.validate();
  }

  private parameterError(name: string, value: tf.Tensor, constraint: Constraint, bad: Violation): InvalidArgumentError {
    const many = bad.values.length > 1;
    return new InvalidArgumentError(
      `${this.className}: parameter ${name} (shape ${fmtShape(value.shape)}) must be ${constraint.description}; ` +
        `found invalid value${many ? 's' : ''} at batch index ${fmtShape(bad.index)}: ${bad.listed}` +
        (bad.why ? ` (${bad.why})` : ''),
    );
  }

  /**
   * Under validateArgs: throws when an entry of the value argument of `method`
   * is outside `constraint` (the support, or [0, 1] for quantile), naming the
   * class, the method, the index, the value and the set. A synchronous read-back.
   */
  private checkValue(method: string, v: tf.Tensor, constraint: Constraint, what: string): void {
    const bad = findViolationSync(v, constraint);
    if (bad === null) return;
    throw new InvalidArgumentError(
      `${this.className}.${method}: ${what} (shape ${fmtShape(v.shape)}) is outside ${
        constraint === this.support ? `the support of ${this.className}` : 'the valid range'
      } at index ${fmtShape(bad.index)}: ${bad.values.length > 1 || constraint.eventRank > 0 ? `[${bad.listed}]` : bad.listed}` +
        `${bad.why ? ` (${bad.why})` : ''}; ` +
        `expected ${constraint.description} (checked because validateArgs is true)`,
    );
  }

  /**
   * A new bijector from unconstrained reals onto the support, with the event shape of its
   * output equal to `eventShape` (TFP's `experimental_default_event_space_bijector`): what MCMC
   * and variational inference sample through. The caller owns (and disposes) it. Derived from
   * the class's `eventSpace` declaration, or else its `support`: Identity for the real line,
   * Softplus for (0, ∞), Sigmoid for intervals, SoftmaxCentered for the simplex,
   * FillScaleTriL for Cholesky factors. A NotImplementedError for discrete supports.
   *
   * @example
   * ```ts
   * const d = new tfd.Gamma({ concentration: 2, rate: 1 });
   * const b = d.defaultEventSpaceBijector();   // Softplus
   * b.forward([-3, 0, 3]);                     // positive values
   * ```
   */
  defaultEventSpaceBijector(): Bijector {
    this.assertAlive('defaultEventSpaceBijector');
    return this.eventSpaceBijectorFn();
  }

  /** Composites override (Independent: the inner one's). */
  protected eventSpaceBijectorFn(): Bijector {
    const declared = (this.constructor as typeof Distribution).eventSpace;
    return declared ? declared(this) : supportBijector(this);
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
    checkSampleOptions(`${this.className}.sample`, options);
    const seed = checkSeed(options.seed, `${this.className}.sample`);
    const perDraw = sizeOf(this.batchShape) * sizeOf(this.eventShape);
    checkSampleSize(this.className, s, perDraw, (this.constructor as { sampleBytesPerValue?: number }).sampleBytesPerValue ?? 64);
    return tf.tidy(() => {
      const draws = this.sampleN(n, seed);
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
    return this.withValue('quantile', p, (v) => this.quantileFn(v), unitInterval);
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

  /** Releases the parameter tensors, the tensors the constructor owns and owned inner distributions. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const t of Object.values(this.parameters)) t.dispose();
    for (const t of this.ownedTensors) t.dispose();
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

  protected assertAlive(method: string): void {
    if (this.disposed) throw new InvalidArgumentError(`${this.className}.${method}: the distribution was disposed`);
  }

  /**
   * Converts the value argument of `method`, checks that its trailing dims are
   * the event shape and its batch part broadcasts with `batchShape`, and runs
   * `fn` in a tidy; the result is broadcast to `[...anything, ...batchShape]`.
   */
  protected withValue(method: string, x: TensorLike, fn: (x: tf.Tensor) => tf.Tensor, valid = this.support): tf.Tensor {
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
      if (this.validateArgs && valid) this.checkValue(method, v, valid, method === 'quantile' ? 'p' : 'x');
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

const fmtNumber = (v: number): string => String(+v.toPrecision(6));

/** The first entry (or event) that violates a constraint. */
interface Violation {
  /** Its index in the constraint's result (the batch index for event constraints). */
  index: number[];
  /** The entries of the violating event (one for elementwise constraints). */
  values: number[];
  /** `values` for a message, at most 16 of them. */
  listed: string;
  /** The constraint's explanation, or ''. */
  why: string;
}

function firstFalse(a: ArrayLike<unknown>): number {
  for (let i = 0; i < a.length; i++) if (!a[i]) return i;
  return -1;
}

/**
 * The first entry (or event) of `value` that violates `constraint`, given the
 * constraint's result `okData` (shape `okShape`), or null. `read` gives the
 * value's data (only called when something is wrong).
 */
function violation(
  okData: ArrayLike<unknown>,
  okShape: readonly number[],
  value: tf.Tensor,
  read: () => ArrayLike<number>,
  constraint: Constraint,
): Violation | null {
  const bad = firstFalse(okData);
  if (bad < 0) return null;
  const flat = read();
  const inner = sizeOf(value.shape.slice(value.rank - constraint.eventRank));
  const values = Array.from({ length: inner }, (_, i) => flat[bad * inner + i]!);
  return {
    index: unravelIndex(bad, okShape),
    values,
    listed: values.slice(0, 16).map(fmtNumber).join(', ') + (values.length > 16 ? ', ...' : ''),
    why: constraint.why ? constraint.why(values) : '',
  };
}

/** `violation` with synchronous reads (validateArgs). */
function findViolationSync(value: tf.Tensor, constraint: Constraint): Violation | null {
  const ok = tf.tidy(() => constraint.check(value));
  const okData = ok.dataSync();
  ok.dispose();
  return violation(okData, ok.shape, value, () => value.dataSync(), constraint);
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
