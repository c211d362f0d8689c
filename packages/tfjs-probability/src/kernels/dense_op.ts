/**
 * `denseOp`: a Dense layer's `act(x W + b)` (act relu or linear) as one `TfpDense` launch with
 * a gradient that launches only what is needed, for the cpu and wasm backends (composed tfjs
 * ops elsewhere). The library's own layers and `makeTrainStep` call it directly; tfjs' own
 * Dense layers use it only when `tfp.ready()` accelerates them (src/accelerate/dense_layer.ts).
 *
 * In training tfjs' fused matMul is not fused (`tf.fused.matMul` falls back to matMul, add
 * and relu whenever a gradient is being recorded), so each Dense layer costs three forward
 * launches and eight backward ones (Step, Cast, Multiply for relu; Reshape, Sum, Reshape for
 * the bias; two flagged matMuls). Values equal tfjs' unfused path up to float32 summation
 * order (the bias is added to the finished product by the SIMD gemm, in XNNPACK's accumulator
 * otherwise).
 */
import * as tf from '@tensorflow/tfjs';
import { DENSE } from './kernel_names.js';
import { kernelRuns } from './register.js';

export { DENSE, RELU_MASK } from './kernel_names.js';

/**
 * `relu(x W + b)` (or `x W + b`) for `x [m, k]`, `w [k, n]`, `bias [n]` or null, through the
 * `TfpDense` kernel on cpu/wasm; composed tfjs ops on other backends.
 */
export function denseOp(x: tf.Tensor2D, w: tf.Tensor2D, bias: tf.Tensor1D | null, relu: boolean): tf.Tensor2D {
  if (!kernelRuns(DENSE)) {
    return tf.fused.matMul({ a: x, b: w, ...(bias ? { bias } : {}), activation: relu ? 'relu' : 'linear' }) as tf.Tensor2D;
  }
  const inputs: tf.NamedTensorMap = bias ? { x, w, bias } : { x, w };
  return tf.engine().runKernel(DENSE, inputs, { relu } as unknown as tf.NamedAttrMap) as tf.Tensor2D;
}

