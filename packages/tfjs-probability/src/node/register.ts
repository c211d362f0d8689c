/**
 * The Node side of the library, installed by the Node entry (`node.ts`): the platform
 * hooks (tfjs-node and the wasm backend from node_modules, both optional) and model
 * directories for `tfp.io.saveModel` / `loadModel`. Importing registers nothing with tfjs:
 * `tfp.io` opens directories itself, and `tfp.io.registerFileRouter()` is the explicit call
 * that makes tfjs' own `model.save('./dir')` / `tf.loadLayersModel('./dir')` use them too.
 */
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setPlatform, type WasmModuleLike } from '../platform.js';
import { DirectoryHandler } from './fs_io.js';
import type { LoadLimits } from '../io/limits.js';

const require = createRequire(import.meta.url);
const WASM = '@tensorflow/tfjs-backend-wasm';
const TFJS_NODE = '@tensorflow/tfjs-node';

async function importOptional<T>(name: string): Promise<T | null> {
  try {
    // A computed specifier: bundlers leave it alone, and a missing package is a null, not a build error.
    return (await import(/* @vite-ignore */ name)) as T;
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' || (e as { code?: string }).code === 'MODULE_NOT_FOUND') return null;
    throw e;
  }
}

/** A string with a URL scheme (`indexeddb://`, `http:`, ...); a Windows drive letter is a path. */
function hasScheme(s: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]+:/.test(s);
}

/**
 * Claims plain paths, and `file://` URLs while tfjs-node (which has its own `file://`
 * router) is not loaded.
 */
function router(url: string | string[], options?: LoadLimits): DirectoryHandler | null {
  if (typeof url !== 'string') return null;
  if (url.startsWith('file://')) return tf.findBackendFactory('tensorflow') === null ? new DirectoryHandler(fileURLToPath(url), options) : null;
  return hasScheme(url) ? null : new DirectoryHandler(url, options);
}

let registered = false;
/**
 * Registers the directory router with tfjs once (`tfp.io.registerFileRouter()`): from then on
 * tfjs' own `model.save(path)` and `tf.loadLayersModel(path)` claim plain paths (and `file://`
 * while tfjs-node is not loaded) as model directories. Never called on import.
 */
export function registerNodeIO(): void {
  if (registered) return;
  registered = true;
  // tfjs routers return null for a URL they do not claim (its type says IOHandler).
  tf.io.registerSaveRouter(router as Parameters<typeof tf.io.registerSaveRouter>[0]);
  tf.io.registerLoadRouter(router as Parameters<typeof tf.io.registerSaveRouter>[0]);
}

setPlatform({
  name: 'node',
  backendOrder: ['tensorflow', 'wasm', 'cpu'],
  loadWasm: () => importOptional<WasmModuleLike>(WASM),
  defaultWasmPaths: () => {
    try {
      return path.join(path.dirname(require.resolve(`${WASM}/package.json`)), 'dist') + path.sep;
    } catch {
      return undefined;
    }
  },
  directoryHandler: (target, options) => router(target, options as LoadLimits | undefined),
  registerFileRouter: registerNodeIO,
  loadTfjsNode: async () => {
    try {
      await import(/* @vite-ignore */ TFJS_NODE);
    } catch {
      return false;
    }
    return tf.findBackendFactory('tensorflow') !== null;
  },
});

