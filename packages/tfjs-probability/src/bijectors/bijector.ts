/**
 * The Bijector base class (TFP's `tfb.Bijector`): an invertible, differentiable
 * map `y = f(x)` with the log-determinant of its Jacobian. It owns argument
 * conversion, the event-ndims bookkeeping of log-det-Jacobians, the
 * forward/inverse cache, parameter ownership and tensor hygiene, so that each
 * bijector file only implements the mathematics at its minimum event rank:
 * `forwardFn`, `inverseFn` and one (or both) of `forwardLdjFn` /
 * `inverseLdjFn`.
 *
 * Shapes. A bijector acts on the trailing `forwardMinEventNdims` dims of `x`
 * (`inverseMinEventNdims` of `y`); the dims to the left are batch dims and
 * broadcast against the batch dims of its parameters.
 * `forwardLogDetJacobian(x, eventNdims)` sums the log-det-Jacobian over the
 * rightmost `eventNdims` dims of `x` (`eventNdims >= forwardMinEventNdims`)
 * and returns shape `broadcast(x.shape[:-eventNdims], batch of parameters)`:
 * unlike TFP, which may return an unbroadcast scalar for a constant Jacobian,
 * the result here always has its full batch shape.
 *
 * Caching (as TFP's bijectors cache the forward/inverse pair). After
 * `y = b.forward(x)` with a tensor `x`, `b.inverse(y)` returns `x` (a new
 * handle on the same memory, no computation) and `b.forward(x)` returns `y`
 * again; likewise after `x = b.inverse(y)`. This makes inverse(forward(x))
 * exact for bijectors that are expensive or inexact to invert (flows,
 * Sigmoid near 0/1). The rules, chosen so that the cache never leaks nor
 * keeps memory alive:
 * - entries are keyed by the *memory* of a tensor (its dataId, in a
 *   WeakMap), so a handle that shares that memory (the `toFloat` handle the
 *   distributions make) also hits; a handle of another shape misses;
 * - the cache only refers to tensors the caller holds; it never owns one and
 *   never keeps one alive (a tensor's memory belongs to whoever disposes it).
 *   An entry whose tensor has been disposed is a miss and is dropped; a
 *   WeakMap entry goes away with its key's memory;
 * - while a gradient tape is recording (inside `tf.grad`, `variableGrads`,
 *   `optimizer.minimize`, `model.fit`) the cache is neither read nor written,
 *   so every result is a differentiable function of the argument given
 *   (a cached `x` would not depend on `y`);
 * - arrays or numbers passed in are never cached (nobody holds their tensor),
 *   nor are tf.Variables (assign changes their memory), nor pairs of flows
 *   (`cache: false`: their networks train, so a pair would go stale).
 *
 * Every public method returns fresh tensors owned by the caller and leaves no
 * intermediate tensors behind; `dispose()` releases the parameters.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, NotImplementedError, fmtShape } from '../errors.js';
import { broadcastDifferentiable, broadcastPair, broadcastShapes, shapeHandle, shapesEqual, toFloat, type TensorLike } from '../util.js';

export type { TensorLike } from '../util.js';

/** Options every bijector constructor accepts. */
export interface BijectorOptions {
  /** Check parameter values (and, where cheap, arguments) at construction. Costs a read-back. */
  validateArgs?: boolean;
  /** A name for messages and debugging. Defaults to the class name. */
  name?: string;
}

/** A parameter tensor owned by a bijector, with the number of its trailing dims that belong to one event. */
export interface BijectorParam {
  value: tf.Tensor;
  /** 0 for an elementwise parameter (Shift's shift), 1 for a vector (ScaleMatvecDiag), 2 for a matrix (ScaleMatvecTriL). */
  eventRank: number;
}

export interface BijectorInit extends BijectorOptions {
  className: string;
  forwardMinEventNdims: number;
  /** Defaults to `forwardMinEventNdims`. */
  inverseMinEventNdims?: number;
  /** True when the log-det-Jacobian does not depend on x (affine maps). */
  isConstantJacobian?: boolean;
  /** Owned parameter tensors; released by `dispose()` (and by the constructor when it throws). */
  params?: Record<string, BijectorParam>;
  /**
   * False for bijectors whose map can change after construction (flows whose
   * networks train): a cached pair would go stale. Defaults to true.
   */
  cache?: boolean;
}

interface CacheEntry {
  shape: number[];
  value: tf.Tensor;
}

