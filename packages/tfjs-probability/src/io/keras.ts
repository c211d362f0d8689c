/**
 * Keras / TensorFlow Probability interop for the layers format (`model.json` + weights), used by
 * `io.loadModel` and `io.saveModel` through two hooks, and usable alone in a browser:
 *
 * - `prepareKerasArtifacts(artifacts, options)` rewrites a model converted by
 *   `tensorflowjs_converter` from a Keras model with TFP layers (`tfp.layers.*`, TFP 0.25 /
 *   tf_keras 2.x `get_config`) into the configs of this library's heads: TFP's class names and
 *   snake_case keys (`event_shape`, `event_size`, `num_components`, `convert_to_tensor_fn`); sizes
 *   that TFP keeps only inside the pickled `make_distribution_fn` closure are inferred from the
 *   width of the head's input, or asked for with a message naming the layer and the option.
 * - `toKerasTopology(topology)` adds to the configs `saveModel` writes the keys `tf_keras`'s
 *   `Lambda.from_config` needs, so a Python user can rebuild the heads with TFP.
 *
 * Adding a head is one `registerKerasHead` line (see the end of this file); Bayesian layers map
 * TFP's weight names onto theirs with `registerKerasWeightNames`.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import { CONVERT_TO_TENSOR_FNS, type ConvertToTensorFn } from '../layers/distribution_layer.js';
import { getDistributionFn } from '../layers/distribution_lambda.js';

type Cfg = Record<string, unknown>;

/** Sizes of one head, for a head whose sizes a converted model does not record. */
export interface KerasHeadOptions {
  eventShape?: number | number[];
  eventSize?: number;
  numComponents?: number;
  /** MixtureSameFamily: the component head (a layer, or its `{className, config}`). */
  componentLayer?: tf.layers.Layer | { className: string; config: Cfg };
  /** Overrides the layer's `convert_to_tensor_fn` (what `predict` returns). */
  convertToTensorFn?: ConvertToTensorFn;
  /** DistributionLambda: the name a TypeScript function is registered under (default: the layer's name). */
  makeDistribution?: string;
  /** Bayesian layers: the factor on the KL term (TFP keeps it in the pickled kernel_divergence_fn; default 1). */
  klWeight?: number;
}

export interface KerasLoadOptions {
  /** Per-head options, keyed by the layer's name (`'mixture_normal'`) or by TFP's class name. */
  heads?: Record<string, KerasHeadOptions>;
  /**
   * `'keras'` (default): each head's `convert_to_tensor_fn` decides what `predict` returns, as in
   * Keras. `'params'`: heads return their raw parameters (this library's default), so the loaded
   * model can be trained further with `fit` and `tfp.losses.negativeLogLikelihood`.
   */
  convertToTensor?: 'keras' | 'params';
}

/** What a head spec sees: the layer, its (pythonic) config, the width of its input, the user's options. */
export interface KerasHeadContext {
  layer: string;
  className: string;
  config: Cfg;
  width: number | undefined;
  options: KerasHeadOptions;
  /** The weights manifest (for layers whose options show only in their weights). */
  specs?: readonly tf.io.WeightsManifestEntry[];
}

/** Returns the head's own keys (snake_case, as in the model.json) from TFP's config. */
export type KerasHeadSpec = (ctx: KerasHeadContext) => Cfg;

const heads = new Map<string, KerasHeadSpec>();
const otherLayers = new Map<string, KerasHeadSpec>();
const weightNames = new Map<string, Record<string, string>>();

/**
 * Registers how TFP's config of a layer that is not a head (a Bayesian layer) becomes ours: the
 * spec returns the layer's keys (snake_case); `name`, `trainable`, `dtype` and `batch_input_shape` are kept.
 */
export function registerKerasLayer(className: string, spec: KerasHeadSpec): void {
  otherLayers.set(className, spec);
}

/** Registers how TFP's `className` config becomes this library's head config. */
export function registerKerasHead(className: string, spec: KerasHeadSpec): void {
  heads.set(className, spec);
}

