import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, fmtShape } from '../errors.js';
import type { RealNVPShiftAndLogScaleFn } from './real_nvp.js';

export interface RealNvpDefaultTemplateArgs {
  /** Units of the hidden dense layers, e.g. `[64, 64]`. */
  hiddenLayers: number[];
  /** Output a shift only (volume-preserving coupling). Default false. */
  shiftOnly?: boolean;
  /** Activation of the hidden layers (a tfjs activation name). Default 'relu', as TFP. */
  activation?: 'relu' | 'tanh' | 'elu' | 'selu' | 'sigmoid' | 'softplus' | 'linear';
  /** Name prefix of the layers (for saving). */
  name?: string;
  /** Integer seed of the kernel initializers (layer i uses seed + i): reproducible initial weights. */
  seed?: number;
}

/** The function a `realNvpDefaultTemplate` returns, with access to its network. */
export interface RealNvpTemplate extends RealNVPShiftAndLogScaleFn {
  /**
   * The dense network as a tf.Sequential, built on the first call (it needs the input and
   * output sizes); save it with `tfp.io.saveModel(template.model, dir)` and use the loaded
   * model as `shiftAndLogScaleFn` of a new RealNVP.
   */
  readonly model: tf.Sequential | undefined;
  /** Trainable weights (empty before the first call). */
  readonly trainableWeights: tf.LayerVariable[];
  /** Releases the network's weights. */
  dispose(): void;
}

/**
 * TFP's `real_nvp_default_template`: a dense network `x0 ↦ (shift, logScale)` for `tfb.RealNVP`.
 *
 * Mathematical details: `hiddenLayers` dense layers with `activation`, then a linear layer of
 * `2 · outputUnits` units split into shift and log scale (`outputUnits` if `shiftOnly`).
 * Built lazily on the first call, when the sizes are known; the weights are ordinary tfjs
 * layer variables, trained by any optimizer.
 *
 * @example
 * ```ts
 * const fn = tfb.realNvpDefaultTemplate({ hiddenLayers: [32, 32] });
 * const nvp = new tfb.RealNVP({ numMasked: 1, shiftAndLogScaleFn: fn });
 * ```
 */
export function realNvpDefaultTemplate(args: RealNvpDefaultTemplateArgs): RealNvpTemplate {
  const hidden = args?.hiddenLayers;
  if (!Array.isArray(hidden) || !hidden.every((u) => Number.isInteger(u) && u > 0)) {
    throw new InvalidArgumentError(`realNvpDefaultTemplate: hiddenLayers must be an array of positive integers; got ${JSON.stringify(hidden)}`);
  }
  const shiftOnly = args.shiftOnly ?? false;
  const activation = args.activation ?? 'relu';
  const init = (i: number): { kernelInitializer?: ReturnType<typeof tf.initializers.glorotUniform> } =>
    args.seed === undefined ? {} : { kernelInitializer: tf.initializers.glorotUniform({ seed: args.seed + i }) };
  let model: tf.Sequential | undefined;
  let sizes: [number, number] | undefined;
  const fn = (x0: tf.Tensor, outputUnits: number): [tf.Tensor, tf.Tensor | null] => {
    const m = x0.shape[x0.rank - 1]!;
    if (model === undefined) {
      const layers: tf.layers.Layer[] = hidden.map((units, i) =>
        tf.layers.dense({ units, activation, ...init(i), ...(i === 0 ? { inputShape: [m] } : {}), ...(args.name ? { name: `${args.name}_dense_${i}` } : {}) }),
      );
      layers.push(
        tf.layers.dense({
          units: (shiftOnly ? 1 : 2) * outputUnits,
          ...init(hidden.length),
          ...(hidden.length === 0 ? { inputShape: [m] } : {}),
          ...(args.name ? { name: `${args.name}_dense_${hidden.length}` } : {}),
        }),
      );
      model = tf.sequential({ layers, ...(args.name ? { name: args.name } : {}) });
      sizes = [m, outputUnits];
    } else if (sizes![0] !== m || sizes![1] !== outputUnits) {
      throw new InvalidArgumentError(
        `realNvpDefaultTemplate: this template was built for inputs [..., ${sizes![0]}] and ${sizes![1]} output units; got x0 ${fmtShape(x0.shape)} and ${outputUnits} (use one template per RealNVP layer)`,
      );
    }
    const lead = x0.shape.slice(0, -1);
    const out = model!.apply(tf.reshape(x0, [-1, m])) as tf.Tensor;
    const full = tf.reshape(out, [...lead, out.shape[1]!]);
    if (shiftOnly) return [full, null];
    const [shift, logScale] = tf.split(full, 2, -1);
    return [shift!, logScale!];
  };
  Object.defineProperty(fn, 'model', { get: () => model });
  Object.defineProperty(fn, 'trainableWeights', { get: () => (model ? model.trainableWeights : []) });
  Object.defineProperty(fn, 'dispose', {
    value: () => {
      model?.dispose();
      model = undefined;
      sizes = undefined;
    },
  });
  return fn as RealNvpTemplate;
}
