/**
 * The fast path of each head (the library's fused kernels, and tfjs' components as `tfp.ready()`
 * accelerates them) against stock tfjs (`setKernelsEnabled(false)`: the heads' composed tfjs ops,
 * and `restore()`): NLL gradients on random and saturated batches at float32 tolerance, and a
 * seeded few-epoch `model.fit` whose weights match stock tfjs to float32 summation order.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { restore } from '../../src/accelerate/install.js';
import { ready } from '../../src/backend.js';
import { setKernelsEnabled } from '../../src/kernels/register.js';
import { DistributionLayer } from '../../src/layers/distribution_layer.js';
import { IndependentNormal } from '../../src/layers/independent_normal.js';
import { MixtureDensity } from '../../src/layers/mixture_density.js';
import { MixtureNormal } from '../../src/layers/mixture_normal.js';
import { MixtureSameFamily } from '../../src/layers/mixture_same_family.js';
import { MultivariateNormalTriL } from '../../src/layers/multivariate_normal_tril.js';
import { negativeLogLikelihood } from '../../src/losses/nll.js';
import { expectNoLeak } from '../helpers.js';

const backend = process.env['TFP_TEST_BACKEND'] ?? 'wasm';
afterEach(() => setKernelsEnabled(true));
afterAll(async () => {
  restore();
  await ready({ backend, accelerate: process.env['TFP_ACCELERATE'] === '1' });
});

type Make = () => DistributionLayer;
/** Each head with the event size of its targets. */
const HEADS: Array<[string, Make, number]> = [
  ['MixtureNormal K=20 (scalar events)', () => new MixtureNormal({ numComponents: 20, eventShape: [1] }), 1],
  ['MixtureNormal K=3, events of 2', () => new MixtureNormal({ numComponents: 3, eventShape: [2] }), 2],
  ['MixtureDensity K=20 (scalar events)', () => new MixtureDensity({ numComponents: 20, eventSize: 1, seed: 4 }), 1],
  ['IndependentNormal, events of 3', () => new IndependentNormal({ eventShape: [3] }), 3],
  ['MultivariateNormalTriL, events of 3', () => new MultivariateNormalTriL({ eventSize: 3 }), 3],
  ['MixtureSameFamily K=3 of IndependentNormal(2)', () => new MixtureSameFamily({ numComponents: 3, componentLayer: new IndependentNormal({ eventShape: [2] }) }), 2],
];

/** Rows of raw parameters for `head`: random, or saturated (one component's logit +30, raw scales near -10: σ ≈ 5e-5, targets next to that component's mean). */
function batch(head: DistributionLayer, n: number, B: number, saturated: boolean, seed: number): { p: tf.Tensor2D; y: tf.Tensor2D } {
  return tf.tidy(() => {
    const P = head.paramsSize;
    const y = tf.randomNormal([B, n], 0, 1, 'float32', seed) as tf.Tensor2D;
    let p = tf.randomNormal([B, P], 0, 1, 'float32', seed + 1) as tf.Tensor2D;
    const cls = head.getClassName();
    if (cls === 'MixtureDensity') {
      // [μ (K·n), σ > 0 (K·n), logits (K)]
      const K = (head as MixtureDensity).numComponents;
      const [mu, s, l] = tf.split(p, [K * n, K * n, K], 1);
      const sigma = saturated ? tf.exp(tf.add(tf.mul(s!, 0.5), -10)) : tf.softplus(s!);
      const logits = saturated ? tf.add(l!, tf.mul(tf.oneHot(tf.zeros([B], 'int32'), K), 30)) : l!;
      p = tf.concat([mu!, sigma, logits], 1) as tf.Tensor2D;
      return { p, y: saturated ? (tf.add(tf.slice(mu!, [0, 0], [B, n]), tf.mul(tf.slice(sigma, [0, 0], [B, n]), 0.5)) as tf.Tensor2D) : y };
    }
    if (!saturated) return { p, y };
    if (cls === 'MixtureNormal' || cls === 'MixtureSameFamily') {
      // [logits (K), K × (μ (n), raw σ (n))]
      const K = P / (1 + 2 * n);
      const logits = tf.add(tf.slice(p, [0, 0], [B, K]), tf.mul(tf.oneHot(tf.zeros([B], 'int32'), K), 30));
      const blocks = tf.reshape(tf.slice(p, [0, K], [B, 2 * K * n]), [B, K, 2, n]);
      const [mu, raw] = tf.unstack(blocks, 2);
      const tiny = tf.add(tf.mul(raw!, 0.5), -10);
      p = tf.concat([logits, tf.reshape(tf.stack([mu!, tiny], 2), [B, 2 * K * n])], 1) as tf.Tensor2D;
      const mu0 = tf.reshape(tf.slice(mu!, [0, 0, 0], [B, 1, n]), [B, n]);
      return { p, y: tf.add(mu0, tf.mul(tf.softplus(tf.reshape(tf.slice(tiny, [0, 0, 0], [B, 1, n]), [B, n])), 0.5)) as tf.Tensor2D };
    }
    // IndependentNormal [μ (n), raw σ (n)] and MultivariateNormalTriL [μ (n), triangle]: small scales near the targets.
    const mu = tf.slice(p, [0, 0], [B, n]);
    const rest = tf.add(tf.mul(tf.slice(p, [0, n], [B, P - n]), 0.5), cls === 'IndependentNormal' ? -8 : -3);
    return { p: tf.concat([mu, rest], 1) as tf.Tensor2D, y: tf.add(mu, tf.mul(tf.randomNormal([B, n], 0, 1, 'float32', seed + 2), 1e-3)) as tf.Tensor2D };
  });
}

