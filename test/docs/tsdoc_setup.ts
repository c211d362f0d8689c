/**
 * What the TSDoc examples use without defining it (training data, a model), keyed by
 * `file#symbol` as test/docs/snippets.ts names them. An example not listed here runs as
 * written, with only `tf`, `tfp`, `tfd`, `tfb` and `tfpl` in scope.
 */
export interface DocSetup {
  /** Code run before the example, in the same scope. */
  setup?: string;
  /** Extra import lines for the module (for the setup). */
  imports?: string[];
  /** Assertions run after the example (`expect` in scope). */
  check?: string;
  /** Why the example is type-checked but not run. */
  typecheckOnly?: string;
}

const regression = (rows: number, inputs: number, outputs: number): string =>
  `const x = tf.randomNormal([${rows}, ${inputs}], 0, 1, 'float32', 1);\nconst y = tf.randomNormal([${rows}, ${outputs}], 0, 1, 'float32', 2);`;

const smallModel = `const head = new tfpl.IndependentNormal({ eventShape: [1] });
const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 2 }), head] });
${regression(16, 2, 1)}
const xTest = x;`;

/** After an example that changes the process's tfjs set-up: back to what the test setup chose. */
const backToSuiteSetup = "tfp.setFastDefaults(true);\ntfp.restore();\nawait tfp.ready({ accelerate: process.env['TFP_ACCELERATE'] === '1' });";