/**
 * Base class of all bijectors (TFP's `tfb.Bijector`).
 *
 * Mathematical details: for `y = f(x)`,
 * `log p_Y(y) = log p_X(f⁻¹(y)) + inverseLogDetJacobian(y)`, and
 * `forwardLogDetJacobian(x) = log |det ∂f/∂x| = -inverseLogDetJacobian(f(x))`.
 *
 * @example
 * ```ts
 * const b = new tfb.Exp();
 * const y = b.forward([0, 1]);                        // [1, e]
 * b.inverseLogDetJacobian(y, 1);                       // -(0 + 1) = -1
 * ```
 */
export abstract class Bijector {
  readonly className: string;
  readonly name: string;
  readonly validateArgs: boolean;
  /** Smallest event rank of `x` this bijector acts on. */
  readonly forwardMinEventNdims: number;
  /** Smallest event rank of `y` this bijector acts on. */
  readonly inverseMinEventNdims: number;
  /** True when the log-det-Jacobian does not depend on the point (affine bijectors). */
  readonly isConstantJacobian: boolean;
  /** Owned parameter tensors by name (TFP's names in camelCase). */
  readonly parameters: Record<string, tf.Tensor>;
  private readonly paramRanks: Record<string, number>;
  /** Whether forward/inverse pairs are cached (see the module notes). */
  readonly cacheEnabled: boolean;
  private readonly fwdCache = new WeakMap<object, CacheEntry[]>();
  private readonly invCache = new WeakMap<object, CacheEntry[]>();
  private disposed = false;

  protected constructor(init: BijectorInit) {
    this.className = init.className;
    this.name = init.name ?? init.className;
    this.validateArgs = init.validateArgs ?? false;
    this.forwardMinEventNdims = init.forwardMinEventNdims;
    this.inverseMinEventNdims = init.inverseMinEventNdims ?? init.forwardMinEventNdims;
    this.isConstantJacobian = init.isConstantJacobian ?? false;
    this.cacheEnabled = init.cache ?? true;
    this.parameters = {};
    this.paramRanks = {};
    for (const [k, p] of Object.entries(init.params ?? {})) {
      this.parameters[k] = p.value;
      this.paramRanks[k] = p.eventRank;
    }
    try {
      for (const [k, p] of Object.entries(init.params ?? {})) {
        if (p.value.rank < p.eventRank) {
          throw new InvalidArgumentError(
            `${this.className}: parameter ${k} must have rank >= ${p.eventRank}; got shape ${fmtShape(p.value.shape)}`,
          );
        }
      }
      // Parameters must broadcast (composites check their members once they are set).
      broadcastShapes(
        this.className,
        Object.entries(init.params ?? {}).map(([k, p]) => [k, p.value.shape.slice(0, p.value.rank - p.eventRank)]),
      );
    } catch (e) {
      this.releaseParams();
      throw e;
    }
  }

  /** `ClassName(forwardMinEventNdims=.., inverseMinEventNdims=..)`. */
  toString(): string {
    return `${this.className}(forwardMinEventNdims=${this.forwardMinEventNdims}, inverseMinEventNdims=${this.inverseMinEventNdims})`;
  }

  // ---------------------------------------------------------------- public maps

  /** `y = f(x)`. `x` is `[...batch, ...event]` with event rank >= `forwardMinEventNdims`. */
  forward(x: TensorLike): tf.Tensor {
    return this.mapWithCache('forward', x, this.fwdCache, this.invCache, this.forwardMinEventNdims, (v) => this.forwardFn(v));
  }

  /** `x = f⁻¹(y)`. `y` is `[...batch, ...event]` with event rank >= `inverseMinEventNdims`. */
  inverse(y: TensorLike): tf.Tensor {
    return this.mapWithCache('inverse', y, this.invCache, this.fwdCache, this.inverseMinEventNdims, (v) => this.inverseFn(v));
  }

  /**
   * `log |det ∂f/∂x|` summed over the rightmost `eventNdims` dims of `x`
   * (default `forwardMinEventNdims`): shape `broadcast(x.shape[:-eventNdims], batch)`.
   */
  forwardLogDetJacobian(x: TensorLike, eventNdims: number = this.forwardMinEventNdims): tf.Tensor {
    this.assertAlive('forwardLogDetJacobian');
    this.checkEventNdims('forwardLogDetJacobian', eventNdims, this.forwardMinEventNdims);
    return tf.tidy(() => {
      const v = this.convert(x, 'x', 'forwardLogDetJacobian', eventNdims);
      return this.forwardLdjAt(v, eventNdims);
    });
  }