/**
 * Maps TFP's weight names of a layer class onto ours (`{kernel_posterior_loc: 'kernelLoc', ...}`),
 * applied to weights named `<layer>/<tfpName>` in the manifest.
 */
export function registerKerasWeightNames(className: string, map: Record<string, string>): void {
  weightNames.set(className, { ...map });
}

/** Keys of TFP / `tf_keras.layers.Lambda` configs that have no meaning here (pickles, Lambda plumbing). */
const TFP_ONLY_KEYS = [
  'function', 'function_type', 'module', 'output_shape', 'output_shape_type', 'output_shape_module',
  'arguments', 'mask', 'mask_type', 'mask_module', 'make_distribution_fn', 'validate_args', 'sample_dtype',
  'convert_to_tensor_fn', 'event_shape', 'event_size', 'num_components', 'component_layer',
];

/** TFP layers this library cannot load (unless a module registers a class of that name). */
const TFP_UNSUPPORTED = [
  'VariationalGaussianProcess', 'KLDivergenceAddLoss', 'AutoregressiveTransform', 'VariableLayer', 'DenseLocalReparameterization',
  'Convolution1DFlipout', 'Convolution2DFlipout', 'Convolution3DFlipout', 'Convolution1DReparameterization',
  'Convolution2DReparameterization', 'Convolution3DReparameterization', 'AutoregressiveNetwork', 'BlockwiseInitializer',
];
const KEPT_KEYS = ['name', 'trainable', 'dtype', 'batch_input_shape'];

/** Layers whose output has the width of their input. */
const SAME_WIDTH = new Set([
  'Activation', 'Dropout', 'AlphaDropout', 'GaussianDropout', 'GaussianNoise', 'BatchNormalization',
  'LayerNormalization', 'ReLU', 'LeakyReLU', 'ELU', 'PReLU', 'Softmax', 'ThresholdedReLU', 'ActivityRegularization',
]);

function fail(ctx: KerasHeadContext, what: string, example: string): never {
  throw new InvalidArgumentError(
    `loadModel: layer '${ctx.layer}' (${ctx.className}): ${what}; pass it as ` +
      `loadModel(path, {heads: {${ctx.layer}: ${example}}})`,
  );
}

const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

function positiveInt(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined;
}

/** `event_shape` from the options or the config (TFP writes `()` as `[]`, an int as itself). */
function eventShapeOf(ctx: KerasHeadContext): number[] | undefined {
  const v = ctx.options.eventShape ?? ctx.config['event_shape'];
  if (v === undefined || v === null) return undefined;
  const s = typeof v === 'number' ? [v] : Array.isArray(v) ? (v as unknown[]) : null;
  if (s === null || !s.every((d) => positiveInt(d) !== undefined)) {
    fail(ctx, `event_shape must be a list of positive integers; got ${JSON.stringify(v)}`, '{eventShape: [n]}');
  }
  return s as number[];
}

/** An event shape `[m]` for `m` elements, `[]` for one (TFP's default `()`). */
const shapeFor = (m: number): number[] => (m === 1 ? [] : [m]);

function checkWidth(ctx: KerasHeadContext, expected: number, formula: string, example: string): void {
  if (ctx.width !== undefined && ctx.width !== expected) {
    fail(ctx, `its input has width ${ctx.width} but ${formula} = ${expected}`, example);
  }
}

/** Independent heads: `k` raw parameters per element of `event_shape` (IndependentNormal: 2). */
export function independentHead(k: number): KerasHeadSpec {
  return (ctx) => {
    let ev = eventShapeOf(ctx);
    if (ev === undefined) {
      if (ctx.width === undefined || ctx.width % k !== 0) fail(ctx, 'the config has no event_shape', '{eventShape: [n]}');
      ev = shapeFor(ctx.width / k);
    }
    checkWidth(ctx, k * prod(ev), `params_size(event_shape ${JSON.stringify(ev)})`, '{eventShape: [n]}');
    return { event_shape: ev };
  };
}

