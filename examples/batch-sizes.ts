/**
 * Recipe 004: Gaussian and multivariate Gaussian NLL losses that work for any
 * batch size. The recipe's failure (a loss that is right for batch size 1 and
 * wrong or failing for 32, because targets broadcast against the whole batch
 * of parameters) cannot happen with `tfp.losses.negativeLogLikelihood(head)`:
 * the head's distribution has batch shape [N] and each row contributes only
 * its own log density.
 *
 * For a Normal head (recipe example 1, y of shape [N, 1]) and a full-covariance
 * head (example 2, y [N, 2]): the loss of the same weights on the same data is
 * identical for batch sizes 1, 32 and the whole set; and models trained with
 * batch sizes 1 and 32 both work and reach the same held-out NLL.
 *
 * Run: npx tsx examples/batch-sizes.ts [--rows 1000] [--epochs 10]
 */
import * as tf from '@tensorflow/tfjs';
import * as tfp from 'tfjs-probability';

const tfpl = tfp.layers;

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}
const ROWS = arg('rows', 1000);
const EPOCHS = arg('epochs', 5);

type Head = InstanceType<typeof tfpl.IndependentNormal> | InstanceType<typeof tfpl.MultivariateNormalTriL>;

function build(head: Head, seed: number): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [10], units: 64, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed }) }),
      tf.layers.dense({ units: head.paramsSize, kernelInitializer: tf.initializers.glorotNormal({ seed: seed + 1 }) }),
      head,
    ],
  });
  return model;
}

async function scalar(t: tf.Tensor | tf.Tensor[]): Promise<number> {
  const s = Array.isArray(t) ? t[0]! : t;
  const v = (await s.data())[0]!;
  tf.dispose(t);
  return v;
}

/** y = f(x) + noise, with D = 1 (Normal) or D = 2 (correlated noise). */
function data(n: number, D: number, seed: number): { x: tf.Tensor; y: tf.Tensor } {
  return tf.tidy(() => {
    const W = tf.randomNormal([10, D], 0, 0.5, 'float32', 11);
    const x = tf.randomNormal([n, 10], 0, 1, 'float32', seed);
    const f = tf.tanh(tf.matMul(x, W)).mul(2);
    const sd = tf.exp(tf.mul(0.3, x.slice([0, 0], [n, 1])));
    const e = tf.randomNormal([n, D], 0, 1, 'float32', seed + 1);
    const noise = D === 1 ? e : tf.matMul(e, tf.tensor2d([[1, 0.7], [0, 0.7]]));
    return { x, y: tf.add(f, tf.mul(sd, noise)) };
  });
}

async function run(name: string, makeHead: () => Head, D: number): Promise<void> {
  console.log(`${name}`);
  const train = data(ROWS, D, 1);
  const test = data(500, D, 2);
  // (a) The same weights: the loss does not depend on the batch size.
  {
    const head = makeHead();
    const model = build(head, 5);
    model.compile({ optimizer: 'sgd', loss: tfp.losses.negativeLogLikelihood(head) });
    const vals: string[] = [];
    for (const bs of [1, 32, ROWS]) {
      vals.push(`batch ${bs}: ${(await scalar(model.evaluate(train.x, train.y, { batchSize: bs }))).toFixed(6)}`);
    }
    console.log(`  loss of one set of weights on ${ROWS} rows, ${vals.join(', ')}`);
    model.dispose();
  }
  // (b) Training with batch size 1 and 32 both work and agree.
  const results: number[] = [];
  for (const bs of [1, 32]) {
    const head = makeHead();
    const model = build(head, 5);
    // Batch size 1 takes 32x more (noisier) steps per epoch: a smaller learning rate; batch size 32
    // gets 10x the epochs (still 3x fewer steps) so that both runs reach convergence.
    const lr = bs === 1 ? 1e-3 : 3e-3;
    const epochs = bs === 1 ? EPOCHS : 10 * EPOCHS;
    model.compile({ optimizer: tf.train.adam(lr), loss: tfp.losses.negativeLogLikelihood(head) });
    const t0 = Date.now();
    const h = await model.fit(train.x, train.y, { epochs, batchSize: bs, verbose: 0, shuffle: false }); // i.i.d. rows; reproducible
    const l = h.history['loss'] as number[];
    const testNll = await scalar(model.evaluate(test.x, test.y, { batchSize: 500 }));
    results.push(testNll);
    console.log(
      `  trained with batch size ${String(bs).padStart(2)} (${epochs} epochs, adam ${lr}): train NLL ${l[0]!.toFixed(3)} -> ${l[l.length - 1]!.toFixed(3)}, ` +
        `held-out NLL ${testNll.toFixed(3)} (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
    );
    model.optimizer.dispose();
    model.dispose();
  }
  console.log(`  both work; held-out NLL differs by ${Math.abs(results[0]! - results[1]!).toFixed(3)} nats\n`);
  tf.dispose([train.x, train.y, test.x, test.y]);
}

async function main(): Promise<void> {
  const backend = await tfp.ready();
  console.log(`NLL losses for any batch size (recipe 004), backend ${backend}\n`);
  await run('Normal head (IndependentNormal, eventShape [1]); y [N, 1]', () => new tfpl.IndependentNormal({ eventShape: [1] }), 1);
  await run('Full-covariance head (MultivariateNormalTriL, eventSize 2); y [N, 2]', () => new tfpl.MultivariateNormalTriL({ eventSize: 2 }), 2);
  console.log(`live tensors at the end: ${tf.memory().numTensors}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
