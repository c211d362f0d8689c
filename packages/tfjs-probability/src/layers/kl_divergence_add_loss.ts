import * as tf from '@tensorflow/tfjs';
import type { Distribution } from '../distributions/distribution.js';
import { InvalidArgumentError } from '../errors.js';
import { shapeHandle } from '../util.js';
import { getDistributionFn, type MakeDistributionFn } from './distribution_lambda.js';
import { DistributionLayer, type LayerArgs } from './distribution_layer.js';
import { KLDivergenceRegularizer, PRIOR_DISTRIBUTIONS, type MakePriorDistributionFn } from './kl_divergence_regularizer.js';
import { PendingLoss } from './variational_fns.js';

export interface KLDivergenceAddLossArgs extends LayerArgs {
  /**
   * The prior `b`: a distribution, a function `() => Distribution`, or the name of one
   * registered with `registerPriorDistributionFn` (needed to save the layer).
   */
  distributionB: Distribution | MakePriorDistributionFn | string;
  /**
   * How the input (the raw parameters of the preceding head) becomes the distribution `a`: a
   * head layer (its `toDistribution`), a function, or a name registered with
   * `registerDistributionFn` (needed to save the layer).
   */
  makeDistribution: DistributionLayer | MakeDistributionFn | string;
  /** Factor on the KL (default 1). */
  weight?: number;
  /** Exact KL instead of the one-draw estimate (default false, as TFP). */
  useExactKl?: boolean;
  /** Axes summed before the batch mean (see `KLDivergenceRegularizer`). */
  testPointsReduceAxis?: number[];
}

/**
 * Identity layer that adds `weight · KL(a || b)` to the model's losses, `a` being the
 * distribution of its input: TFP's `tfpl.KLDivergenceAddLoss` (the KL term of a VAE).
 *
 * Mathematical details: for input parameters `p [...B, k]`, `a = makeDistribution(p)` and the
 * loss is `KLDivergenceRegularizer(b).apply(a)` (batch mean of the exact or one-draw KL). The
 * output is `p` itself. The term is computed in training passes and collected by `model.fit`
 * (and listed by `tfp.modelLosses(model)`; outside training it reads 0, since it depends on the inputs).
 *
 * Parameters: input `[...B, k]`; output the same.
 *
 * @example
 * ```ts
 * const head = new tfpl.IndependentNormal({ eventShape: [2] });
 * const params = head.apply(tf.layers.dense({ units: 4 }).apply(h)) as tf.SymbolicTensor;
 * const withKl = new tfpl.KLDivergenceAddLoss({ makeDistribution: head, distributionB: prior, weight: 1 }).apply(params);
 * ```
 */
export class KLDivergenceAddLoss extends tf.layers.Layer {
  static className = 'KLDivergenceAddLoss';
  readonly weight: number;
  readonly useExactKl: boolean;
  private readonly regularizer: KLDivergenceRegularizer;
  private readonly toDist: (p: tf.Tensor) => Distribution;
  private readonly distName: string | undefined;
  private readonly headConfig: tf.serialization.ConfigDict | undefined;
  private readonly priorName: string | undefined;
  private readonly testPointsReduceAxis: number[];
  private readonly pending = new PendingLoss();

  constructor(args: KLDivergenceAddLossArgs) {
    super(args);
    const owner = 'KLDivergenceAddLoss';
    const md = args?.makeDistribution;
    if (md instanceof DistributionLayer) {
      this.toDist = (p) => md.toDistribution(p);
      this.headConfig = { className: md.getClassName(), config: md.getConfig() };
      this.distName = undefined;
    } else if (md !== null && typeof md === 'object' && typeof (md as { className?: unknown }).className === 'string') {
      // A saved head: rebuild it from its class name and config.
      const spec = md as unknown as { className: string; config: tf.serialization.ConfigDict };
      const head = tf.serialization.SerializationMap.getMap().classNameMap[spec.className];
      if (head === undefined) throw new InvalidArgumentError(`${owner}: unknown head class '${spec.className}' in makeDistribution`);
      const layer = head[1](head[0], spec.config) as unknown as DistributionLayer;
      this.toDist = (p) => layer.toDistribution(p);
      this.headConfig = { className: spec.className, config: spec.config };
      this.distName = undefined;
    } else if (typeof md === 'string') {
      const fn = getDistributionFn(md);
      if (fn === undefined) {
        throw new InvalidArgumentError(`${owner}: no function registered under makeDistribution name '${md}'; call tfp.layers.registerDistributionFn('${md}', fn) first`);
      }
      this.toDist = fn;
      this.distName = md;
      this.headConfig = undefined;
    } else if (typeof md === 'function') {
      this.toDist = md;
      this.distName = undefined;
      this.headConfig = undefined;
    } else {
      throw new InvalidArgumentError(`${owner}: makeDistribution must be a head layer, a function (params) => Distribution or a registered name; got ${typeof md}`);
    }
    const b = args.distributionB;
    let prior: Distribution;
    if (typeof b === 'string' || typeof b === 'function') {
      const r = PRIOR_DISTRIBUTIONS.resolve(b as MakePriorDistributionFn | string, '', owner, 'distributionB');
      prior = r.fn();
      this.priorName = r.name;
    } else {
      prior = b;
      this.priorName = undefined;
    }
    this.weight = args.weight ?? 1;
    this.useExactKl = args.useExactKl ?? false;
    this.testPointsReduceAxis = [...(args.testPointsReduceAxis ?? [])];
    this.regularizer = new KLDivergenceRegularizer(prior, {
      weight: this.weight, useExactKl: this.useExactKl, testPointsReduceAxis: this.testPointsReduceAxis,
    });
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    void inputShape;
    this.addLoss(() => this.pending.take(() => tf.scalar(0)) as tf.Scalar);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean } = {}): tf.Tensor {
    const p = Array.isArray(inputs) ? inputs[0]! : inputs;
    if (kwargs.training === true) {
      const kl = tf.tidy(() => {
        const a = this.toDist(p);
        try {
          return this.regularizer.apply(a);
        } finally {
          a.dispose();
        }
      });
      this.pending.set(kl);
    }
    return shapeHandle(p);
  }

  override dispose(): ReturnType<tf.layers.Layer['dispose']> {
    this.pending.clear();
    return super.dispose();
  }

  override getConfig(): tf.serialization.ConfigDict {
    const owner = `KLDivergenceAddLoss '${this.name}'`;
    if (this.priorName === undefined) {
      throw new InvalidArgumentError(
        `${owner}: distributionB is a distribution object and cannot be serialized; register a function returning it with ` +
          `tfp.layers.registerPriorDistributionFn('somePrior', () => prior) and pass {distributionB: 'somePrior'}`,
      );
    }
    const md = this.headConfig ?? this.distName;
    if (md === undefined) {
      throw new InvalidArgumentError(
        `${owner}: makeDistribution is an unregistered function and cannot be serialized; pass the head layer or a name registered with tfp.layers.registerDistributionFn`,
      );
    }
    return {
      ...super.getConfig(), distributionB: this.priorName, makeDistribution: md, weight: this.weight, useExactKl: this.useExactKl,
      testPointsReduceAxis: this.testPointsReduceAxis,
    };
  }
}

