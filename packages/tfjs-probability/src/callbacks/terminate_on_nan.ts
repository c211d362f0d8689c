/**
 * `TerminateOnNaN`: a tfjs training callback that stops `model.fit` as soon as the loss is NaN
 * or ±Infinity (Keras' `TerminateOnNaN`), so that a diverged run never passes silently for a
 * trained model. By default `fit` then rejects with an `InvalidArgumentError` naming the epoch,
 * the batch and the loss (`{action: 'stop'}` only stops training, as in Keras, and records where).
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';

export interface TerminateOnNaNOptions {
  /** 'throw' (default): `fit` rejects with a message; 'stop': training stops, `stoppedAt` says where. */
  action?: 'throw' | 'stop';
  /** Check after every 'epoch' (default: no extra read of the loss from the device) or every 'batch' (as Keras). */
  every?: 'epoch' | 'batch';
  /** Log keys to check (default: every key ending in 'loss', e.g. `loss` and `val_loss`). */
  keys?: string[];
}

/** Where training was stopped, and by which value. */
export interface NonFiniteLoss {
  epoch: number;
  /** Batch within the epoch (with `every: 'batch'`), or null. */
  batch: number | null;
  key: string;
  value: number;
}

async function valueOf(v: unknown): Promise<number | undefined> {
  if (typeof v === 'number') return v;
  if (v instanceof tf.Tensor && v.size === 1) return (await v.data())[0];
  return undefined;
}

/**
 * @example
 * ```ts
 * const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1 })] });
 * model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
 * const x = tf.tensor2d([[1], [2]]);
 * const y = tf.tensor2d([[NaN], [1]]);
 * await model.fit(x, y, { epochs: 3, callbacks: [new tfp.callbacks.TerminateOnNaN()] })
 *   .catch((e) => console.log(e.message)); // "TerminateOnNaN: loss is NaN at epoch 1 ..."
 * tf.dispose([x, y]);
 * model.dispose();
 * ```
 */
export class TerminateOnNaN extends tf.Callback {
  /** Set when training was stopped. */
  stoppedAt: NonFiniteLoss | null = null;
  private readonly action: 'throw' | 'stop';
  private readonly every: 'epoch' | 'batch';
  private readonly keys: string[] | undefined;
  private epoch = 0;

  constructor(options: TerminateOnNaNOptions = {}) {
    super();
    if (options.action !== undefined && options.action !== 'throw' && options.action !== 'stop') {
      throw new InvalidArgumentError(`TerminateOnNaN: action must be 'throw' or 'stop'; got ${JSON.stringify(options.action)}`);
    }
    if (options.every !== undefined && options.every !== 'epoch' && options.every !== 'batch') {
      throw new InvalidArgumentError(`TerminateOnNaN: every must be 'epoch' or 'batch'; got ${JSON.stringify(options.every)}`);
    }
    this.action = options.action ?? 'throw';
    this.every = options.every ?? 'epoch';
    this.keys = options.keys;
  }

  override async onTrainBegin(): Promise<void> {
    this.stoppedAt = null;
  }

  /** Throws once training has stopped (here rather than mid-epoch: tfjs then releases its epoch tensors). */
  override async onTrainEnd(): Promise<void> {
    const s = this.stoppedAt;
    if (s === null || this.action !== 'throw') return;
    // tfjs resolves the History's loss tensors after onTrainEnd; do it first, or the rejection would leak them.
    await (this.model as unknown as { history?: { syncData?: () => Promise<void> } } | undefined)?.history?.syncData?.();
    throw new InvalidArgumentError(
      `TerminateOnNaN: ${s.key} is ${s.value} at epoch ${s.epoch}${s.batch === null ? '' : `, batch ${s.batch + 1}`}; ` +
        `training stopped (the weights are no longer usable). Check the data for NaN or infinite values, or lower the learning rate`,
    );
  }

  override async onEpochBegin(epoch: number): Promise<void> {
    this.epoch = epoch;
  }

  override async onBatchEnd(batch: number, logs?: tf.Logs): Promise<void> {
    if (this.every === 'batch') await this.check(logs, batch);
  }

  override async onEpochEnd(epoch: number, logs?: tf.Logs): Promise<void> {
    this.epoch = epoch;
    await this.check(logs, null);
  }

  /** Throws (or stops training) if a loss in `logs` is not finite. */
  private async check(logs: tf.Logs | undefined, batch: number | null): Promise<void> {
    if (logs === undefined || this.stoppedAt !== null) return;
    for (const key of Object.keys(logs)) {
      if (this.keys ? !this.keys.includes(key) : !/loss$/i.test(key)) continue;
      const value = await valueOf(logs[key]);
      if (value === undefined || Number.isFinite(value)) continue;
      this.stoppedAt = { epoch: this.epoch + 1, batch, key, value };
      if (this.model) this.model.stopTraining = true;
      return;
    }
  }
}
