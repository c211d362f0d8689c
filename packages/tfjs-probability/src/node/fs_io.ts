/**
 * Model directories in Node (no tfjs-node needed): `model.json` + `weights.bin`, the tfjs
 * layers format. Loading is safe against a hostile or broken `model.json`:
 * - every weights path must name a regular file inside the model's own directory (no `..`,
 *   no absolute path, no URL, no symlink leading outside, no device, FIFO or directory);
 * - the files of each manifest group must hold exactly the bytes the manifest describes;
 * - a model.json without `weightsManifest` is an error (tfjs would silently keep fresh
 *   random weights);
 * each error names the model.json, the weights file and the weight concerned.
 */
import * as tf from '@tensorflow/tfjs';
import { constants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { InvalidArgumentError } from '../errors.js';

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';
/** A model.json larger than this is not a model description. */
const MAX_MODEL_JSON_BYTES = 256 * 1024 * 1024;

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

function fail(msg: string): never {
  throw new InvalidArgumentError(`loadModel: ${msg}`);
}

/**
 * Opens `file` for reading without ever blocking (O_NONBLOCK: a FIFO does not hang) and
 * checks it is a regular file; returns its handle and size.
 */
async function openRegular(file: string, what: string): Promise<{ fh: fs.FileHandle; size: number }> {
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    fail(`cannot open ${what}: ${(e as Error).message}`);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) {
      const kind = st.isDirectory() ? 'a directory' : st.isFIFO() ? 'a FIFO' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : st.isSocket() ? 'a socket' : 'not a regular file';
      fail(`${what} is ${kind}, expected a regular file`);
    }
    return { fh, size: st.size };
  } catch (e) {
    await fh.close();
    throw e;
  }
}

async function readExactly(fh: fs.FileHandle, size: number, what: string): Promise<Uint8Array> {
  const buf = new Uint8Array(size);
  let off = 0;
  while (off < size) {
    const { bytesRead } = await fh.read(buf, off, size - off, off);
    if (bytesRead === 0) fail(`${what} shrank while being read (${off} of ${size} bytes)`);
    off += bytesRead;
  }
  return buf;
}

function weightBytes(w: tf.io.WeightsManifestEntry, modelPath: string): number {
  const dtype = w.quantization?.dtype ?? w.dtype;
  const per = BYTES[dtype];
  if (per === undefined) fail(`${modelPath}: weight '${w.name}' has dtype '${dtype}', which a layers model cannot hold`);
  if (!Array.isArray(w.shape) || !w.shape.every((d) => Number.isInteger(d) && d >= 0)) {
    fail(`${modelPath}: weight '${w.name}' has an invalid shape ${JSON.stringify(w.shape)}`);
  }
  return w.shape.reduce((a, b) => a * b, 1) * per;
}

/** Resolves manifest path `p` to a real file strictly inside `realDir`, or fails naming it. */
async function resolveInside(realDir: string, p: unknown, modelPath: string, names: string): Promise<string> {
  if (typeof p !== 'string' || p.length === 0) fail(`${modelPath}: a weights path is ${JSON.stringify(p)} (for weights ${names}); expected a file name`);
  if (p.includes('\0') || /^[A-Za-z][A-Za-z0-9+.-]*:/.test(p) || path.isAbsolute(p) || path.win32.isAbsolute(p)) {
    fail(`${modelPath}: weights path '${p}' (for weights ${names}) is absolute or a URL; it must be relative to the model directory`);
  }
  if (p.split(/[\\/]+/).includes('..')) {
    fail(`${modelPath}: weights path '${p}' (for weights ${names}) leaves the model directory ('..')`);
  }
  const joined = path.join(realDir, p);
  let real: string;
  try {
    real = await fs.realpath(joined);
  } catch (e) {
    fail(`cannot read weights file ${joined} (for weights ${names}) listed in ${modelPath}: ${(e as Error).message}`);
  }
  if (!real.startsWith(realDir + path.sep)) {
    fail(`${modelPath}: weights path '${p}' (for weights ${names}) resolves to ${real}, outside the model directory ${realDir} (through a symbolic link)`);
  }
  return real;
}

