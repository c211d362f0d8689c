/**
 * Output plumbing of the command line: injectable streams (so tests run the
 * CLI in-process) and atomic file/directory writes (write beside the target,
 * then rename), so that a failed command never leaves a partial output.
 */
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
