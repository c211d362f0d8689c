/**
 * Output plumbing of the command line: injectable streams (so tests run the
 * CLI in-process) and atomic file/directory writes (write beside the target,
 * then rename), so that a failed command never leaves a partial output.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
 * Builds a directory atomically: `fill(tmpDir)` writes into a fresh temp
 * directory beside `dir`, which is then renamed onto `dir`. An existing `dir`
 * is replaced only when `canReplace(dir)` says so (the old one is moved aside
 * first and removed after the rename).
 */
export async function writeDirAtomic(
  dir: string,
  fill: (tmpDir: string) => Promise<void>,
  canReplace: (existing: string) => boolean,
): Promise<void> {
  ensureParent(dir);
  const target = resolve(dir);
  if (existsSync(target) && !canReplace(target)) {
    throw new CliError(`refusing to overwrite ${dir}: it exists and is not a tfjs-prob model directory`);
  }
  removeStaleTemps(dir);
  const tmp = tempName(dir);
  mkdirSync(tmp);
  try {
    await fill(tmp);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  let old: string | null = null;
  if (existsSync(target)) {
    old = tempName(dir) + '.old';
    renameSync(target, old);
  }
  try {
    renameSync(tmp, target);
  } catch (e) {
    if (old) renameSync(old, target);
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  if (old) rmSync(old, { recursive: true, force: true });
}
