/**
 * Atomic, confined writes of a model directory. A directory holds `model.json` and the
 * weights file it names; each save writes a weights file of its own generation
 * (`weights-<pid>-<random>.bin`) and a `model.json` under a fresh temporary name, both
 * created exclusively (O_EXCL, O_NOFOLLOW: never through a planted link) and fsynced, then
 * renames `model.json` into place (one atomic step) and fsyncs the directory. A reader at any
 * instant sees the old complete model or the new one; of concurrent savers the last rename
 * wins. Files of earlier generations are removed once no `model.json` names them (those of a
 * process that is still running are left to it); every error path removes what it created.
 */
import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import * as path from 'node:path';

/** A weights file written by `writeModelDir`, or a temporary file it creates. */
const GENERATION = /^(?:weights-(\d+)-[0-9a-f]{16}\.bin|\.model\.json\.tmp-(\d+)-[0-9a-f]{16})$/;

/** Weights files of saves still running in this process (never removed by a concurrent save). */
const inFlight = new Set<string>();
/** Per directory, the last commit (rename + clean-up) of this process: commits run one at a time. */
const commits = new Map<string, Promise<unknown>>();

/** Runs `f` after the earlier commits to `dir` of this process. */
async function serialized<T>(dir: string, f: () => Promise<T>): Promise<T> {
  const prev = commits.get(dir) ?? Promise.resolve();
  const run = prev.then(f, f);
  const tail = run.catch(() => undefined);
  commits.set(dir, tail);
  try {
    return await run;
  } finally {
    if (commits.get(dir) === tail) commits.delete(dir);
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Creates `file` exclusively (never following a link), writes `data`, fsyncs and closes it. */
export async function writeExclusive(file: string, data: Uint8Array): Promise<void> {
  const fh = await fs.open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  try {
    let off = 0;
    while (off < data.byteLength) {
      const { bytesWritten } = await fh.write(data, off, data.byteLength - off);
      off += bytesWritten;
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** fsyncs a directory (so that a rename in it survives a power loss). */
export async function syncDir(dir: string): Promise<void> {
  const fh = await fs.open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await fh.sync();
  } catch (e) {
    // Some file systems cannot fsync a directory; the rename itself is still atomic there.
    if (!['EINVAL', 'ENOTSUP', 'EISDIR'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
  } finally {
    await fh.close();
  }
}

/** The weights paths the current `model.json` of `dir` names (none when it is missing or unreadable). */
async function referenced(dir: string): Promise<Set<string>> {
  try {
    const fh = await fs.open(path.join(dir, 'model.json'), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      const st = await fh.stat();
      if (!st.isFile() || st.size > 64 * 1024 * 1024) return new Set();
      const json = JSON.parse(await fh.readFile('utf8')) as { weightsManifest?: Array<{ paths?: unknown[] }> };
      const out = new Set<string>();
      for (const g of json.weightsManifest ?? []) for (const p of g.paths ?? []) if (typeof p === 'string') out.add(p);
      return out;
    } finally {
      await fh.close();
    }
  } catch {
    return new Set();
  }
}

/**
 * Removes the weights and temporary files of earlier saves to `dir` that its `model.json` no
 * longer names, written by this process (once done) or by a process no longer running; the
 * single `weights.bin` of the older fixed layout too, once unnamed. Never follows links.
 */
export async function removeStaleGenerations(dir: string): Promise<void> {
  const keep = await referenced(dir);
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (keep.has(name)) continue;
    const m = GENERATION.exec(name);
    const legacy = name === 'weights.bin' || name === 'weights.bin.tmp' || name === 'model.json.tmp';
    if (m === null && !legacy) continue;
    const file = path.join(dir, name);
    if (inFlight.has(file)) continue;
    const pid = Number(m?.[1] ?? m?.[2] ?? NaN);
    if (m !== null && pid !== process.pid && isAlive(pid)) continue;
    const st = await fs.lstat(file).catch(() => null);
    if (st === null || st.isDirectory()) continue;
    // A saver that renamed its model.json and exited since `keep` was read: its file stays.
    if ((await referenced(dir)).has(name)) continue;
    await fs.unlink(file).catch(() => undefined);
  }
}

/**
 * Writes `modelJson(weightsName)` and `weights` into `dir` (created if missing) as one atomic
 * step; see the module comment. Returns the paths of the files written.
 */
export async function writeModelDir(
  dir: string,
  weights: Uint8Array,
  modelJson: (weightsName: string) => string,
): Promise<{ modelPath: string; weightsPath: string }> {
  await fs.mkdir(dir, { recursive: true });
  const st = await fs.lstat(dir);
  if (!st.isDirectory()) throw new Error(`${dir} is not a directory`);
  const gen = `${process.pid}-${randomBytes(8).toString('hex')}`;
  const weightsName = `weights-${gen}.bin`;
  const weightsPath = path.join(dir, weightsName);
  const modelPath = path.join(dir, 'model.json');
  const tmpJson = path.join(dir, `.model.json.tmp-${gen}`);
  inFlight.add(weightsPath);
  inFlight.add(tmpJson);
  let renamed = false;
  try {
    await writeExclusive(weightsPath, weights);
    await writeExclusive(tmpJson, new TextEncoder().encode(modelJson(weightsName)));
    await serialized(dir, async () => {
      await fs.rename(tmpJson, modelPath);
      renamed = true;
      inFlight.delete(weightsPath);
      await syncDir(dir);
      await removeStaleGenerations(dir);
    });
  } catch (e) {
    if (!renamed) await Promise.all([fs.unlink(tmpJson), fs.unlink(weightsPath)].map((p) => p.catch(() => undefined)));
    throw e;
  } finally {
    inFlight.delete(weightsPath);
    inFlight.delete(tmpJson);
  }
  return { modelPath, weightsPath };
}
