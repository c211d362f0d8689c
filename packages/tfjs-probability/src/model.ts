/**
 * Model helpers: the distribution a model predicts, and samples from it.
 */
import * as tf from '@tensorflow/tfjs';
import type { Distribution } from './distributions/distribution.js';
import { InvalidArgumentError } from './errors.js';
import { isDistributionHead, type DistributionHead } from './losses/targets.js';

type Head = DistributionHead & tf.layers.Layer;

export interface PredictDistributionOptions {
  /**
   * The head layer (instance or layer name). Default: the model's output layer when it is a
   * distribution head (the first such output of a multi-output model).
   */
  head?: tf.layers.Layer | string;
  /**
   * Batch size for `model.predict` (default 32, as tfjs; all rows at once for a model with
   * Bayesian layers, so that one call uses one weight draw).
   */
  batchSize?: number;
}

export interface SampleFromModelOptions extends PredictDistributionOptions {
  /** Integer seed: the same seed gives the same samples. */
  seed?: number;
  /** `'SND'` (default): `[S, N, ...event]`; `'NSD'`: `[N, S, ...event]`. */
  layout?: 'SND' | 'NSD';
}

function findHead(model: tf.LayersModel, head: tf.layers.Layer | string | undefined): Head {
  if (head !== undefined) {
    const layer = typeof head === 'string' ? model.getLayer(head) : head;
    if (!isDistributionHead(layer)) {
      throw new InvalidArgumentError(
        `predictDistribution: layer '${layer.name}' (${layer.getClassName()}) is not a distribution head (a tfp.layers DistributionLayer)`,
      );
    }
    return layer as Head;
  }
  const outs = ((model as unknown as { outputLayers?: tf.layers.Layer[] }).outputLayers ?? []).filter(isDistributionHead);
  const last = model.layers[model.layers.length - 1];
  const found = outs[0] ?? (isDistributionHead(last) ? last : undefined);
  if (found === undefined) {
    throw new InvalidArgumentError(
      `predictDistribution: model '${model.name}' has no distribution head as output layer ` +
        `(last layer: ${last ? `${last.getClassName()} '${last.name}'` : 'none'}); end the model with a tfp.layers head or pass {head}`,
    );
  }
  return found as Head;
}

/** Whether a model (or a nested one) has layers that draw weights on every call (Bayesian layers). */
function drawsWeights(model: tf.LayersModel): boolean {
  return model.layers.some(
    (l) => (l as unknown as { drawsWeights?: boolean }).drawsWeights === true || (l instanceof tf.LayersModel && drawsWeights(l)),
  );
}

/**
 * Raw parameters the head emits for `x`, `[N, paramsSize]`. A model with Bayesian layers runs
 * all rows in one batch unless `batchSize` is given: `model.predict` calls the layers once
 * per batch, and each call draws new weights, so one forward pass = one weight draw for all rows.
 */
function predictParams(model: tf.LayersModel, head: Head, x: tf.Tensor | tf.Tensor[], batchSize?: number): tf.Tensor {
  const outputLayers = (model as unknown as { outputLayers?: tf.layers.Layer[] }).outputLayers ?? [];
  const idx = outputLayers.indexOf(head);
  const rows = (Array.isArray(x) ? x[0]! : x).shape[0];
  const bs = batchSize ?? (rows !== undefined && rows > 0 && drawsWeights(model) ? rows : undefined);
  const args = bs === undefined ? {} : { batchSize: bs };
  if ((head as { convertToTensorFn?: string }).convertToTensorFn !== undefined) {
    // The head outputs a sample / mean / ... (TFP's convert_to_tensor_fn): read the parameters at its input.
    const sub = tf.model({ inputs: model.inputs, outputs: head.input as tf.SymbolicTensor });
    return sub.predict(x, args) as tf.Tensor;
  }
  if (idx >= 0) {
    const out = model.predict(x, args);
    if (!Array.isArray(out)) return out;
    const keep = out[idx]!;
    tf.dispose(out.filter((t) => t !== keep));
    return keep;
  }
  // An inner head: a sub-model from the inputs to the head's output.
  const sub = tf.model({ inputs: model.inputs, outputs: head.output as tf.SymbolicTensor });
  return sub.predict(x, args) as tf.Tensor;
}

