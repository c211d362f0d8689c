/**
 * The accelerated `model.fit` / `trainOnBatch` step: `LayersModel.prototype.makeTrainFunction`
 * (tfjs-layers' private method that builds the per-batch training function) replaced by one that
 * computes the same quantities with less per-batch work, for the models where that is exactly
 * equivalent. A replacement of tfjs' own code: installed by `tfp.ready()` only (see install.ts).
 *
 * tfjs-layers' function runs, per batch: the generic symbolic executor (`execute` with feed
 * dictionaries, name keys and mask bookkeeping) over the model's graph with `{training: true}`;
 * for each output the loss, an unused `mean` of it (kept for multi-output metrics) and the sum of
 * the per-output losses; the metrics' means; the mean of the total loss; the regularization
 * losses added; then `optimizer.minimize(…, true, trainableWeights)`.
 *
 * The lean function, for a model with one input and one output whose layers form a chain (each
 * layer one input and one output, none producing or consuming a mask) and a batch without sample
 * weights: calls each layer's `apply([x], {training: true})` in order (the same call the executor
 * makes), the loss, the metrics' means, the mean of the loss (skipped when the loss is already a
 * scalar: the mean of one float32 value and its gradient are that value exactly), the same
 * regularization losses in the same order, and the same `minimize` call. Weights and logs are
 * bit-identical to tfjs-layers' function. Anything else (several inputs or outputs, sample or
 * class weights, masking layers, branching graphs) runs tfjs-layers' own function.
 */
import * as tf from '@tensorflow/tfjs';

/** The parts of a tfjs-layers `SymbolicTensor` the chain walk reads. */
interface Symbolic {
  sourceLayer: tf.layers.Layer & { inboundNodes?: Array<{ outputTensors?: unknown[] }> };
  nodeIndex: number;
  inputs: Symbolic[];
}

/** The private parts of a `LayersModel` that tfjs-layers' train function reads. */
interface ModelInternals {
  inputs: Symbolic[];
  outputs: Symbolic[];
  lossFunctions?: Array<(yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor>;
  metricsTensors?: Array<[(yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor, number]>;
  collectedTrainableWeights?: tf.LayerVariable[];
  optimizer_?: tf.Optimizer;
  calculateLosses(): tf.Scalar[];
}

type TrainFunction = (data: tf.Tensor[]) => tf.Scalar[];
type MakeTrainFunction = (this: tf.LayersModel) => TrainFunction;

let originalMake: MakeTrainFunction | null = null;
/** Batches trained by the lean function so far (tests read it to see which function ran). */
let leanSteps = 0;

/** The layers from the model's input to its output when they form a maskless single-tensor chain; else null. */
function chainOf(m: ModelInternals): tf.layers.Layer[] | null {
  if (m.inputs?.length !== 1 || m.outputs?.length !== 1) return null;
  const baseComputeMask = tf.layers.Layer.prototype.computeMask;
  const layers: tf.layers.Layer[] = [];
  let sym = m.outputs[0]!;
  while (sym !== m.inputs[0]) {
    const layer = sym.sourceLayer;
    // Another input layer (not the model's own), a layer with several inputs or outputs at this node, or masking: not a plain chain.
    if (layer == null || layer.getClassName() === 'InputLayer' || sym.inputs?.length !== 1) return null;
    if (layer.inboundNodes?.[sym.nodeIndex]?.outputTensors?.length !== 1) return null;
    if (layer.supportsMasking && layer.computeMask !== baseComputeMask) return null;
    if (typeof layer.apply !== 'function') return null;
    layers.unshift(layer);
    sym = sym.inputs[0]!;
  }
  return layers.length > 0 ? layers : null;
}

/** `tf.mean(t)`, or `t` itself when it is a float32 scalar (the mean of one value and its gradient are exact). */
function meanOf(t: tf.Tensor): tf.Tensor {
  return t.rank === 0 && t.dtype === 'float32' ? t : tf.mean(t);
}

function leanMakeTrainFunction(this: tf.LayersModel): TrainFunction {
  const stock = originalMake!.call(this);
  const m = this as unknown as ModelInternals;
  const layers = chainOf(m);
  const lossFns = m.lossFunctions;
  const metrics = m.metricsTensors ?? [];
  if (
    layers === null || !Array.isArray(lossFns) || lossFns.length !== 1 || typeof m.calculateLosses !== 'function' ||
    !Array.isArray(m.collectedTrainableWeights) || m.optimizer_ == null || !metrics.every(([, out]) => out === 0)
  ) {
    return stock;
  }
  const lossFn = lossFns[0]!;
  return (data: tf.Tensor[]) => {
    // Sample weights (classWeight, or any third entry): tfjs-layers' own function.
    if (data.length < 2 || data.slice(2).some((w) => w != null)) return stock(data);
    const x = data[0]!;
    const y = data[1]!;
    leanSteps++;
    const metricsValues: tf.Scalar[] = [];
    const totalLossFunction = (): tf.Scalar => {
      const kwargs = { training: true };
      let out: tf.Tensor = x;
      for (const layer of layers) out = layer.apply([out], kwargs) as tf.Tensor;
      let totalLoss = meanOf(lossFn(y, out));
      for (const [metric] of metrics) metricsValues.push(tf.keep(meanOf(metric(y, out))) as tf.Scalar);
      for (const r of m.calculateLosses()) totalLoss = tf.add(totalLoss, r);
      return totalLoss as tf.Scalar;
    };
    const variables = m.collectedTrainableWeights!.map((p) => p.read());
    const totalLossValue = m.optimizer_!.minimize(totalLossFunction, true, variables as tf.Variable[])!;
    return [totalLossValue, ...metricsValues];
  };
}

/** Makes `model.fit`, `fitDataset` and `trainOnBatch` of every `LayersModel` use the lean train function where it applies. Idempotent. */
export function installLeanTrainFunction(): void {
  if (originalMake) return;
  const proto = tf.LayersModel.prototype as unknown as { makeTrainFunction?: MakeTrainFunction };
  if (typeof proto.makeTrainFunction !== 'function') return;
  originalMake = proto.makeTrainFunction;
  proto.makeTrainFunction = leanMakeTrainFunction;
}

/** Restores tfjs-layers' own `LayersModel.prototype.makeTrainFunction`. */
export function uninstallLeanTrainFunction(): void {
  if (!originalMake) return;
  (tf.LayersModel.prototype as unknown as { makeTrainFunction: MakeTrainFunction }).makeTrainFunction = originalMake;
  originalMake = null;
}

/** True while `LayersModel`s train with the lean function. */
export function leanTrainFunctionInstalled(): boolean {
  return originalMake !== null;
}

/** How many batches the lean train function has trained in this process (tfjs-layers' own function's batches not counted). */
export function leanTrainFunctionSteps(): number {
  return leanSteps;
}
