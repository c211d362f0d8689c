/**
 * Shared pieces of the Bayesian (variational) layers: the posterior/prior
 * "makers" of `DenseVariational` and their by-name registry, the divergence
 * functions of the Reparameterization/Flipout layers and theirs, the
 * activations, and the per-call seed.
 *
 * A maker is TFP's `make_posterior_fn(kernel_size, bias_size, dtype)`: it is
 * called once when the layer is built, creates its variables through the
 * layer (so they are trained, saved and loaded with it) and returns a
 * function that builds the distribution over the flattened `[kernel, bias]`
 * vector from the current variable values. A plain function cannot be saved:
 * register it by name (in the saving and the loading program).
 */
import * as tf from '@tensorflow/tfjs';
import type { Distribution } from '../distributions/distribution.js';
import { Independent } from '../distributions/independent.js';
import { klDivergence } from '../distributions/kl.js';
import { Normal } from '../distributions/normal.js';
import { InvalidArgumentError } from '../errors.js';
import { shapeHandle, splitSeed } from '../util.js';
import { buildDistribution } from './distribution_layer.js';

/** A tfjs weight initializer (`tf.initializers.zeros()`, ...). */
export type Initializer = ReturnType<typeof tf.initializers.zeros>;

/** Creates a variable of the layer being built (trainable by default). */
export interface VariableFactory {
  addWeight(name: string, shape: number[], initializer: Initializer, trainable?: boolean): tf.LayerVariable;
}

/**
 * A posterior or prior maker: `(kernelSize, biasSize, vars) => () => distribution` whose
 * distribution has event shape `[kernelSize + biasSize]` (kernel first, row-major).
 */
export type MakeVariationalFn = (kernelSize: number, biasSize: number, vars: VariableFactory) => () => Distribution;

/**
 * A divergence `(q, p, w) => scalar` between the kernel posterior `q` and prior `p`;
 * `w` is the kernel drawn for the forward pass (TFP's `kernel_divergence_fn(q, p, ignore)`).
 */
export type DivergenceFn = (q: Distribution, p: Distribution, w: tf.Tensor) => tf.Tensor;

/** A name → function table with the errors every registry of this package gives. */
export class FnRegistry<F> {
  private readonly table = new Map<string, F>();
  constructor(private readonly kind: string, private readonly registerName: string) {}

  register(name: string, fn: F): void {
    if (typeof name !== 'string' || name.length === 0) {
      throw new InvalidArgumentError(`${this.registerName}: name must be a non-empty string; got ${JSON.stringify(name)}`);
    }
    if (typeof fn !== 'function') {
      throw new InvalidArgumentError(`${this.registerName}: fn must be a ${this.kind}; got ${typeof fn}`);
    }
    this.table.set(name, fn);
  }

  /**
   * The function registered under `name`. tfjs writes string config values in snake_case and
   * reads them back in camelCase, so a saved `'my-prior'` or `'MyPrior'` comes back as
   * `'myPrior'`: when there is no exact match, a unique match up to case and `_`/`-` is used.
   */
  get(name: string): F | undefined {
    const exact = this.table.get(name);
    if (exact !== undefined) return exact;
    const norm = (s: string) => s.replace(/[_-]/g, '').toLowerCase();
    const hits = [...this.table.keys()].filter((k) => norm(k) === norm(name));
    return hits.length === 1 ? this.table.get(hits[0]!) : undefined;
  }

  nameOf(fn: F): string | undefined {
    for (const [k, v] of this.table) if (v === fn) return k;
    return undefined;
  }

  /** The function for a constructor argument (function or registered name), with a clear error. */
  resolve(value: F | string | undefined, fallback: string, owner: string, param: string): { fn: F; name: string | undefined } {
    const v = value ?? fallback;
    if (typeof v === 'string') {
      const fn = this.get(v);
      if (fn === undefined) {
        throw new InvalidArgumentError(
          `${owner}: no ${this.kind} registered under ${param} name '${v}'; call tfp.layers.${this.registerName}('${v}', fn) ` +
            `before creating or loading this layer (registered: ${[...this.table.keys()].join(', ') || 'none'})`,
        );
      }
      return { fn, name: this.nameOf(fn) ?? v };
    }
    if (typeof v !== 'function') {
      throw new InvalidArgumentError(`${owner}: ${param} must be a ${this.kind} or a registered name; got ${typeof v}`);
    }
    return { fn: v, name: this.nameOf(v) };
  }

