/**
 * `model.losses` that lists its layers' losses, as Keras does.
 *
 * tfjs-layers already adds every layer's loss functions (`layer.addLoss`) to the training
 * loss: `LayersModel.calculateLosses` walks the layers, and `fit` adds the results to the
 * mean NLL. But `model.losses` itself returns only losses added to the model object (none in
 * practice), so the KL terms of Bayesian layers were invisible there. `installModelLosses()`
 * (run when the Bayesian layers are imported) defines `LayersModel.prototype.losses` as the
 * model's own losses followed by those of its layers (nested models included), and keeps
 * `model.addLoss` working. It changes nothing in how tfjs-layers trains.
 */
import * as tf from '@tensorflow/tfjs';

const INSTALLED = Symbol.for('tfjs-probability.modelLosses');
type LossFn = () => tf.Scalar;
type WithOwn = { _losses?: LossFn[]; layers: tf.layers.Layer[] };

/** Installs the `losses` getter on `tf.LayersModel.prototype` once (idempotent). */
export function installModelLosses(): void {
  const proto = tf.LayersModel.prototype as unknown as Record<string | symbol, unknown>;
  if (proto[INSTALLED]) return;
  Object.defineProperty(proto, 'losses', {
    configurable: true,
    get(this: WithOwn): LossFn[] {
      const out: LossFn[] = [...(this._losses ?? [])];
      for (const layer of this.layers ?? []) out.push(...(layer.losses as LossFn[]));
      return out;
    },
  });
  proto['addLoss'] = function (this: WithOwn, losses: LossFn | LossFn[]): void {
    if (losses == null) return;
    const list = Array.isArray(losses) ? losses : [losses];
    if (this._losses) this._losses.push(...list);
  };
  proto[INSTALLED] = true;
}
