// loadModel bounds what a model file may make it allocate (model.json size and nesting, declared
// weight bytes, weights files) and refuses non-finite weights by name; saveModel refuses them too.
// Every error names the file or the weight and never echoes the file's bytes.
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, saveModel } from '../../src/io/index.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { checkDepth, jsonTooDeep, resolveLimits } from '../../src/io/limits.js';

const root = mkdtempSync(join(tmpdir(), 'tfp-limits-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let json: { modelTopology: unknown; weightsManifest: Array<{ paths: string[]; weights: Array<{ name: string; shape: number[]; dtype: string }> }> };
let bin: Buffer;

beforeAll(async () => {
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2 })] });
  const res = await saveModel(model, join(root, 'good'));
  model.dispose();
  json = JSON.parse(readFileSync(res.modelPath!, 'utf8'));
  bin = readFileSync(res.weightsPath!);
});

function variant(name: string, edit: (j: typeof json, dir: string) => void, weights: Buffer = bin): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'w.bin'), weights);
  const j = structuredClone(json);
  j.weightsManifest[0]!.paths = ['w.bin'];
  edit(j, dir);
  writeFileSync(join(dir, 'model.json'), JSON.stringify(j));
  return dir;
}

async function refusal(dir: string, options = {}): Promise<string> {
  const before = tf.memory().numTensors;
  const err = await loadModel(dir, options).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(InvalidArgumentError);
  expect(tf.memory().numTensors).toBe(before);
  return (err as Error).message;
}

describe('loadModel: bounded resources', () => {
  it('one weights file listed many times is refused before reading it (400 times the same path)', async () => {
    const dir = variant('repeated', (j) => (j.weightsManifest[0]!.paths = Array.from({ length: 400 }, () => 'w.bin')));
    expect(await refusal(dir)).toMatch(/repeated\/model\.json: weights path 'w\.bin' is listed more than once/);
    // './w.bin' and 'w.bin' are one file too.
    const dot = variant('repeated-dot', (j) => (j.weightsManifest[0]!.paths = ['w.bin', './w.bin']));
    expect(await refusal(dot)).toMatch(/weights path '\.\/w\.bin' is listed more than once/);
  });

  it('150,000 weights paths are refused by count, without a stack overflow', async () => {
    const dir = variant('many', (j) => (j.weightsManifest[0]!.paths = Array.from({ length: 150_000 }, (_, i) => `e${i}.bin`)));
    expect(await refusal(dir)).toMatch(/many\/model\.json lists more than 10000 weights files \(option maxWeightFiles\)/);
  });

  it('declared weight bytes above maxWeightBytes are refused before any file is read; the option raises the limit', async () => {
    const dir = variant('huge', (j) => (j.weightsManifest[0]!.weights[0]!.shape = [1e6, 1e3]));
    expect(await refusal(dir)).toMatch(/huge\/model\.json declares more than 2147483648 bytes of weights \(option maxWeightBytes/);
    const small = variant('small-limit', () => undefined);
    expect(await refusal(small, { maxWeightBytes: 16 })).toMatch(/declares more than 16 bytes of weights/);
  });

  it('a model.json above maxModelJsonBytes or nested deeper than maxJsonDepth is refused, naming the option', async () => {
    const big = variant('big-json', () => undefined);
    expect(await refusal(big, { maxModelJsonBytes: 100 })).toMatch(/model file .*big-json\/model\.json is \d+ bytes; a model\.json is at most 100 \(option maxModelJsonBytes\)/);
    const deep = join(root, 'deep');
    mkdirSync(deep);
    writeFileSync(join(deep, 'model.json'), `{"modelTopology": ${'['.repeat(100_000)}${']'.repeat(100_000)}, "weightsManifest": []}`);
    expect(await refusal(deep)).toMatch(/deep\/model\.json nests objects and arrays more than 500 deep \(at byte \d+; option maxJsonDepth\)/);
  });

  it('depth is measured outside strings; checkDepth bounds parsed artifacts of any handler', () => {
    expect(jsonTooDeep('{"a": "[[[[[["}', 2)).toBe(-1);
    expect(jsonTooDeep('[[["\\"[["]]]', 2)).toBe(2);
    let v: unknown = 1;
    for (let i = 0; i < 2000; i++) v = [v];
    expect(() => checkDepth(v, 500, 'loadModel: x')).toThrow(/loadModel: x nests objects and arrays more than 500 deep/);
    expect(() => resolveLimits({ maxWeightBytes: -1 })).toThrow(/option maxWeightBytes must be a positive number; got -1/);
  });

  it('a model.json linked to another file is not echoed: the error names the file, never its bytes', async () => {
    const dir = join(root, 'passwd');
    mkdirSync(dir);
    writeFileSync(join(root, 'secret.txt'), 'root:x:0:0:secret-words');
    symlinkSync(join(root, 'secret.txt'), join(dir, 'model.json'));
    const msg = await refusal(dir);
    expect(msg).toMatch(/passwd\/model\.json is not valid JSON; is it a tfjs model\.json\?/);
    expect(msg).not.toMatch(/root:|secret-words/);
  });
});

describe('non-finite weights', () => {
  it('saveModel refuses NaN / Inf weights naming them, writes nothing; {allowNonFinite: true} saves them', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 2, name: 'd' })] });
    model.layers[0]!.setWeights([tf.tensor2d([[NaN, 1], [Infinity, 2]]), tf.zeros([2])]);
    const dir = join(root, 'nan-save');
    await expect(saveModel(model, dir)).rejects.toThrow(/saveModel\('.*nan-save'\): weights 'd\/kernel' \(1 NaN, 1 infinite of 4\) are not finite; nothing was written/);
    expect(() => readFileSync(join(dir, 'model.json'))).toThrow(/ENOENT/);
    await saveModel(model, dir, { allowNonFinite: true });
    // loadModel reports them, and loads them when told to.
    expect(await refusal(dir)).toMatch(/weights 'd\/kernel' \(1 NaN, 1 infinite of 4\) are not finite; pass \{allowNonFinite: true\}/);
    const loaded = await loadModel(dir, { allowNonFinite: true });
    expect(Array.from(loaded.layers[0]!.getWeights()[0]!.dataSync())).toEqual([NaN, 1, Infinity, 2]);
    loaded.dispose();
    model.dispose();
  });
});

describe('errors of tfjs name the file and the class or the weight', () => {
  it("a layer class with a dash is named whole ('My-Layer', not 'My')", async () => {
    const dir = variant('dash', (j) => {
      const layers = (j.modelTopology as { config: { layers: Array<{ class_name: string }> } }).config.layers;
      layers[0]!.class_name = 'My-Layer';
    });
    expect(await refusal(dir)).toMatch(/uses layer class 'My-Layer', which is not registered.*static className = 'My-Layer'/);
  });

  it('weights of the wrong shape name the weights and the file', async () => {
    const dir = variant('shape', (j) => (j.weightsManifest[0]!.weights[0]!.shape = [6]));
    expect(await refusal(dir)).toMatch(/loadModel: cannot build the model of '.*shape' \(weights 'dense_Dense\d+\/kernel' do not fit the layer they belong to\): .*Shape mismatch/);
  });
});
