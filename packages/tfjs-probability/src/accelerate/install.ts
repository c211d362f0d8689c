/**
 * Acceleration of tfjs' own components for the cpu and wasm backends, so that the plain
 * `model.fit` + `tf.train.adam` path of a user's model gets the speed of the library's kernels.
 * Installed by `tfp.ready()` alone (never on import, never by building a layer, never later
 * inside a `fit`), only on the tfjs version the tests cover (`TESTED_TFJS_VERSION`; on any other
 * the library runs stock tfjs and says so once), skipped with `tfp.ready({ accelerate: false })`
 * or after `tfp.setFastDefaults(false)`, and taken back exactly by `tfp.restore()`:
 *
 * - `tf.AdamOptimizer.prototype.applyGradients`: one fused update kernel for all variables on
 *   cpu and wasm (bit-identical to tfjs' composed update, same optimizer state; adam_optimizer.ts);
 * - the Dense layer's `call` with relu or linear activation on cpu and wasm: one fused launch
 *   forward and a gradient that launches only what is needed (dense_layer.ts); values equal to
 *   tfjs' up to float32 summation order;
 * - wasm `BatchMatMul` (SIMD gemm where it applies; transpose flags as explicit transposes,
 *   ~10x faster for a Dense backward pass's 128x128 products; wasm_matmul.ts), `Identity` and
 *   same-dtype `Cast` sharing the input's buffer (wasm_copies.ts), `GatherV2`, `Sum`,
 *   `Transpose` and `Slice` as plain loops for the small tensors of a training batch
 *   (wasm_small_ops.ts); values equal up to float32 summation order (matMul, Sum);
 * - `LayersModel.prototype.makeTrainFunction` (tfjs-layers' per-batch training function of
 *   `fit`, `fitDataset` and `trainOnBatch`): for a one-input, one-output chain of layers without
 *   sample weights, the layers' `apply` in order instead of the generic symbolic executor and no
 *   unused loss means; same values bit for bit, anything else runs tfjs-layers' own
 *   (train_function.ts).
 *
 * The library's own layers, losses and optimizers (`FastAdam`, `makeTrainStep`, the heads'
 * fused NLL kernels) are fast without any of this.
 */
import * as tf from '@tensorflow/tfjs';
import { registerMissingWasmKernels, unregisterMissingWasmKernels } from '../kernels/register_all.js';
import { disableFusedTfAdam, enableFusedTfAdam, fusedTfAdamEnabled } from './adam_optimizer.js';
import { installDenseFastPath, uninstallDenseFastPath } from './dense_layer.js';
import { installLeanTrainFunction, uninstallLeanTrainFunction } from './train_function.js';
import { disableSharedWasmCopies, enableSharedWasmCopies } from './wasm_copies.js';
import { disableFastWasmMatMul, enableFastWasmMatMul, fastWasmMatMulEnabled } from './wasm_matmul.js';
import { disableWasmSmallOps, enableWasmSmallOps } from './wasm_small_ops.js';

/** The tfjs version whose internals the replacements were written and tested against. */
export const TESTED_TFJS_VERSION = '4.22.0';

let wanted = true;
/** True when `accelerate` installed the wasm matMul (so `restore` removes it; a user's own stays). */
let ownMatMul = false;
let warned = false;

/** The versions of the tfjs packages in use that differ from the tested one (empty when all match). */
export function untestedVersions(wasmVersion?: string): string[] {
  const v = tf.version as Record<string, string | undefined>;
  const used: Array<[string, string | undefined]> = [['tfjs-core', v['tfjs-core']], ['tfjs-layers', v['tfjs-layers']]];
  if (wasmVersion !== undefined) used.push(['tfjs-backend-wasm', wasmVersion]);
  return used.filter(([, got]) => got !== TESTED_TFJS_VERSION).map(([name, got]) => `${name} ${got ?? '(unknown)'}`);
}

/**
 * Installs the accelerated components (idempotent) unless `setFastDefaults(false)` was called or
 * the tfjs in use is not the tested version; returns whether they are installed. `tfp.ready()`
 * calls it once the backend runs; `wasmVersion` is the wasm package's `version_wasm` where known.
 */
export function accelerate(wasmVersion?: string): boolean {
  if (!wanted) return false;
  const untested = untestedVersions(wasmVersion);
  if (untested.length > 0) {
    if (!warned) {
      warned = true;
      console.warn(
        `tfjs-probability: not accelerating tfjs' own Dense layer, Adam optimizer, model train function and wasm kernels: they are tested on tfjs ` +
          `${TESTED_TFJS_VERSION} and this is ${untested.join(', ')}; running stock tfjs (the library's own kernels still run)`,
      );
    }
    return false;
  }
  enableFusedTfAdam();
  installDenseFastPath();
  installLeanTrainFunction();
  if (tf.getKernel('BatchMatMul', 'wasm') !== undefined) {
    enableSharedWasmCopies();
    enableWasmSmallOps();
    if (!fastWasmMatMulEnabled()) ownMatMul = enableFastWasmMatMul();
  }
  return true;
}

/**
 * Puts back exactly what `tfp.ready()` replaced or added in tfjs: the Dense layer's `call`,
 * `AdamOptimizer.prototype.applyGradients`, `LayersModel.prototype.makeTrainFunction`, the wasm kernels it swapped (a `enableFastWasmMatMul()`
 * of the user's own stays) and the wasm convolution gradients it registered. The library's own
 * kernels (`Tfp...` names) stay registered; they replace nothing. A later `tfp.ready()` installs
 * the acceleration again (unless `setFastDefaults(false)`).
 *
 * @example
 * ```ts
 * await tfp.ready();
 * tfp.restore();   // stock tfjs again
 * ```
 */
export function restore(): void {
  unaccelerate();
  unregisterMissingWasmKernels();
}

/** Puts back tfjs' own Dense `call`, Adam update, train function and wasm kernels (what `accelerate` replaced). */
function unaccelerate(): void {
  disableFusedTfAdam();
  uninstallDenseFastPath();
  uninstallLeanTrainFunction();
  disableSharedWasmCopies();
  disableWasmSmallOps();
  if (ownMatMul) disableFastWasmMatMul();
  ownMatMul = false;
}

/**
 * The kernels tfjs-backend-wasm 4.22 lacks (convolution filter gradients, depthwise gradients),
 * each added only where tfjs has none, whatever the acceleration setting; `restore()` removes them.
 */
export function addMissingKernels(): void {
  registerMissingWasmKernels();
}

/**
 * Whether `tfp.ready()` accelerates tfjs' own components (true, the default) or not. `false`
 * also puts back the components an earlier `ready()` replaced (the wasm convolution gradients,
 * which replace nothing, stay until `tfp.restore()`); `true` takes effect at the next
 * `tfp.ready()`. The choice is remembered.
 *
 * @example
 * ```ts
 * tfp.setFastDefaults(false);   // stock tfjs everywhere, also after later ready() calls
 * await tfp.ready();
 * ```
 */
export function setFastDefaults(on: boolean): void {
  wanted = on;
  if (!on) unaccelerate();
}

/** Whether `tfp.ready()` accelerates tfjs' own components (see `setFastDefaults`). */
export function fastDefaultsEnabled(): boolean {
  return wanted;
}

/** Whether tfjs' own Dense layer and Adam optimizer (and wasm kernels, when loaded) are accelerated now. */
export function accelerated(): boolean {
  return fusedTfAdamEnabled();
}
