/**
 * Model directories in Node (no tfjs-node needed): `model.json` + the weights file it names,
 * the tfjs layers format. Saving is atomic (fs_atomic.ts). Loading is safe against a hostile
 * or broken `model.json`:
 * - its size and nesting, the weight bytes it declares and the files it lists are bounded
 *   (`LoadLimits`), and a file listed twice is refused;
 * - every weights path must name a regular file inside the model's own directory (no `..`,
 *   no absolute path, no URL, no symlink leading outside, no device, FIFO or directory),
 *   opened once and read from that descriptor (fs_read.ts);
 * - the files of each manifest group must hold exactly the bytes the manifest describes;
 * - a model.json without `weightsManifest` is an error (tfjs would silently keep fresh
 *   random weights);
 * each error names the model.json, the weights file and the weight concerned.
 */
import * as tf from '@tensorflow/tfjs';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { InvalidArgumentError } from '../errors.js';
import { jsonTooDeep, resolveLimits, type LoadLimits } from '../io/limits.js';
import { writeModelDir } from './fs_atomic.js';
import { fail, openConfined, openRegular, readExactly, reason } from './fs_read.js';

const MODEL_JSON = 'model.json';

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

/** Tries of a load that finds a weights file gone (a concurrent save replaced the model meanwhile). */
const TRIES = 20;

function weightBytes(w: tf.io.WeightsManifestEntry, modelPath: string): number {
  if (w === null || typeof w !== 'object') fail(`${modelPath}: a weights entry is ${JSON.stringify(w)}, expected {name, shape, dtype}`);
  const dtype = w.quantization?.dtype ?? w.dtype;
  const per = BYTES[dtype];
  if (per === undefined) fail(`${modelPath}: weight '${w.name}' has dtype '${dtype}', which a layers model cannot hold`);
  if (!Array.isArray(w.shape) || !w.shape.every((d) => Number.isInteger(d) && d >= 0)) {
    fail(`${modelPath}: weight '${w.name}' has an invalid shape ${JSON.stringify(w.shape)}`);
  }
  return w.shape.reduce((a, b) => a * b, 1) * per;
}

/** Declared bytes of each group, after checking the manifest against `limits` (before any file is opened). */
function plan(manifest: tf.io.WeightsManifestConfig, modelPath: string, limits: Required<LoadLimits>): number[] {
  if (!Array.isArray(manifest)) fail(`${modelPath}: weightsManifest is not a list`);
  const seen = new Set<string>();
  let total = 0;
  const needs: number[] = [];
  for (const group of manifest) {
    if (group === null || typeof group !== 'object' || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      fail(`${modelPath}: a weightsManifest group lacks its 'paths' or 'weights' list`);
    }
    for (const p of group.paths) {
      const key = typeof p === 'string' ? path.posix.normalize(p.replace(/\\/g, '/')) : String(p);
      if (seen.has(key)) fail(`${modelPath}: weights path '${String(p).slice(0, 200)}' is listed more than once`);
      seen.add(key);
      if (seen.size > limits.maxWeightFiles) fail(`${modelPath} lists more than ${limits.maxWeightFiles} weights files (option maxWeightFiles)`);
    }
    let need = 0;
    for (const w of group.weights) need += weightBytes(w, modelPath);
    needs.push(need);
    total += need;
    if (total > limits.maxWeightBytes) {
      fail(`${modelPath} declares more than ${limits.maxWeightBytes} bytes of weights (option maxWeightBytes raises the limit)`);
    }
  }
  return needs;
}

/** Reads the weights of `manifest` for `modelPath` (see the module comment for what is checked). */
async function readWeights(manifest: tf.io.WeightsManifestConfig, realDir: string, modelPath: string, limits: Required<LoadLimits>): Promise<[tf.io.WeightsManifestEntry[], ArrayBuffer]> {
  const needs = plan(manifest, modelPath, limits);
  const specs: tf.io.WeightsManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  let total = 0;
  for (let gi = 0; gi < manifest.length; gi++) {
    const group = manifest[gi]!;
    const names = group.weights.slice(0, 10).map((w) => `'${w.name}'`).join(', ') + (group.weights.length > 10 ? ', ...' : '') || '(none)';
    const need = needs[gi]!;
    let have = 0;
    let lastFile = '(no file: the group lists no paths)';
    for (const p of group.paths) {
      const { fh, size, file } = await openConfined(realDir, p, modelPath, names);
      try {
        if (have + size > need) {
          // The weight whose bytes the file runs past.
          let end = 0;
          let last = '(none)';
          for (const w of group.weights) {
            end += weightBytes(w, modelPath);
            last = w.name;
            if (end >= need) break;
          }
          fail(
            `weights file ${file} listed in ${modelPath} is too long: the manifest describes ${need} bytes ` +
              `(ending with weight '${last}') but the group's files hold at least ${have + size}`,
          );
        }
        if (size > 0) parts.push(await readExactly(fh, size, `weights file ${file}`));
      } finally {
        await fh.close();
      }
      lastFile = file;
      have += size;
    }
    if (have < need) {
      let start = 0;
      for (const w of group.weights) {
        const end = start + weightBytes(w, modelPath);
        if (end > have) {
          fail(
            `weights file ${lastFile} listed in ${modelPath} is truncated: weight '${w.name}' needs bytes ${start}..${end} ` +
              `of the group, but its files hold ${have} of the ${need} bytes the manifest describes`,
          );
        }
        start = end;
      }
    }
    for (const w of group.weights) specs.push(w);
    total += have;
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const part of parts) {
    out.set(part, off);
    off += part.byteLength;
  }
  return [specs, out.buffer];
}

