/**
 * The predictive distribution of a fitted model for a batch of input rows, in
 * the targets' original units.
 *
 * The networks predict standardized targets z = (y - mean) / std. Everything
 * is mapped back exactly: means and quantiles by y = mean + std * z, standard
 * deviations by std, covariances by diag(std) C diag(std), densities by the
 * Jacobian (log p(y) = log p(z) - sum log std), samples draw by draw.
 *
 * Every head of this CLI (normal, mvn-tril, mixture:K) and their ensembles
 * have Gaussian-mixture marginals: each output column is, per row, a mixture
 * of C univariate normals (C = networks x components). The marginals are read
 * from the distributions' public methods (mean, stddev, covariance, and the
 * mixture weights through the mixing Categorical's logProb), which gives exact
 * marginal CDFs (PIT values) for every head. Central intervals come from
 * Normal.quantile when the marginal is one normal (a single normal or
 * mvn-tril network), else from bisection on the exact marginal mixture CDF.
 */
import * as tf from '@tensorflow/tfjs';
import * as tfp from 'tfjs-probability';
import type { Fitted } from './model.js';
import { parseHead, type HeadKind } from './model.js';
import { applyScaler, logDetScale } from './scaler.js';
import { DEFAULT_MC_SAMPLES } from './bayesian.js';
import { gpPredictive } from './gp.js';

type Dist = tfp.distributions.Distribution;
const tfd = tfp.distributions;

export interface Marginals {
  /** Components per row (networks x mixture components). */
  c: number;
  /** `[n, c]` weights (rows sum to 1). */
  w: Float32Array;
  /** `[n, c, d]` component means, original units. */
  mu: Float32Array;
  /** `[n, c, d]` component standard deviations, original units. */
  sd: Float32Array;
}

interface MixtureLike {
  mixtureDistribution: Dist;
  componentsDistribution: Dist;
}

function isMixtureSameFamily(d: Dist): d is Dist & MixtureLike {
  const m = d as unknown as Partial<MixtureLike>;
  return m.mixtureDistribution !== undefined && m.componentsDistribution !== undefined;
}

export class Predictive {
  readonly n: number;
  readonly d: number;
  readonly kind: HeadKind;
  readonly networks: number;
  readonly marg: Marginals;
  private readonly fitted: Fitted;
  private readonly xt: tf.Tensor2D;
  private readonly dists: Dist[];
  private joint: Dist | null = null;
  private readonly yMean: tf.Tensor1D;
  private readonly yStd: tf.Tensor1D;