  /**
   * `log |det ∂f⁻¹/∂y|` summed over the rightmost `eventNdims` dims of `y`
   * (default `inverseMinEventNdims`): shape `broadcast(y.shape[:-eventNdims], batch)`.
   */
  inverseLogDetJacobian(y: TensorLike, eventNdims: number = this.inverseMinEventNdims): tf.Tensor {
    this.assertAlive('inverseLogDetJacobian');
    this.checkEventNdims('inverseLogDetJacobian', eventNdims, this.inverseMinEventNdims);
    return tf.tidy(() => {
      const v = this.convert(y, 'y', 'inverseLogDetJacobian', eventNdims);
      return this.inverseLdjAt(v, eventNdims);
    });
  }

  /**
   * `[inverse(y), inverseLogDetJacobian(y, eventNdims)]` in one pass: flows
   * (MaskedAutoregressiveFlow, RealNVP) evaluate their network once for both, and a
   * Chain passes each member's inverse on, so a density evaluation costs one network
   * call per flow layer instead of three. Uses the cache like `inverse`.
   */
  inverseAndLogDetJacobian(y: TensorLike, eventNdims: number = this.inverseMinEventNdims): [tf.Tensor, tf.Tensor] {
    this.assertAlive('inverseAndLogDetJacobian');
    this.checkEventNdims('inverseAndLogDetJacobian', eventNdims, this.inverseMinEventNdims);
    const cacheable = this.cacheEnabled && y instanceof tf.Tensor && !(y instanceof tf.Variable) && !tf.engine().isTapeOn();
    const hit = cacheable ? lookup(this.invCache, y) : undefined;
    if (hit !== undefined) return [shapeHandle(hit), this.inverseLogDetJacobian(y, eventNdims)];
    const [x, ldj] = tf.tidy(() => this.inverseAndLdjAt(this.convert(y, 'y', 'inverseAndLogDetJacobian', eventNdims), eventNdims));
    if (cacheable && y.dtype === 'float32') {
      remember(this.invCache, y, x);
      remember(this.fwdCache, x, y);
    }
    return [x, ldj];
  }

  /** Event shape of `y` for an `x` event of shape `shape` (identity unless the bijector changes shapes). */
  forwardEventShape(shape: readonly number[]): number[] {
    this.checkShapeRank('forwardEventShape', shape, this.forwardMinEventNdims);
    return this.forwardEventShapeFn([...shape]);
  }

  /** Event shape of `x` for a `y` event of shape `shape`. */
  inverseEventShape(shape: readonly number[]): number[] {
    this.checkShapeRank('inverseEventShape', shape, this.inverseMinEventNdims);
    return this.inverseEventShapeFn([...shape]);
  }

  /** Event rank of `y` for an `x` event of rank `n` (TFP's `forward_event_ndims`). */
  forwardEventNdims(n: number): number {
    this.checkEventNdims('forwardEventNdims', n, this.forwardMinEventNdims);
    return n + this.inverseMinEventNdims - this.forwardMinEventNdims;
  }

  /** Event rank of `x` for a `y` event of rank `n`. */
  inverseEventNdims(n: number): number {
    this.checkEventNdims('inverseEventNdims', n, this.inverseMinEventNdims);
    return n + this.forwardMinEventNdims - this.inverseMinEventNdims;
  }

  /**
   * Batch shape of this bijector when it acts on `x` events of rank
   * `xEventNdims` (default `forwardMinEventNdims`): the broadcast of its
   * parameters' shapes without their event dims (TFP's `experimental_batch_shape`).
   */
  experimentalBatchShape(xEventNdims: number = this.forwardMinEventNdims): number[] {
    const extra = xEventNdims - this.forwardMinEventNdims;
    const shapes: Array<[string, number[]]> = [];
    for (const [k, t] of Object.entries(this.parameters)) {
      const drop = Math.min(t.rank, this.paramRanks[k]! + Math.max(0, extra));
      shapes.push([k, t.shape.slice(0, t.rank - drop)]);
    }
    shapes.push(...this.innerBatchShapes(xEventNdims));
    return broadcastShapes(this.className, shapes);
  }

  /** True when f is increasing (scalar bijectors; TFP's `_is_increasing`), false when decreasing, undefined if unknown. */
  isIncreasing(): boolean | undefined {
    return undefined;
  }

  // ---------------------------------------------------------------- lifetime

