import * as tf from '@tensorflow/tfjs';
import { Bijector } from '../bijectors/bijector.js';
import { InvalidArgumentError, fmtShape } from '../errors.js';
import { broadcastShapes, shapesEqual } from '../util.js';
import { Distribution, type DistributionOptions } from './distribution.js';
import { klDivergence, registerKL } from './kl.js';

export interface TransformedDistributionArgs extends DistributionOptions {
  /** The base distribution of X (owned: disposing the transformed distribution disposes it). */
  distribution: Distribution;
  /** The bijector f with Y = f(X) (owned). Its forward min event ndims must not exceed the base's event rank. */
  bijector: Bijector;
}

/**
 * The distribution of `Y = f(X)` for a base distribution of X and a bijector f.
 *
 * Mathematical details: `log p_Y(y) = log p_X(f⁻¹(y)) + log |det ∂f⁻¹/∂y|`, the
 * log-det-Jacobian summed over the event (`bijector.inverseLogDetJacobian(y,
 * eventShape.length)`). Shapes follow TFP: `eventShape = bijector.forwardEventShape(
 * base.eventShape)` and `batchShape` is the broadcast of the base's batch shape with the
 * bijector's (`experimentalBatchShape` at the base's event rank). Sampling draws X and
 * returns `f(X)` (reparameterized when the base is). `cdf`/`survivalFunction`/`quantile`
 * exist for scalar events when f is monotone (`isIncreasing()` known); `mean` and
 * `entropy` only for a constant Jacobian (affine f), as in TFP:
 * `mean = f(E[X])`, `H(Y) = H(X) + log |det J|`.
 *
 * @example
 * ```ts
 * const logNormal = new tfd.TransformedDistribution({
 *   distribution: new tfd.Normal({ loc: 0, scale: 1 }),
 *   bijector: new tfb.Exp(),
 * });
 * logNormal.logProb([1, 2]);   // as tfd.LogNormal({ loc: 0, scale: 1 })
 * ```
 */
export class TransformedDistribution extends Distribution {
  readonly distribution: Distribution;
  readonly bijector: Bijector;

  constructor(args: TransformedDistributionArgs) {
    const d = args?.distribution;
    const b = args?.bijector;
    if (!(d instanceof Distribution)) {
      throw new InvalidArgumentError(`TransformedDistribution: distribution must be a tfd Distribution instance; got ${String(d)}`);
    }
    if (!(b instanceof Bijector)) {
      throw new InvalidArgumentError(`TransformedDistribution: bijector must be a tfp.bijectors Bijector; got ${String(b)}`);
    }
    const n = d.eventShape.length;
    if (n < b.forwardMinEventNdims) {
      throw new InvalidArgumentError(
        `TransformedDistribution: the base ${d.toString()} has event rank ${n} but ${b.className} acts on events of rank >= ` +
          `${b.forwardMinEventNdims}; make the base's event a vector first (e.g. tfd.Independent or an MVN)`,
      );
    }
    const eventShape = b.forwardEventShape(d.eventShape);
    const batchShape = broadcastShapes('TransformedDistribution', [
      [`distribution (${d.className})`, d.batchShape],
      [`bijector (${b.className})`, b.experimentalBatchShape(n)],
    ]);
    super({ ...args, className: 'TransformedDistribution', batchShape, eventShape, reparameterized: d.reparameterized });
    this.distribution = d;
    this.bijector = b;
  }

  override toString(): string {
    return `TransformedDistribution(${this.distribution.className}, ${this.bijector.className}, batchShape=${fmtShape(this.batchShape)}, eventShape=${fmtShape(this.eventShape)})`;
  }

  override dispose(): void {
    if (!this.isDisposed) this.bijector.dispose();
    super.dispose();
  }

  protected override ownedDistributions(): Distribution[] {
    return [this.distribution];
  }

