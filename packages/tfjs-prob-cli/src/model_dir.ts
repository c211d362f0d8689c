/**
 * The model directory of the command line: `tfjs-prob.json` (columns, scalers, head, the
 * member networks' paths) and one layers model per network. Saving never leaves a moment
 * without a complete model: the networks of a save go into a fresh generation folder
 * (`g-<pid>-<random>/network-i`, built in a temporary folder created exclusively, then renamed),
 * and `tfjs-prob.json`, written under a fresh name with O_EXCL and fsynced, is renamed over the
 * old one: that rename is the one step that switches models. Generations no description names
 * are removed once the process that wrote them has finished. Loading treats the directory as
 * untrusted: regular files only, bounded sizes, member paths confined to the directory (no
 * `..`, no absolute path, no link leading out), scalers checked before use.
 */
import type * as tf from '@tensorflow/tfjs';
import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import * as tfp from 'tfjs-probability';
import { CliError } from './errors.js';
import { readRegularFile } from './io.js';
import { parseHead, type Fitted, type ModelMeta } from './model.js';
import { checkGpState } from './gp.js';

const META = 'tfjs-prob.json';
/** A Gaussian-process model's file (`--head gp`) and its largest accepted size. */
const GP_FILE = 'gp.json';
const MAX_GP_BYTES = 256 * 1024 * 1024;
/** A description file is small; a bigger one is not ours. */
const MAX_META_BYTES = 16 * 1024 * 1024;
/** What a save writes (generations, temporary folders and description files) or older versions wrote (`network-i`). */
const OURS = /^(?:g-(\d+)-[0-9a-f]{16}|\.tmp-(\d+)-.+|\.tfjs-prob\.json\.tmp-(\d+)-[0-9a-f]{16}|network-\d+)$/;

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The description of `dir`, parsed and checked (a CliError naming the file otherwise). */
export function readMeta(dir: string): ModelMeta {
  const metaPath = join(dir, META);
  let text: string;
  try {
    text = readRegularFile(metaPath, 'model description', MAX_META_BYTES, false).toString('utf8');
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') throw Object.assign(new CliError(`${dir}: not a tfjs-prob model directory (no ${META})`), { code: 'ENOENT' });
    throw e;
  }
  let meta: ModelMeta;
  try {
    meta = JSON.parse(text) as ModelMeta;
  } catch {
    throw new CliError(`${metaPath}: not valid JSON`);
  }
  if (meta?.format !== 'tfjs-prob-model' || meta.version !== 1) {
    throw new CliError(`${metaPath}: not a tfjs-prob model description (format "${String(meta?.format).slice(0, 40)}", version ${String(meta?.version).slice(0, 20)})`);
  }
  const ok =
    Array.isArray(meta.xColumns) && Array.isArray(meta.yColumns) && Array.isArray(meta.members) && meta.members.length > 0 && meta.members.length <= 1000 &&
    meta.xScaler?.mean?.length === meta.xColumns.length && meta.yScaler?.std?.length === meta.yColumns.length;
  if (!ok) throw new CliError(`${metaPath}: incomplete model description (columns, scalers or networks missing)`);
  checkScaler(meta.xScaler, meta.xColumns, 'xScaler', metaPath);
  checkScaler(meta.yScaler, meta.yColumns, 'yScaler', metaPath);
  parseHead(meta.head);
  return meta;
}

/** A scaler must hold a finite mean and a finite, positive std per column (a tampered 0, -1 or null is refused). */
function checkScaler(s: ModelMeta['xScaler'], columns: string[], name: string, metaPath: string): void {
  if (!Array.isArray(s.mean) || !Array.isArray(s.std) || s.mean.length !== columns.length || s.std.length !== columns.length) {
    throw new CliError(`${metaPath}: ${name} needs one mean and one std per column (${columns.length})`);
  }
  columns.forEach((c, j) => {
    const m = s.mean[j];
    const sd = s.std[j];
    if (typeof m !== 'number' || !Number.isFinite(m)) throw new CliError(`${metaPath}: ${name}.mean of column "${String(c).slice(0, 40)}" is ${JSON.stringify(m)}, expected a finite number`);
    if (typeof sd !== 'number' || !Number.isFinite(sd) || !(sd > 0)) {
      throw new CliError(`${metaPath}: ${name}.std of column "${String(c).slice(0, 40)}" is ${JSON.stringify(sd)}, expected a finite number > 0`);
    }
  });
}

/** The real path of member `name` of `realDir`, which must stay inside it. */
async function memberPath(realDir: string, name: unknown, metaPath: string): Promise<string> {
  if (typeof name !== 'string' || name === '' || name.includes('\0') || isAbsolute(name) || /^[A-Za-z][A-Za-z0-9+.-]*:/.test(name) || name.split(/[\\/]+/).includes('..')) {
    throw new CliError(`${metaPath}: network path ${JSON.stringify(String(name).slice(0, 100))} must be a relative path inside the model directory`);
  }
  let real: string;
  try {
    real = await fs.realpath(join(realDir, name));
  } catch (e) {
    const err = new CliError(`${realDir}: network ${name} is missing (no ${name}/model.json)`);
    (err as { code?: string }).code = (e as NodeJS.ErrnoException).code;
    throw err;
  }
  if (!real.startsWith(realDir + sep)) {
    throw new CliError(`${metaPath}: network ${name} resolves to ${real}, outside the model directory (through a symbolic link)`);
  }
  return real;
}

/** Whether `dir` is a model directory written by this CLI (or an empty one, or one holding only what a killed save left). */
export async function isReplaceable(dir: string): Promise<boolean> {
  try {
    readMeta(dir);
    return true;
  } catch {
    const names = await fs.readdir(dir).catch(() => null);
    return names !== null && names.every((n) => OURS.test(n) && !n.startsWith('network-'));
  }
}

