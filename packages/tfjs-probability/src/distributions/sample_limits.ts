/**
 * Bounds on one `sample` call: the values it returns, times the bytes a sampler holds per value
 * (output and intermediates), must fit what the active backend can allocate. Checked before
 * anything is allocated: an oversized draw on wasm otherwise aborts the WebAssembly instance
 * and every later tensor operation of the process fails; on cpu it is a RangeError deep inside
 * tfjs. The budgets are per backend and can be changed with `setSampleMemoryBudget`; a class
 * whose sampler holds more than 64 bytes per value declares `static sampleBytesPerValue`.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, fmtShape } from '../errors.js';

const GiB = 1024 * 1024 * 1024;
/** Bytes one call may use per backend (wasm: half of its 4 GiB address space). */
const budgets: Record<string, number> = { wasm: 2 * GiB, webgl: 1 * GiB, webgpu: 1 * GiB, cpu: 4 * GiB, tensorflow: 16 * GiB };
const DEFAULT_BUDGET = 2 * GiB;

/** Sets the bytes one `sample` call may use on `backend` (e.g. more on a large tfjs-node host). */
export function setSampleMemoryBudget(backend: string, bytes: number): void {
  if (!(bytes > 0) || !Number.isFinite(bytes)) throw new InvalidArgumentError(`setSampleMemoryBudget: bytes must be a positive number; got ${bytes}`);
  budgets[backend] = bytes;
}

/** The bytes one `sample` call may use on the active backend. */
export function sampleMemoryBudget(): number {
  return budgets[tf.getBackend()] ?? DEFAULT_BUDGET;
}

/**
 * Throws an InvalidArgumentError naming the class, the sample shape and the limit when
 * `sampleShape` draws of `perDraw` values each, at `bytesPerValue` bytes, exceed the budget.
 */
export function checkSampleSize(className: string, sampleShape: readonly number[], perDraw: number, bytesPerValue: number): void {
  const values = sampleShape.reduce((a, b) => a * b, 1) * perDraw;
  const budget = sampleMemoryBudget();
  if (values * bytesPerValue <= budget) return;
  const most = Math.floor(budget / bytesPerValue);
  throw new InvalidArgumentError(
    `${className}.sample: sample shape ${fmtShape(sampleShape)} asks for ${values} values (${perDraw} per draw), more than one call ` +
      `can allocate on the ${tf.getBackend()} backend (at most ${most}); draw in smaller batches, or raise the budget with ` +
      `tfp.distributions.setSampleMemoryBudget('${tf.getBackend()}', bytes)`,
  );
}