  protected sampleN(n: number, seed?: number): tf.Tensor {
    const baseB = this.distribution.batchShape;
    const k = this.batchShape.length - baseB.length;
    if (!shapesEqual(this.batchShape.slice(k), baseB)) {
      throw this.notImplemented(
        'sample',
        `the bijector's batch shape broadcasts the base's batch shape ${fmtShape(baseB)} to ${fmtShape(this.batchShape)} inside; ` +
          `give the base distribution the full batch shape`,
      );
    }
    // Extra leading batch dims of the bijector get their own draws (independent across the batch).
    const x = this.distribution.sample([n, ...this.batchShape.slice(0, k)], seed === undefined ? {} : { seed });
    return this.bijector.forward(x);
  }

  protected override logProbFn(y: tf.Tensor): tf.Tensor {
    // One pass for x and the log-det-Jacobian (a flow evaluates its networks once).
    const [x, ildj] = this.bijector.inverseAndLogDetJacobian(y, this.eventShape.length);
    return tf.add(this.distribution.logProb(x), ildj);
  }

  private monotone(method: string): boolean {
    const inc = this.eventShape.length === 0 ? this.bijector.isIncreasing() : undefined;
    if (inc === undefined) {
      throw this.notImplemented(method, `needs a scalar event and a bijector known to be monotone (${this.bijector.className}.isIncreasing() is undefined)`);
    }
    return inc;
  }
  protected override cdfFn(y: tf.Tensor): tf.Tensor {
    const inc = this.monotone('cdf');
    const x = this.bijector.inverse(y);
    return inc ? this.distribution.cdf(x) : this.distribution.survivalFunction(x);
  }
  protected override logCdfFn(y: tf.Tensor): tf.Tensor {
    const inc = this.monotone('logCdf');
    const x = this.bijector.inverse(y);
    return inc ? this.distribution.logCdf(x) : this.distribution.logSurvivalFunction(x);
  }
  protected override survivalFn(y: tf.Tensor): tf.Tensor {
    const inc = this.monotone('survivalFunction');
    const x = this.bijector.inverse(y);
    return inc ? this.distribution.survivalFunction(x) : this.distribution.cdf(x);
  }
  protected override logSurvivalFn(y: tf.Tensor): tf.Tensor {
    const inc = this.monotone('logSurvivalFunction');
    const x = this.bijector.inverse(y);
    return inc ? this.distribution.logSurvivalFunction(x) : this.distribution.logCdf(x);
  }
  protected override quantileFn(p: tf.Tensor): tf.Tensor {
    const inc = this.monotone('quantile');
    return this.bijector.forward(this.distribution.quantile(inc ? p : tf.sub(1, p)));
  }

  private constantJacobian(method: string): void {
    if (!this.bijector.isConstantJacobian) {
      throw this.notImplemented(method, `only for a bijector with a constant Jacobian (affine), as in TFP; ${this.bijector.className} is not`);
    }
  }
  protected override meanFn(): tf.Tensor {
    this.constantJacobian('mean');
    return this.bijector.forward(this.distribution.mean());
  }
  protected override entropyFn(): tf.Tensor {
    this.constantJacobian('entropy');
    // H(Y) = H(X) + log|det J|, J evaluated anywhere (it is constant); affine maps are defined on all of ℝⁿ.
    const d = this.distribution;
    const x0 = tf.zeros([...d.batchShape, ...d.eventShape]);
    return tf.add(d.entropy(), this.bijector.forwardLogDetJacobian(x0, d.eventShape.length));
  }
}

registerKL(TransformedDistribution, TransformedDistribution, (p, q) => {
  // KL is invariant under a common bijection: KL(f(P) ‖ f(Q)) = KL(P ‖ Q) (TFP registers the same rule).
  if (p.bijector !== q.bijector) {
    throw new InvalidArgumentError(
      `klDivergence(TransformedDistribution, TransformedDistribution): only defined here when both use the same bijector instance; got ${p.bijector.className} and ${q.bijector.className}`,
    );
  }
  return klDivergence(p.distribution, q.distribution);
});
