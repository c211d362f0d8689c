/**
 * Backend selection: `await tfp.ready()` picks tensorflow (tfjs-node, when the
 * user has installed it), then wasm, then cpu.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { installFastDefaults } from './kernels/defaults.js';

export interface ReadyOptions {
  /** Force a backend ('tensorflow', 'wasm', 'cpu', 'webgl', ...). */
  backend?: string;
  /**
   * Where the wasm backend finds its `.wasm` files: a directory URL/path ending
   * in '/', or a map from file name to URL (see tfjs-backend-wasm `setWasmPaths`).
   * In Node the files inside node_modules are used when this is not given.
   */
  wasmPaths?: string | Record<string, string>;
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node;
let wasmPathsSet = false;

async function configureWasm(paths?: string | Record<string, string>): Promise<void> {
  if (paths !== undefined) {
    setWasmPaths(paths as string);
    wasmPathsSet = true;
    return;
  }
  if (wasmPathsSet || !isNode) return;
  const { createRequire } = await import('node:module');
  const path = await import('node:path');
  const require = createRequire(import.meta.url);
  const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  setWasmPaths(path.join(dir, 'dist') + path.sep);
  wasmPathsSet = true;
}

async function tryTfjsNode(): Promise<boolean> {
  if (!isNode) return false;
  try {
    const name = '@tensorflow/tfjs-node';
    await import(/* @vite-ignore */ name);
    return tf.findBackendFactory('tensorflow') !== null;
  } catch {
    return false;
  }
}

async function trySet(name: string): Promise<boolean> {
  try {
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

/**
 * Initializes the fastest available backend and resolves with its name.
 * With `{backend}` that backend is forced (and an error is thrown if it
 * cannot start).
 *
 * @example
 * ```ts
 * import * as tfp from 'tfjs-probability';
 * const name = await tfp.ready();          // 'tensorflow' | 'wasm' | 'cpu'
 * await tfp.ready({ backend: 'cpu' });     // force the pure-JS backend
 * ```
 */
export async function ready(options: ReadyOptions = {}): Promise<string> {
  installFastDefaults(); // issue-11: fused tf.train.adam and wasm matMul unless tfp.setFastDefaults(false)
  await configureWasm(options.wasmPaths);
  if (options.backend !== undefined) {
    if (options.backend === 'tensorflow') await tryTfjsNode();
    if (!(await trySet(options.backend))) {
      throw new Error(`tfp.ready: backend '${options.backend}' could not be initialized`);
    }
    await tf.ready();
    return tf.getBackend();
  }
  if ((await tryTfjsNode()) && (await trySet('tensorflow'))) return 'tensorflow';
  if (await trySet('wasm')) return 'wasm';
  if (await trySet('cpu')) return 'cpu';
  await tf.ready();
  return tf.getBackend();
}