/** The model.json path and its directory for a directory or a model.json path. */
async function locate(target: string): Promise<{ modelPath: string; dir: string }> {
  let modelPath = path.resolve(target);
  const st = await fs.stat(modelPath).catch(() => null);
  if (st === null) fail(`${modelPath} does not exist`);
  if (st.isDirectory()) modelPath = path.join(modelPath, MODEL_JSON);
  return { modelPath, dir: path.dirname(modelPath) };
}

/** Parses model.json text; a syntax error names the file and the position, never the file's bytes. */
function parseModelJson(text: string, modelPath: string, limits: Required<LoadLimits>): tf.io.ModelJSON {
  const deep = jsonTooDeep(text, limits.maxJsonDepth);
  if (deep >= 0) fail(`${modelPath} nests objects and arrays more than ${limits.maxJsonDepth} deep (at byte ${deep}; option maxJsonDepth)`);
  try {
    return JSON.parse(text) as tf.io.ModelJSON;
  } catch (e) {
    const pos = /position (\d+)/.exec((e as Error).message);
    fail(`${modelPath} is not valid JSON${pos ? ` (at byte ${pos[1]})` : ''}; is it a tfjs model.json?`);
  }
}

/** A tfjs IOHandler for a model directory in Node (save and safe load). */
export class DirectoryHandler implements tf.io.IOHandler {
  /** The files written by the last `save` (read by tfp.io.saveModel). */
  savedPaths?: { modelPath: string; weightsPath: string };

  private readonly limits: Required<LoadLimits>;

  constructor(readonly target: string, options: LoadLimits = {}) {
    this.limits = resolveLimits(options);
  }

  async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
    if (artifacts.modelTopology instanceof ArrayBuffer) {
      throw new InvalidArgumentError('saveModel: binary model topologies are not supported (expected a layers model)');
    }
    const root = path.resolve(this.target);
    const weights = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
    const json = (weightsName: string): string => {
      const out: Record<string, unknown> = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [weightsName], weights: artifacts.weightSpecs ?? [] }],
      };
      if (artifacts.trainingConfig != null) out['trainingConfig'] = artifacts.trainingConfig;
      if (artifacts.userDefinedMetadata != null) out['userDefinedMetadata'] = artifacts.userDefinedMetadata;
      return JSON.stringify(out);
    };
    try {
      this.savedPaths = await writeModelDir(root, new Uint8Array(weights), json);
    } catch (e) {
      if (e instanceof InvalidArgumentError) throw e;
      throw new InvalidArgumentError(`saveModel: cannot write the model to ${root}: ${reason(e)}`);
    }
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON({ ...artifacts, weightData: weights }) };
  }

  async load(): Promise<tf.io.ModelArtifacts> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.loadOnce();
      } catch (e) {
        // A concurrent save replaced model.json and removed the weights it named: read again.
        if ((e as { code?: string }).code !== 'ENOENT' || attempt >= TRIES) throw e;
        await new Promise((r) => setTimeout(r, attempt));
      }
    }
  }

  private async loadOnce(): Promise<tf.io.ModelArtifacts> {
    const { modelPath, dir } = await locate(this.target);
    const realDir = await fs.realpath(dir);
    const { fh, size } = await openRegular(path.join(realDir, path.basename(modelPath)), `model file ${modelPath}`, true);
    let text: string;
    try {
      if (size > this.limits.maxModelJsonBytes) {
        fail(`model file ${modelPath} is ${size} bytes; a model.json is at most ${this.limits.maxModelJsonBytes} (option maxModelJsonBytes)`);
      }
      text = new TextDecoder().decode(await readExactly(fh, size, `model file ${modelPath}`));
    } finally {
      await fh.close();
    }
    const modelJSON = parseModelJson(text, modelPath, this.limits);
    if (modelJSON === null || typeof modelJSON !== 'object' || modelJSON.modelTopology == null) {
      fail(`${modelPath} has no modelTopology; is it a tfjs layers model.json?`);
    }
    if (modelJSON.weightsManifest == null) {
      fail(`${modelPath} has no weightsManifest: its weights are missing (tfjs would start from fresh random weights)`);
    }
    const manifest = modelJSON.weightsManifest;
    return tf.io.getModelArtifactsForJSON(modelJSON, async () => readWeights(manifest, realDir, modelPath, this.limits));
  }
}