/** Removes generations and temporaries of `dir` that its description does not name, of finished processes. */
async function removeStale(dir: string): Promise<void> {
  const named = (): Set<string> => {
    try {
      return new Set(readMeta(dir).members.map((m) => m.split(/[\\/]+/)[0]!));
    } catch {
      return new Set();
    }
  };
  const keep = named();
  for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
    const m = OURS.exec(name);
    if (m === null || keep.has(name)) continue;
    const pid = Number(m[1] ?? m[2] ?? m[3] ?? NaN);
    if (Number.isFinite(pid) && pid !== process.pid && isAlive(pid)) continue;
    if (named().has(name)) continue; // a save that has just switched to it
    await fs.rm(join(dir, name), { recursive: true, force: true });
  }
}

async function syncDir(dir: string): Promise<void> {
  const fh = await fs.open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await fh.sync().catch(() => undefined);
  } finally {
    await fh.close();
  }
}

/** Writes `m` into model directory `dir` (see the module comment). */
export async function saveFitted(m: Fitted, dir: string): Promise<void> {
  const target = resolve(dir);
  const parent = await fs.stat(dirname(target)).catch(() => null);
  if (parent === null) throw new CliError(`cannot write ${dir}: directory ${dirname(dir)} does not exist`);
  if (!parent.isDirectory()) throw new CliError(`cannot write ${dir}: ${dirname(dir)} is not a directory`);
  const st = await fs.lstat(target).catch(() => null);
  if (st === null) await fs.mkdir(target).catch((e: NodeJS.ErrnoException) => { if (e.code !== 'EEXIST') throw e; });
  else if (!st.isDirectory()) throw new CliError(`refusing to overwrite ${dir}: it exists and is not a tfjs-prob model directory`);
  else if (!(await isReplaceable(target))) throw new CliError(`refusing to overwrite ${dir}: it exists and is not a tfjs-prob model directory`);
  await removeStale(target);
  const gen = `g-${process.pid}-${randomBytes(8).toString('hex')}`;
  const tmp = await fs.mkdtemp(join(target, `.tmp-${process.pid}-`));
  const metaTmp = join(target, `.tfjs-prob.json.tmp-${process.pid}-${randomBytes(8).toString('hex')}`);
  let switched = false;
  try {
    for (let i = 0; i < m.members.length; i++) await tfp.io.saveModel(m.members[i]!, join(tmp, `network-${i}`));
    if (m.gp) await fs.writeFile(join(tmp, GP_FILE), JSON.stringify(m.gp), { flag: 'wx', mode: 0o644 });
    await fs.rename(tmp, join(target, gen));
    const meta: ModelMeta = { ...m.meta, members: m.gp ? [`${gen}/${GP_FILE}`] : m.members.map((_, i) => `${gen}/network-${i}`) };
    const fh = await fs.open(metaTmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
    try {
      await fh.writeFile(JSON.stringify(meta, null, 2) + '\n');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(metaTmp, join(target, META));
    switched = true;
    await syncDir(target);
    m.meta.members = meta.members;
  } catch (e) {
    await fs.rm(tmp, { recursive: true, force: true });
    await fs.rm(metaTmp, { force: true });
    if (!switched) await fs.rm(join(target, gen), { recursive: true, force: true });
    if (e instanceof CliError) throw e;
    throw new CliError(`cannot write ${dir}: ${(e as NodeJS.ErrnoException).code ?? ''} ${(e as Error).message.slice(0, 200)}`.replace(/ {2,}/g, ' '));
  }
  await removeStale(target);
}

/** Loads a model directory written by `saveFitted` (or an older version); a directory that is not ours is a CliError. */
export async function loadFitted(dir: string): Promise<Fitted> {
  const st = await fs.stat(dir).catch(() => null);
  if (st === null) throw new CliError(`${dir}: no such model directory`);
  if (!st.isDirectory()) throw new CliError(`${dir}: not a directory (expected a model directory written by tfjs-prob fit)`);
  const realDir = await fs.realpath(dir);
  for (let attempt = 1; ; attempt++) {
    const meta = readMeta(dir);
    const members: tf.LayersModel[] = [];
    try {
      if (parseHead(meta.head).kind === 'gp') {
        if (meta.members.length !== 1) throw new CliError(`${join(dir, META)}: a Gaussian-process model names one file; got ${meta.members.length}`);
        const file = await memberPath(realDir, meta.members[0], join(dir, META));
        let parsed: unknown;
        try {
          parsed = JSON.parse(readRegularFile(file, 'Gaussian-process model', MAX_GP_BYTES, false).toString('utf8'));
        } catch (e) {
          if (e instanceof CliError) throw e;
          throw new CliError(`${file}: not valid JSON`);
        }
        return { meta, members, gp: checkGpState(parsed, meta.xColumns.length, file) };
      }
      for (const name of meta.members) {
        const sub = await memberPath(realDir, name, join(dir, META));
        try {
          members.push(await tfp.io.loadModel(sub));
        } catch (e) {
          if ((e as { code?: string }).code === 'ENOENT' || /no such file|does not exist/.test((e as Error).message)) throw Object.assign(new CliError(`${sub}: network is missing`), { code: 'ENOENT' });
          throw new CliError(`${sub}: cannot load network (${(e as Error).message})`);
        }
      }
      return { meta, members };
    } catch (e) {
      members.forEach((mm) => mm.dispose());
      // A concurrent fit switched to a new model and removed this one's networks: read the description again.
      if ((e as { code?: string }).code !== 'ENOENT' || attempt >= 10) throw e;
      await new Promise((r) => setTimeout(r, attempt * 5));
    }
  }
}