  /** `x` is row-major `[n * xColumns]` in original units. */
  constructor(fitted: Fitted, x: ArrayLike<number>, n: number) {
    this.fitted = fitted;
    this.n = n;
    this.d = fitted.meta.yColumns.length;
    this.kind = parseHead(fitted.meta.head).kind;
    this.networks = fitted.members.length;
    const f = fitted.meta.xColumns.length;
    this.xt = tf.tensor2d(applyScaler(fitted.meta.xScaler, x, n), [n, f]);
    this.yMean = tf.tensor1d(fitted.meta.yScaler.mean);
    this.yStd = tf.tensor1d(fitted.meta.yScaler.std);
    this.dists = [];
    try {
      // A Bayesian network draws fresh weights per call: its predictive is the mixture of several passes.
      const passes = fitted.meta.training?.bayesian ? (fitted.meta.training.mcSamples ?? DEFAULT_MC_SAMPLES) : 1;
      if (fitted.gp) this.dists.push(gpPredictive(fitted.gp, this.xt));
      for (const model of fitted.members) {
        for (let s = 0; s < passes; s++) this.dists.push(tfp.predictDistribution(model, this.xt));
      }
      this.marg = this.computeMarginals();
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  private computeMarginals(): Marginals {
    const { n, d } = this;
    const parts = this.dists.map((dist) =>
      tf.tidy(() => {
        if (isMixtureSameFamily(dist)) {
          const comp = dist.componentsDistribution;
          const mu = comp.mean(); // [n, K, d]
          const sd = comp.stddev();
          const k = mu.shape[1]!;
          const logw = tf.stack(
            Array.from({ length: k }, (_, j) => dist.mixtureDistribution.logProb(tf.fill([n], j, 'int32'))),
            1,
          ); // [n, K]
          return { w: tf.exp(logw), mu, sd };
        }
        const mu = dist.mean().reshape([n, 1, d]);
        const sd = dist.stddev().reshape([n, 1, d]);
        return { w: tf.ones([n, 1]), mu, sd };
      }),
    );
    const m = parts.length;
    const res = tf.tidy(() => {
      const w = tf.div(tf.concat(parts.map((p) => p.w), 1), m);
      const mu = tf.add(tf.mul(tf.concat(parts.map((p) => p.mu), 1), this.yStd), this.yMean);
      const sd = tf.mul(tf.concat(parts.map((p) => p.sd), 1), this.yStd);
      return [w, mu, sd];
    });
    parts.forEach((p) => tf.dispose([p.w, p.mu, p.sd]));
    const [w, mu, sd] = res as [tf.Tensor, tf.Tensor, tf.Tensor];
    const out: Marginals = {
      c: w.shape[1]!,
      w: w.dataSync() as Float32Array,
      mu: mu.dataSync() as Float32Array,
      sd: sd.dataSync() as Float32Array,
    };
    tf.dispose(res);
    return out;
  }

  /** The predictive distribution in standardized units: one network's, or the uniform mixture of the ensemble's. */
  private jointStd(): Dist {
    if (this.dists.length === 1) return this.dists[0]!;
    if (!this.joint) {
      const logits = tf.zeros([this.n, this.dists.length]);
      const cat = new tfd.Categorical({ logits });
      logits.dispose();
      this.joint = new tfd.Mixture({ cat, components: this.dists });
    }
    return this.joint;
  }

  /** `[n * d]` predictive means. */
  mean(): Float64Array {
    const { n, d, marg } = this;
    const out = new Float64Array(n * d);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < marg.c; c++) {
        const w = marg.w[i * marg.c + c]!;
        for (let j = 0; j < d; j++) out[i * d + j]! += w * marg.mu[(i * marg.c + c) * d + j]!;
      }
    }
    return out;
  }

