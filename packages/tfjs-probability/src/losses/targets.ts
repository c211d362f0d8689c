/**
 * Natural targets for distribution heads.
 *
 * A head outputs its raw parameters, `[N, paramsSize]`, while the data it
 * models have shape `[N, ...eventShape]`. tfjs-layers' `fit` / `evaluate` /
 * `trainOnBatch` check that targets have the output's shape even when the
 * loss is custom (`standardizeInputData` in tfjs-layers' training.js), so
 * `model.fit(x, y)` with natural `y` would be rejected.
 *
 * Nothing in tfjs is changed for this:
 * - a head declares its output width unknown (`[..., null]`, see
 *   `DistributionLayer.computeOutputShape`), so tfjs' check accepts targets of
 *   any width: natural `[N, ...eventShape]` (rank 2 at most) or encoded;
 * - encoded targets are `[N, paramsSize]`: the event flattened into the
 *   first `eventSize` columns, zeros after (`encodeTargets`);
 * - events of rank 2 or more, whose natural targets have a rank tfjs' check
 *   rejects, take them flattened (`[N, eventSize]`), encoded, or natural
 *   through `fitDataset` (which does not check target shapes);
 * - the NLL loss accepts both natural and encoded targets (`decodeTargets`).
 */
import * as tf from '@tensorflow/tfjs';
import type { Distribution } from '../distributions/distribution.js';
import { InvalidArgumentError, fmtShape } from '../errors.js';

/** What the natural-target machinery needs from a head (any `DistributionLayer`). */
export interface DistributionHead {
  readonly paramsSize: number;
  readonly eventShape: number[];
  toDistribution(params: tf.Tensor): Distribution;
  readonly name?: string;
  /**
   * Optional fast path for `tfp.losses.negativeLogLikelihood`: the mean negative log density
   * of decoded targets `y` under `toDistribution(params)` as a scalar, computed without
   * building the distribution, or `null` where the head has no such path for these shapes.
   * Must equal `-mean(toDistribution(params).logProb(y))` (mixture heads: one fused kernel).
   */
  negativeLogLikelihood?(params: tf.Tensor, y: tf.Tensor): tf.Scalar | null;
}

/** True for objects that behave like a distribution head (duck-typed, so two copies of the package still agree). */
export function isDistributionHead(v: unknown): v is DistributionHead {
  if (v === null || typeof v !== 'object') return false;
  const o = v as Record<string, unknown>;
  try {
    return typeof o['toDistribution'] === 'function' && typeof o['paramsSize'] === 'number' && Array.isArray(o['eventShape']);
  } catch {
    // DistributionLambda without a known paramsSize throws until built.
    return false;
  }
}

function sizeOf(s: readonly number[]): number {
  return s.reduce((a, b) => a * b, 1);
}

function endsWith(shape: readonly number[], tail: readonly number[]): boolean {
  if (tail.length > shape.length) return false;
  const off = shape.length - tail.length;
  return tail.every((d, i) => shape[off + i] === d);
}

/** Name for messages. */
function headName(head: DistributionHead): string {
  const cls = (head as { getClassName?: () => string }).getClassName?.() ?? head.constructor?.name ?? 'head';
  return head.name ? `${cls} '${head.name}'` : cls;
}

/**
 * How `y` relates to a head whose output has `batchRank` leading dims:
 * 'natural' (`[...batch, ...eventShape]`, or `[...batch, 1]` for a scalar
 * event), 'flat' (`[...batch, eventSize]` for an event of rank 2 or more: the
 * event flattened, which tfjs' target check in `fit` accepts), 'encoded'
 * (`[...batch, paramsSize]`), or null.
 */
export function targetKind(head: DistributionHead, yShape: readonly number[], batchRank: number): 'natural' | 'flat' | 'encoded' | null {
  const ev = head.eventShape;
  if (yShape.length === batchRank + ev.length && endsWith(yShape, ev)) return 'natural';
  if (ev.length === 0 && yShape.length === batchRank + 1 && yShape[batchRank] === 1) return 'natural';
  if (ev.length >= 2 && yShape.length === batchRank + 1 && yShape[batchRank] === sizeOf(ev)) return 'flat';
  if (yShape.length === batchRank + 1 && yShape[batchRank] === head.paramsSize) return 'encoded';
  return null;
}

/**
 * Encodes natural targets `[...batch, ...eventShape]` as `[...batch, paramsSize]`
 * (event flattened, zero-padded), the shape tfjs-layers demands of targets.
 * Targets that are already `[...batch, paramsSize]` are returned as a clone.
 * Needed only where tfjs-layers is bypassed (e.g. building a dataset by hand
 * for another tool); `model.fit` does it automatically.
 *
 * @param batchRank number of leading batch dims (1 for `[N, ...]`, the default).
 */
export function encodeTargets(head: DistributionHead, y: tf.Tensor, batchRank = 1): tf.Tensor {
  const kind = targetKind(head, y.shape, batchRank);
  const p = head.paramsSize;
  if (kind === 'encoded') return tf.clone(y);
  if (kind === null) {
    throw new InvalidArgumentError(
      `${headName(head)}: targets must be [N, ${head.eventShape.join(', ')}] (natural) or [N, ${p}] (encoded); got ${fmtShape(y.shape)}`,
    );
  }
  const e = sizeOf(head.eventShape);
  if (e > p) {
    throw new InvalidArgumentError(
      `${headName(head)}: cannot encode targets of event size ${e} into paramsSize ${p} columns for tfjs-layers' fit; ` +
        `use fitDataset (which does not check target shapes) or a custom training loop with tfp.losses.negativeLogLikelihood`,
    );
  }
  return tf.tidy(() => {
    const batch = y.shape.slice(0, batchRank);
    const flat = tf.reshape(tf.cast(y, 'float32'), [...batch, e]);
    if (e === p) return flat;
    const pad: Array<[number, number]> = batch.map(() => [0, 0] as [number, number]);
    pad.push([0, p - e]);
    return tf.pad(flat, pad);
  });
}

/**
 * Turns the `yTrue` a loss receives into natural shape `[...batch, ...eventShape]`,
 * where `batch` is the batch shape of `yPred` (`[...batch, paramsSize]`).
 * Accepts natural and encoded targets; anything else is an error naming both shapes.
 * Call inside a tidy.
 */
export function decodeTargets(head: DistributionHead, yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  const batch = yPred.shape.slice(0, -1);
  const ev = head.eventShape;
  const kind = targetKind(head, yTrue.shape, batch.length);
  const y = yTrue.dtype === 'float32' ? yTrue : tf.cast(yTrue, 'float32');
  if (kind === 'natural') return y.rank === batch.length + ev.length ? y : tf.reshape(y, [...yTrue.shape.slice(0, batch.length), ...ev]);
  if (kind === 'flat') return tf.reshape(y, [...yTrue.shape.slice(0, batch.length), ...ev]);
  if (kind === 'encoded') {
    const e = sizeOf(ev);
    const b = yTrue.shape.slice(0, -1);
    const first = e === head.paramsSize ? y : tf.slice(y, new Array<number>(b.length + 1).fill(0), [...b, e]);
    return tf.reshape(first, [...b, ...ev]);
  }
  throw new InvalidArgumentError(
    `${headName(head)}: loss got targets of shape ${fmtShape(yTrue.shape)} for predictions ${fmtShape(yPred.shape)}; ` +
      `expected [${[...batch, ...ev].join(', ')}] (natural) or [${[...batch, head.paramsSize].join(', ')}] (encoded)`,
  );
}
