/**
 * `makeTrainStep`: one optimizer step per call for a stack of Dense layers ending in a
 * distribution head, through the library's own fused kernels (no change to tfjs needed).
 */
import * as tf from '@tensorflow/tfjs';
import { denseOp } from '../kernels/dense_op.js';

interface DenseInternals {
  kernel: tf.LayerVariable;
  bias: tf.LayerVariable | null;
  useBias: boolean;
  activation: { apply(x: tf.Tensor): tf.Tensor; getClassName(): string };
  kernelRegularizer?: unknown;
  biasRegularizer?: unknown;
  activityRegularizer?: unknown;
}

export interface TrainStepOptions {
  /** A loss `(yTrue, yPred) => scalar`, e.g. `tfp.losses.negativeLogLikelihood(head)`. */
  loss: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar;
  /** The optimizer, e.g. `tf.train.adam(1e-3)`. */
  optimizer: tf.Optimizer;
}

/**
 * The recommended fast training path for a `tf.sequential` stack of Dense layers ending in
 * a distribution head (the recipe's mixture density network): returns `step(x, y)`, one
 * optimizer step on one batch, returning the loss (a scalar the caller disposes).
 *
 * It trains the model's own variables (so `model.predict`, `save` and `toDistribution` see
 * the result) with the same mathematics as `model.fit`, without tfjs-layers' per-batch
 * bookkeeping: Dense layers run as one fused launch each (relu and bias inside the product),
 * the MixtureDensity head's projection and activation as two, and the mixture NLL as one
 * fused kernel with its gradient (cpu, wasm). Since the fast defaults give `model.fit` the
 * same kernels, the difference to `fit` is the loop around them (~15% here). No
 * callbacks, validation or shuffling: write the epoch loop yourself (see examples/spiral.ts).
 * Layers other than Dense run through `layer.apply` (training mode). Dense layers with
 * regularizers are rejected (their penalties would be silently dropped).
 *
 * @example
 * ```ts
 * const step = tfpl.makeTrainStep(model, { loss: tfp.losses.negativeLogLikelihood(head), optimizer: tf.train.adam(1e-3) });
 * for (let epoch = 0; epoch < 300; epoch++)
 *   for (const [xb, yb] of batches) tf.dispose(step(xb, yb));
 * ```
 */
export function makeTrainStep(model: tf.LayersModel, opts: TrainStepOptions): (x: tf.Tensor, y: tf.Tensor) => tf.Scalar {
  const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  for (const l of layers) {
    if (l.getClassName() === 'Dense') {
      const d = l as unknown as DenseInternals;
      if (d.kernelRegularizer || d.biasRegularizer || d.activityRegularizer) {
        throw new Error(`makeTrainStep: Dense layer '${l.name}' has a regularizer, which this path does not apply; use model.fit`);
      }
    }
  }
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const forward = (x: tf.Tensor): tf.Tensor => {
    let h = x;
    for (const l of layers) {
      if (l.getClassName() === 'Dense') {
        const d = l as unknown as DenseInternals;
        const lead = h.shape.slice(0, -1);
        const h2 = (h.rank === 2 ? h : tf.reshape(h, [-1, h.shape[h.rank - 1]!])) as tf.Tensor2D;
        const act = d.activation.getClassName();
        const fusedAct = act === 'relu' || act === 'linear';
        // One fused launch forward; the backward pass computes the input's gradient only where
        // it is needed (not for the model input).
        let z: tf.Tensor = denseOp(h2, d.kernel.read() as tf.Tensor2D, d.useBias && d.bias ? (d.bias.read() as tf.Tensor1D) : null, act === 'relu');
        if (h.rank !== 2) z = tf.reshape(z, [...lead, z.shape[1]!]);
        h = fusedAct ? z : d.activation.apply(z);
      } else {
        h = l.apply(h, { training: true }) as tf.Tensor;
      }
    }
    return h;
  };
  return (x: tf.Tensor, y: tf.Tensor): tf.Scalar =>
    opts.optimizer.minimize(() => opts.loss(y, forward(x)), true, vars) as tf.Scalar;
}
