import * as tf from '@tensorflow/tfjs';
import type { Distribution } from '../distributions/distribution.js';
import { InvalidArgumentError } from '../errors.js';
import { DistributionLayer, type LayerArgs } from './distribution_layer.js';

/** A function from the raw parameter tensor `[...batch, paramsSize]` to a distribution with batch shape `[...batch]`. */
export type MakeDistributionFn = (params: tf.Tensor) => Distribution;

const registry = new Map<string, MakeDistributionFn>();

/**
 * Registers `fn` under `name` so that a `DistributionLambda` using it can be
 * serialized (its config stores the name) and restored by `loadModel` in a
 * program that registered the same name. Re-registering a name replaces it.
 */
export function registerDistributionFn(name: string, fn: MakeDistributionFn): void {
  if (typeof name !== 'string' || name.length === 0) {
    throw new InvalidArgumentError(`registerDistributionFn: name must be a non-empty string; got ${JSON.stringify(name)}`);
  }
  if (typeof fn !== 'function') {
    throw new InvalidArgumentError(`registerDistributionFn: fn must be a function (params) => Distribution; got ${typeof fn}`);
  }
  registry.set(name, fn);
}

/**
 * The function registered under `name`, or undefined. A camelCase `name` also finds a snake_case
 * registration (`my_fn`): tfjs turns string values of a loaded config into camelCase.
 */
export function getDistributionFn(name: string): MakeDistributionFn | undefined {
  const fn = registry.get(name);
  if (fn !== undefined || !/^[a-zA-Z0-9]+$/.test(name)) return fn;
  for (const [k, v] of registry) if (k.replace(/_+(\w|$)/g, (_, c: string) => c.toUpperCase()) === name) return v;
  return undefined;
}

function nameOf(fn: MakeDistributionFn): string | undefined {
  for (const [k, v] of registry) if (v === fn) return k;
  return undefined;
}

export interface DistributionLambdaArgs extends LayerArgs {
  /** The function, or the name it was registered under with `registerDistributionFn`. */
  makeDistribution: MakeDistributionFn | string;
  /** Width of the input's last axis; inferred from the input when omitted. */
  paramsSize?: number;
  /** Event shape of the distributions; inferred by calling `makeDistribution` once when omitted. */
  eventShape?: number[];
}

/**
 * A head from any function of the raw parameters: TFP's `tfpl.DistributionLambda`.
 *
 * Mathematical details: the layer is the identity on its input `p`
 * (`[...batch, paramsSize]`); `toDistribution(p) = makeDistribution(p)`, whose density is the
 * user's. `makeDistribution` must map `[...batch, paramsSize]` to a distribution of batch
 * shape `[...batch]` (the NLL loss checks this, so a head that would broadcast targets against
 * the whole batch, the failure of recipe 004, fails loudly instead).
 *
 * Serialization: a plain function cannot be saved. Register it by name with
 * `tfpl.registerDistributionFn(name, fn)` (before saving and before loading), or pass the name
 * as `makeDistribution`; `getConfig` of a layer with an unregistered function throws saying so.
 *
 * @example
 * ```ts
 * tfpl.registerDistributionFn('normalFromMeanLogStd', (t) =>
 *   new tfd.Normal({ loc: t.slice([0, 0], [-1, 1]).squeeze([1]), scale: t.slice([0, 1], [-1, 1]).squeeze([1]).exp() }));
 * const head = new tfpl.DistributionLambda({ makeDistribution: 'normalFromMeanLogStd', paramsSize: 2 });
 * ```
 */
export class DistributionLambda extends DistributionLayer {
  static className = 'DistributionLambda';
  readonly makeDistribution: MakeDistributionFn;
  private readonly fnName: string | undefined;
  private size: number | undefined;
  private event: number[] | undefined;

  constructor(args: DistributionLambdaArgs) {
    super(args);
    const md = args?.makeDistribution;
    if (typeof md === 'string') {
      const fn = getDistributionFn(md);
      if (fn === undefined) {
        throw new InvalidArgumentError(
          `DistributionLambda: no function registered under makeDistribution name '${md}'; ` +
            `call tfp.layers.registerDistributionFn('${md}', fn) before creating or loading this layer` +
            (registry.size ? ` (registered: ${[...registry.keys()].join(', ')})` : ''),
        );
      }
      this.makeDistribution = fn;
      this.fnName = md;
    } else if (typeof md === 'function') {
      this.makeDistribution = md;
      this.fnName = undefined;
    } else {
      throw new InvalidArgumentError(
        `DistributionLambda: makeDistribution must be a function (params) => Distribution or a registered name; got ${typeof md}`,
      );
    }
    if (args.paramsSize !== undefined && (!Number.isInteger(args.paramsSize) || args.paramsSize <= 0)) {
      throw new InvalidArgumentError(`DistributionLambda: paramsSize must be a positive integer; got ${JSON.stringify(args.paramsSize)}`);
    }
    this.size = args.paramsSize;
    this.event = args.eventShape ? [...args.eventShape] : undefined;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const last = s[s.length - 1];
    if (this.size === undefined && typeof last === 'number') this.size = last;
    super.build(inputShape);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    if (this.size === undefined) return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return super.computeOutputShape(inputShape);
  }

  override get paramsSize(): number {
    if (this.size === undefined) {
      throw new InvalidArgumentError(`DistributionLambda: paramsSize is not known before the layer is built; pass {paramsSize}`);
    }
    return this.size;
  }

  override get eventShape(): number[] {
    if (this.event === undefined) {
      // Infer from one dummy row of parameters.
      const probe = tf.zeros([1, this.paramsSize]);
      try {
        const d = this.makeDistribution(probe);
        this.event = [...d.eventShape];
        d.dispose();
      } finally {
        probe.dispose();
      }
    }
    return [...this.event];
  }

  override toDistribution(params: tf.Tensor): Distribution {
    return this.makeDistribution(params);
  }

  /** TFP's `DistributionLambda.new`: applies `makeDistribution` to `params`. */
  static toDistribution(params: tf.Tensor, makeDistribution: MakeDistributionFn | string): Distribution {
    const fn = typeof makeDistribution === 'string' ? getDistributionFn(makeDistribution) : makeDistribution;
    if (fn === undefined) {
      throw new InvalidArgumentError(`DistributionLambda: no function registered under the name '${String(makeDistribution)}'`);
    }
    return fn(params);
  }

  override getConfig(): tf.serialization.ConfigDict {
    const name = this.fnName ?? nameOf(this.makeDistribution);
    if (name === undefined) {
      throw new InvalidArgumentError(
        `DistributionLambda '${this.name}': makeDistribution is an unregistered function and cannot be serialized; ` +
          `register it with tfp.layers.registerDistributionFn('someName', fn) (in the saving and the loading program) ` +
          `or construct the layer with {makeDistribution: 'someName'}`,
      );
    }
    const cfg: tf.serialization.ConfigDict = { ...super.getConfig(), makeDistribution: name };
    if (this.size !== undefined) cfg['paramsSize'] = this.size;
    if (this.event !== undefined) cfg['eventShape'] = [...this.event];
    return cfg;
  }
}
