/**
 * Fast defaults for the cpu and wasm backends, so that the plain `model.fit` +
 * `tf.train.adam` path gets the speed without opt-ins. Installed by `tfp.ready()` and when a
 * mixture head (`MixtureDensity`, `MixtureNormal`) is built; each replaces a tfjs kernel or
 * method by one with the same results:
 *
 * - `tf.train.adam`: one fused update kernel for all variables on cpu and wasm (equal to
 *   tfjs' composed update bit for bit, same optimizer state; see `enableFusedTfAdam`);
 * - `tf.layers.dense` with relu or linear activation on cpu and wasm: one fused launch forward
 *   and a gradient that launches only what is needed (see dense.ts); tfjs' fused matMul is
 *   not fused while a gradient is recorded;
 * - wasm `BatchMatMul` with transpose flags (every Dense backward pass) runs as explicit
 *   transpose + plain matMul, ~10x faster for 128x128 products (same values up to float32
 *   summation order; see `enableFastWasmMatMul`).
 *
 * - wasm `Identity` (which the engine runs for every tensor saved for a gradient, ~30 per
 *   batch of a small network) and same-dtype `Cast` share the input's buffer (reference
 *   counted, as the cpu backend and wasm's own `Reshape` do) instead of copying it. Tensors are
 *   immutable in tfjs, so no result can change;
 * - wasm `GatherV2` along axis 0 (fit's batch rows) and `Sum` over the rows of a matrix (bias
 *   gradients) as plain loops (see wasm_small_ops.ts).
 *
 * Turn them off (and back on) with `tfp.setFastDefaults(false)`; the choice is remembered, so
 * a later `tfp.ready()` or head does not reinstall them. A user's own `enableFastWasmMatMul()`
 * is left alone by `setFastDefaults(false)`.
 */
import * as tf from '@tensorflow/tfjs';
import { registerMissingWasmKernels } from '../kernels/register_all.js';
import { disableFusedTfAdam, enableFusedTfAdam } from './adam_optimizer.js';
import { installDenseFastPath, uninstallDenseFastPath } from './dense_layer.js';
import { disableSharedWasmCopies, enableSharedWasmCopies } from './wasm_copies.js';
import { disableFastWasmMatMul, enableFastWasmMatMul, fastWasmMatMulEnabled } from './wasm_matmul.js';
import { disableWasmSmallOps, enableWasmSmallOps } from './wasm_small_ops.js';

let wanted = true;
/** True when the defaults installed the wasm matMul (so turning them off removes it). */
let ownMatMul = false;

const lateWasm = (): void => {
  if (!wasmDone && wanted && tf.getBackend() === 'wasm') installFastDefaults();
};

/** True once the wasm replacements are in (the wasm kernels may be registered after `ready()` starts). */
let wasmDone = false;

/**
 * Installs the fast defaults unless `setFastDefaults(false)` was called; idempotent and cheap,
 * so it is also called where the wasm backend may have appeared since (a mixture head's
 * build, each fused Adam step): the wasm package registers its kernels only when loaded.
 */
export function installFastDefaults(): void {
  // Not a default but a missing kernel (tfjs-backend-wasm has no conv filter or depthwise
  // gradients): registered wherever the wasm kernels exist, whatever setFastDefaults says.
  registerMissingWasmKernels();
  if (!wanted) return;
  enableFusedTfAdam(lateWasm);
  installDenseFastPath();
  if (wasmDone || tf.getKernel('BatchMatMul', 'wasm') === undefined) return;
  enableSharedWasmCopies();
  enableWasmSmallOps();
  if (!fastWasmMatMulEnabled()) ownMatMul = enableFastWasmMatMul();
  wasmDone = true;
}

/**
 * Turns tfjs-probability's fast defaults on (the default) or off: the fused `tf.train.adam`
 * update on cpu/wasm, the explicit-transpose wasm matMul and copy-free wasm Identity/Cast. Off restores tfjs' own kernels.
 *
 * @example
 * ```ts
 * tfp.setFastDefaults(false);   // plain tfjs kernels everywhere
 * await tfp.ready();
 * ```
 */
export function setFastDefaults(on: boolean): void {
  wanted = on;
  if (on) {
    installFastDefaults();
    return;
  }
  wasmDone = false;
  disableFusedTfAdam();
  uninstallDenseFastPath();
  disableSharedWasmCopies();
  disableWasmSmallOps();
  if (ownMatMul) disableFastWasmMatMul();
  ownMatMul = false;
}

/** Whether the fast defaults are wanted (see `setFastDefaults`). */
export function fastDefaultsEnabled(): boolean {
  return wanted;
}
