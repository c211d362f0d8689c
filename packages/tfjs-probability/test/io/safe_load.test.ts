// Loading a model directory in Node is safe against a hostile or broken model.json: weights
// come only from regular files inside the model's directory, byte sizes must equal the
// manifest's, and a model without weights is an error; each error names the file and weight.
import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, saveModel } from '../../src/io/index.js';
import { InvalidArgumentError } from '../../src/errors.js';

const root = mkdtempSync(join(tmpdir(), 'tfp-safe-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let good: string;
let json: { weightsManifest: Array<{ paths: string[]; weights: Array<{ name: string; shape: number[]; dtype: string }> }> };
let bin: Buffer;

beforeAll(async () => {
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2 })] });
  good = join(root, 'good');
  await saveModel(model, good);
  model.dispose();
  json = JSON.parse(readFileSync(join(good, 'model.json'), 'utf8'));
  bin = readFileSync(join(good, json.weightsManifest[0]!.paths[0]!));
  // The variants below hold the weights under the fixed name weights.bin.
  json.weightsManifest[0]!.paths = ['weights.bin'];
});

/** A copy of the good model with model.json's manifest paths replaced (and other edits). */
function variant(name: string, edit: (j: typeof json, dir: string) => void): string {
  const dir = join(root, 'cases', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'weights.bin'), bin);
  const j = structuredClone(json);
  edit(j, dir);
  writeFileSync(join(dir, 'model.json'), JSON.stringify(j));
  return dir;
}

async function expectRefused(dir: string, pattern: RegExp): Promise<void> {
  const before = tf.memory().numTensors;
  const err = await loadModel(dir).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InvalidArgumentError);
  expect((err as Error).message).toMatch(pattern);
  expect(tf.memory().numTensors).toBe(before);
}

describe('loadModel: weights only from inside the model directory', () => {
  it('the unmodified model loads (the cases below differ from it in one thing each)', async () => {
    const m = await loadModel(good);
    expect(m.layers.length).toBe(1);
    m.dispose();
  });

  it("refuses '..' paths, naming the path and the weights", async () => {
    const outside = join(root, 'outside');
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(outside, 'w.bin'), bin);
    const dir = variant('dotdot', (j) => (j.weightsManifest[0]!.paths = ['../../outside/w.bin']));
    await expectRefused(dir, /weights path '\.\.\/\.\.\/outside\/w\.bin' \(for weights 'dense_Dense\d+\/kernel', 'dense_Dense\d+\/bias'\) leaves the model directory/);
  });

  it('refuses absolute paths and URLs', async () => {
    const abs = variant('absolute', (j) => (j.weightsManifest[0]!.paths = [join(good, 'weights.bin')]));
    await expectRefused(abs, /weights path '\/.*weights\.bin' \(for weights 'dense.*kernel'.*\) is absolute or a URL/);
    const url = variant('url', (j) => (j.weightsManifest[0]!.paths = ['file:///etc/passwd']));
    await expectRefused(url, /weights path 'file:\/\/\/etc\/passwd'.* is absolute or a URL/);
  });

  it('refuses a symbolic link that leads outside (and accepts one that stays inside)', async () => {
    const outside = join(root, 'outside2');
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(outside, 'w.bin'), bin);
    const dir = variant('symlink', (j, d) => {
      symlinkSync(join(outside, 'w.bin'), join(d, 'link.bin'));
      j.weightsManifest[0]!.paths = ['link.bin'];
    });
    await expectRefused(dir, /weights path 'link\.bin' \(for weights 'dense.*kernel'.*\) resolves to .*outside2\/w\.bin, outside the model directory/);
    const inside = variant('symlink-inside', (j, d) => {
      symlinkSync(join(d, 'weights.bin'), join(d, 'alias.bin'));
      j.weightsManifest[0]!.paths = ['alias.bin'];
    });
    const m = await loadModel(inside);
    m.dispose();
  });

  it('refuses /dev/zero (through a link), a FIFO and a directory, without reading or hanging', async () => {
    const zero = variant('devzero', (j, d) => {
      symlinkSync('/dev/zero', join(d, 'zero.bin'));
      j.weightsManifest[0]!.paths = ['zero.bin'];
    });
    await expectRefused(zero, /zero\.bin' \(for weights 'dense.*\) resolves to \/dev\/zero, outside the model directory/);
    const fifo = variant('fifo', (j, d) => {
      execFileSync('mkfifo', [join(d, 'pipe.bin')]);
      j.weightsManifest[0]!.paths = ['pipe.bin'];
    });
    await expectRefused(fifo, /weights file .*pipe\.bin is a FIFO, expected a regular file/);
    const sub = variant('subdir', (j, d) => {
      mkdirSync(join(d, 'sub'));
      j.weightsManifest[0]!.paths = ['sub'];
    });
    await expectRefused(sub, /weights file .*sub is a directory, expected a regular file/);
  });

  it('a model.json that is itself a FIFO is refused, not waited on', async () => {
    const dir = join(root, 'cases', 'json-fifo');
    mkdirSync(dir, { recursive: true });
    execFileSync('mkfifo', [join(dir, 'model.json')]);
    await expectRefused(dir, /model file .*json-fifo\/model\.json is a FIFO/);
  });
});

