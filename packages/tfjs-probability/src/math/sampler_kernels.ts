/**
 * Sampling kernels for the cpu and wasm backends: one loop over the output in
 * the backend's own memory, one float64 draw per element (./scalar_samplers.ts),
 * each element looping until it accepts. Rejection samplers therefore never run
 * out of rounds here, and an element only pays for its own proposals (about
 * 1.1 on average), where the tensor-op samplers pay for every round on every
 * element. The same seed gives the same draws on cpu and wasm.
 *
 * The kernels are registered under their own names on first use; nothing of
 * tfjs is replaced. Other backends (webgl) keep the tensor-op samplers.
 */
import * as tf from '@tensorflow/tfjs';
import { memFor } from '../kernels/backend_memory.js';
import { useKernels } from '../kernels/register.js';
import { Xoshiro128 } from './random.js';
import {
  BINOMIAL_STRIDE, GAMMA_STRIDE, POISSON_STRIDE, TRUNCATED_NORMAL_STRIDE, binomialDraw, gammaDraw, logGammaDraw, poissonDraw,
  prepareBinomial, prepareGamma, preparePoisson, prepareTruncatedNormal, truncatedNormalDraw,
} from './scalar_samplers.js';

/** Smallest positive normal float32: gamma draws that underflow are clamped here (as TFP does). */
export const FLOAT32_TINY = 1.1754943508222875e-38;

/** Fills `out` (element i uses parameter element i mod m, m the parameters' common length). */
type Fill = (out: Float32Array, p: Float32Array[], rng: Xoshiro128, flag: number) => void;

/**
 * A fill from a sampler's `prepare` (its constants, computed once per parameter element into a
 * Float64Array of `stride` numbers each) and `draw`, with an optional transform of each draw.
 */
function fillFrom(
  stride: number,
  prepare: (c: Float64Array, o: number, p: Float32Array[], j: number) => void,
  draw: (rng: Xoshiro128, c: Float64Array, o: number) => number,
  post?: (x: number, p: Float32Array[], j: number) => number,
): Fill {
  return (out, p, rng) => {
    const m = p[0]!.length;
    const c = new Float64Array(m * stride);
    for (let j = 0; j < m; j++) prepare(c, j * stride, p, j);
    for (let i = 0, j = 0; i < out.length; i++) {
      const x = draw(rng, c, j * stride);
      out[i] = post ? post(x, p, j) : x;
      if (++j === m) j = 0;
    }
  };
}

const gammaFill = fillFrom(GAMMA_STRIDE, (c, o, [a], j) => prepareGamma(c, o, a![j]!), gammaDraw, (g) => (g < FLOAT32_TINY ? FLOAT32_TINY : g));
const logGammaFill = fillFrom(GAMMA_STRIDE, (c, o, [a], j) => prepareGamma(c, o, a![j]!), logGammaDraw);

const FILLS: Record<string, Fill> = {
  TfpRandomPoisson: fillFrom(POISSON_STRIDE, (c, o, [rate], j) => preparePoisson(c, o, rate![j]!), poissonDraw),
  TfpRandomBinomial: fillFrom(BINOMIAL_STRIDE, (c, o, [n, p], j) => prepareBinomial(c, o, n![j]!, p![j]!), binomialDraw),
  // flag 1: log draws; 0: draws clamped below at FLOAT32_TINY.
  TfpRandomGamma: (out, p, rng, flag) => (flag === 1 ? logGammaFill : gammaFill)(out, p, rng, flag),
  // Standardized window per element; x = μ + σ z clipped to [low, high] against float32 rounding.
  TfpRandomTruncatedNormal: fillFrom(
    TRUNCATED_NORMAL_STRIDE,
    (c, o, [loc, scale, low, high], j) => {
      const s = scale![j]!;
      if (!(s > 0) || s === Infinity) c[o] = 0;
      else prepareTruncatedNormal(c, o, (low![j]! - loc![j]!) / s, (high![j]! - loc![j]!) / s);
    },
    truncatedNormalDraw,
    (z, [loc, scale, low, high], j) => {
      const x = loc![j]! + scale![j]! * z;
      return x < low![j]! ? low![j]! : x > high![j]! ? high![j]! : x;
    },
  ),
};

export type SamplerKernel = keyof typeof FILLS;
const registered = new Set<string>();

function ensureRegistered(name: string): void {
  if (registered.has(name)) return;
  registered.add(name);
  const fill = FILLS[name]!;
  for (const backendName of ['cpu', 'wasm']) {
    if (tf.getKernel(name, backendName)) continue;
    tf.registerKernel({
      kernelName: name,
      backendName,
      kernelFunc: ({ inputs, backend, attrs }) => {
        const { shape, seed, flag } = attrs as unknown as { shape: number[]; seed: number; flag: number };
        const mem = memFor(backend);
        const out = mem.alloc(shape, false);
        const params = Object.keys(inputs)
          .sort()
          .map((k) => mem.view(inputs[k] as tf.TensorInfo));
        fill(mem.view(out), params, new Xoshiro128(seed), flag);
        return out;
      },
    });
  }
}

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
  ensureRegistered(name);
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
    const s = seed ?? Math.floor(Math.random() * 4294967296);
    return tf.engine().runKernel(name, inputs as unknown as tf.NamedTensorMap, { shape, seed: s, flag }) as tf.Tensor;
  });
}
