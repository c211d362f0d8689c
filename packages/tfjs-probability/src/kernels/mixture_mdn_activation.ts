/**
 * The mixture-density-network head activation as one kernel each way (cpu, wasm):
 * columns `[start, end)` of `z [B, P]` (the σ block) become `elu(z) + 1 + ε`, the other
 * columns pass through. Forward `TfpMdnActivation(z) -> out`; backward
 * `TfpMdnActivationGrad(dy, out) -> dz` with `d out/d z = 1` for `z > 0` and `exp(z) = out - ε`
 * otherwise. On other backends `mdnActivation` composes tfjs ops (same values up to
 * float32 rounding: the kernel evaluates `exp(z) + ε` for `z ≤ 0` directly, where the
 * composed form computes `(exp(z) - 1) + 1 + ε`).
 */
import * as tf from '@tensorflow/tfjs';
import { wasmHeapOffset } from './backend_memory.js';
import { simdFor } from './wasm_simd.js';

const rowsOf = (shape: readonly number[]) => shape.slice(0, -1).reduce((a, b) => a * b, 1);

export const MDN_ACTIVATION = 'TfpMdnActivation';
export const MDN_ACTIVATION_GRAD = 'TfpMdnActivationGrad';

interface Attrs {
  start: number;
  end: number;
  epsilon: number;
}
interface WasmLike {
  makeOutput(shape: number[], dtype: string): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}
interface CpuLike {
  data: { get(id: object): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: string, values: Float32Array): tf.TensorInfo;
}

function forward(z: Float32Array, out: Float32Array, P: number, a: Attrs): void {
  for (let i = 0; i < z.length; i++) {
    const j = i % P;
    const v = z[i]!;
    out[i] = j >= a.start && j < a.end ? (v > 0 ? v + 1 + a.epsilon : Math.exp(v) + a.epsilon) : v;
  }
}
function backward(dy: Float32Array, out: Float32Array, dz: Float32Array, P: number, a: Attrs): void {
  for (let i = 0; i < dy.length; i++) {
    const j = i % P;
    if (j >= a.start && j < a.end) {
      const e = out[i]! - a.epsilon; // = z + 1 (z > 0) or exp(z) (z <= 0)
      dz[i] = e > 1 ? dy[i]! : dy[i]! * e;
    } else {
      dz[i] = dy[i]!;
    }
  }
}

function unary(isWasm: boolean, backend: unknown, inputs: tf.TensorInfo[], shape: number[], f: (views: Float32Array[], out: Float32Array) => void): tf.TensorInfo {
  if (isWasm) {
    const w = backend as WasmLike;
    const out = w.makeOutput(shape, 'float32');
    f(inputs.map((t) => w.typedArrayFromHeap(t)), w.typedArrayFromHeap(out));
    return out;
  }
  const c = backend as CpuLike;
  const o = new Float32Array(shape.reduce((p, d) => p * d, 1));
  f(inputs.map((t) => c.data.get(t.dataId).values as Float32Array), o);
  return c.makeTensorInfo(shape, 'float32', o);
}

