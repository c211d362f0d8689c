/**
 * Saving and loading models in Node without tfjs-node: the standard tfjs
 * layers format (`model.json` + `weights.bin`), read and written with
 * `node:fs`. Custom layers are restored through tfjs serialization
 * registration (tfjs-probability's heads register themselves on import).
 */
import * as tf from '@tensorflow/tfjs';
import '../layers/register.js';
import { InvalidArgumentError } from '../errors.js';
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

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

export interface SaveModelResult {
  /** Absolute path of the written `model.json`. */
  modelPath: string;
  /** Absolute path of the written weights file. */
  weightsPath: string;
  /** Bytes of weight data. */
  weightDataBytes: number;
}

function toArrayBuffer(data: tf.io.WeightData | undefined): ArrayBuffer {
  if (data === undefined) return new ArrayBuffer(0);
  return tf.io.CompositeArrayBuffer.join(data);
}

/**
 * Saves `model` into directory `dir` (created if missing) as `model.json` (topology, weights
 * manifest, training config) and `weights.bin`: the format `tf.loadLayersModel` and tfjs-node's
 * `file://` handler read. Works on any backend.
 *
 * @example
 * ```ts
 * await tfp.io.saveModel(model, './my-model');
 * const again = await tfp.io.loadModel('./my-model');
 * ```
 */
export async function saveModel(model: tf.LayersModel, dir: string): Promise<SaveModelResult> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const root = path.resolve(dir);
  let result: SaveModelResult | undefined;
  const handler: tf.io.IOHandler = {
    save: async (artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> => {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new InvalidArgumentError('saveModel: binary model topologies are not supported (expected a layers model)');
      }
      const weights = toArrayBuffer(artifacts.weightData);
      const manifest: tf.io.WeightsManifestConfig = [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }];
      const json: Record<string, unknown> = {
        modelTopology: toKerasTopology(artifacts.modelTopology as Record<string, unknown>),
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: manifest,
      };
      if (artifacts.trainingConfig != null) json['trainingConfig'] = artifacts.trainingConfig;
      if (artifacts.userDefinedMetadata != null) json['userDefinedMetadata'] = artifacts.userDefinedMetadata;
      await fs.mkdir(root, { recursive: true });
      const modelPath = path.join(root, MODEL_JSON);
      const weightsPath = path.join(root, WEIGHTS_BIN);
      // Write to temporary names and rename, so a failure leaves no half-written model.
      await fs.writeFile(`${weightsPath}.tmp`, new Uint8Array(weights));
      await fs.writeFile(`${modelPath}.tmp`, JSON.stringify(json));
      await fs.rename(`${weightsPath}.tmp`, weightsPath);
      await fs.rename(`${modelPath}.tmp`, modelPath);
      result = { modelPath, weightsPath, weightDataBytes: weights.byteLength };
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON({ ...artifacts, weightData: weights }) };
    },
  };
  await model.save(handler);
  return result!;
}

/**
 * Loads a model saved by `saveModel` (or by tfjs-node / tfjs-converter in the layers format)
 * from a directory or a `model.json` path. Layers of tfjs-probability are registered by
 * importing the package; a layer class that is not registered fails with a message saying
 * what to register.
 *
 * Models converted from Keras with TFP heads (`tensorflowjs_converter --input_format keras`) load
 * too: TFP's configs are mapped onto this library's heads, sizes TFP keeps only in pickled
 * closures are inferred from the head's input width, and `options.heads` supplies what cannot be
 * inferred (`{heads: {mixture_same_family: {numComponents: 3, componentLayer: ...}}}`); see
 * `KerasLoadOptions` and the README section "From Python to the browser".
 *
 * @example
 * ```ts
 * const model = await tfp.io.loadModel('./my-model');
 * const d = tfp.predictDistribution(model, x);
 * ```
 */
export async function loadModel(dirOrModelJson: string, options: KerasLoadOptions = {}): Promise<tf.LayersModel> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  let modelPath = path.resolve(dirOrModelJson);
  const stat = await fs.stat(modelPath).catch(() => null);
  if (stat === null) throw new InvalidArgumentError(`loadModel: ${modelPath} does not exist`);
  if (stat.isDirectory()) modelPath = path.join(modelPath, MODEL_JSON);
  let modelJSON: tf.io.ModelJSON;
  try {
    modelJSON = JSON.parse(await fs.readFile(modelPath, 'utf8')) as tf.io.ModelJSON;
  } catch (e) {
    throw new InvalidArgumentError(`loadModel: cannot read ${modelPath}: ${(e as Error).message}`);
  }
  if (modelJSON.modelTopology == null) {
    throw new InvalidArgumentError(`loadModel: ${modelPath} has no modelTopology; is it a tfjs layers model.json?`);
  }
  const dir = path.dirname(modelPath);
  const raw = await tf.io.getModelArtifactsForJSON(modelJSON, async (manifest) => {
    const specs: tf.io.WeightsManifestEntry[] = [];
    const buffers: ArrayBuffer[] = [];
    for (const group of manifest) {
      specs.push(...group.weights);
      for (const p of group.paths) {
        const file = path.resolve(dir, p);
        const buf = await fs.readFile(file).catch((e: Error) => {
          throw new InvalidArgumentError(`loadModel: cannot read weights file ${file} listed in ${modelPath}: ${e.message}`);
        });
        buffers.push(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer);
      }
    }
    return [specs, tf.io.concatenateArrayBuffers(buffers)];
  });
  const artifacts = prepareKerasArtifacts(raw, options);
  try {
    return await tf.loadLayersModel({ load: async () => artifacts });
  } catch (e) {
    const msg = (e as Error).message ?? String(e);
    const m = /Unknown layer: ([A-Za-z0-9_$]+(?:\.[A-Za-z0-9_$]+)*)/.exec(msg);
    if (m) {
      const cls = m[1];
      throw new InvalidArgumentError(
        `loadModel: ${modelPath} uses layer class '${cls}', which is not registered. ` +
          `If it is a tfjs-probability layer, import 'tfjs-probability' before loading (its layers register themselves); ` +
          `if it is your own layer, call tf.serialization.registerClass(${cls}) (with static className = '${cls}') before loadModel.`,
      );
    }
    throw e;
  }
}