/** Reads the weights of `manifest` for `modelPath` (see the module comment for what is checked). */
async function readWeights(manifest: tf.io.WeightsManifestConfig, dir: string, modelPath: string): Promise<[tf.io.WeightsManifestEntry[], ArrayBuffer]> {
  if (!Array.isArray(manifest)) fail(`${modelPath}: weightsManifest is not a list`);
  const realDir = await fs.realpath(dir);
  const specs: tf.io.WeightsManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  let total = 0;
  for (const group of manifest) {
    if (group === null || typeof group !== 'object' || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      fail(`${modelPath}: a weightsManifest group lacks its 'paths' or 'weights' list`);
    }
    const names = group.weights.map((w) => `'${w.name}'`).join(', ') || '(none)';
    // Byte range of each weight within the group's concatenated files.
    const ranges: Array<{ name: string; start: number; end: number }> = [];
    let need = 0;
    for (const w of group.weights) {
      const n = weightBytes(w, modelPath);
      ranges.push({ name: w.name, start: need, end: need + n });
      need += n;
    }
    let have = 0;
    const files: Array<{ file: string; start: number; end: number }> = [];
    const groupParts: Uint8Array[] = [];
    for (const p of group.paths) {
      const file = await resolveInside(realDir, p, modelPath, names);
      const { fh, size } = await openRegular(file, `weights file ${file}`);
      try {
        if (have + size > need) {
          const last = ranges[ranges.length - 1];
          fail(
            `weights file ${file} listed in ${modelPath} is too long: the manifest describes ${need} bytes ` +
              `(ending with weight '${last?.name ?? '(none)'}') but the group's files hold at least ${have + size}`,
          );
        }
        groupParts.push(await readExactly(fh, size, `weights file ${file}`));
      } finally {
        await fh.close();
      }
      files.push({ file, start: have, end: have + size });
      have += size;
    }
    if (have < need) {
      const short = ranges.find((r) => r.end > have)!;
      const file = files[files.length - 1]?.file ?? `(no file: the group lists no paths)`;
      fail(
        `weights file ${file} listed in ${modelPath} is truncated: weight '${short.name}' needs bytes ${short.start}..${short.end} ` +
          `of the group, but its files hold ${have} of the ${need} bytes the manifest describes`,
      );
    }
    specs.push(...group.weights);
    parts.push(...groupParts);
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

/** A tfjs IOHandler for a model directory in Node (save and safe load). */
export class DirectoryHandler implements tf.io.IOHandler {
  /** The files written by the last `save` (read by tfp.io.saveModel). */
  savedPaths?: { modelPath: string; weightsPath: string };

  constructor(readonly target: string) {}

  async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
    if (artifacts.modelTopology instanceof ArrayBuffer) {
      throw new InvalidArgumentError('saveModel: binary model topologies are not supported (expected a layers model)');
    }
    const root = path.resolve(this.target);
    const weights = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
    const manifest: tf.io.WeightsManifestConfig = [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }];
    const json: Record<string, unknown> = {
      modelTopology: artifacts.modelTopology,
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
    this.savedPaths = { modelPath, weightsPath };
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON({ ...artifacts, weightData: weights }) };
  }

  async load(): Promise<tf.io.ModelArtifacts> {
    const { modelPath, dir } = await locate(this.target);
    const { fh, size } = await openRegular(modelPath, `model file ${modelPath}`);
    let text: string;
    try {
      if (size > MAX_MODEL_JSON_BYTES) fail(`model file ${modelPath} is ${size} bytes; a model.json is at most ${MAX_MODEL_JSON_BYTES}`);
      text = new TextDecoder().decode(await readExactly(fh, size, `model file ${modelPath}`));
    } finally {
      await fh.close();
    }
    let modelJSON: tf.io.ModelJSON;
    try {
      modelJSON = JSON.parse(text) as tf.io.ModelJSON;
    } catch (e) {
      fail(`cannot read ${modelPath}: ${(e as Error).message}`);
    }
    if (modelJSON === null || typeof modelJSON !== 'object' || modelJSON.modelTopology == null) {
      fail(`${modelPath} has no modelTopology; is it a tfjs layers model.json?`);
    }
    if (modelJSON.weightsManifest == null) {
      fail(`${modelPath} has no weightsManifest: its weights are missing (tfjs would start from fresh random weights)`);
    }
    return tf.io.getModelArtifactsForJSON(modelJSON, (manifest) => readWeights(manifest, dir, modelPath));
  }
}