for (const backendName of ['cpu', 'wasm']) {
  const isWasm = backendName === 'wasm';
  if (!tf.getKernel(MDN_ACTIVATION, backendName)) {
    tf.registerKernel({
      kernelName: MDN_ACTIVATION,
      backendName,
      kernelFunc: ({ inputs, backend, attrs }) => {
        const z = (inputs as { z: tf.TensorInfo }).z;
        const P = z.shape[z.shape.length - 1]!;
        const a = attrs as unknown as Attrs;
        const simd = isWasm ? simdFor(backend) : null;
        if (simd) {
          const out = (backend as WasmLike).makeOutput(z.shape, 'float32');
          simd.mdn_act(wasmHeapOffset(backend, z), wasmHeapOffset(backend, out), rowsOf(z.shape), P, a.start, a.end, a.epsilon);
          return out;
        }
        return unary(isWasm, backend, [z], z.shape, ([zv], o) => forward(zv!, o, P, attrs as unknown as Attrs));
      },
    });
  }
  if (!tf.getKernel(MDN_ACTIVATION_GRAD, backendName)) {
    tf.registerKernel({
      kernelName: MDN_ACTIVATION_GRAD,
      backendName,
      kernelFunc: ({ inputs, backend, attrs }) => {
        const { dy, out } = inputs as { dy: tf.TensorInfo; out: tf.TensorInfo };
        const P = dy.shape[dy.shape.length - 1]!;
        const a = attrs as unknown as Attrs;
        const simd = isWasm ? simdFor(backend) : null;
        if (simd) {
          const dz = (backend as WasmLike).makeOutput(dy.shape, 'float32');
          const at = (t: tf.TensorInfo) => wasmHeapOffset(backend, t);
          simd.mdn_act_grad(at(dy), at(out), at(dz), rowsOf(dy.shape), P, a.start, a.end, a.epsilon);
          return dz;
        }
        return unary(isWasm, backend, [dy, out], dy.shape, ([d, o], r) => backward(d!, o!, r, P, attrs as unknown as Attrs));
      },
    });
  }
}
tf.registerGradient({
  kernelName: MDN_ACTIVATION,
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [out] = saved as [tf.Tensor];
    return { z: () => tf.engine().runKernel(MDN_ACTIVATION_GRAD, { dy: dy as tf.Tensor, out }, attrs as tf.NamedAttrMap) as tf.Tensor };
  },
});

/**
 * `out[..., j] = elu(z) + 1 + ε` for `start ≤ j < end`, `z` elsewhere; differentiable.
 * One kernel forward and one backward on cpu and wasm.
 */
export function mdnActivation(z: tf.Tensor, start: number, end: number, epsilon: number): tf.Tensor {
  const attrs = { start, end, epsilon };
  if (z.dtype === 'float32' && tf.getKernel(MDN_ACTIVATION, tf.getBackend()) !== undefined) {
    return tf.engine().runKernel(MDN_ACTIVATION, { z }, attrs) as tf.Tensor;
  }
  return mdnActivationComposite(z, start, end, epsilon);
}

/** Columns of `t [..., P]` split at `start` and `end` (empty blocks allowed). */
function blocks(t: tf.Tensor, start: number, end: number): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const P = t.shape[t.rank - 1]!;
  return tf.split(t, [start, end - start, P - end], -1) as [tf.Tensor, tf.Tensor, tf.Tensor];
}

/**
 * `mdnActivation` as tfjs ops (backends without the kernel): split, elu + 1 + ε on the σ block,
 * concat. On webgl this is the shortest form (a mask-and-blend version costs two more passes).
 */
export function mdnActivationComposite(z: tf.Tensor, start: number, end: number, epsilon: number): tf.Tensor {
  return tf.tidy(() => {
    const [a, s, b] = blocks(z, start, end);
    return tf.concat([a, tf.add(tf.elu(s), 1 + epsilon), b], -1);
  });
}

/** The backward pass of `mdnActivation` given the upstream gradient `dy` and the forward output `out`. */
export function mdnActivationGrad(dy: tf.Tensor, out: tf.Tensor, start: number, end: number, epsilon: number): tf.Tensor {
  const attrs = { start, end, epsilon };
  if (dy.dtype === 'float32' && tf.getKernel(MDN_ACTIVATION_GRAD, tf.getBackend()) !== undefined) {
    return tf.engine().runKernel(MDN_ACTIVATION_GRAD, { dy, out }, attrs) as tf.Tensor;
  }
  return mdnActivationGradComposite(dy, out, start, end, epsilon);
}

/** `mdnActivationGrad` as tfjs ops: dy passes through outside the σ block, is scaled by min(out - ε, 1) inside. */
export function mdnActivationGradComposite(dy: tf.Tensor, out: tf.Tensor, start: number, end: number, epsilon: number): tf.Tensor {
  return tf.tidy(() => {
    const [a, s, b] = blocks(dy, start, end);
    const o = blocks(out, start, end)[1];
    return tf.concat([a, tf.mul(s, tf.minimum(tf.sub(o, epsilon), 1)), b], -1);
  });
}