export const setups: Record<string, DocSetup> = {
  'src/accelerate/install.ts#restore': { check: `expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();\n${backToSuiteSetup}` },
  'src/accelerate/install.ts#setFastDefaults': { check: backToSuiteSetup },
  'src/model.ts#modelLosses': {
    setup:
      "const model = tf.sequential({ layers: [new tfpl.DenseVariational({ inputShape: [1], units: 2, klWeight: 0.1 }), new tfpl.IndependentNormal()] });",
    check: 'expect(kl.shape).toEqual([]);\nkl.dispose();',
  },
  'src/io/index.ts#registerFileRouter': { setup: smallModel },
  'src/backend.ts#ready': {
    typecheckOnly: 'switches the backend of the whole process, and to wasm with a page\'s URLs',
    imports: ["import * as wasm from '@tensorflow/tfjs-backend-wasm';"],
  },
  'src/bijectors/masked_autoregressive_flow.ts#MaskedAutoregressiveFlow': {
    setup: "const batch = tf.randomNormal([32, 2], 0, 1, 'float32', 1);",
    check: 'const opt = tf.train.adam(1e-2);\nexpect(() => opt.minimize(loss as () => tf.Scalar)).not.toThrow();',
  },
  'src/distributions/distribution.ts#validate': {
    setup: 'const scaleTensor = tf.tensor1d([1, 2]);',
  },
  'src/io/index.ts#saveModel': {
    typecheckOnly: 'indexeddb:// needs a browser (test/browser/ runs the round trip in Chromium)',
    setup: smallModel,
  },
  'src/io/index.ts#loadModel': {
    typecheckOnly: 'indexeddb:// needs a browser (test/browser/ runs the round trip in Chromium)',
    setup: regression(4, 2, 1),
  },
  'src/io/keras.ts#prepareKerasArtifacts': { typecheckOnly: 'fetches a converted model over http' },
  'src/train/fast_adam.ts#FastAdam': {
    setup: smallModel,
    check: "await model.fit(x, y, { epochs: 1 });\nexpect(model.optimizer).toBeInstanceOf(tfpl.FastAdam);",
  },
  'src/layers/autoregressive_transform.ts#AutoregressiveTransform': {
    setup: "const n = 64;\nconst points = tf.randomNormal([n, 2], 0, 1, 'float32', 1);",
  },
  'src/layers/conv2d_flipout.ts#Convolution2DFlipout': { setup: 'const n = 60000;' },
  'src/layers/conv2d_reparameterization.ts#Convolution2DReparameterization': { setup: 'const n = 60000;' },
  'src/layers/dense_flipout.ts#DenseFlipout': { setup: 'const n = 1000;' },
  'src/layers/dense_reparameterization.ts#DenseReparameterization': { setup: 'const n = 1000;' },
  'src/layers/dense_variational.ts#DenseVariational': {
    setup: "const xTrain = tf.randomNormal([32, 1], 0, 1, 'float32', 1);\nconst yTrain = xTrain.mul(2).add(1);",
  },
  'src/layers/independent_bernoulli.ts#IndependentBernoulli': {
    setup: "const x = tf.randomNormal([16, 4], 0, 1, 'float32', 1);\nconst labels = tf.randomUniform([16, 3], 0, 1, 'float32', 2).round();",
  },
  'src/layers/independent_normal.ts#IndependentNormal': {
    setup: regression(16, 4, 3),
    check: 'expect(d.batchShape).toEqual([16]);\nexpect(d.eventShape).toEqual([3]);',
  },
  'src/layers/multivariate_normal_tril.ts#MultivariateNormalTriL': {
    setup: regression(16, 6, 5),
    check: 'expect(d.batchShape).toEqual([16]);\nexpect(d.eventShape).toEqual([5]);',
  },
  'src/layers/independent_poisson.ts#IndependentPoisson': {
    setup: "const x = tf.randomNormal([16, 4], 0, 1, 'float32', 1);\nconst counts = tf.randomUniform([16, 1], 0, 5, 'int32', 2).toFloat();",
  },
  'src/layers/kl_divergence_add_loss.ts#KLDivergenceAddLoss': {
    setup: "const h = tf.input({ shape: [3] });\nconst prior = new tfd.Independent({ distribution: new tfd.Normal({ loc: tf.zeros([2]), scale: 1 }), reinterpretedBatchNdims: 1 });",
  },
  'src/layers/kl_divergence_regularizer.ts#KLDivergenceRegularizer': {
    setup: "const posteriorOfTheBatch = new tfd.Independent({ distribution: new tfd.Normal({ loc: tf.ones([2]), scale: 0.5 }), reinterpretedBatchNdims: 1 });",
    check: 'expect(penalty.shape).toEqual([]);',
  },
  'src/layers/mixture_density.ts#MixtureDensity': {
    setup: regression(32, 1, 1),
    check: 'expect(ys.shape).toEqual([32, 1]);',
  },
  'src/train/train_step.ts#makeTrainStep': {
    setup: `${smallModel}\nconst batches: [tf.Tensor, tf.Tensor][] = [[x, y]];`,
  },
  'src/losses/nll.ts#negativeLogLikelihood': {
    setup: regression(16, 2, 1),
  },
  'src/losses/nll.ts#klStandardNormal': {
    setup: "const zMean = tf.randomNormal([8, 2], 0, 1, 'float32', 1);\nconst zLogVar = tf.zeros([8, 2]);",
    check: 'expect(kl.shape).toEqual([8]);\nexpect(klLoss.shape).toEqual([]);',
  },
  'src/math/count_samplers.ts#randomPoisson': {
    imports: ["import { randomPoisson } from '../../packages/tfjs-probability/src/math/count_samplers.js';"],
    check: 'expect(x.shape).toEqual([1000, 2]);',
  },
  'src/math/count_samplers.ts#randomBinomial': {
    imports: ["import { randomBinomial } from '../../packages/tfjs-probability/src/math/count_samplers.js';"],
    check: 'expect(x.shape).toEqual([1000, 3]);',
  },
  'src/model.ts#predictDistribution': {
    setup: `const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: tfpl.MultivariateNormalTriL.paramsSize(5) }), new tfpl.MultivariateNormalTriL({ eventSize: 5 })] });\nconst xTest = tf.randomNormal([4, 2], 0, 1, 'float32', 1);`,
    check: 'expect(mu.shape).toEqual([4, 5]);\nexpect(cov.shape).toEqual([4, 5, 5]);',
  },
  'src/model.ts#sampleFromModel': {
    setup: smallModel,
    check: 'expect(s.shape).toEqual([16, 100, 1]);',
  },
  'src/model.ts#predictiveMixture': { setup: smallModel },
};