  /** The name to save for a function; throws (naming layer and parameter) for an unregistered one. */
  configName(fn: F, knownName: string | undefined, owner: string, param: string): string {
    const name = knownName ?? this.nameOf(fn);
    if (name === undefined) {
      throw new InvalidArgumentError(
        `${owner}: ${param} is an unregistered function and cannot be serialized; register it with ` +
          `tfp.layers.${this.registerName}('someName', fn) (in the saving and the loading program) or pass {${param}: 'someName'}`,
      );
    }
    return name;
  }
}

const variationalFns = new FnRegistry<MakeVariationalFn>('function (kernelSize, biasSize, vars) => () => Distribution', 'registerVariationalFn');
const divergenceFns = new FnRegistry<DivergenceFn>('function (q, p, w) => scalar Tensor', 'registerDivergenceFn');
/** @internal */
export const VARIATIONAL_FNS = variationalFns;
/** @internal */
export const DIVERGENCE_FNS = divergenceFns;

/** Registers a posterior/prior maker by name so that layers using it can be saved and loaded. */
export function registerVariationalFn(name: string, fn: MakeVariationalFn): void {
  variationalFns.register(name, fn);
}

/** Registers a divergence function by name so that layers using it can be saved and loaded. */
export function registerDivergenceFn(name: string, fn: DivergenceFn): void {
  divergenceFns.register(name, fn);
}

/** softplus⁻¹(1) = log(e − 1): the shift that makes a zero-initialized scale start at 1. */
const SOFTPLUS_INV_ONE = Math.log(Math.expm1(1));

/** `Independent(Normal(loc, scale))` over all axes, from tensors computed in a tidy. */
export function independentNormal(compute: () => [tf.Tensor, tf.Tensor]): Distribution {
  return buildDistribution(compute, (loc, scale) => new Independent({ distribution: new Normal({ loc, scale }), reinterpretedBatchNdims: loc.rank }));
}

/**
 * Mean-field normal posterior (TFP tutorial's `posterior_mean_field`): one variable `t` of
 * `2n` zeros, `q = ∏ N(t[:n], 1e-5 + softplus(log(e − 1) + t[n:]))`, so it starts at N(0, 1).
 * Registered as `'posteriorMeanField'`.
 */
export const posteriorMeanField: MakeVariationalFn = (kernelSize, biasSize, vars) => {
  const n = kernelSize + biasSize;
  const v = vars.addWeight('posterior_loc_scale', [2 * n], tf.initializers.zeros());
  return () =>
    independentNormal(() => {
      const t = v.read();
      return [tf.slice(t, [0], [n]), tf.add(tf.softplus(tf.add(tf.slice(t, [n], [n]), SOFTPLUS_INV_ONE)), 1e-5)];
    });
};

/** Fixed standard normal prior `∏ N(0, 1)` over the `n` weights. Registered as `'priorStandardNormal'`. */
export const priorStandardNormal: MakeVariationalFn = (kernelSize, biasSize) => {
  const n = kernelSize + biasSize;
  return () => independentNormal(() => [tf.zeros([n]), tf.ones([n])]);
};

/**
 * Trainable prior (TFP tutorial's `prior_trainable`): `∏ N(m, 1)` with a learned mean `m`
 * (`n` variables, zeros at start). Registered as `'priorTrainable'`.
 */
export const priorTrainable: MakeVariationalFn = (kernelSize, biasSize, vars) => {
  const n = kernelSize + biasSize;
  const m = vars.addWeight('prior_loc', [n], tf.initializers.zeros());
  return () => independentNormal(() => [shapeHandle(m.read()), tf.ones([n])]);
};

/** Exact `KL(q || p)` (the default divergence; TFP's `lambda q, p, ignore: kl_divergence(q, p)`). Registered as `'klExact'`. */
export const klExact: DivergenceFn = (q, p) => klDivergence(q, p);

