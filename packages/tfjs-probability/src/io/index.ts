/**
 * Saving and loading models on every platform, in the standard tfjs layers format:
 * `saveModel` / `loadModel` take any tfjs URL (`indexeddb://`, `localstorage://`,
 * `downloads://`, `http(s)://`, or a router the user registered), any `tf.io.IOHandler`, and
 * in Node a directory (opened by `tfp.io` itself, with
 * safe loading: weights only from inside the model's directory). Layers of tfjs-probability
 * register themselves for deserialization when the package is imported.
 */
import * as tf from '@tensorflow/tfjs';
import '../layers/register.js';
import { InvalidArgumentError } from '../errors.js';
import { platform } from '../platform.js';
import { prepareKerasArtifacts, toKerasTopology, type KerasLoadOptions } from './keras.js';
import { boundedFetch } from './http.js';
import { checkDepth, checkFiniteWeights, resolveLimits, type LoadLimits } from './limits.js';

export { DEFAULT_LIMITS, type LoadLimits } from './limits.js';

export {
  prepareKerasArtifacts,
  registerKerasHead,
  registerKerasWeightNames,
  registerKerasLayer,
  denseVariationalLayer,
  independentHead,
  independentMixtureHead,
  type KerasLoadOptions,
  type KerasHeadOptions,
  type KerasHeadContext,
  type KerasHeadSpec,
} from './keras.js';

/**
 * Options of `loadModel`: tfjs's load options (HTTP request settings, `strict`...), those of
 * converted Keras models, and the resource bounds of `LoadLimits` (`maxWeightBytes`,
 * `timeoutMs`, `allowNonFinite`...).
 */
export interface LoadModelOptions extends tf.io.LoadOptions, KerasLoadOptions, LoadLimits {}

/** Options of `saveModel`. */
export interface SaveModelOptions {
  /** Save weights holding NaN or ±Infinity (default false: such a model is refused, naming the weights). */
  allowNonFinite?: boolean;
}

/** What `saveModel` returns: tfjs's `SaveResult`, plus the files written when the target was a directory (Node). */
export interface SaveModelResult extends tf.io.SaveResult {
  /** Absolute path of the written `model.json` (directory targets in Node only). */
  modelPath?: string;
  /** Absolute path of the written weights file (directory targets in Node only). */
  weightsPath?: string;
  /** Bytes of weight data. */
  weightDataBytes: number;
}

/** A handler that knows which files it wrote (the Node directory handler does). */
interface PathReporting {
  savedPaths?: { modelPath: string; weightsPath: string };
}

function describe(target: string | tf.io.IOHandler): string {
  return typeof target === 'string' ? `'${target}'` : 'the given IOHandler';
}

function schemesHint(): string {
  const node = typeof process !== 'undefined' && !!process.versions?.node;
  return (
    `tfjs URL schemes: indexeddb://, localstorage://, downloads://, http(s)://` +
    (node ? ", or a directory path (in Node)" : '; a directory path works in Node only')
  );
}