/**
 * The distribution a model predicts for inputs `x`: runs the model and converts the head's
 * output with `head.toDistribution`. For `x` of `N` rows the result has `batchShape [N]` and
 * the head's event shape. The caller owns (and disposes) the distribution. A model with
 * Bayesian layers (`DenseVariational`, `DenseFlipout`, ...) draws fresh weights on every
 * call, so each call gives one member of the posterior predictive (see `predictiveMixture`).
 *
 * @example
 * ```ts
 * const d = tfp.predictDistribution(model, xTest);   // batchShape [N]
 * const mu = d.mean(), cov = d.covariance();          // [N, 5], [N, 5, 5]
 * d.dispose();
 * ```
 */
export function predictDistribution(
  model: tf.LayersModel,
  x: tf.Tensor | tf.Tensor[],
  options: PredictDistributionOptions = {},
): Distribution {
  const head = findHead(model, options.head);
  const params = predictParams(model, head, x, options.batchSize);
  try {
    return head.toDistribution(params);
  } finally {
    params.dispose();
  }
}

/**
 * Samples from the distributions a model predicts for `x`, vectorized over rows and draws
 * (no per-row loop): `[S, N, ...event]` with the default layout `'SND'`, `[N, S, ...event]`
 * with `'NSD'` (recipe 000's `(N, samples, D)`).
 *
 * @example
 * ```ts
 * const s = tfp.sampleFromModel(model, x, 100, { seed: 1, layout: 'NSD' });   // [N, 100, D]
 * ```
 */
export function sampleFromModel(
  model: tf.LayersModel,
  x: tf.Tensor | tf.Tensor[],
  numSamples: number,
  options: SampleFromModelOptions = {},
): tf.Tensor {
  if (!Number.isInteger(numSamples) || numSamples < 0) {
    throw new InvalidArgumentError(`sampleFromModel: numSamples must be a non-negative integer; got ${numSamples}`);
  }
  const layout = options.layout ?? 'SND';
  if (layout !== 'SND' && layout !== 'NSD') {
    throw new InvalidArgumentError(`sampleFromModel: layout must be 'SND' or 'NSD'; got ${JSON.stringify(layout)}`);
  }
  const d = predictDistribution(model, x, options);
  try {
    const opts = options.seed === undefined ? {} : { seed: options.seed };
    if (layout === 'SND') return d.sample([numSamples], opts);
    return tf.tidy(() => {
      const s = d.sample([numSamples], opts);
      const perm = s.shape.map((_, i) => i);
      perm[0] = 1;
      perm[1] = 0;
      return tf.transpose(s, perm);
    });
  } finally {
    d.dispose();
  }
}

export interface PredictiveMixtureOptions extends PredictDistributionOptions {
  /** Number of stochastic forward passes `T` (default 50). */
  numSamples?: number;
}

/** The moments of the posterior predictive mixture; the caller disposes the four tensors. */
export interface PredictiveMixture {
  /** Predictive mean `(1/T) Σ_t μ_t(x)`, `[N, ...event]`. */
  mean: tf.Tensor;
  /** Epistemic variance: the variance of the per-pass means `μ_t(x)` over the passes (uncertainty about the weights). */
  epistemicVariance: tf.Tensor;
  /** Aleatoric variance: the mean of the per-pass variances `σ²_t(x)` (noise in the data); zero without a distribution head. */
  aleatoricVariance: tf.Tensor;
  /** Total predictive variance of the mixture: `epistemicVariance + aleatoricVariance`. */
  variance: tf.Tensor;
}