  /** Releases the parameter tensors and owned inner bijectors. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.releaseParams();
    for (const b of Object.values(this.innerBijectors())) b.dispose();
  }

  /** True after `dispose()`. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  // ---------------------------------------------------------------- for subclasses

  /** Subclasses: `y = f(x)` on `x` with at least `forwardMinEventNdims` dims. Called inside `tf.tidy`. */
  protected abstract forwardFn(x: tf.Tensor): tf.Tensor;
  /** Subclasses: `x = f⁻¹(y)`. Called inside `tf.tidy`. */
  protected abstract inverseFn(y: tf.Tensor): tf.Tensor;

  /**
   * Subclasses: log |det ∂f/∂x| over the trailing `forwardMinEventNdims` dims of
   * `x`: shape broadcastable to `x.shape[:-forwardMinEventNdims]` with the
   * parameters' batch. Defaults to `-inverseLdjFn(forwardFn(x))`.
   */
  protected forwardLdjFn(x: tf.Tensor): tf.Tensor {
    if (this.overrides('inverseLdjFn')) return tf.neg(this.inverseLdjFn(this.forwardFn(x)));
    throw new NotImplementedError(`${this.className} implements neither forwardLogDetJacobian nor inverseLogDetJacobian`);
  }
  /** Subclasses: log |det ∂f⁻¹/∂y| over the trailing `inverseMinEventNdims` dims. Defaults to `-forwardLdjFn(inverseFn(y))`. */
  protected inverseLdjFn(y: tf.Tensor): tf.Tensor {
    if (this.overrides('forwardLdjFn')) return tf.neg(this.forwardLdjFn(this.inverseFn(y)));
    throw new NotImplementedError(`${this.className} implements neither forwardLogDetJacobian nor inverseLogDetJacobian`);
  }

  /** Subclasses that share work between the two: `[inverseFn(y), inverseLdjFn(y)]`. */
  protected inverseWithLdjFn(y: tf.Tensor): [tf.Tensor, tf.Tensor] {
    return [this.inverseFn(y), this.inverseLdjFn(y)];
  }

  protected forwardEventShapeFn(shape: number[]): number[] {
    return shape;
  }
  protected inverseEventShapeFn(shape: number[]): number[] {
    return shape;
  }

  /** Bijectors this one owns (Chain, Invert, TransformDiagonal): their batch shapes and lifetimes are included. */
  protected innerBijectors(): Record<string, Bijector> {
    return {};
  }

  /** Named batch shapes of inner bijectors when this one acts on x events of rank `xEventNdims` (composites override). */
  protected innerBatchShapes(_xEventNdims: number): Array<[string, number[]]> {
    return [];
  }

  /**
   * The forward log-det-Jacobian of a converted `x` summed over `eventNdims`
   * event dims, with its full batch shape. Composite bijectors (Chain, Invert)
   * override it to pass `eventNdims` down. Called inside `tf.tidy`.
   */
  forwardLdjAt(x: tf.Tensor, eventNdims: number): tf.Tensor {
    return this.reduceLdj(this.forwardLdjFn(x), x.shape, this.forwardMinEventNdims, eventNdims);
  }
  /** The inverse log-det-Jacobian of a converted `y` summed over `eventNdims` event dims. Called inside `tf.tidy`. */
  inverseLdjAt(y: tf.Tensor, eventNdims: number): tf.Tensor {
    return this.reduceLdj(this.inverseLdjFn(y), y.shape, this.inverseMinEventNdims, eventNdims);
  }

  /** The inverse and its log-det-Jacobian summed over `eventNdims` dims (composites override). Called inside `tf.tidy`. */
  inverseAndLdjAt(y: tf.Tensor, eventNdims: number): [tf.Tensor, tf.Tensor] {
    const [x, ldj] = this.inverseWithLdjFn(y);
    return [x, this.reduceLdj(ldj, y.shape, this.inverseMinEventNdims, eventNdims)];
  }

  /**
   * Broadcasts a log-det-Jacobian computed at the minimum event rank to
   * `broadcast(shape[:-minNdims], batch)` and sums its rightmost
   * `eventNdims - minNdims` dims.
   */
  protected reduceLdj(ldj: tf.Tensor, shape: readonly number[], minNdims: number, eventNdims: number): tf.Tensor {
    const outer = shape.slice(0, shape.length - minNdims);
    const full = broadcastPair(ldj.shape, outer);
    if (full === null) {
      throw new InvalidArgumentError(
        `${this.className}: log-det-Jacobian of shape ${fmtShape(ldj.shape)} does not broadcast against the batch of an argument of shape ${fmtShape(shape)}`,
      );
    }
    const b = shapesEqual(ldj.shape, full) ? ldj : broadcastDifferentiable(ldj, full);
    const k = eventNdims - minNdims;
    if (k === 0) return b;
    const axes = Array.from({ length: k }, (_, i) => b.rank - k + i);
    return tf.sum(b, axes);
  }

