/**
 * The accelerated `tf.layers.dense`: every tfjs Dense layer's `call` through `denseOp` (one
 * `TfpDense` launch forward, see kernels/Dense.ts) where it applies (cpu/wasm, rank-2 float32
 * input, relu or linear activation); any other case runs the layer's own `call`. A
 * replacement of tfjs' own code: installed by `tfp.ready()` only (see install.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { DENSE, denseOp } from '../kernels/dense_op.js';
import { registerAll } from '../kernels/register_all.js';

interface DenseLayerInternals {
  kernel: tf.LayerVariable | null;
  bias: tf.LayerVariable | null;
  useBias: boolean;
  activation: { getClassName(): string } | null;
  invokeCallHook(inputs: tf.Tensor | tf.Tensor[], kwargs: unknown): void;
}
type Call = (this: tf.layers.Layer, inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];

let denseProto: { call: Call } | null = null;
let originalCall: Call | null = null;

/** Every tfjs Dense layer's `call` through `denseOp` where it applies (cpu/wasm, rank 2, float32, relu or linear). Idempotent. */
export function installDenseFastPath(): void {
  if (originalCall) return;
  registerAll();
  // The class from the serialization registry (building a layer to find it would use up a layer name).
  const entry = (tf.serialization.SerializationMap.getMap().classNameMap as Record<string, [{ prototype: unknown }, unknown]>)['Dense'];
  if (!entry) return;
  denseProto = entry[0].prototype as { call: Call };
  const orig = denseProto.call;
  originalCall = orig;
  denseProto.call = function (this: tf.layers.Layer, inputs, kwargs) {
    const x = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0]! : null) : inputs;
    const d = this as unknown as DenseLayerInternals;
    const act = d.activation?.getClassName();
    if (
      x === null || x.rank !== 2 || x.dtype !== 'float32' || (act !== 'relu' && act !== 'linear') || d.kernel == null ||
      typeof d.invokeCallHook !== 'function' ||
      tf.getKernel(DENSE, tf.getBackend()) === undefined
    ) {
      return orig.call(this, inputs, kwargs);
    }
    return tf.tidy(() => {
      d.invokeCallHook(inputs, kwargs);
      const bias = d.useBias && d.bias ? (d.bias.read() as tf.Tensor1D) : null;
      return denseOp(x as tf.Tensor2D, d.kernel!.read() as tf.Tensor2D, bias, act === 'relu');
    });
  };
}

/** Restores tfjs' own Dense `call`. */
export function uninstallDenseFastPath(): void {
  if (!originalCall || !denseProto) return;
  denseProto.call = originalCall;
  originalCall = null;
}

/** True while Dense layers use `denseOp`. */
export function denseFastPathInstalled(): boolean {
  return originalCall !== null;
}
