/**
 * Whether the library's own plain-loop kernels run (cpu and wasm; see register_all.ts for the
 * list). Gradients are registered by the ops that own the math (src/math/linalg.ts and
 * src/math/mvn_ops.ts). Registration is lazy (`ensureKernels()` on first use).
 */
import * as tf from '@tensorflow/tfjs';
import { registerAll } from './register_all.js';

export { CHOLESKY, TRIANGULAR_SOLVE, MVN_TRIL_LOG_PROB, MVN_TRIL_LOG_PROB_GRAD, MVN_TRIL_SAMPLE, MVN_TRIL_SAMPLE_GRAD } from './kernel_names.js';
export { unravel } from './kernel_utils.js';

const BACKENDS = ['cpu', 'wasm'];
let enabled = true;

/**
 * Turns the library's own kernels off (true: on, the default) so the composed tf-op
 * implementations run on every backend (linear algebra, MVN, special functions, the heads'
 * fused NLL, the MDN projection and activation, `denseOp`); for tests and benchmarks that
 * compare with stock tfjs.
 */
export function setKernelsEnabled(on: boolean): void {
  enabled = on;
}

/** False after `setKernelsEnabled(false)`. */
export function kernelsEnabled(): boolean {
  return enabled;
}

/** Whether the library's kernel `name` runs on the active backend (registering them first). */
export function kernelRuns(name: string): boolean {
  if (!enabled) return false;
  registerAll();
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

/** True when the active backend should use the plain-loop kernels. */
export function useKernels(): boolean {
  if (!enabled) return false;
  const b = tf.getBackend();
  if (!BACKENDS.includes(b)) return false;
  ensureKernels();
  return true;
}

/** Registers the library's kernels for cpu and wasm once. */
export function ensureKernels(): void {
  registerAll();
}