function pickHandler(target: string | tf.io.IOHandler, kind: 'save' | 'load', options?: LoadModelOptions): tf.io.IOHandler | null {
  if (typeof target !== 'string') {
    if (target === null || typeof target !== 'object' || typeof target[kind] !== 'function') {
      throw new InvalidArgumentError(`${kind}Model: expected a URL string or a tf.io.IOHandler with a ${kind}() method, got ${target === null ? 'null' : typeof target}`);
    }
    return target;
  }
  if (target.length === 0) throw new InvalidArgumentError(`${kind}Model: the URL or path is empty`);
  if (kind === 'load' && /^https?:\/\//i.test(target)) return boundedHttp(target, options ?? {});
  const handlers = kind === 'save' ? tf.io.getSaveHandlers(target) : tf.io.getLoadHandlers(target, options);
  if (handlers.length > 1) {
    throw new InvalidArgumentError(`${kind}Model: ${handlers.length} tfjs IO routers claim '${target}'; pass a tf.io.IOHandler instead`);
  }
  // In Node a plain path is a model directory, opened here (no tfjs router is registered for it).
  return handlers[0] ?? (platform().directoryHandler?.(target, options) as tf.io.IOHandler | null | undefined) ?? null;
}

/**
 * Node: makes tfjs' own `model.save(path)` and `tf.loadLayersModel(path)` read and write model
 * directories as `saveModel` / `loadModel` do, by registering a tfjs IO router for plain paths
 * (and `file://` URLs while tfjs-node, which has its own, is not loaded). Importing the library
 * registers nothing; this is the explicit call. Throws in a browser.
 *
 * @example
 * ```ts
 * tfp.io.registerFileRouter();
 * await model.save('./my-model');   // tfjs' own save, into a directory
 * ```
 */
export function registerFileRouter(): void {
  const register = platform().registerFileRouter;
  if (register === undefined) {
    throw new InvalidArgumentError(
      "registerFileRouter: model directories need Node (import 'tfjs-probability' in Node, whose entry provides them)",
    );
  }
  register();
}

/** Sets the decoded weights on `model` (and its optimizer's), as tfjs's loader does; the decoded tensors are released on every path. */
async function setWeights(model: tf.LayersModel, w: Pick<tf.io.ModelArtifacts, 'weightData' | 'weightSpecs'>, strict: boolean): Promise<void> {
  if (w.weightData == null) return;
  if (w.weightSpecs == null) throw new InvalidArgumentError('loadModel: the model has weight data but no weight specs');
  const named = tf.io.decodeWeights(w.weightData, w.weightSpecs);
  try {
    const own: tf.NamedTensorMap = {};
    const optimizer: Array<{ name: string; tensor: tf.Tensor }> = [];
    for (const spec of w.weightSpecs) {
      if (spec.group === 'optimizer') optimizer.push({ name: spec.name, tensor: named[spec.name]! });
      else own[spec.name] = named[spec.name]!;
    }
    model.loadWeights(own, strict);
    if (model.optimizer != null && optimizer.length > 0) await model.optimizer.setWeights(optimizer);
  } finally {
    tf.dispose(Object.values(named));
  }
}

/** The weights whose shape a tfjs "Shape mismatch: [a] vs. [b]" message names, for the error. */
function culprit(msg: string, artifacts: tf.io.ModelArtifacts): string {
  const m = /Shape mismatch: (\[[\d,\s]*\]) vs\. (\[[\d,\s]*\])/.exec(msg);
  if (!m) return '';
  const shapes = [m[1]!, m[2]!].map((s) => s.replace(/\s/g, ''));
  const names = (artifacts.weightSpecs ?? []).filter((w) => shapes.includes(JSON.stringify(w.shape))).map((w) => `'${w.name}'`);
  return names.length > 0 ? ` (weights ${names.slice(0, 5).join(', ')} do not fit the layer they belong to)` : '';
}

/** tfjs's HTTP handler with a timeout and byte caps (`LoadLimits`). */
function boundedHttp(url: string, options: LoadModelOptions): tf.io.IOHandler {
  const fetchFunc = boundedFetch(resolveLimits(options), options.fetchFunc as Parameters<typeof boundedFetch>[1]);
  return tf.io.http(url, { ...options, fetchFunc: fetchFunc as unknown as typeof fetch });
}

/**
 * Saves `model` to `target`: a tfjs URL (`indexeddb://name`, `localstorage://name`,
 * `downloads://name`, `http(s)://...`), a `tf.io.IOHandler`, or in Node a directory (created
 * if missing) that receives `model.json` (topology, weights manifest, training config) and
 * `weights.bin`. The format is tfjs's layers format, read by `tf.loadLayersModel` too; head
 * configs carry TFP's class names and snake_case keys with sizes explicit, so a Python user
 * can rebuild the network (README, "From Python to the browser").
 *
 * @example
 * ```ts
 * await tfp.io.saveModel(model, 'indexeddb://my-model');   // in a page
 * await tfp.io.saveModel(model, './my-model');             // in Node
 * ```
 */
export async function saveModel(model: tf.LayersModel, target: string | tf.io.IOHandler, options: SaveModelOptions = {}): Promise<SaveModelResult> {
  const handler = pickHandler(target, 'save');
  if (handler === null) {
    throw new InvalidArgumentError(`saveModel: no tfjs save handler for ${describe(target)}; expected one of the ${schemesHint()}`);
  }
  // Head configs are written as TFP writes them (class names, snake_case keys, explicit sizes).
  const res = await model.save({
    save: (a: tf.io.ModelArtifacts) => {
      if (options.allowNonFinite !== true) {
        checkFiniteWeights(a.weightSpecs, a.weightData, `saveModel(${describe(target)})`, 'nothing was written (train with tfp.callbacks.TerminateOnNaN, or pass {allowNonFinite: true} to save them anyway)');
      }
      return handler.save!(a.modelTopology == null || a.modelTopology instanceof ArrayBuffer ? a : { ...a, modelTopology: toKerasTopology(a.modelTopology as Record<string, unknown>) });
    },
  });
  const out: SaveModelResult = { ...res, weightDataBytes: res.modelArtifactsInfo?.weightDataBytes ?? 0 };
  const paths = (handler as PathReporting).savedPaths;
  if (paths !== undefined) {
    out.modelPath = paths.modelPath;
    out.weightsPath = paths.weightsPath;
  }
  return out;
}

/**
 * Loads a layers model from `source`: a tfjs URL (`indexeddb://`, `localstorage://`,
 * `http(s)://` or a relative URL in a page), a `tf.io.IOHandler`, or in Node a directory or a
 * `model.json` path (weights are read only from regular files inside the model's directory and
 * must match the manifest byte for byte). A layer class that is not registered fails with a
 * message saying what to register.
 *
 * Models converted from Keras with TFP heads (`tensorflowjs_converter --input_format keras`) load
 * too: TFP's configs are mapped onto this library's heads, sizes TFP keeps only in pickled
 * closures are inferred from the head's input width, and `options.heads` supplies what cannot be
 * inferred (`{heads: {mixture_same_family: {numComponents: 3, componentLayer: ...}}}`); see
 * `KerasLoadOptions` and the README section "From Python to the browser".
 *
 * @example
 * ```ts
 * const model = await tfp.io.loadModel('indexeddb://my-model');
 * const d = tfp.predictDistribution(model, x);
 * ```
 */
export async function loadModel(source: string | tf.io.IOHandler, options: LoadModelOptions = {}): Promise<tf.LayersModel> {
  const limits = resolveLimits(options);
  const handler = pickHandler(source, 'load', options);
  const inBrowser = typeof process === 'undefined' || !process.versions?.node;
  if (handler === null && !(inBrowser && typeof source === 'string')) {
    throw new InvalidArgumentError(`loadModel: no tfjs load handler for ${describe(source)}; expected one of the ${schemesHint()}`);
  }
  // In a page, a string no router claims is a (relative) URL: tfjs fetches it over HTTP.
  const base = handler ?? boundedHttp(source as string, options);
  let artifacts: tf.io.ModelArtifacts | undefined;
  let weights: Pick<tf.io.ModelArtifacts, 'weightData' | 'weightSpecs'> = {};
  // tfjs builds the model from the topology alone; the weights are set below, where a failure can release the model.
  const keras: tf.io.IOHandler = {
    load: async () => {
      artifacts = await base.load!();
      if (artifacts.modelTopology != null) checkDepth(artifacts.modelTopology, limits.maxJsonDepth, `loadModel: ${describe(source)}`);
      if (!limits.allowNonFinite) {
        checkFiniteWeights(artifacts.weightSpecs, artifacts.weightData, `loadModel: ${describe(source)}`, 'pass {allowNonFinite: true} to load them anyway');
      }
      const { weightData, weightSpecs, ...rest } = prepareKerasArtifacts(artifacts, options);
      weights = { weightData, weightSpecs };
      return rest;
    },
  };
  let model: tf.LayersModel | undefined;
  try {
    model = await tf.loadLayersModel(keras, options);
    await setWeights(model, weights, options.strict ?? true);
    return model;
  } catch (e) {
    model?.dispose();
    if (e instanceof InvalidArgumentError || artifacts === undefined) throw e;
    const msg = (e as Error).message ?? String(e);
    const m = /Unknown layer: (.+?)\. This may be due/.exec(msg) ?? /Unknown layer: (\S+)/.exec(msg);
    if (m) {
      const cls = m[1]!.slice(0, 100);
      throw new InvalidArgumentError(
        `loadModel: ${describe(source)} uses layer class '${cls}', which is not registered. ` +
          `If it is a tfjs-probability layer, import 'tfjs-probability' before loading (its layers register themselves); ` +
          `if it is your own layer, call tf.serialization.registerClass(${cls}) (with static className = '${cls}') before loadModel.`,
      );
    }
    throw new InvalidArgumentError(`loadModel: cannot build the model of ${describe(source)}${culprit(msg, artifacts)}: ${msg.slice(0, 300)}`);
  }
}
