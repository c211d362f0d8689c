/**
 * The lean train function that `tfp.ready()` installs for `model.fit` (src/accelerate/train_function.ts)
 * against tfjs-layers' own: seeded few-epoch fits from the same initial weights give bit-identical
 * weights and identical History logs on cpu and wasm, for a model with a metric, a regularized
 * Dense, a Dropout layer and a tfp head; the cases it leaves to tfjs-layers (sample weights,
 * several outputs, branching graphs) still train, through tfjs-layers' function.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  installLeanTrainFunction,
  leanTrainFunctionInstalled,
  leanTrainFunctionSteps,
  uninstallLeanTrainFunction,
} from '../../src/accelerate/train_function.js';
import '../../src/layers/register.js';
import { MixtureDensity } from '../../src/layers/mixture_density.js';
import { negativeLogLikelihood } from '../../src/losses/nll.js';

let backendBefore = '';
const installedBefore = leanTrainFunctionInstalled();
beforeAll(() => {
  backendBefore = tf.getBackend();
  uninstallLeanTrainFunction();
});
afterAll(async () => {
  if (installedBefore) installLeanTrainFunction();
  else uninstallLeanTrainFunction();
  await tf.setBackend(backendBefore);
});

const init = (seed: number) => tf.initializers.glorotUniform({ seed });

interface Case {
  name: string;
  build(): tf.LayersModel;
  compile(model: tf.LayersModel): void;
  /** Whether the lean function handles it (else tfjs-layers' own runs). */
  lean: boolean;
  /** Extra fit arguments. */
  fitArgs?: tf.ModelFitArgs;
  /** Targets: [rows, columns] (one output) or several. */
  targets?: (x: tf.Tensor2D) => tf.Tensor | tf.Tensor[];
}

const mse = (model: tf.LayersModel) => model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError', metrics: ['mae'] });

const CASES: Case[] = [
  {
    name: 'Dense relu -> Dense with a metric (mae)',
    build: () =>
      tf.sequential({
        layers: [
          tf.layers.dense({ inputShape: [3], units: 16, activation: 'relu', kernelInitializer: init(1) }),
          tf.layers.dense({ units: 2, kernelInitializer: init(2) }),
        ],
      }),
    compile: mse,
    lean: true,
  },
  {
    name: 'L2-regularized Dense (its loss is added), tanh, Dropout (training flag), and an Activation layer',
    build: () =>
      tf.sequential({
        layers: [
          tf.layers.dense({ inputShape: [3], units: 16, activation: 'tanh', kernelInitializer: init(3), kernelRegularizer: tf.regularizers.l2({ l2: 0.05 }) }),
          tf.layers.dropout({ rate: 0.3, seed: 7 }),
          tf.layers.dense({ units: 8, kernelInitializer: init(4), biasRegularizer: tf.regularizers.l1({ l1: 0.01 }) }),
          tf.layers.activation({ activation: 'relu' }),
          tf.layers.dense({ units: 2, kernelInitializer: init(5) }),
        ],
      }),
    compile: mse,
    lean: true,
  },
  {
    name: 'functional chain with a MixtureDensity head and negativeLogLikelihood',
    build: () => {
      const input = tf.input({ shape: [3] });
      const h = tf.layers.dense({ units: 16, activation: 'relu', kernelInitializer: init(6) }).apply(input) as tf.SymbolicTensor;
      const head = new MixtureDensity({ eventSize: 2, numComponents: 3, seed: 8 });
      const p = tf.layers.dense({ units: head.paramsSize, kernelInitializer: init(7) }).apply(h) as tf.SymbolicTensor;
      return tf.model({ inputs: input, outputs: head.apply(p) as tf.SymbolicTensor });
    },
    compile: (model) => {
      const head = model.layers[model.layers.length - 1] as unknown as MixtureDensity;
      model.compile({ optimizer: tf.train.adam(0.01), loss: negativeLogLikelihood(head) });
    },
    lean: true,
  },
  {
    name: 'sample weights (classWeight): tfjs-layers\' own function',
    build: () =>
      tf.sequential({
        layers: [tf.layers.dense({ inputShape: [3], units: 2, activation: 'softmax', kernelInitializer: init(9) })],
      }),
    compile: (model) => model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] }),
    lean: false,
    fitArgs: { classWeight: { 0: 1, 1: 3 } },
    targets: (x) => tf.oneHot(tf.cast(tf.greater(tf.sum(x, 1), 0), 'int32'), 2).cast('float32'),
  },
  {
    name: 'two outputs: tfjs-layers\' own function',
    build: () => {
      const input = tf.input({ shape: [3] });
      const h = tf.layers.dense({ units: 8, activation: 'relu', kernelInitializer: init(10) }).apply(input) as tf.SymbolicTensor;
      const a = tf.layers.dense({ units: 1, kernelInitializer: init(11) }).apply(h) as tf.SymbolicTensor;
      const b = tf.layers.dense({ units: 1, kernelInitializer: init(12) }).apply(h) as tf.SymbolicTensor;
      return tf.model({ inputs: input, outputs: [a, b] });
    },
    compile: (model) => model.compile({ optimizer: tf.train.adam(0.01), loss: ['meanSquaredError', 'meanAbsoluteError'], metrics: ['mse'] }),
    lean: false,
    targets: (x) => [tf.sum(x, 1, true), tf.max(x, 1, true)],
  },
  {
    name: 'a branching graph (add of two branches): tfjs-layers\' own function',
    build: () => {
      const input = tf.input({ shape: [3] });
      const a = tf.layers.dense({ units: 4, kernelInitializer: init(13) }).apply(input) as tf.SymbolicTensor;
      const b = tf.layers.dense({ units: 4, activation: 'relu', kernelInitializer: init(14) }).apply(input) as tf.SymbolicTensor;
      const s = tf.layers.add().apply([a, b]) as tf.SymbolicTensor;
      return tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2, kernelInitializer: init(15) }).apply(s) as tf.SymbolicTensor });
    },
    compile: mse,
    lean: false,
  },
];

