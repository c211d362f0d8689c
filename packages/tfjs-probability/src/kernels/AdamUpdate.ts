/**
 * `TfpAdamUpdate` (FastAdam's step): inputs `x0, g0, m0, v0, x1, ...` (attr `count`), outputs
 * `[x0', m0', v0', x1', ...]`: `m ← β₁m + (1-β₁)g`, `v ← β₂v + (1-β₂)g²`,
 * `x ← x - lr · (m/c₁) / (sqrt(v/c₂) + ε)` with the bias corrections `c₁ = 1 − β₁ᵗ`, `c₂ = 1 − β₂ᵗ`
 * given as attributes. A float64 loop (one rounding per output), or f32x4 on wasm with SIMD.
 */
import type * as tf from '@tensorflow/tfjs';
import { memFor } from './backend_memory.js';
import { adamOutputs, adamSimd } from './adam_utils.js';
import { ADAM_UPDATE } from './kernel_names.js';
import type { KernelSpec } from './kernel_utils.js';

export interface AdamAttrs {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** 1 - beta1^t and 1 - beta2^t (bias corrections) for this step. */
  c1: number;
  c2: number;
}

function adamLoop(
  x: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array,
  xo: Float32Array, mo: Float32Array, vo: Float32Array, a: AdamAttrs,
): void {
  const { lr, beta1, beta2, epsilon, c1, c2 } = a;
  const b1c = 1 - beta1;
  const b2c = 1 - beta2;
  const k = -lr / c1;
  const r2 = 1 / c2;
  for (let i = 0; i < x.length; i++) {
    const gi = g[i]!;
    const mi = beta1 * m[i]! + b1c * gi;
    const vi = beta2 * v[i]! + b2c * gi * gi;
    mo[i] = mi;
    vo[i] = vi;
    xo[i] = x[i]! + (k * mi) / (Math.sqrt(vi * r2) + epsilon);
  }
}


export const adamUpdateConfig: KernelSpec = {
  kernelName: ADAM_UPDATE,
  // Inputs x0, g0, m0, v0, x1, ... (attr count); outputs [x0', m0', v0', x1', ...].
  kernelFunc: ({ inputs, backend, attrs }) => {
    const ins = inputs as Record<string, tf.TensorInfo>;
    const a = attrs as unknown as AdamAttrs & { count: number };
    const mem = memFor(backend);
    const outs = adamOutputs(mem, ins, a.count);
    // f32x4 (simd.wat adam_tf): float32 rounding after each operation instead of one rounding of a float64 result.
    if (!adamSimd(backend, ins, outs, a.count, a, a.c1, a.c2)) {
      for (let j = 0; j < a.count; j++) {
        // Views after all allocations (a wasm heap growth detaches earlier views).
        adamLoop(
          mem.view(ins[`x${j}`]!), mem.view(ins[`g${j}`]!), mem.view(ins[`m${j}`]!), mem.view(ins[`v${j}`]!),
          mem.view(outs[3 * j]!), mem.view(outs[3 * j + 1]!), mem.view(outs[3 * j + 2]!), a,
        );
      }
    }
    return outs;
  },
};
