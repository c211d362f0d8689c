/**
 * Output plumbing of the command line: injectable streams (so tests run the
 * CLI in-process) and atomic file/directory writes (write beside the target,
 * then rename), so that a failed command never leaves a partial output.
 */
import { closeSync, constants, existsSync, fstatSync, openSync, readdirSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CliError } from './errors.js';

/** The minimal writable the CLI needs; `process.stdout` satisfies it. */
export interface OutStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface CliIo {
  stdout: OutStream;
  stderr: OutStream;
}

let counter = 0;
function tempName(target: string): string {
  const abs = resolve(target);
  return join(dirname(abs), `.${basename(abs)}.tmp-${process.pid}-${Date.now()}-${counter++}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // alive, another user's
  }
}

/**
 * Removes the temporary files and folders that an earlier run left beside `target` when it
 * was killed (kill -9, power loss) between creating them and renaming them into place: the
 * names of `tempName`, whose process id is no longer running. Those of a live process (a
 * concurrent run) are left alone. Returns the paths removed.
 */
export function removeStaleTemps(target: string): string[] {
  const abs = resolve(target);
  const prefix = `.${basename(abs)}.tmp-`;
  let names: string[];
  try {
    names = readdirSync(dirname(abs));
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const m = /^(\d+)-\d+-\d+(\.old)?$/.exec(name.slice(prefix.length));
    if (m === null) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || isAlive(pid)) continue;
    const p = join(dirname(abs), name);
    rmSync(p, { recursive: true, force: true });
    removed.push(p);
  }
  return removed;
}

function ensureParent(target: string): void {
  const parent = dirname(resolve(target));
  if (!existsSync(parent)) {
    throw new CliError(`cannot write ${target}: directory ${dirname(target)} does not exist`);
  }
  if (!statSync(parent).isDirectory()) {
    throw new CliError(`cannot write ${target}: ${dirname(target)} is not a directory`);
  }
}

/** Writes `data` to `path` atomically: a temp file beside it, then rename. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  ensureParent(path);
  if (existsSync(path) && statSync(path).isDirectory()) {
    throw new CliError(`cannot write ${path}: it is a directory`);
  }
  removeStaleTemps(path);
  const tmp = tempName(path);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, resolve(path));
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Reads a regular file without blocking on a FIFO or reading a device, at most `max` bytes;
 * `follow` false refuses a link. A failure is a CliError naming the file (never its contents).
 */
export function readRegularFile(file: string, what: string, max: number, follow = true): Buffer {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | (follow ? 0 : constants.O_NOFOLLOW));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const err = new CliError(`${file}: ${code === 'ENOENT' ? `no such file (expected a ${what})` : code === 'ELOOP' ? 'is a symbolic link, refused' : `cannot open (${code})`}`);
    (err as { code?: string }).code = code;
    throw err;
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new CliError(`${file}: is a directory, expected a ${what}`);
    if (!st.isFile()) throw new CliError(`${file}: not a regular file (a FIFO, device or socket), expected a ${what}`);
    if (st.size > max) throw new CliError(`${file}: ${st.size} bytes, more than a ${what} may have (${max})`);
    const buf = Buffer.alloc(st.size);
    let off = 0;
    while (off < st.size) {
      const n = readSync(fd, buf, off, st.size - off, off);
      if (n === 0) break;
      off += n;
    }
    return buf.subarray(0, off);
  } finally {
    closeSync(fd);
  }
}
