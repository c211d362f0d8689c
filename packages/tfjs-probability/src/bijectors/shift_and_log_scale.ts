/**
 * The `shiftAndLogScaleFn` argument of the affine coupling / autoregressive
 * flows: a function, a tfjs layer or a tfjs model, returning either one tensor
 * `[..., D, 2]` (TFP unstacks it into shift and log scale), `[..., D, 1]` (a
 * shift only), or a pair `[shift, logScale | null]`.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, fmtShape } from '../errors.js';

/** What a shift-and-log-scale function may return. */
export type ShiftAndLogScale = tf.Tensor | [tf.Tensor, tf.Tensor | null];

/** Anything with tfjs's `apply` (a Layer or a LayersModel). */
export interface Appliable {
  apply(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[] | tf.SymbolicTensor | tf.SymbolicTensor[];
}

/** Splits the output of a shift-and-log-scale function into `[shift, logScale | null]`, each `[..., D]`. */
export function splitShiftAndLogScale(out: ShiftAndLogScale | tf.Tensor[], owner: string, d: number): [tf.Tensor, tf.Tensor | null] {
  if (Array.isArray(out)) {
    const [shift, logScale] = out;
    if (!(shift instanceof tf.Tensor)) throw new InvalidArgumentError(`${owner}: shiftAndLogScaleFn must return a tensor or [shift, logScale]; got ${String(shift)}`);
    checkLast(shift, d, owner, 'shift');
    if (logScale != null) checkLast(logScale, d, owner, 'logScale');
    return [shift, logScale ?? null];
  }
  if (!(out instanceof tf.Tensor)) throw new InvalidArgumentError(`${owner}: shiftAndLogScaleFn must return a tensor or [shift, logScale]; got ${String(out)}`);
  const k = out.shape[out.rank - 1];
  if (out.rank >= 2 && out.shape[out.rank - 2] === d && (k === 2 || k === 1)) {
    if (k === 1) return [tf.squeeze(out, [-1]), null];
    const [s, l] = tf.unstack(out, out.rank - 1);
    return [s!, l!];
  }
  throw new InvalidArgumentError(`${owner}: shiftAndLogScaleFn must return [..., ${d}, 2] (shift and log scale) or [..., ${d}, 1]; got ${fmtShape(out.shape)}`);
}

function checkLast(t: tf.Tensor, d: number, owner: string, name: string): void {
  if (t.shape[t.rank - 1] !== d) throw new InvalidArgumentError(`${owner}: ${name} from shiftAndLogScaleFn must be [..., ${d}]; got ${fmtShape(t.shape)}`);
}

/**
 * Calls a function, or a layer / model (`apply`) on a concrete tensor; a layer or
 * model gets the leading dims flattened to one batch dim (a LayersModel insists on
 * its input rank) and restored on its output.
 */
export function callFn<A extends unknown[]>(fn: ((x: tf.Tensor, ...rest: A) => ShiftAndLogScale) | Appliable, x: tf.Tensor, ...rest: A): ShiftAndLogScale | tf.Tensor[] {
  if (typeof fn === 'function') return fn(x, ...rest);
  if (x.rank === 2) return fn.apply(x) as tf.Tensor | tf.Tensor[];
  const lead = x.shape.slice(0, -1);
  const out = fn.apply(tf.reshape(x, [-1, x.shape[x.rank - 1]!])) as tf.Tensor | tf.Tensor[];
  const back = (t: tf.Tensor): tf.Tensor => tf.reshape(t, [...lead, ...t.shape.slice(1)]);
  return Array.isArray(out) ? out.map(back) : back(out);
}

/** Whether a network passed as `shiftAndLogScaleFn` still has to create its weights. */
export function needsBuild(fn: unknown): boolean {
  if (fn instanceof tf.layers.Layer) return !fn.built;
  // realNvpDefaultTemplate: its model exists after the first call.
  return typeof fn === 'function' && 'model' in fn && (fn as { model: unknown }).model === undefined;
}

/**
 * Throws when a flow's network would create its weights inside a gradient computation:
 * `opt.minimize(f)` and `tf.variableGrads(f)` list the trainable variables before running
 * `f`, so weights created inside it would silently not train (tfjs then fails with "Cannot
 * find a connection between any variable and the result of the loss function").
 */
export function checkBuiltOutsideGradient(fn: unknown, owner: string): void {
  const state = (tf.engine() as unknown as { state?: { gradientDepth?: number } }).state;
  if ((state?.gradientDepth ?? 0) > 0 && needsBuild(fn)) {
    throw new InvalidArgumentError(
      `${owner}: its shiftAndLogScaleFn network has no weights yet, and creating them inside a gradient computation ` +
        '(opt.minimize, tf.variableGrads) would leave them out of training; call the flow once before training ' +
        '(e.g. flow.logProb(x).dispose()), or give tfb.AutoregressiveNetwork its eventShape so that the flow builds it at construction',
    );
  }
}
