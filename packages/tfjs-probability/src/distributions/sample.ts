import * as tf from '@tensorflow/tfjs';
import type { Bijector } from '../bijectors/bijector.js';
import { InvalidArgumentError, NotImplementedError } from '../errors.js';
import { asShape, sizeOf } from '../util.js';
import { Distribution, checkArgsObject, checkDistributionArg, type DistributionOptions } from './distribution.js';
import { klDivergence, registerKL } from './kl.js';

export interface SampleArgs extends DistributionOptions {
  /** The distribution of one draw, batch shape `[...B]`, event shape `[...E]`. Owned by the Sample from then on. */
  distribution: Distribution;
  /** How many i.i.d. draws make one event: `S` (a number or a shape). Default `[]` (one draw). */
  sampleShape?: number | number[];
}

/** `[0..a)`, then the `s` dims after the `b` batch dims, then the `b` batch dims, then the rest (`e` dims). */
function moveBlock(a: number, b: number, s: number, e: number): number[] {
  const r = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
  return [...r(0, a), ...r(a + b, s), ...r(a, b), ...r(a + b + s, e)];
}

/**
 * Independent, identically distributed draws of a distribution as one event (TFP's
 * `tfd.Sample`): the event shape is `[...sampleShape, ...innerEvent]`, the batch shape
 * the inner one's.
 *
 * Mathematical details: `log p(x) = Σ_{s ∈ S} log p_inner(x_s)`; the entropy is `|S|` times
 * the inner entropy; mean and variance are the inner ones repeated over `S`. Reparameterized
 * when the inner distribution is. Owns the inner distribution (`dispose()` releases it).
 *
 * @param args.distribution the distribution of one draw, batch `[...B]`, event `[...E]`
 * @param args.sampleShape `S`; the event shape is `[...S, ...E]`
 *
 * @example
 * ```ts
 * const d = new tfd.Sample({ distribution: new tfd.Normal({ loc: [0, 1], scale: 1 }), sampleShape: [3] });
 * d.batchShape; d.eventShape;      // [2], [3]
 * d.logProb([[0, 0, 0], [1, 1, 1]]); // [3 log N(0; 0, 1), 3 log N(1; 1, 1)]
 * ```
 */
export class Sample extends Distribution {
  readonly distribution: Distribution;
  readonly sampleShape: number[];

  constructor(args: SampleArgs) {
    checkArgsObject('Sample', args, ['distribution', 'sampleShape']);
    checkDistributionArg('Sample', 'distribution', args.distribution);
    let s: number[];
    try {
      s = asShape(args.sampleShape ?? [], 'Sample');
    } catch (e) {
      throw new InvalidArgumentError(`Sample: ${(e as Error).message.replace(/^Sample: /, '')}`);
    }
    const inner = args.distribution;
    super({
      ...args,
      className: 'Sample',
      batchShape: inner.batchShape,
      eventShape: [...s, ...inner.eventShape],
      reparameterized: inner.reparameterized,
      ...(inner.support ? { support: inner.support } : {}),
    });
    this.distribution = inner;
    this.sampleShape = s;
  }

  protected override ownedDistributions(): Distribution[] {
    return [this.distribution];
  }

  protected sampleN(n: number, seed?: number): tf.Tensor {
    const x = this.distribution.sample([n, ...this.sampleShape], seed === undefined ? {} : { seed });
    const perm = moveBlock(1, this.sampleShape.length, this.batchShape.length, this.distribution.eventShape.length);
    return tf.transpose(x, perm);
  }

  protected override logProbFn(x: tf.Tensor): tf.Tensor {
    const e = this.eventShape.length;
    const b = this.batchShape.length;
    const s = this.sampleShape.length;
    // The full event (dims of 1 broadcast: each of the |S| draws is counted) and the full batch rank.
    let v = x;
    const lead = v.rank - e;
    if (lead < b) v = tf.reshape(v, [...new Array<number>(b - lead).fill(1), ...v.shape]);
    const want = [...v.shape.slice(0, v.rank - e), ...this.eventShape];
    if (!want.every((d, i) => d === v.shape[i])) v = tf.broadcastTo(v, want);
    const a = v.rank - e - b;
    const lp = this.distribution.logProb(tf.transpose(v, moveBlock(a, b, s, this.distribution.eventShape.length)));
    return s === 0 ? lp : tf.sum(lp, Array.from({ length: s }, (_, i) => a + i));
  }

  private repeated(t: tf.Tensor): tf.Tensor {
    const b = this.batchShape.length;
    let v = tf.reshape(t, [...t.shape.slice(0, b), ...this.sampleShape.map(() => 1), ...t.shape.slice(b)]);
    v = tf.broadcastTo(v, [...this.batchShape, ...this.eventShape]);
    return v;
  }
  protected override meanFn(): tf.Tensor {
    return this.repeated(this.distribution.mean());
  }
  protected override modeFn(): tf.Tensor {
    return this.repeated(this.distribution.mode());
  }
  protected override varianceFn(): tf.Tensor {
    return this.repeated(this.distribution.variance());
  }
  protected override stddevFn(): tf.Tensor {
    return this.repeated(this.distribution.stddev());
  }
  protected override entropyFn(): tf.Tensor {
    return tf.mul(this.distribution.entropy(), sizeOf(this.sampleShape));
  }

  protected override eventSpaceBijectorFn(): Bijector {
    const b = this.distribution.defaultEventSpaceBijector();
    if (this.sampleShape.length > 0 && b.experimentalBatchShape().length > 0 && this.batchShape.length > 0) {
      b.dispose();
      throw new NotImplementedError(
        `Sample does not implement defaultEventSpaceBijector for a batched ${this.distribution.className} whose event-space ` +
          `bijector has parameters of its own; wrap the distribution in Independent instead`,
      );
    }
    return b;
  }
}

registerKL(Sample, Sample, (p, q) => {
  if (p.sampleShape.length !== q.sampleShape.length || !p.sampleShape.every((d, i) => d === q.sampleShape[i])) {
    throw new NotImplementedError(`klDivergence: KL(Sample || Sample) needs equal sampleShapes; got [${p.sampleShape}] and [${q.sampleShape}]`);
  }
  return tf.mul(klDivergence(p.distribution, q.distribution), sizeOf(p.sampleShape));
});
