/**
 * Sampling on the cpu and wasm backends through the library's kernels (kernels/Random*.ts, loops
 * in kernels/sampler_js.ts): one float64 draw per element, each element looping until it accepts,
 * so rejection samplers never run out of rounds there and an element only pays for its own
 * proposals (about 1.1 on average), where the tensor-op samplers pay for every round on every
 * element. The same seed gives the same draws on cpu and wasm. Other backends (webgl) keep the
 * tensor-op samplers.
 */
import * as tf from '@tensorflow/tfjs';
import { useKernels } from '../kernels/register.js';
import { splitSeed } from '../util.js';

export { FLOAT32_TINY, FLOAT32_BELOW_ONE } from '../kernels/sampler_js.js';

export type SamplerKernel = 'TfpRandomPoisson' | 'TfpRandomBinomial' | 'TfpRandomGamma' | 'TfpRandomBeta' | 'TfpRandomNegativeBinomial' | 'TfpRandomTruncatedNormal' | 'TfpRandomStudentT';

/** True when the sampling kernels run on the active backend (cpu or wasm, kernels enabled). */
export function useSamplerKernels(): boolean {
  return useKernels();
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Draws of `shape` from the kernel `name` with per-element parameters `params`
 * (each broadcasting to `shape`). When the parameters' common shape is the
 * trailing part of `shape` (the usual `[n, ...batchShape]`), they are passed at
 * that shape and reused for every sample; otherwise broadcast to `shape`.
 */
export function runSamplerKernel(name: SamplerKernel, shape: number[], params: tf.Tensor[], seed: number | undefined, flag = 0): tf.Tensor {
  if (shape.some((d) => d === 0)) return tf.zeros(shape);
  return tf.tidy(() => {
    let batch: number[] = [];
    for (const p of params) batch = tf.backend_util.assertAndGetBroadcastShape(batch, p.shape);
    let lead = 0;
    while (lead < batch.length && batch[lead] === 1) lead++;
    const trailing = batch.slice(lead);
    const target = trailing.length <= shape.length && sameDims(shape.slice(shape.length - trailing.length), trailing) ? trailing : shape;
    const inputs: Record<string, tf.Tensor> = {};
    params.forEach((p, i) => {
      // Leading 1s beyond the target's rank are dropped (they broadcast away).
      let dims = p.shape;
      while (dims.length > target.length && dims[0] === 1) dims = dims.slice(1);
      inputs[`p${i}`] = tf.broadcastTo(tf.reshape(tf.cast(p, 'float32'), dims), target);
    });
    // A stream of its own: the user's seed also seeds randomUniform/randomNormal directly, so it is
    // split and salted first (a composite sampler may pass one seed to both).
    const s = seed === undefined ? Math.floor(Math.random() * 4294967296) : (splitSeed(seed, 1)[0]! ^ 0x5a17e5ed) >>> 0;
    return tf.engine().runKernel(name, inputs as unknown as tf.NamedTensorMap, { shape, seed: s, flag }) as tf.Tensor;
  });
}