/**
 * The posterior predictive of a model with stochastic layers (`DenseVariational`,
 * `DenseFlipout`, ... or dropout kept on) as the equally weighted mixture of `T` forward
 * passes, each with freshly drawn weights.
 *
 * Mathematical details: with per-pass predictive mean `μ_t(x)` and variance `σ²_t(x)` (from
 * the distribution head; a model without one gives its output as `μ_t` and `σ²_t = 0`), the
 * mixture `(1/T) Σ_t p(y | x, w_t)` has mean `μ̄ = (1/T) Σ_t μ_t` and, by the law of total
 * variance, variance `(1/T) Σ_t (μ_t − μ̄)²` (epistemic) `+ (1/T) Σ_t σ²_t` (aleatoric).
 *
 * @example
 * ```ts
 * const { mean, epistemicVariance, aleatoricVariance, variance } = tfp.predictiveMixture(model, xTest, { numSamples: 100 });
 * tf.dispose([mean, epistemicVariance, aleatoricVariance, variance]);
 * ```
 */
export function predictiveMixture(
  model: tf.LayersModel,
  x: tf.Tensor | tf.Tensor[],
  options: PredictiveMixtureOptions = {},
): PredictiveMixture {
  const t = options.numSamples ?? 50;
  if (!Number.isInteger(t) || t < 1) {
    throw new InvalidArgumentError(`predictiveMixture: numSamples must be a positive integer; got ${String(options.numSamples)}`);
  }
  const outs = ((model as unknown as { outputLayers?: tf.layers.Layer[] }).outputLayers ?? []).filter(isDistributionHead);
  const last = model.layers[model.layers.length - 1];
  const withHead = options.head !== undefined || outs.length > 0 || (last !== undefined && isDistributionHead(last));
  const means: tf.Tensor[] = [];
  const variances: tf.Tensor[] = [];
  try {
    for (let i = 0; i < t; i++) {
      if (withHead) {
        const d = predictDistribution(model, x, options);
        try {
          means.push(d.mean());
          variances.push(d.variance());
        } finally {
          d.dispose();
        }
      } else {
        const rows = (Array.isArray(x) ? x[0]! : x).shape[0]!;
        const out = model.predict(x, { batchSize: options.batchSize ?? Math.max(1, rows) });
        if (Array.isArray(out)) {
          tf.dispose(out);
          throw new InvalidArgumentError(`predictiveMixture: model '${model.name}' has ${out.length} outputs and no distribution head; pass {head}`);
        }
        means.push(out);
      }
    }
    return tf.tidy(() => {
      const m = tf.stack(means);
      const { mean, variance: epistemicVariance } = tf.moments(m, 0);
      const aleatoricVariance = withHead ? tf.mean(tf.stack(variances), 0) : tf.zerosLike(mean);
      return { mean, epistemicVariance, aleatoricVariance, variance: tf.add(epistemicVariance, aleatoricVariance) };
    });
  } finally {
    tf.dispose(means);
    tf.dispose(variances);
  }
}

/**
 * The losses a model's layers add (Bayesian layers' KL terms, `KLDivergenceAddLoss`,
 * regularizers), nested models included, after the model's own: what Keras' `model.losses`
 * lists. tfjs-layers' `fit` already adds every one of them to the training loss; its
 * `model.losses` lists only losses added to the model object itself, so a custom training loop
 * reads them here. Each entry is a function returning a scalar (call it inside a tidy or
 * dispose the result).
 *
 * @example
 * ```ts
 * const kl = tf.tidy(() => tf.addN(tfp.modelLosses(model).map((f) => f())));   // the ELBO's KL part
 * ```
 */
export function modelLosses(model: tf.LayersModel): Array<() => tf.Scalar> {
  const out: Array<() => tf.Scalar> = [...(model.losses as Array<() => tf.Scalar>)];
  for (const layer of model.layers) {
    if (layer instanceof tf.LayersModel) out.push(...modelLosses(layer));
    else out.push(...(layer.losses as Array<() => tf.Scalar>));
  }
  return out;
}