describe('loadModel: the bytes must be what the manifest describes', () => {
  it('weights sharded over several files and groups (as tfjs-converter writes them) load, in a subfolder too', async () => {
    const dir = variant('shards', (j, d) => {
      mkdirSync(join(d, 'w'));
      writeFileSync(join(d, 'w', 'group1-shard1of2.bin'), bin.subarray(0, 10));
      writeFileSync(join(d, 'w', 'group1-shard2of2.bin'), bin.subarray(10, 24));
      writeFileSync(join(d, 'group2-shard1of1.bin'), bin.subarray(24));
      const [kernel, bias] = j.weightsManifest[0]!.weights;
      j.weightsManifest = [
        { paths: ['w/group1-shard1of2.bin', 'w/group1-shard2of2.bin'], weights: [kernel!] },
        { paths: ['group2-shard1of1.bin'], weights: [bias!] },
      ];
    });
    const m = await loadModel(dir);
    const ref = await loadModel(good);
    const x = tf.ones([1, 3]);
    const [a, b] = [m.predict(x) as tf.Tensor, ref.predict(x) as tf.Tensor];
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    tf.dispose([x, a, b]);
    m.dispose();
    ref.dispose();
  });

  it('bytes moved from one group to another are caught per group, naming the weight', async () => {
    const dir = variant('groups', (j, d) => {
      writeFileSync(join(d, 'k.bin'), bin.subarray(0, 28)); // kernel (24 bytes) + 4 of the bias
      writeFileSync(join(d, 'b.bin'), bin.subarray(28));
      const [kernel, bias] = j.weightsManifest[0]!.weights;
      j.weightsManifest = [
        { paths: ['k.bin'], weights: [kernel!] },
        { paths: ['b.bin'], weights: [bias!] },
      ];
    });
    await expectRefused(dir, /weights file .*groups\/k\.bin listed in .*model\.json is too long: the manifest describes 24 bytes \(ending with weight 'dense.*\/kernel'\)/);
  });

  it('a model.json without weightsManifest is an error (not fresh random weights)', async () => {
    const dir = variant('no-manifest', (j) => delete (j as Partial<typeof json>).weightsManifest);
    await expectRefused(dir, /no-manifest\/model\.json has no weightsManifest/);
  });

  it('extra bytes: names the file and the last weight', async () => {
    const dir = variant('extra', () => undefined);
    writeFileSync(join(dir, 'weights.bin'), Buffer.concat([bin, Buffer.alloc(4)]));
    await expectRefused(dir, /weights file .*extra\/weights\.bin listed in .*model\.json is too long: the manifest describes 32 bytes \(ending with weight 'dense.*\/bias'\) but the group's files hold at least 36/);
  });

  it('a truncated file: names the file and the first weight that is cut', async () => {
    const dir = variant('truncated', () => undefined);
    writeFileSync(join(dir, 'weights.bin'), bin.subarray(0, 20));
    await expectRefused(dir, /weights file .*truncated\/weights\.bin listed in .*model\.json is truncated: weight 'dense.*\/kernel' needs bytes 0\.\.24 of the group, but its files hold 20 of the 32 bytes/);
  });

  it('a missing weights file: names it and its weights', async () => {
    const dir = variant('missing', (j) => (j.weightsManifest[0]!.paths = ['nope.bin']));
    await expectRefused(dir, /cannot read weights file .*missing\/nope\.bin \(for weights 'dense.*kernel', 'dense.*bias'\) listed in .*model\.json/);
  });

  it('a weight with a dtype a layers model cannot hold is named', async () => {
    const dir = variant('dtype', (j) => (j.weightsManifest[0]!.weights[1]!.dtype = 'string'));
    await expectRefused(dir, /weight 'dense.*\/bias' has dtype 'string'/);
  });
});

describe('saveModel / loadModel: IOHandlers and URL schemes', () => {
  it('round-trips through IOHandlers (tf.io.withSaveHandler, tf.io.fromMemory)', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2 })] });
    let saved: tf.io.ModelArtifacts | undefined;
    const res = await saveModel(
      model,
      tf.io.withSaveHandler(async (a) => {
        saved = a;
        return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
      }),
    );
    expect(res.weightDataBytes).toBe(32);
    expect(res.modelPath).toBeUndefined();
    const loaded = await loadModel(tf.io.fromMemory(saved!));
    const x = tf.ones([1, 3]);
    const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([x, a, b]);
    model.dispose();
    loaded.dispose();
  });

  it('a directory target reports the files it wrote; file:// URLs name directories too', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2 })] });
    const dir = join(root, 'file-url');
    const res = await saveModel(model, `file://${dir}`);
    expect(res.modelPath).toBe(join(dir, 'model.json'));
    expect(res.weightsPath).toMatch(new RegExp(`^${dir}/weights-\\d+-[0-9a-f]{16}\\.bin$`));
    const loaded = await loadModel(`file://${join(dir, 'model.json')}`);
    loaded.dispose();
    model.dispose();
  });

  it('a scheme no tfjs router handles here is an error listing the schemes', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2 })] });
    await expect(saveModel(model, 'indexeddb://m')).rejects.toThrow(/saveModel: no tfjs save handler for 'indexeddb:\/\/m'; expected one of the tfjs URL schemes: indexeddb:\/\/, localstorage:\/\//);
    await expect(loadModel('nosuch://m')).rejects.toThrow(/loadModel: no tfjs load handler for 'nosuch:\/\/m'/);
    await expect(saveModel(model, {} as tf.io.IOHandler)).rejects.toThrow(/saveModel: expected a URL string or a tf.io.IOHandler with a save\(\) method/);
    model.dispose();
  });
});
