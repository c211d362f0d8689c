/** What the two Adam kernels share: their output allocation and their SIMD dispatch. */
import type * as tf from '@tensorflow/tfjs';
import { type Mem, sizeOf, wasmHeapOffset } from './backend_memory.js';
import { simdFor } from './wasm_simd.js';

/** The outputs `[x0', m0', v0', x1', ...]` of a multi-variable Adam kernel (inputs `x0, g0, m0, v0, x1, ...`). */
export function adamOutputs(mem: Mem, ins: Record<string, tf.TensorInfo>, count: number): tf.TensorInfo[] {
  const outs: tf.TensorInfo[] = [];
  for (let j = 0; j < count; j++) {
    const shape = ins[`x${j}`]!.shape;
    outs.push(mem.alloc(shape, false), mem.alloc(shape, false), mem.alloc(shape, false));
  }
  return outs;
}

/**
 * Both Adam kernels' update on the wasm heap with simd.wat `adam_tf` (float32 rounding after
 * every operation, tfjs' order), for every variable, with bias corrections `oma1 = 1 − β₁ᵗ`,
 * `oma2 = 1 − β₂ᵗ`; false (nothing done) where the SIMD kernels do not run.
 */
export function adamSimd(
  backend: unknown, ins: Record<string, tf.TensorInfo>, outs: tf.TensorInfo[], count: number,
  a: { lr: number; beta1: number; beta2: number; epsilon: number }, oma1: number, oma2: number,
): boolean {
  const simd = simdFor(backend);
  if (simd === null) return false;
  const at = (t: tf.TensorInfo) => wasmHeapOffset(backend, t);
  for (let j = 0; j < count; j++) {
    const x = ins[`x${j}`]!;
    simd.adam_tf(
      at(x), at(ins[`g${j}`]!), at(ins[`m${j}`]!), at(ins[`v${j}`]!), at(outs[3 * j]!), at(outs[3 * j + 1]!), at(outs[3 * j + 2]!),
      sizeOf(x.shape), a.beta1, a.beta2, 1 - a.beta1, 1 - a.beta2, oma1, oma2, a.epsilon, -a.lr,
    );
  }
  return true;
}