  /** `[n * d]` predictive standard deviations (law of total variance over components). */
  stddev(): Float64Array {
    const { n, d, marg } = this;
    const mean = this.mean();
    const out = new Float64Array(n * d);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < marg.c; c++) {
        const w = marg.w[i * marg.c + c]!;
        for (let j = 0; j < d; j++) {
          const k = (i * marg.c + c) * d + j;
          out[i * d + j]! += w * (marg.sd[k]! ** 2 + marg.mu[k]! ** 2);
        }
      }
      for (let j = 0; j < d; j++) out[i * d + j] = Math.sqrt(Math.max(0, out[i * d + j]! - mean[i * d + j]! ** 2));
    }
    return out;
  }

  /**
   * `[n * d * d]` predictive covariances. For mvn-tril networks from each
   * network's `covariance()`; otherwise from the diagonal components. Mixed over
   * components and networks by the law of total covariance.
   */
  covariance(): Float64Array {
    const { n, d, marg } = this;
    const mean = this.mean();
    const out = new Float64Array(n * d * d);
    const std = this.fitted.meta.yScaler.std;
    if (this.kind === 'mvn-tril') {
      const m = this.dists.length;
      for (const dist of this.dists) {
        const cov = tf.tidy(() => dist.covariance());
        const mu = tf.tidy(() => dist.mean());
        const cv = cov.dataSync();
        const mv = mu.dataSync();
        tf.dispose([cov, mu]);
        const ym = this.fitted.meta.yScaler.mean;
        for (let i = 0; i < n; i++) {
          for (let a = 0; a < d; a++) {
            const ma = mv[i * d + a]! * std[a]! + ym[a]!;
            for (let b = 0; b < d; b++) {
              const mb = mv[i * d + b]! * std[b]! + ym[b]!;
              out[(i * d + a) * d + b]! += (cv[(i * d + a) * d + b]! * std[a]! * std[b]! + ma * mb) / m;
            }
          }
        }
      }
    } else {
      for (let i = 0; i < n; i++) {
        for (let c = 0; c < marg.c; c++) {
          const w = marg.w[i * marg.c + c]!;
          const base = (i * marg.c + c) * d;
          for (let a = 0; a < d; a++) {
            for (let b = 0; b < d; b++) {
              out[(i * d + a) * d + b]! += w * (marg.mu[base + a]! * marg.mu[base + b]! + (a === b ? marg.sd[base + a]! ** 2 : 0));
            }
          }
        }
      }
    }
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) out[(i * d + a) * d + b]! -= mean[i * d + a]! * mean[i * d + b]!;
    }
    return out;
  }

  /** How central intervals are computed for this model (for reports). */
  get intervalMethod(): string {
    return this.marg.c === 1
      ? 'exact: Normal.quantile of each marginal'
      : 'exact marginal mixture CDF inverted by bisection (60 steps)';
  }

  /** `[n * d]` marginal quantiles at probability `p`. */
  quantile(p: number): Float32Array {
    const { n, d, marg } = this;
    const t = tf.tidy(() => {
      const mu = tf.tensor3d(marg.mu, [n, marg.c, d]);
      const sd = tf.tensor3d(marg.sd, [n, marg.c, d]);
      if (marg.c === 1) {
        const normal = new tfd.Normal({ loc: mu.reshape([n, d]), scale: sd.reshape([n, d]) });
        const q = normal.quantile(p);
        normal.dispose();
        return q;
      }
      const w = tf.tensor3d(marg.w, [n, marg.c, 1]);
      const normal = new tfd.Normal({ loc: mu, scale: sd });
      let lo = tf.min(tf.sub(mu, tf.mul(sd, 12)), 1) as tf.Tensor;
      let hi = tf.max(tf.add(mu, tf.mul(sd, 12)), 1) as tf.Tensor;
      for (let it = 0; it < 60; it++) {
        const [l2, h2] = tf.tidy(() => {
          const mid = tf.div(tf.add(lo, hi), 2);
          const cdf = tf.sum(tf.mul(w, normal.cdf(tf.expandDims(mid, 1))), 1);
          const below = tf.less(cdf, p);
          return [tf.where(below, mid, lo), tf.where(below, hi, mid)];
        });
        tf.dispose([lo, hi]);
        lo = l2!;
        hi = h2!;
      }
      normal.dispose();
      return tf.div(tf.add(lo, hi), 2);
    });
    const out = t.dataSync() as Float32Array;
    t.dispose();
    return out;
  }

  /** `[n * d]` marginal CDF values at `y` (`[n * d]`, original units): the PIT values. */
  cdf(y: ArrayLike<number>): Float32Array {
    const { n, d, marg } = this;
    const t = tf.tidy(() => {
      const normal = new tfd.Normal({ loc: tf.tensor3d(marg.mu, [n, marg.c, d]), scale: tf.tensor3d(marg.sd, [n, marg.c, d]) });
      const v = normal.cdf(tf.tensor3d(Float32Array.from(y), [n, 1, d]));
      normal.dispose();
      return tf.sum(tf.mul(tf.tensor3d(marg.w, [n, marg.c, 1]), v), 1);
    });
    const out = t.dataSync() as Float32Array;
    t.dispose();
    return out;
  }

  /** `[n]` log densities of the rows of `y` (`[n * d]`, original units) under the joint predictive distribution. */
  logProb(y: ArrayLike<number>): Float64Array {
    const { n, d } = this;
    const joint = this.jointStd();
    const t = tf.tidy(() => {
      const z = tf.div(tf.sub(tf.tensor2d(Float32Array.from(y), [n, d]), this.yMean), this.yStd);
      return joint.logProb(z);
    });
    const v = t.dataSync();
    t.dispose();
    const shift = logDetScale(this.fitted.meta.yScaler);
    return Float64Array.from(v, (a) => a - shift);
  }

  /** `[n * s * d]` draws (row-major: row, draw, column), original units. */
  sample(s: number, seed?: number): Float32Array {
    const { n, d } = this;
    const t = tf.tidy(() => {
      let z: tf.Tensor;
      if (this.fitted.members.length === 1) {
        z = tfp.sampleFromModel(this.fitted.members[0]!, this.xt, s, { seed, layout: 'NSD' });
      } else {
        z = tf.transpose(this.jointStd().sample([s], { seed }), [1, 0, 2]);
      }
      return tf.add(tf.mul(tf.reshape(z, [n, s, d]), this.yStd), this.yMean);
    });
    const out = t.dataSync() as Float32Array;
    t.dispose();
    return out;
  }

  dispose(): void {
    if (this.joint && this.joint !== this.dists[0]) this.joint.dispose();
    this.dists.forEach((dd) => dd.dispose());
    tf.dispose([this.xt, this.yMean, this.yStd]);
  }
}
