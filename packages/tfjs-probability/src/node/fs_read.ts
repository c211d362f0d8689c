/**
 * Confined reads for model directories: a file named by an untrusted manifest is resolved to a
 * real path strictly inside the directory, opened once (O_NOFOLLOW, O_NONBLOCK: a link swapped
 * in, a FIFO or a device never blocks or leads out) and then checked again through the open
 * descriptor: its device and inode must be those of the path inside the directory after the
 * open, so a file swapped for a link between the check and the open is refused, never read.
 * Everything is read from that one descriptor.
 */
import { constants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { InvalidArgumentError } from '../errors.js';

export function fail(msg: string): never {
  throw new InvalidArgumentError(`loadModel: ${msg}`);
}

/** The system's reason for an error, without anything read from a file. */
export function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.code !== undefined ? `${err.code}: ${err.syscall ?? 'open'} failed` : String(err.message ?? e);
}

export interface Opened {
  fh: fs.FileHandle;
  size: number;
}

function kindOf(st: import('node:fs').Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Opens `file` without following a final link and without blocking; checks it is a regular
 * file. A file that is missing is reported with code ENOENT kept (the caller may retry).
 */
export async function openRegular(file: string, what: string, follow = false): Promise<Opened> {
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(file, constants.O_RDONLY | constants.O_NONBLOCK | (follow ? 0 : constants.O_NOFOLLOW));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const err = new InvalidArgumentError(
      `loadModel: cannot open ${what}: ${code === 'ELOOP' ? 'it is a symbolic link' : code === 'ENOENT' ? 'no such file' : reason(e)}`,
    );
    (err as { code?: string }).code = code;
    throw err;
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) fail(`${what} is ${kindOf(st)}, expected a regular file`);
    return { fh, size: st.size };
  } catch (e) {
    await fh.close();
    throw e;
  }
}

export async function readExactly(fh: fs.FileHandle, size: number, what: string): Promise<Uint8Array> {
  const buf = new Uint8Array(size);
  let off = 0;
  while (off < size) {
    const { bytesRead } = await fh.read(buf, off, size - off, off);
    if (bytesRead === 0) fail(`${what} shrank while being read (${off} of ${size} bytes)`);
    off += bytesRead;
  }
  return buf;
}

/** Checks manifest path `p` (a relative path, no `..`, no URL, no NUL); returns it joined to `realDir`. */
export function checkRelative(realDir: string, p: unknown, modelPath: string, names: string): string {
  if (typeof p !== 'string' || p.length === 0) fail(`${modelPath}: a weights path is ${JSON.stringify(p)} (for weights ${names}); expected a file name`);
  if (p.includes('\0') || /^[A-Za-z][A-Za-z0-9+.-]*:/.test(p) || path.isAbsolute(p) || path.win32.isAbsolute(p)) {
    fail(`${modelPath}: weights path '${p}' (for weights ${names}) is absolute or a URL; it must be relative to the model directory`);
  }
  if (p.split(/[\\/]+/).includes('..')) {
    fail(`${modelPath}: weights path '${p}' (for weights ${names}) leaves the model directory ('..')`);
  }
  return path.join(realDir, p);
}

/** The real path of `joined`, which must lie strictly inside `realDir`. */
async function realInside(realDir: string, joined: string, p: string, modelPath: string, names: string): Promise<string> {
  let real: string;
  try {
    real = await fs.realpath(joined);
  } catch (e) {
    const err = new InvalidArgumentError(`loadModel: cannot read weights file ${joined} (for weights ${names}) listed in ${modelPath}: ${reason(e)}`);
    (err as { code?: string }).code = (e as NodeJS.ErrnoException).code;
    throw err;
  }
  if (!real.startsWith(realDir + path.sep)) {
    fail(`${modelPath}: weights path '${p}' (for weights ${names}) resolves to ${real}, outside the model directory ${realDir} (through a symbolic link)`);
  }
  return real;
}

/**
 * Opens weights path `p` of `modelPath` confined to `realDir` (see the module comment) and
 * returns the handle, its size and the real path it was checked at.
 */
export async function openConfined(realDir: string, p: unknown, modelPath: string, names: string): Promise<Opened & { file: string }> {
  const joined = checkRelative(realDir, p, modelPath, names);
  const real = await realInside(realDir, joined, p as string, modelPath, names);
  const opened = await openRegular(real, `weights file ${real}`);
  try {
    const [st, again] = await Promise.all([opened.fh.stat(), realInside(realDir, joined, p as string, modelPath, names)]);
    const there = await fs.lstat(again).catch(() => null);
    if (there === null) {
      // Removed since it was opened (a concurrent save replaced the model): the caller reads again.
      const err = new InvalidArgumentError(`loadModel: weights file ${real} (for weights ${names}) listed in ${modelPath} was removed while being opened`);
      (err as { code?: string }).code = 'ENOENT';
      throw err;
    }
    if (there.dev !== st.dev || there.ino !== st.ino) {
      fail(`weights file ${real} (for weights ${names}) listed in ${modelPath} was replaced while being opened; refusing to read it`);
    }
    return { ...opened, file: real };
  } catch (e) {
    await opened.fh.close();
    throw e;
  }
}
