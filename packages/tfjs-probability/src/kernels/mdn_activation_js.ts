/**
 * The loops of the mixture-density-network activation kernels (MdnActivation.ts,
 * MdnActivationGrad.ts): columns `[start, end)` of `z [B, P]` become `elu(z) + 1 + ε`.
 */
import type * as tf from '@tensorflow/tfjs';

export const rowsOf = (shape: readonly number[]) => shape.slice(0, -1).reduce((a, b) => a * b, 1);

export interface MdnAttrs {
  start: number;
  end: number;
  epsilon: number;
}
export interface WasmLike {
  makeOutput(shape: number[], dtype: string): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}
interface CpuLike {
  data: { get(id: object): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: string, values: Float32Array): tf.TensorInfo;
}

export function forward(z: Float32Array, out: Float32Array, P: number, a: MdnAttrs): void {
  for (let i = 0; i < z.length; i++) {
    const j = i % P;
    const v = z[i]!;
    out[i] = j >= a.start && j < a.end ? (v > 0 ? v + 1 + a.epsilon : Math.exp(v) + a.epsilon) : v;
  }
}
export function backward(dy: Float32Array, out: Float32Array, dz: Float32Array, P: number, a: MdnAttrs): void {
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

export function unary(isWasm: boolean, backend: unknown, inputs: tf.TensorInfo[], shape: number[], f: (views: Float32Array[], out: Float32Array) => void): tf.TensorInfo {
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