/** Mixtures of independent heads (`k` raw parameters per element): `K(1 + k·n)` inputs. */
export function independentMixtureHead(k: number): KerasHeadSpec {
  const example = '{numComponents: K, eventShape: [n]}';
  return (ctx) => {
    let K = positiveInt(ctx.options.numComponents ?? ctx.config['num_components']);
    let ev = eventShapeOf(ctx);
    const w = ctx.width;
    if (K === undefined && ev !== undefined && w !== undefined && w % (1 + k * prod(ev)) === 0) K = w / (1 + k * prod(ev));
    if (ev === undefined && K !== undefined && w !== undefined && w % K === 0 && (w / K - 1) % k === 0 && w / K > 1) {
      ev = shapeFor((w / K - 1) / k);
    }
    if (K === undefined || ev === undefined) {
      fail(ctx, `num_components and event_shape are not in the config (only in the pickled closure) and cannot both be inferred from the input width ${w ?? '(unknown)'}`, example);
    }
    checkWidth(ctx, K * (1 + k * prod(ev)), `num_components·(1 + ${k}·prod(event_shape))`, example);
    return { num_components: K, event_shape: ev };
  };
}

function snakeKeys(cfg: Cfg): Cfg {
  const out: Cfg = {};
  for (const [key, v] of Object.entries(cfg)) {
    const snake = key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
    out[snake] = v !== null && typeof v === 'object' && !Array.isArray(v) ? snakeKeys(v as Cfg) : v;
  }
  return out;
}

/** A component head from the options (layer or `{className, config}`) or the config, as pythonic `{class_name, config}`. */
function componentOf(ctx: KerasHeadContext): { class_name: string; config: Cfg; width: number } | undefined {
  const c = ctx.options.componentLayer ?? (ctx.config['component_layer'] as Cfg | undefined);
  if (c === undefined || c === null) return undefined;
  if (c instanceof tf.layers.Layer) {
    const size = (c as unknown as { paramsSize?: number }).paramsSize;
    if (typeof size !== 'number') fail(ctx, `componentLayer '${c.name}' is not a distribution head`, '{componentLayer: new tfpl.IndependentNormal({eventShape: [n]})}');
    return { class_name: c.getClassName(), config: snakeKeys(c.getConfig() as Cfg), width: size };
  }
  const o = c as Cfg;
  const className = (o['className'] ?? o['class_name']) as string | undefined;
  const config = snakeKeys((o['config'] ?? {}) as Cfg);
  const entry = className ? tf.serialization.SerializationMap.getMap().classNameMap[className] : undefined;
  if (!entry) fail(ctx, `component layer class ${JSON.stringify(className)} is not registered`, '{componentLayer: new tfpl.IndependentNormal({eventShape: [n]})}');
  // A probe layer (no weights, never built) tells the component's params_size.
  const probe = entry[1](entry[0], camelKeys(config) as tf.serialization.ConfigDict) as unknown as { paramsSize?: number };
  if (typeof probe.paramsSize !== 'number') fail(ctx, `component layer class ${className} is not a distribution head`, '{componentLayer: new tfpl.IndependentNormal({eventShape: [n]})}');
  return { class_name: className!, config, width: probe.paramsSize };
}

