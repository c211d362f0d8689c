/**
 * `TfpAdamUpdateTf`: `tf.train.adam`'s whole step in one kernel (what the accelerated
 * `AdamOptimizer.applyGradients` runs): inputs `x0, g0, m0, v0, x1, ...` (attr `count`) and the
 * β powers `acc1`, `acc2`; outputs `[x0', m0', v0', x1', ..., acc1·β₁, acc2·β₂]` (the powers
 * rounded to float32 as tfjs' `mul` does).
 */
import type * as tf from '@tensorflow/tfjs';
import { memFor } from './backend_memory.js';
import { adamOutputs, adamSimd } from './adam_utils.js';
import { ADAM_UPDATE_TF } from './kernel_names.js';
import type { KernelSpec } from './kernel_utils.js';

interface AdamTfAttrs {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

const f32 = Math.fround;

/**
 * tf.train.adam's update with tfjs' own float32 rounding after every elementwise op
 * (`AdamOptimizer.applyGradients`: mul, add, square, div, sqrt, each rounded to float32),
 * so the result is bit-identical to the composed ops on cpu (which rounds each op's
 * double result to float32) and on wasm (float32 arithmetic, correctly rounded: for
 * + - * / and sqrt of float32 operands, rounding the double result gives the same value).
 * On wasm with SIMD the same operations run as f32x4 instructions (simd.wat `adam_tf`,
 * ~4x faster, the same bits). `acc1`, `acc2` are the optimizer's β₁ᵗ and β₂ᵗ variables.
 */
function adamLoopTf(
  x: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, acc1: number, acc2: number,
  xo: Float32Array, mo: Float32Array, vo: Float32Array, a: AdamTfAttrs,
): void {
  const b1 = f32(a.beta1), b2 = f32(a.beta2);
  const c1 = f32(1 - a.beta1), c2 = f32(1 - a.beta2);
  const oma1 = f32(1 - acc1), oma2 = f32(1 - acc2);
  const eps = f32(a.epsilon), nlr = f32(-a.lr);
  for (let i = 0; i < x.length; i++) {
    const gi = g[i]!;
    const mi = f32(f32(m[i]! * b1) + f32(gi * c1));
    const vi = f32(f32(v[i]! * b2) + f32(f32(gi * gi) * c2));
    mo[i] = mi;
    vo[i] = vi;
    const den = f32(f32(Math.sqrt(f32(vi / oma2))) + eps);
    xo[i] = f32(f32(f32(f32(mi / oma1) / den) * nlr) + x[i]!);
  }
}

export const adamUpdateTfConfig: KernelSpec = {
  kernelName: ADAM_UPDATE_TF,
  kernelFunc: ({ inputs, backend, attrs }) => {
    const ins = inputs as Record<string, tf.TensorInfo>;
    const a = attrs as unknown as AdamTfAttrs & { count: number };
    const mem = memFor(backend);
    const outs = adamOutputs(mem, ins, a.count);
    const accOut = [mem.alloc([], false), mem.alloc([], false)];
    // Views only after the last allocation (a wasm heap growth detaches earlier views).
    const acc1 = mem.view(ins['acc1']!)[0]!;
    const acc2 = mem.view(ins['acc2']!)[0]!;
    if (!adamSimd(backend, ins, outs, a.count, a, 1 - acc1, 1 - acc2)) {
      for (let j = 0; j < a.count; j++) {
        adamLoopTf(
          mem.view(ins[`x${j}`]!), mem.view(ins[`g${j}`]!), mem.view(ins[`m${j}`]!), mem.view(ins[`v${j}`]!), acc1, acc2,
          mem.view(outs[3 * j]!), mem.view(outs[3 * j + 1]!), mem.view(outs[3 * j + 2]!), a,
        );
      }
    }
    mem.view(accOut[0]!)[0] = acc1 * f32(a.beta1);
    mem.view(accOut[1]!)[0] = acc2 * f32(a.beta2);
    return [...outs, ...accOut];
  },
};
