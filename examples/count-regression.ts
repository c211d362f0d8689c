/**
 * Count regression on overdispersed, zero-inflated counts: Poisson vs negative
 * binomial vs zero-inflated negative binomial heads, against the true model.
 *
 * Synthetic data (x uniform on [-1, 1]², seeded): y ~ ZINB with structural-zero
 * probability π(x) = sigmoid(-1 + 1.5 x₁), NB mean μ(x) = exp(1 + 0.8 x₂ - 0.5 x₁)
 * and dispersion r = 1.5 (variance μ + μ²/r), drawn with the library's own
 * ZeroInflatedNegativeBinomial sampler (gamma–Poisson per element). The same MLP
 * body feeds three heads:
 * - `tfpl.IndependentPoisson` (raw = log rate),
 * - NB2: `DistributionLambda` on `[log μ, ρ]` -> NegativeBinomial(r = softplus(ρ), logits = log μ - log r),
 * - ZINB: `DistributionLambda` on `[logit π, log μ, ρ]` -> ZeroInflatedNegativeBinomial,
 * each trained by `tfp.losses.negativeLogLikelihood` on the natural integer targets.
 * It prints the held-out NLL (nats per row) of each head and of the generating
 * model, and the fraction of zeros each predicts vs observed.
 *
 * Run: npx tsx examples/count-regression.ts [--rows 6000] [--epochs 40] [--seed 1]
 */
import * as tf from '@tensorflow/tfjs';
import * as tfp from 'tfjs-probability';

const tfd = tfp.distributions;
const tfpl = tfp.layers;

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}
const ROWS = arg('rows', 6000);
const EPOCHS = arg('epochs', 40);
const SEED = arg('seed', 1);

await tfp.ready();

// ---------------------------------------------------------------- data
const R_TRUE = 1.5;
function trueModel(x: tf.Tensor2D): tfp.distributions.Distribution {
  const [logitPi, logits] = tf.tidy(() => {
    const x1 = x.slice([0, 0], [-1, 1]).reshape([-1]);
    const x2 = x.slice([0, 1], [-1, 1]).reshape([-1]);
    const logMu = tf.add(1, tf.sub(tf.mul(0.8, x2), tf.mul(0.5, x1)));
    return [tf.add(-1, tf.mul(1.5, x1)), tf.sub(logMu, Math.log(R_TRUE))];
  });
  try {
    return new tfd.ZeroInflatedNegativeBinomial({ inflatedLocLogits: logitPi!, totalCount: R_TRUE, logits: logits! });
  } finally {
    tf.dispose([logitPi!, logits!]);
  }
}
const uniform = new tfd.Uniform({ low: -1, high: 1 });
const x = uniform.sample([ROWS, 2], { seed: SEED }) as tf.Tensor2D;
uniform.dispose();
const truth = trueModel(x);
const y = truth.sample([], { seed: SEED + 1 }); // [ROWS]
const nTrain = Math.floor(ROWS * 2 / 3);
const [xTrain, xTest] = tf.split(x, [nTrain, ROWS - nTrain], 0) as [tf.Tensor2D, tf.Tensor2D];
const [yTrain, yTest] = tf.split(y, [nTrain, ROWS - nTrain], 0) as [tf.Tensor, tf.Tensor];
const yd = Array.from(y.dataSync());
console.log(
  `data: ${ROWS} rows (${nTrain} train, ${ROWS - nTrain} test); zeros ${((100 * yd.filter((v) => v === 0).length) / ROWS).toFixed(1)}%, ` +
    `mean ${(yd.reduce((a, v) => a + v, 0) / ROWS).toFixed(2)}, max ${Math.max(...yd)}`,
);

// ---------------------------------------------------------------- heads
function nb(logMu: tf.Tensor, rho: tf.Tensor): { totalCount: tf.Tensor; logits: tf.Tensor } {
  const r = tf.add(tf.softplus(rho), 1e-3);
  return { totalCount: r, logits: tf.sub(logMu, tf.log(r)) };
}
tfpl.registerDistributionFn('example/nb2', (p) => {
  const t = tf.tidy(() => nb(p.slice([0, 0], [-1, 1]).reshape([-1]), p.slice([0, 1], [-1, 1]).reshape([-1])));
  try {
    return new tfd.NegativeBinomial(t);
  } finally {
    tf.dispose([t.totalCount, t.logits]);
  }
});
tfpl.registerDistributionFn('example/zinb', (p) => {
  const col = (j: number) => p.slice([0, j], [-1, 1]).reshape([-1]);
  const t = tf.tidy(() => ({ inflatedLocLogits: col(0), ...nb(col(1), col(2)) }));
  try {
    return new tfd.ZeroInflatedNegativeBinomial(t);
  } finally {
    tf.dispose([t.inflatedLocLogits, t.totalCount, t.logits]);
  }
});

type Head = tf.layers.Layer & { paramsSize: number; eventShape: number[]; toDistribution(p: tf.Tensor): tfp.distributions.Distribution };
const heads: Array<[string, () => Head]> = [
  ['Poisson (IndependentPoisson)', () => new tfpl.IndependentPoisson({ eventShape: [] }) as unknown as Head],
  ['negative binomial (NB2)', () => new tfpl.DistributionLambda({ makeDistribution: 'example/nb2', paramsSize: 2 }) as unknown as Head],
  ['zero-inflated NB (ZINB)', () => new tfpl.DistributionLambda({ makeDistribution: 'example/zinb', paramsSize: 3 }) as unknown as Head],
];

function heldOut(d: tfp.distributions.Distribution): { nll: number; zeros: number } {
  return tf.tidy(() => ({
    nll: -tf.mean(d.logProb(yTest)).dataSync()[0]!,
    zeros: tf.mean(tf.exp(d.logProb(tf.zerosLike(yTest)))).dataSync()[0]!,
  }));
}

const results: Array<[string, number, number]> = [];
for (const [name, makeHead] of heads) {
  const head = makeHead();
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [2], units: 32, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 7 }) }),
      tf.layers.dense({ units: head.paramsSize, kernelInitializer: tf.initializers.glorotUniform({ seed: 8 }) }),
      head,
    ],
  });
  const optimizer = tf.train.adam(0.01);
  model.compile({ optimizer, loss: tfp.losses.negativeLogLikelihood(head) });
  await model.fit(xTrain, yTrain, { epochs: EPOCHS, batchSize: 128, verbose: 0, shuffle: true });
  const d = tfp.predictDistribution(model, xTest);
  const r = heldOut(d);
  results.push([name, r.nll, r.zeros]);
  d.dispose();
  model.dispose();
  optimizer.dispose();
}
const testTruth = trueModel(xTest);
const t = heldOut(testTruth);
const observedZeros = tf.tidy(() => tf.mean(tf.cast(tf.equal(yTest, 0), 'float32')).dataSync()[0]!);
console.log(`held-out NLL (nats per row), ${EPOCHS} epochs; predicted vs observed fraction of zeros (${observedZeros.toFixed(3)}):`);
for (const [name, nll, z] of results) console.log(`  ${name.padEnd(30)} ${nll.toFixed(4)}   zeros ${z.toFixed(3)}`);
console.log(`  ${'true model (ZINB, r = 1.5)'.padEnd(30)} ${t.nll.toFixed(4)}   zeros ${t.zeros.toFixed(3)}`);

tf.dispose([x, y, xTrain, xTest, yTrain, yTest]);
truth.dispose();
testTruth.dispose();
console.log(`live tensors at the end: ${tf.memory().numTensors}`);