/**
 * Builds and compiles case `c` with the lean train function installed (or not), runs `body` on the
 * model, and returns its result with the final weights; releases the model and its optimizer and
 * uninstalls the lean function afterwards.
 */
async function withCase<T>(c: Case, lean: boolean, body: (model: tf.LayersModel) => Promise<T>): Promise<{ result: T; weights: Float32Array[] }> {
  if (lean) installLeanTrainFunction();
  else uninstallLeanTrainFunction();
  const model = c.build();
  c.compile(model);
  try {
    const result = await body(model);
    return { result, weights: model.getWeights().map((w) => w.dataSync() as Float32Array) };
  } finally {
    model.optimizer.dispose();
    model.dispose();
    uninstallLeanTrainFunction();
  }
}

/** Three seeded epochs of `fit` (no shuffling): final weights, History logs, and whether the lean function trained. */
async function train(c: Case, lean: boolean): Promise<{ weights: Float32Array[]; history: Record<string, number[]>; leanBatches: number }> {
  const { result, weights } = await withCase(c, lean, async (model) => {
    const x = tf.randomNormal([48, 3], 0, 1, 'float32', 21) as tf.Tensor2D;
    const y = tf.tidy(() => (c.targets ? c.targets(x) : tf.concat([tf.sum(tf.sin(x), 1, true), tf.prod(x, 1, true)], 1)));
    const before = leanTrainFunctionSteps();
    const h = await model.fit(x, y, { batchSize: 16, epochs: 3, shuffle: false, verbose: 0, ...c.fitArgs });
    tf.dispose([x, y]);
    // Logs by position (layer names, part of the keys of several outputs' logs, differ between two builds).
    const history = Object.fromEntries(Object.entries(h.history).map(([k, v], i) => [k.replace(/^.*_Dense\d+_/, `output${i}_`), v as number[]]));
    return { history, leanBatches: leanTrainFunctionSteps() - before };
  });
  return { weights, ...result };
}

describe.each(['cpu', 'wasm'])('the lean train function for model.fit on %s', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s: weights and History logs bit-identical to tfjs-layers\' own', async (_, c) => {
    const stock = await train(c, false);
    const before = tf.memory().numTensors;
    const lean = await train(c, true);
    expect(tf.memory().numTensors).toBe(before);
    expect(stock.leanBatches).toBe(0);
    expect(lean.leanBatches).toBe(c.lean ? 9 : 0);
    expect(Object.keys(lean.history).sort()).toEqual(Object.keys(stock.history).sort());
    expect(lean.history).toEqual(stock.history);
    expect(lean.weights.length).toBe(stock.weights.length);
    lean.weights.forEach((w, i) => expect(w).toEqual(stock.weights[i]));
    // It trained (the comparison is not between two untouched models).
    for (const v of Object.values(lean.history)) expect(v.every(Number.isFinite)).toBe(true);
    expect(lean.history['loss']![2]).not.toBe(lean.history['loss']![0]);
  });

  it('fitDataset: the same weights and logs as tfjs-layers\' own', async () => {
    const c = CASES[1]!;
    const run = async (lean: boolean) => {
      const { result: history, weights: w } = await withCase(c, lean, async (model) => {
        const x = tf.randomNormal([32, 3], 0, 1, 'float32', 24);
        const y = tf.randomNormal([32, 2], 0, 1, 'float32', 25);
        const rows = [tf.unstack(x), tf.unstack(y)];
        const ds = tf.data.zip({ xs: tf.data.array(rows[0]!), ys: tf.data.array(rows[1]!) }).batch(8);
        const h = await model.fitDataset(ds as tf.data.Dataset<{ xs: tf.Tensor; ys: tf.Tensor }>, { epochs: 2, verbose: 0 });
        tf.dispose([x, y, ...rows.flat()]);
        return h.history;
      });
      return { history, w };
    };
    const stock = await run(false);
    const steps = leanTrainFunctionSteps();
    const lean = await run(true);
    expect(leanTrainFunctionSteps() - steps).toBe(8);
    expect(lean.history).toEqual(stock.history);
    lean.w.forEach((w, i) => expect(w).toEqual(stock.w[i]));
  });

  it('trainOnBatch returns the same loss and metric as tfjs-layers\' own', async () => {
    const c = CASES[1]!;
    const run = async (lean: boolean) => {
      const { result: out, weights: w } = await withCase(c, lean, async (model) => {
        const x = tf.randomNormal([16, 3], 0, 1, 'float32', 22);
        const y = tf.randomNormal([16, 2], 0, 1, 'float32', 23);
        const losses = [await model.trainOnBatch(x, y), await model.trainOnBatch(x, y)];
        tf.dispose([x, y]);
        return losses;
      });
      return { out, w };
    };
    const stock = await run(false);
    const steps = leanTrainFunctionSteps();
    const lean = await run(true);
    expect(leanTrainFunctionSteps() - steps).toBe(2);
    expect(lean.out).toEqual(stock.out);
    lean.w.forEach((w, i) => expect(w).toEqual(stock.w[i]));
  });
});
