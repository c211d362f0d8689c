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

/** Options of `loadModel`: tfjs's load options (HTTP request settings, `strict`...) and those of converted Keras models. */
export interface LoadModelOptions extends tf.io.LoadOptions, KerasLoadOptions {}

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

function pickHandler(target: string | tf.io.IOHandler, kind: 'save' | 'load'): tf.io.IOHandler | null {
  if (typeof target !== 'string') {
    if (target === null || typeof target !== 'object' || typeof target[kind] !== 'function') {
      throw new InvalidArgumentError(`${kind}Model: expected a URL string or a tf.io.IOHandler with a ${kind}() method, got ${target === null ? 'null' : typeof target}`);
    }
    return target;
  }
  if (target.length === 0) throw new InvalidArgumentError(`${kind}Model: the URL or path is empty`);
  const handlers = kind === 'save' ? tf.io.getSaveHandlers(target) : tf.io.getLoadHandlers(target);
  if (handlers.length > 1) {
    throw new InvalidArgumentError(`${kind}Model: ${handlers.length} tfjs IO routers claim '${target}'; pass a tf.io.IOHandler instead`);
  }
  // In Node a plain path is a model directory, opened here (no tfjs router is registered for it).
  return handlers[0] ?? (platform().directoryHandler?.(target) as tf.io.IOHandler | null | undefined) ?? null;
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
export async function saveModel(model: tf.LayersModel, target: string | tf.io.IOHandler): Promise<SaveModelResult> {
  const handler = pickHandler(target, 'save');
  if (handler === null) {
    throw new InvalidArgumentError(`saveModel: no tfjs save handler for ${describe(target)}; expected one of the ${schemesHint()}`);
  }
  // Head configs are written as TFP writes them (class names, snake_case keys, explicit sizes).
  const res = await model.save({
    save: (a: tf.io.ModelArtifacts) =>
      handler.save!(a.modelTopology == null || a.modelTopology instanceof ArrayBuffer ? a : { ...a, modelTopology: toKerasTopology(a.modelTopology as Record<string, unknown>) }),
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
  const handler = pickHandler(source, 'load');
  const inBrowser = typeof process === 'undefined' || !process.versions?.node;
  if (handler === null && !(inBrowser && typeof source === 'string')) {
    throw new InvalidArgumentError(`loadModel: no tfjs load handler for ${describe(source)}; expected one of the ${schemesHint()}`);
  }
  // In a page, a string no router claims is a (relative) URL: tfjs fetches it over HTTP.
  const base = handler ?? tf.io.http(source as string, options);
  const keras: tf.io.IOHandler = { load: async () => prepareKerasArtifacts(await base.load!(), options) };
  try {
    return await tf.loadLayersModel(keras, options);
  } catch (e) {
    const msg = (e as Error).message ?? String(e);
    const m = /Unknown layer: ([A-Za-z0-9_$]+(?:\.[A-Za-z0-9_$]+)*)/.exec(msg);
    if (m) {
      const cls = m[1];
      throw new InvalidArgumentError(
        `loadModel: ${describe(source)} uses layer class '${cls}', which is not registered. ` +
          `If it is a tfjs-probability layer, import 'tfjs-probability' before loading (its layers register themselves); ` +
          `if it is your own layer, call tf.serialization.registerClass(${cls}) (with static className = '${cls}') before loadModel.`,
      );
    }
    throw e;
  }
}
