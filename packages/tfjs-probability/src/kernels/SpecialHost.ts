/**
 * `TfpSpecialHost`: the regularized incomplete gamma and beta functions over a tensor's memory
 * (inputs `a`, `x`, and `b` for the beta functions; attrs `fn`, `wrt`), returning log F,
 * d log F / dx and dF/dx (or the derivatives with respect to a or b), each in float64 before
 * rounding (special_js.ts).
 */
import type * as tf from '@tensorflow/tfjs';
import { memFor } from './backend_memory.js';
import { SPECIAL_HOST } from './kernel_names.js';
import type { KernelSpec } from './kernel_utils.js';
import { type SpecialFn, type SpecialWrt, specialHostJs } from './special_js.js';

export const specialHostConfig: KernelSpec = {
  kernelName: SPECIAL_HOST,
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { a, b, x } = inputs as { a: tf.TensorInfo; b?: tf.TensorInfo; x: tf.TensorInfo };
    const { fn, wrt } = attrs as unknown as { fn: SpecialFn; wrt?: SpecialWrt };
    const mem = memFor(backend);
    const outs = [mem.alloc(x.shape), mem.alloc(x.shape), mem.alloc(x.shape)];
    // views after the last allocation (a growing wasm heap detaches older views)
    specialHostJs(fn, mem.view(a), b ? mem.view(b) : null, mem.view(x), mem.view(outs[0]!), mem.view(outs[1]!), mem.view(outs[2]!), wrt ?? 'x');
    return outs;
  },
};