/** NLL value and its gradient with respect to the parameters and the targets. */
function nllAndGrads(head: DistributionLayer, p: tf.Tensor, y: tf.Tensor): { v: number; gp: Float32Array; gy: Float32Array } {
  const loss = negativeLogLikelihood(head);
  const { value, grads } = tf.tidy(() => {
    const r = tf.valueAndGrads((pp: tf.Tensor, yy: tf.Tensor) => loss(yy, pp))([p, y]);
    return { value: r.value, grads: r.grads };
  });
  const out = { v: value.dataSync()[0]!, gp: grads[0]!.dataSync() as Float32Array, gy: grads[1]!.dataSync() as Float32Array };
  tf.dispose([value, ...grads]);
  return out;
}

/** |a - b| ≤ rtol·|b| + atol·max|b| elementwise, reporting the worst element. */
function expectMatch(a: Float32Array, b: Float32Array, what: string, rtol = 1e-4, atol = 1e-5): void {
  expect(a.length).toBe(b.length);
  let scale = 0;
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  let worst = -1, excess = 0;
  for (let i = 0; i < a.length; i++) {
    const e = Math.abs(a[i]! - b[i]!) - (rtol * Math.abs(b[i]!) + atol * scale);
    if (!(e <= excess)) {
      excess = e;
      worst = i;
    }
  }
  expect(worst, `${what}: element ${worst}: fast ${a[worst]} vs stock ${b[worst]} (max |stock| ${scale})`).toBe(-1);
}

describe('heads: fast path against stock tfjs', () => {
  for (const [name, make, n] of HEADS) {
    for (const saturated of [false, true]) {
      it(`${name}: NLL and its gradients (params, targets), ${saturated ? 'saturated (one component dominating, tiny scales)' : 'random rows'}`, () => {
        const head = make();
        const { p, y } = batch(head, n, 64, saturated, saturated ? 11 : 3);
        const fast = nllAndGrads(head, p, y);
        setKernelsEnabled(false);
        const stock = nllAndGrads(head, p, y);
        setKernelsEnabled(true);
        expect(Math.abs(fast.v - stock.v)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(stock.v)));
        expectMatch(fast.gp, stock.gp, 'd/dparams');
        expectMatch(fast.gy, stock.gy, 'd/dy');
        expectNoLeak(() => negativeLogLikelihood(head)(y, p), 'fast NLL');
        tf.dispose([p, y]);
      });
    }
  }

  /** A seeded model (Dense 16 relu, Dense 16 relu, the head's projection) fitted 3 epochs; its final weights. */
  async function fit(make: Make, n: number): Promise<Float32Array[]> {
    const head = make();
    const init = (seed: number) => tf.initializers.glorotUniform({ seed });
    const layers: tf.layers.Layer[] = [
      tf.layers.dense({ inputShape: [2], units: 16, activation: 'relu', kernelInitializer: init(1) }),
      tf.layers.dense({ units: 16, activation: 'relu', kernelInitializer: init(2) }),
    ];
    if (head.getClassName() !== 'MixtureDensity') layers.push(tf.layers.dense({ units: head.paramsSize, kernelInitializer: init(3) }));
    layers.push(head);
    const model = tf.sequential({ layers });
    model.compile({ optimizer: tf.train.adam(0.01), loss: negativeLogLikelihood(head) });
    const x = tf.randomNormal([96, 2], 0, 1, 'float32', 7);
    const y = tf.tidy(() => tf.add(tf.mul(tf.sin(tf.slice(x, [0, 0], [96, 1])), 2), tf.randomNormal([96, n], 0, 0.3, 'float32', 8)));
    await model.fit(x, y, { batchSize: 32, epochs: 3, shuffle: false, verbose: 0 });
    const w = model.getWeights().map((t) => t.dataSync() as Float32Array);
    model.optimizer.dispose();
    model.dispose();
    tf.dispose([x, y]);
    return w;
  }

  for (const [name, make, n] of HEADS) {
    it(`${name}: a seeded 3-epoch model.fit gives stock tfjs' weights (float32 summation order)`, async () => {
      await ready({ backend }); // accelerated tfjs components, the library's kernels
      const fast = await fit(make, n);
      restore();
      await ready({ backend, accelerate: false });
      setKernelsEnabled(false); // stock tfjs: composed ops only
      const stock = await fit(make, n);
      setKernelsEnabled(true);
      fast.forEach((w, i) => expectMatch(w, stock[i]!, `weight ${i}`, 1e-4, 1e-5));
    });
  }
});