  /** A `NotImplementedError` naming this class and `method`. */
  protected notImplemented(method: string, why = ''): NotImplementedError {
    return new NotImplementedError(`${this.className} does not implement ${method}${why ? `: ${why}` : ''}`);
  }

  // ---------------------------------------------------------------- internals

  private releaseParams(): void {
    for (const t of Object.values(this.parameters)) t.dispose();
  }

  private overrides(name: string): boolean {
    const base = (Bijector.prototype as unknown as Record<string, unknown>)[name];
    return (this as unknown as Record<string, unknown>)[name] !== base;
  }

  private assertAlive(method: string): void {
    if (this.disposed) throw new InvalidArgumentError(`${this.className}.${method}: the bijector was disposed`);
  }

  private checkEventNdims(method: string, n: number, min: number): void {
    if (!Number.isInteger(n) || n < min) {
      throw new InvalidArgumentError(
        `${this.className}.${method}: eventNdims must be an integer >= ${min} (the bijector's minimum event rank); got ${String(n)}`,
      );
    }
  }

  private checkShapeRank(method: string, shape: readonly number[], min: number): void {
    if (!Array.isArray(shape) || shape.length < min) {
      throw new InvalidArgumentError(
        `${this.className}.${method}: shape must have rank >= ${min}; got ${Array.isArray(shape) ? fmtShape(shape) : String(shape)}`,
      );
    }
  }

  private convert(v: TensorLike, name: string, method: string, minRank: number): tf.Tensor {
    const t = toFloat(v, name, `${this.className}.${method}`);
    if (t.rank < minRank) {
      throw new InvalidArgumentError(
        `${this.className}.${method}: ${name} must have rank >= ${minRank} (its event rank); got shape ${fmtShape(t.shape)}`,
      );
    }
    return t;
  }

  private mapWithCache(
    method: 'forward' | 'inverse',
    arg: TensorLike,
    own: WeakMap<object, CacheEntry[]>,
    other: WeakMap<object, CacheEntry[]>,
    minRank: number,
    fn: (v: tf.Tensor) => tf.Tensor,
  ): tf.Tensor {
    this.assertAlive(method);
    const name = method === 'forward' ? 'x' : 'y';
    // A tf.Variable changes its memory on assign: never a cache key or value.
    const cacheable = this.cacheEnabled && arg instanceof tf.Tensor && !(arg instanceof tf.Variable) && !tf.engine().isTapeOn();
    if (cacheable) {
      const hit = lookup(own, arg);
      if (hit !== undefined) return shapeHandle(hit);
    }
    const out = tf.tidy(() => fn(this.convert(arg, name, method, minRank)));
    if (cacheable && arg.dtype === 'float32') {
      remember(own, arg, out);
      remember(other, out, arg);
    }
    return out;
  }
}

function dataIdOf(t: tf.Tensor): object {
  return t.dataId as object;
}

function lookup(map: WeakMap<object, CacheEntry[]>, key: tf.Tensor): tf.Tensor | undefined {
  if (key.isDisposed) return undefined;
  const entries = map.get(dataIdOf(key));
  if (entries === undefined) return undefined;
  let found: tf.Tensor | undefined;
  const live = entries.filter((e) => !e.value.isDisposed);
  for (const e of live) if (found === undefined && shapesEqual(e.shape, key.shape)) found = e.value;
  if (live.length !== entries.length) map.set(dataIdOf(key), live);
  return found;
}

function remember(map: WeakMap<object, CacheEntry[]>, key: tf.Tensor, value: tf.Tensor): void {
  const id = dataIdOf(key);
  const entries = (map.get(id) ?? []).filter((e) => !e.value.isDisposed && !shapesEqual(e.shape, key.shape));
  entries.push({ shape: [...key.shape], value });
  map.set(id, entries);
}

/** Converts a bijector parameter (a tensor passed in gets a new handle; the caller keeps its own). */
export function bijectorParam(value: TensorLike, name: string, owner: string): tf.Tensor {
  return toFloat(value, name, owner);
}
