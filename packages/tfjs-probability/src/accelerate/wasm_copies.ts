/**
 * wasm `Identity` (which the engine runs for every tensor saved for a gradient, ~30 per batch
 * of a small network) and same-dtype `Cast` sharing the input's buffer (reference counted, as
 * the cpu backend and wasm's own `Reshape` do) instead of copying it. Tensors are immutable in
 * tfjs, so no result can change. A replacement of tfjs' own kernels: installed by
 * `tfp.ready()` only (see install.ts).
 */
import * as tf from '@tensorflow/tfjs';

interface RefCounting {
  incRef(dataId: object): void;
}
let originalCopies: tf.KernelConfig[] | null = null;

/** wasm Identity, and Cast to the same dtype, as a shared reference (no copy). */
export function enableSharedWasmCopies(): void {
  if (originalCopies) return;
  const id = tf.getKernel('Identity', 'wasm');
  const cast = tf.getKernel('Cast', 'wasm');
  if (!id || !cast) return;
  originalCopies = [id, cast];
  const share = (x: tf.TensorInfo, backend: unknown): tf.TensorInfo => {
    (backend as RefCounting).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({
    ...id,
    kernelFunc: (args) => {
      const x = (args.inputs as { x: tf.TensorInfo }).x;
      return x.dtype === 'string' ? id.kernelFunc(args) : share(x, args.backend);
    },
  });
  tf.unregisterKernel('Cast', 'wasm');
  tf.registerKernel({
    ...cast,
    kernelFunc: (args) => {
      const x = (args.inputs as { x: tf.TensorInfo }).x;
      return x.dtype === (args.attrs as { dtype: string }).dtype && x.dtype !== 'string' ? share(x, args.backend) : cast.kernelFunc(args);
    },
  });
}

export function disableSharedWasmCopies(): void {
  if (!originalCopies) return;
  for (const k of originalCopies) {
    tf.unregisterKernel(k.kernelName, 'wasm');
    tf.registerKernel(k);
  }
  originalCopies = null;
}