/** Single-draw Monte Carlo `log q(w) − log p(w)` (TFP's `kl_use_exact=False`). Registered as `'klMonteCarlo'`. */
export const klMonteCarlo: DivergenceFn = (q, p, w) => tf.tidy(() => tf.sub(q.logProb(w), p.logProb(w)));

/** Exact KL, or the one-draw estimate at `w` (which must then be given). */
export function klDivergenceOrMonteCarlo(q: Distribution, p: Distribution, w: tf.Tensor | undefined, exact: boolean): tf.Tensor {
  if (exact) return klDivergence(q, p);
  if (w === undefined) throw new InvalidArgumentError('klDivergenceOrMonteCarlo: the Monte Carlo estimate needs the drawn weights w');
  return klMonteCarlo(q, p, w);
}

variationalFns.register('posteriorMeanField', posteriorMeanField);
variationalFns.register('priorStandardNormal', priorStandardNormal);
variationalFns.register('priorTrainable', priorTrainable);
divergenceFns.register('klExact', klExact);
divergenceFns.register('klMonteCarlo', klMonteCarlo);

export type ActivationName = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softplus' | 'elu' | 'selu' | 'softmax' | 'swish';
const ACTIVATIONS: Record<ActivationName, (x: tf.Tensor) => tf.Tensor> = {
  linear: (x) => x,
  relu: tf.relu,
  sigmoid: tf.sigmoid,
  tanh: tf.tanh,
  softplus: tf.softplus,
  elu: tf.elu,
  selu: tf.selu,
  softmax: (x) => tf.softmax(x),
  swish: (x) => tf.mul(x, tf.sigmoid(x)),
};

/** The activation function for a name (`undefined` or `null` → linear), with a clear error. */
export function activationFn(name: string | null | undefined, owner: string): (x: tf.Tensor) => tf.Tensor {
  const key = (name ?? 'linear') as ActivationName;
  const fn = ACTIVATIONS[key];
  if (fn === undefined) {
    throw new InvalidArgumentError(`${owner}: activation must be one of ${Object.keys(ACTIVATIONS).join(', ')}; got ${JSON.stringify(name)}`);
  }
  return fn;
}

/**
 * Seed of the `k`-th call of a layer built with `seed` (the same derivation as `Sampling`):
 * reproducible call for call, fresh noise on each call; `undefined` without a seed.
 */
export function seedForCall(seed: number | undefined, k: number): number | undefined {
  if (seed === undefined) return undefined;
  return splitSeed((Math.floor(seed) + Math.imul(k, 0x632be5ab)) >>> 0, 1)[0];
}

/** `{seed}` sample options of the `k`-th call (empty without a seed). */
export function seedOpts(seed: number | undefined, k: number): { seed?: number } {
  const s = seedForCall(seed, k);
  return s === undefined ? {} : { seed: s };
}

/** Checks a `klWeight` argument (a non-negative finite number; TFP's default 1). */
export function checkKlWeight(value: number | undefined, owner: string): number {
  const w = value ?? 1;
  if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) {
    throw new InvalidArgumentError(`${owner}: klWeight must be a non-negative finite number (typically 1 / numTrainingExamples); got ${String(value)}`);
  }
  return w;
}

/**
 * Holds the KL term computed in a training forward pass until tfjs-layers collects the
 * layer's losses (right after the pass, in the same gradient tape, as TFP's `add_loss` in
 * `call`). The tensor belongs to the scope of the forward pass; when no training pass preceded
 * (`tfp.modelLosses(model)` read by hand), the loss function computes a fresh estimate instead.
 */
export class PendingLoss {
  private pending: tf.Tensor | undefined;

  set(t: tf.Tensor): void {
    this.clear();
    this.pending = t;
  }

  take(fresh: () => tf.Tensor): tf.Tensor {
    const t = this.pending;
    this.pending = undefined;
    if (t !== undefined && !t.isDisposed) return t;
    return fresh();
  }

  clear(): void {
    if (this.pending !== undefined && !this.pending.isDisposed) this.pending.dispose();
    this.pending = undefined;
  }
}
