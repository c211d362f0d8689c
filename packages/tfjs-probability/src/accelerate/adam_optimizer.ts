/**
 * The accelerated `tf.train.adam`: `tf.AdamOptimizer.prototype.applyGradients` with one
 * `TfpAdamUpdateTf` kernel for all variables on cpu and wasm, bit-identical to tfjs' composed
 * update. A replacement of tfjs' own code: installed by `tfp.ready()` only (see install.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { ADAM_UPDATE_TF } from '../kernels/kernel_names.js';
import { registerAll } from '../kernels/register_all.js';

type NamedTensor = { name: string; tensor: tf.Tensor };

interface AdamInternals {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
  accumulatedSecondMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
  incrementIterations(): void;
}

type ApplyGradients = (this: tf.AdamOptimizer, g: tf.NamedTensorMap | NamedTensor[]) => void;
let originalAdamApply: ApplyGradients | null = null;

/**
 * `tf.AdamOptimizer.prototype.applyGradients` with one `TfpAdamUpdateTf` kernel for all variables
 * on cpu and wasm (instead of ~13 elementwise launches per variable), bit-identical to tfjs'
 * composed update and with the same optimizer state (`/m`, `/v` slots, β powers), so `getWeights`,
 * `setWeights`, serialization and learning-rate changes behave as before. Any other
 * backend or a non-float32 variable runs tfjs' own method.
 */
function fusedAdamApply(this: tf.AdamOptimizer, variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
  const self = this as unknown as AdamInternals;
  const list = Array.isArray(variableGradients);
  const names = list ? (variableGradients as NamedTensor[]).map((v) => v.name) : Object.keys(variableGradients);
  const gradOf = (name: string, i: number): tf.Tensor | null | undefined =>
    list ? (variableGradients as NamedTensor[])[i]?.tensor : (variableGradients as tf.NamedTensorMap)[name];
  const vars = tf.engine().registeredVariables;
  // tfjs' own method wherever this one's assumptions (kernel, backend, the optimizer's private fields) do not hold.
  const ok =
    tf.getKernel(ADAM_UPDATE_TF, tf.getBackend()) !== undefined &&
    self.accBeta1 instanceof tf.Variable && self.accBeta2 instanceof tf.Variable &&
    Array.isArray(self.accumulatedFirstMoment) && Array.isArray(self.accumulatedSecondMoment) &&
    typeof self.incrementIterations === 'function' &&
    self.accBeta1.dtype === 'float32' &&
    names.every((name, i) => {
      const g = gradOf(name, i);
      return vars[name]?.dtype === 'float32' && (g == null || g.dtype === 'float32');
    });
  if (!ok) {
    originalAdamApply!.call(this, variableGradients);
    return;
  }
  tf.tidy(() => {
    const inputs: Record<string, tf.Tensor> = { acc1: self.accBeta1, acc2: self.accBeta2 };
    const targets: tf.Variable[] = [];
    names.forEach((name, i) => {
      const value = vars[name]!;
      // The same slots, names and creation order as AdamOptimizer.applyGradients.
      self.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      self.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      const g = gradOf(name, i);
      if (g == null) return;
      const j = targets.length / 3;
      const m = self.accumulatedFirstMoment[i]!.variable;
      const v = self.accumulatedSecondMoment[i]!.variable;
      Object.assign(inputs, { [`x${j}`]: value, [`g${j}`]: g, [`m${j}`]: m, [`v${j}`]: v });
      targets.push(value, m, v);
    });
    const attrs = { lr: self.learningRate, beta1: self.beta1, beta2: self.beta2, epsilon: self.epsilon, count: targets.length / 3 };
    const outs = tf.engine().runKernel(ADAM_UPDATE_TF, inputs, attrs) as tf.Tensor[];
    targets.forEach((t, k) => t.assign(outs[k]!));
    self.accBeta1.assign(outs[targets.length]!);
    self.accBeta2.assign(outs[targets.length + 1]!);
  });
  self.incrementIterations();
}

/**
 * Makes `tf.train.adam` (every `tf.AdamOptimizer`) update each variable with one fused
 * kernel on cpu and wasm; same values as tfjs' composed update (bit for bit). Idempotent.
 */
export function enableFusedTfAdam(): void {
  if (originalAdamApply) return;
  registerAll();
  const proto = tf.AdamOptimizer.prototype as unknown as { applyGradients: ApplyGradients };
  originalAdamApply = proto.applyGradients;
  proto.applyGradients = fusedAdamApply;
}

/** Restores tfjs' own `AdamOptimizer.prototype.applyGradients`. */
export function disableFusedTfAdam(): void {
  if (!originalAdamApply) return;
  (tf.AdamOptimizer.prototype as unknown as { applyGradients: ApplyGradients }).applyGradients = originalAdamApply;
  originalAdamApply = null;
}

/** True while `tf.train.adam` uses the fused update. */
export function fusedTfAdamEnabled(): boolean {
  return originalAdamApply !== null;
}
