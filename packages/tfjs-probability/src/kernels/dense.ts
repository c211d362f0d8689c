/**
 * A Dense layer's `act(x W + b)` (act relu or linear) as one kernel with a gradient that
 * launches only what is needed, for the cpu and wasm backends (part of the fast defaults,
 * see defaults.ts).
 *
 * In training tfjs' fused matMul is not fused (`tf.fused.matMul` falls back to matMul, add
 * and relu whenever a gradient is being recorded), so each Dense layer costs three forward
 * launches and eight backward ones (Step, Cast, Multiply for relu; Reshape, Sum, Reshape for
 * the bias; two flagged matMuls). Here:
 *
 * - forward: one `TfpDense` launch with bias and relu inside the product: on wasm the SIMD
 *   gemm of wasm_gemm.ts where it applies, otherwise the backend's own `_FusedMatMul` kernel;
 * - backward: one `TfpReluMask` launch (`dy · [y > 0]` from the saved output; on wasm its own
 *   Step and Multiply kernels called inside the one launch), then the
 *   products and the bias sum, each only when its input needs a gradient (the first layer's
 *   data input does not).
 *
 * Values equal tfjs' unfused path up to float32 summation order (the bias is added to the
 * finished product by the SIMD gemm, in XNNPACK's accumulator otherwise). `installDenseFastPath()` makes every `tf.layers.dense` with relu or linear
 * activation on a rank-2 float32 input use it on cpu/wasm (any other case runs the layer's own
 * `call`); `uninstallDenseFastPath()` restores it.
 */
import * as tf from '@tensorflow/tfjs';
import { memFor, sizeOf, wasmHeapOffset } from './backend_memory.js';
import { simdFor } from './wasm_simd.js';
import { wasmGemm } from './wasm_gemm.js';

export const DENSE = 'TfpDense';
export const RELU_MASK = 'TfpReluMask';

interface DenseAttrs {
  relu: boolean;
}

/** A TensorInfo of the same data with another shape (no copy, no reference taken: only for a kernel call). */
const asShape = (t: tf.TensorInfo, shape: number[]): tf.TensorInfo => ({ dataId: t.dataId, shape, dtype: t.dtype });

/**
 * `o = d · step(y)`: `ceil(min(max(y, 0), 1))` is the 0/1 step without a branch (a
 * data-dependent branch mispredicts on half the elements); NaN stays NaN as in tfjs' Step.
 */
function reluMask(d: Float32Array, y: Float32Array, o: Float32Array): void {
  const n = o.length;
  for (let i = 0; i < n; i++) o[i] = d[i]! * Math.ceil(Math.min(Math.max(y[i]!, 0), 1));
}

let registered = false;
function register(): void {
  if (registered) return;
  registered = true;
  for (const backendName of ['cpu', 'wasm']) {
    const isWasm = backendName === 'wasm';
    tf.registerKernel({
      kernelName: DENSE,
      backendName,
      kernelFunc: ({ inputs, backend, attrs }) => {
        const { x, w, bias } = inputs as { x: tf.TensorInfo; w: tf.TensorInfo; bias?: tf.TensorInfo };
        const { relu } = attrs as unknown as DenseAttrs;
        if (isWasm) {
          const viaSimd = wasmGemm(backend, x, w, false, false, bias ?? null, relu);
          if (viaSimd) return viaSimd;
        }
        const fused = tf.getKernel('_FusedMatMul', backendName)!;
        const [m, k] = x.shape as [number, number];
        const n = w.shape[1]!;
        const fattrs = { transposeA: false, transposeB: false, activation: relu ? 'relu' : 'linear', leakyreluAlpha: 0 };
        // wasm's kernel reads rank-3 shapes; cpu's takes rank 2 as tf.fused.matMul passes it.
        const a = isWasm ? asShape(x, [1, m, k]) : x;
        const b = isWasm ? asShape(w, [1, k, n]) : w;
        const out = fused.kernelFunc({ inputs: { a, b, ...(bias ? { bias } : {}) }, backend, attrs: fattrs }) as tf.TensorInfo;
        return isWasm ? asShape(out, [m, n]) : out;
      },
    });
    tf.registerKernel({
      kernelName: RELU_MASK,
      backendName,
      kernelFunc: ({ inputs, backend }) => {
        const { dy, y } = inputs as { dy: tf.TensorInfo; y: tf.TensorInfo };
        const simd = simdFor(backend);
        if (simd) {
          // One SIMD pass (simd.wat relu_mask_f32).
          const out = (backend as unknown as { makeOutput(s: number[], d: string): tf.TensorInfo }).makeOutput(dy.shape, 'float32');
          simd.relu_mask_f32(wasmHeapOffset(backend, dy), wasmHeapOffset(backend, y), wasmHeapOffset(backend, out), sizeOf(dy.shape));
          return out;
        }
        if (isWasm) {
          // wasm's own SIMD Step and Multiply, called directly (a JS loop over the heap is ~3x slower).
          const s = tf.getKernel('Step', 'wasm')!.kernelFunc({ inputs: { x: y }, backend, attrs: { alpha: 0 } }) as tf.TensorInfo;
          try {
            return tf.getKernel('Multiply', 'wasm')!.kernelFunc({ inputs: { a: dy, b: s }, backend, attrs: {} }) as tf.TensorInfo;
          } finally {
            (backend as unknown as { disposeData(id: object): void }).disposeData(s.dataId);
          }
        }
        const mem = memFor(backend);
        const out = mem.alloc(dy.shape, false);
        reluMask(mem.view(dy), mem.view(y), mem.view(out));
        return out;
      },
    });
  }
  tf.registerGradient({
    kernelName: DENSE,
    inputsToSave: ['x', 'w'],
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [x, w, y] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
      const dz = (attrs as unknown as DenseAttrs).relu
        ? (tf.engine().runKernel(RELU_MASK, { dy: dy as tf.Tensor, y }) as tf.Tensor2D)
        : (dy as tf.Tensor2D);
      return {
        x: () => tf.matMul(dz, w, false, true),
        w: () => tf.matMul(x, dz, true, false),
        bias: () => tf.sum(dz, 0),
      };
    },
  });
}

/**
 * `relu(x W + b)` (or `x W + b`) for `x [m, k]`, `w [k, n]`, `bias [n]` or null, through the
 * `TfpDense` kernel on cpu/wasm; composed tfjs ops on other backends.
 */
export function denseOp(x: tf.Tensor2D, w: tf.Tensor2D, bias: tf.Tensor1D | null, relu: boolean): tf.Tensor2D {
  register();
  if (tf.getKernel(DENSE, tf.getBackend()) === undefined) {
    return tf.fused.matMul({ a: x, b: w, ...(bias ? { bias } : {}), activation: relu ? 'relu' : 'linear' }) as tf.Tensor2D;
  }
  const inputs: tf.NamedTensorMap = bias ? { x, w, bias } : { x, w };
  return tf.engine().runKernel(DENSE, inputs, { relu } as unknown as tf.NamedAttrMap) as tf.Tensor2D;
}

// ------------------------------------------------------------------ tf.layers.dense

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
  register();
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
      x === null || x.rank !== 2 || x.dtype !== 'float32' || (act !== 'relu' && act !== 'linear') || d.kernel === null ||
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