function camelKeys(cfg: Cfg): Cfg {
  const out: Cfg = {};
  for (const [key, v] of Object.entries(cfg)) {
    const camel = key.replace(/_+([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    out[camel] = v !== null && typeof v === 'object' && !Array.isArray(v) ? camelKeys(v as Cfg) : v;
  }
  return out;
}

function mixtureSameFamily(ctx: KerasHeadContext): Cfg {
  const example = '{numComponents: K, componentLayer: new tfpl.IndependentNormal({eventShape: [n]})}';
  const comp = componentOf(ctx);
  if (comp === undefined) fail(ctx, 'TFP keeps the component layer only in the pickled closure', example);
  let K = positiveInt(ctx.options.numComponents ?? ctx.config['num_components']);
  if (K === undefined && ctx.width !== undefined && ctx.width % (1 + comp.width) === 0) K = ctx.width / (1 + comp.width);
  if (K === undefined) fail(ctx, 'num_components is not in the config and cannot be inferred', example);
  checkWidth(ctx, K * (1 + comp.width), 'num_components·(1 + component params_size)', example);
  return { num_components: K, component_layer: { class_name: comp.class_name, config: comp.config } };
}

function multivariateNormalTriL(ctx: KerasHeadContext): Cfg {
  let n = positiveInt(ctx.options.eventSize ?? ctx.config['event_size']);
  if (n === undefined && ctx.width !== undefined) {
    // width = n + n(n+1)/2  <=>  n² + 3n - 2·width = 0
    const r = Math.round((-3 + Math.sqrt(9 + 8 * ctx.width)) / 2);
    if (r > 0 && r + (r * (r + 1)) / 2 === ctx.width) n = r;
  }
  if (n === undefined) fail(ctx, `event_size is not in the config and the input width ${ctx.width ?? '(unknown)'} is not n + n(n+1)/2`, '{eventSize: n}');
  checkWidth(ctx, n + (n * (n + 1)) / 2, 'n + n(n+1)/2', '{eventSize: n}');
  return { event_size: n };
}

function oneHotCategorical(ctx: KerasHeadContext): Cfg {
  const n = positiveInt(ctx.options.eventSize ?? ctx.config['event_size']) ?? ctx.width;
  if (n === undefined) fail(ctx, 'event_size is not in the config and the input width is unknown', '{eventSize: d}');
  checkWidth(ctx, n, 'event_size', '{eventSize: d}');
  return { event_size: n };
}

function categoricalMixtureOfOneHot(ctx: KerasHeadContext): Cfg {
  const example = '{numComponents: K, eventSize: d}';
  let d = positiveInt(ctx.options.eventSize ?? ctx.config['event_size']);
  let K = positiveInt(ctx.options.numComponents ?? ctx.config['num_components']);
  const w = ctx.width;
  if (w !== undefined && d !== undefined && K === undefined && w % (1 + d) === 0) K = w / (1 + d);
  if (w !== undefined && K !== undefined && d === undefined && w % K === 0 && w / K > 1) d = w / K - 1;
  if (d === undefined || K === undefined) {
    fail(ctx, `event_size and num_components are only in the pickled closure; the input width ${w ?? '(unknown)'} = K(1 + d) does not determine both`, example);
  }
  checkWidth(ctx, K * (1 + d), 'num_components·(1 + event_size)', example);
  return { event_size: d, num_components: K };
}

function distributionLambda(ctx: KerasHeadContext): Cfg {
  const name = ctx.options.makeDistribution ?? ctx.layer;
  if (getDistributionFn(name) === undefined) {
    throw new InvalidArgumentError(
      `loadModel: layer '${ctx.layer}' (DistributionLambda) holds its make_distribution_fn as a pickled Python function, ` +
        `which cannot run here; register a TypeScript function under the layer's name before loading: ` +
        `tfp.layers.registerDistributionFn('${ctx.layer}', (params) => new tfd.Normal({...})) ` +
        `(params: [...batch, ${ctx.width ?? 'paramsSize'}]), or pass {heads: {${ctx.layer}: {makeDistribution: 'registeredName'}}}`,
    );
  }
  return ctx.width === undefined ? { make_distribution: name } : { make_distribution: name, params_size: ctx.width };
}

function widthOfWeights(layer: string, specs: readonly tf.io.WeightsManifestEntry[]): number | undefined {
  const mine = specs.filter((s) => s.name.startsWith(`${layer}/`) || s.name.includes(`/${layer}/`));
  const bias = mine.find((s) => /bias[^/]*$/.test(s.name)) ?? mine.find((s) => /kernel[^/]*$/.test(s.name));
  const w = bias?.shape[bias.shape.length - 1];
  return typeof w === 'number' ? w : undefined;
}

function lastDim(v: unknown): number | undefined {
  return Array.isArray(v) ? positiveInt(v[v.length - 1]) : undefined;
}

interface Walk {
  options: KerasLoadOptions;
  specs: tf.io.WeightsManifestEntry[];
}

/** Rewrites one layer entry in place (if it is a TFP head) and returns its output width, when known. */
function visitLayer(entry: Cfg, inWidth: number | undefined, walk: Walk): number | undefined {
  const className = entry['class_name'] as string;
  const config = (entry['config'] ?? {}) as Cfg;
  const name = (config['name'] ?? entry['name'] ?? className) as string;
  if (className === 'Sequential' || className === 'Model' || className === 'Functional') {
    return visitModel(entry, walk, inWidth);
  }
  const map = weightNames.get(className);
  if (map) renameWeights(name, map, walk.specs);
  const registered = !!tf.serialization.SerializationMap.getMap().classNameMap[className];
  const layerOptions = { ...(walk.options.heads?.[className] ?? {}), ...(walk.options.heads?.[name] ?? {}) };
  const other = otherLayers.get(className);
  if (other !== undefined && !registered) {
    throw new InvalidArgumentError(`loadModel: layer '${name}' is TFP's ${className}, which this version of tfjs-probability does not have (yet)`);
  }
  if (other !== undefined) {
    const ctx: KerasHeadContext = { layer: name, className, config, width: inWidth, options: layerOptions };
    const kept: Cfg = {};
    for (const k of KEPT_KEYS) if (k in config) kept[k] = config[k];
    entry['config'] = { ...kept, ...other({ ...ctx, specs: walk.specs }) };
  }
  const spec = heads.get(className);
  if (spec === undefined) {
    if (TFP_UNSUPPORTED.includes(className) && !registered) {
      throw new InvalidArgumentError(`loadModel: layer '${name}' is TFP's ${className}, which tfjs-probability cannot load`);
    }
    const units = positiveInt(config['units']);
    if (units !== undefined) return units;
    if (className === 'InputLayer') return lastDim(config['batch_input_shape'] ?? config['batch_shape']);
    if (SAME_WIDTH.has(className)) return inWidth;
    return widthOfWeights(name, walk.specs);
  }
  if (className === 'DistributionLambda' && !('make_distribution_fn' in config)) return undefined; // saved by this library
  if (!registered) {
    throw new InvalidArgumentError(
      `loadModel: layer '${name}' is TFP's ${className}, which this version of tfjs-probability does not have (yet)`,
    );
  }
  const ctx: KerasHeadContext = { layer: name, className, config, width: lastDim(config['batch_input_shape']) ?? inWidth, options: layerOptions };
  const own = spec(ctx);
  let convert: unknown = layerOptions.convertToTensorFn ?? config['convert_to_tensor_fn'];
  // Keras' newer serialization of a function: {module, class_name: 'function', config: 'sample', ...}.
  if (convert !== null && typeof convert === 'object' && typeof (convert as Cfg)['config'] === 'string') convert = (convert as Cfg)['config'];
  if (walk.options.convertToTensor === 'params') convert = undefined;
  if (convert !== undefined && convert !== null && !CONVERT_TO_TENSOR_FNS.includes(convert as ConvertToTensorFn)) {
    fail(ctx, `convert_to_tensor_fn ${JSON.stringify(convert)} is not one of ${CONVERT_TO_TENSOR_FNS.join(', ')}`, "{convertToTensorFn: 'mean'}");
  }
  const kept: Cfg = {};
  for (const [k, v] of Object.entries(config)) if (!TFP_ONLY_KEYS.includes(k)) kept[k] = v;
  entry['config'] = { ...kept, ...own, ...(convert ? { convert_to_tensor_fn: convert } : {}) };
  return undefined;
}

function renameWeights(layer: string, map: Record<string, string>, specs: tf.io.WeightsManifestEntry[]): void {
  for (const s of specs) {
    const slash = s.name.lastIndexOf('/');
    const prefix = s.name.slice(0, slash);
    const last = s.name.slice(slash + 1);
    if (slash > 0 && (prefix === layer || prefix.endsWith(`/${layer}`)) && map[last] !== undefined) {
      s.name = `${prefix}/${map[last]}`;
    }
  }
}

/** Visits a Sequential or functional model config; returns the Sequential's output width. */
function visitModel(model: Cfg, walk: Walk, inWidth?: number): number | undefined {
  const cfg = model['config'];
  const layers = (Array.isArray(cfg) ? cfg : ((cfg as Cfg | undefined)?.['layers'] ?? [])) as Cfg[];
  if (model['class_name'] === 'Sequential') {
    let width = inWidth;
    for (const entry of layers) {
      const c = (entry['config'] ?? {}) as Cfg;
      width = visitLayer(entry, lastDim(c['batch_input_shape'] ?? c['batch_shape']) ?? width, walk);
    }
    return width;
  }
  // Functional: the width of a layer's input is the output width of the layer on its first inbound edge.
  const byName = new Map<string, Cfg>(layers.map((l) => [(l['name'] ?? (l['config'] as Cfg)['name']) as string, l]));
  const widths = new Map<string, number | undefined>();
  const widthOut = (name: string): number | undefined => {
    if (widths.has(name)) return widths.get(name);
    widths.set(name, undefined);
    const entry = byName.get(name);
    if (entry === undefined) return undefined;
    const inbound = entry['inbound_nodes'] as unknown[][][] | undefined;
    const src = inbound?.[0]?.[0]?.[0];
    const w = visitLayer(entry, typeof src === 'string' ? widthOut(src) : undefined, walk);
    widths.set(name, w);
    return w;
  };
  for (const name of byName.keys()) widthOut(name);
  return undefined;
}

/**
 * Rewrites the artifacts of a converted Keras model (tfjs layers format) so its TFP heads load
 * as this library's: see the module comment. Returns new artifacts (the input is not changed);
 * models saved by this library pass through unchanged in meaning.
 *
 * @example
 * ```ts
 * // In a browser: fetch a converted model and load it.
 * const artifacts = await tf.io.http('model/model.json').load!();
 * const model = await tf.loadLayersModel({ load: async () => tfp.io.prepareKerasArtifacts(artifacts) });
 * ```
 */
export function prepareKerasArtifacts(artifacts: tf.io.ModelArtifacts, options: KerasLoadOptions = {}): tf.io.ModelArtifacts {
  const topo = artifacts.modelTopology;
  if (topo == null || topo instanceof ArrayBuffer) return artifacts;
  const copy = JSON.parse(JSON.stringify(topo)) as Cfg;
  const specs = (artifacts.weightSpecs ?? []).map((s) => ({ ...s }));
  const model = (copy['model_config'] ?? copy) as Cfg;
  visitModel(model, { options, specs });
  return { ...artifacts, modelTopology: copy, weightSpecs: specs };
}

/** The `tf_keras.layers.Lambda` keys (plain values) that TFP's `from_config` needs. */
const LAMBDA_KEYS: Cfg = {
  function: null,
  function_type: 'raw',
  module: null,
  output_shape: null,
  output_shape_type: 'raw',
  output_shape_module: null,
  arguments: {},
};

/**
 * Makes a saved topology rebuildable by TFP in Python: each TFP head's config (same class name,
 * snake_case keys, `event_size` / `event_shape` / `num_components` explicit) gets the Lambda keys
 * `tf_keras` reads in `from_config`; `DistributionLambda` (a function, not a config) is left as is.
 */
export function toKerasTopology(topology: Cfg): Cfg {
  const visit = (m: Cfg): void => {
    const cfg = m['config'];
    const layers = (Array.isArray(cfg) ? cfg : ((cfg as Cfg | undefined)?.['layers'] ?? [])) as Cfg[];
    for (const entry of layers) {
      const cls = entry['class_name'] as string;
      if (cls === 'Sequential' || cls === 'Model' || cls === 'Functional') visit(entry);
      else if (heads.has(cls) && cls !== 'DistributionLambda') {
        entry['config'] = { ...LAMBDA_KEYS, ...(entry['config'] as Cfg) };
      }
    }
  };
  visit((topology['model_config'] ?? topology) as Cfg);
  return topology;
}

/**
 * TFP's DenseFlipout / DenseReparameterization (dense_variational.py): `units`, `activation` and
 * `seed` from the config; the posterior, prior and divergence functions are pickled, so only TFP's
 * defaults load (mean-field normal kernel posterior with weights `kernel_posterior_loc` and
 * `kernel_posterior_untransformed_scale`, deterministic bias `bias_posterior_loc`, the names
 * this library's layers use too); `klWeight` (inside TFP's pickled divergence) comes from the options.
 */
export function denseVariationalLayer(ctx: KerasHeadContext): Cfg {
  const c = ctx.config;
  // A config without TFP's pickled posterior function was written by this library: keep it as it is.
  if (!('kernel_posterior_fn' in c)) return c;
  const mine = (w: string): boolean => (ctx.specs ?? []).some((s) => s.name === `${ctx.layer}/${w}` || s.name.endsWith(`/${ctx.layer}/${w}`));
  if (!mine('kernel_posterior_loc') || !mine('kernel_posterior_untransformed_scale')) {
    throw new InvalidArgumentError(
      `loadModel: layer '${ctx.layer}' (${ctx.className}) has no weights ${ctx.layer}/kernel_posterior_loc and ` +
        `${ctx.layer}/kernel_posterior_untransformed_scale: only TFP's default kernel_posterior_fn (mean-field normal) loads`,
    );
  }
  if (mine('bias_posterior_untransformed_scale')) {
    throw new InvalidArgumentError(
      `loadModel: layer '${ctx.layer}' (${ctx.className}) has a normal bias posterior; only TFP's default deterministic bias (bias_posterior_loc) loads`,
    );
  }
  const act = c['activation'];
  const activation = typeof act === 'string' ? act : act && typeof act === 'object' ? ((act as Cfg)['config'] as Cfg | undefined)?.['name'] ?? (act as Cfg)['class_name'] : null;
  const out: Cfg = { units: c['units'], activation: activation === 'linear' ? null : activation, use_bias: c['bias_posterior_fn'] != null };
  if (typeof c['seed'] === 'number') out['seed'] = c['seed'];
  if (ctx.options.klWeight !== undefined) out['kl_weight'] = ctx.options.klWeight;
  return out;
}

registerKerasLayer('DenseFlipout', denseVariationalLayer);
registerKerasLayer('DenseReparameterization', denseVariationalLayer);

// TFP's head classes (tensorflow_probability/python/layers/distribution_layer.py). A head that
// another module adds needs one line here, e.g. IndependentPoisson: independentHead(1).
registerKerasHead('IndependentNormal', independentHead(2));
registerKerasHead('IndependentLogistic', independentHead(2));
registerKerasHead('IndependentBernoulli', independentHead(1));
registerKerasHead('IndependentPoisson', independentHead(1));
registerKerasHead('MultivariateNormalTriL', multivariateNormalTriL);
registerKerasHead('OneHotCategorical', oneHotCategorical);
registerKerasHead('CategoricalMixtureOfOneHotCategorical', categoricalMixtureOfOneHot);
registerKerasHead('MixtureNormal', independentMixtureHead(2));
registerKerasHead('MixtureLogistic', independentMixtureHead(2));
registerKerasHead('MixtureSameFamily', mixtureSameFamily);
registerKerasHead('DistributionLambda', distributionLambda);
