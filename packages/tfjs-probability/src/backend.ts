/**
 * Backend selection: `await tfp.ready()` keeps a backend that the user or the
 * page already set; with none set it starts the fastest one available (in a
 * browser webgpu, webgl, wasm, cpu; in Node tensorflow, wasm, cpu).
 */
import * as tf from '@tensorflow/tfjs';
import { platform, type WasmModuleLike } from './platform.js';
import { accelerate, addMissingKernels } from './accelerate/install.js';
import { prepareSimd } from './kernels/wasm_simd.js';

export type { WasmModuleLike } from './platform.js';

export interface ReadyOptions {
  /** Force a backend ('tensorflow', 'wasm', 'cpu', 'webgl', 'webgpu', ...); an error carries the cause when it cannot start. */
  backend?: string;
  /**
   * Where the wasm backend finds its `.wasm` files: a directory URL ending in '/', or a map
   * from file name to URL (tfjs-backend-wasm's `setWasmPaths`). In a page, pass the module
   * too (`wasm`); in Node the files inside node_modules are used when this is not given.
   */
  wasmPaths?: string | Record<string, string>;
  /**
   * The `@tensorflow/tfjs-backend-wasm` module, for pages (`import * as wasm from
   * '@tensorflow/tfjs-backend-wasm'`). The wasm backend is an optional peer dependency: the
   * library never imports it itself in a browser; in Node it is loaded when installed.
   */
  wasm?: WasmModuleLike;
  /**
   * Accelerate tfjs' own Dense layer, Adam optimizer and wasm kernels (default true; on the
   * tested tfjs version only). `false` leaves tfjs exactly as it is; the library's own layers,
   * losses, `FastAdam` and `makeTrainStep` are fast either way. `tfp.restore()` undoes it.
   */
  accelerate?: boolean;
}

let wasmModule: WasmModuleLike | null = null;
let wasmPathsSet = false;

async function getWasm(): Promise<WasmModuleLike | null> {
  if (wasmModule === null) wasmModule = await platform().loadWasm();
  return wasmModule;
}

/** Makes backend `name` registered (loading its optional package where the platform can); false when it is unavailable. */
async function prepare(name: string): Promise<boolean> {
  if (name === 'tensorflow' && tf.findBackendFactory('tensorflow') === null) await platform().loadTfjsNode();
  if (name === 'wasm') {
    const m = await getWasm();
    if (m !== null && !wasmPathsSet) {
      const paths = platform().defaultWasmPaths();
      if (paths !== undefined) {
        m.setWasmPaths(paths);
        wasmPathsSet = true;
      }
    }
  }
  return tf.findBackendFactory(name) !== null;
}

/** The backend already set by the user or the page (or started by an earlier tensor op), or null. */
function activeBackend(): string | null {
  const name = (tf.engine() as { backendName?: string | null }).backendName;
  return typeof name === 'string' && name.length > 0 ? name : null;
}

async function force(name: string): Promise<string> {
  const registered = await prepare(name);
  if (!registered) {
    const hint =
      name === 'tensorflow'
        ? ' (install @tensorflow/tfjs-node; it runs in Node only)'
        : name === 'wasm'
          ? platform().name === 'node'
            ? ' (install @tensorflow/tfjs-backend-wasm)'
            : " (import '@tensorflow/tfjs-backend-wasm' in the page and pass it as { wasm })"
          : name === 'webgpu'
            ? " (import '@tensorflow/tfjs-backend-webgpu')"
            : '';
    throw new Error(`tfp.ready: backend '${name}' could not be initialized: it is not registered${hint}`);
  }
  let cause: unknown;
  let ok = false;
  try {
    ok = await tf.setBackend(name);
  } catch (e) {
    cause = e;
  }
  if (!ok) {
    if (cause === undefined) {
      // tf.setBackend reports a failed start only on the console; start the factory once more to get the error itself.
      try {
        const b = await tf.findBackendFactory(name)!();
        b.dispose();
      } catch (e) {
        cause = e;
      }
    }
    const why = cause === undefined ? '' : `: ${(cause as Error)?.message ?? String(cause)}`;
    throw new Error(`tfp.ready: backend '${name}' could not be initialized${why}`, { cause });
  }
  await tf.ready();
  return tf.getBackend();
}

/**
 * Initializes a backend and resolves with its name. A backend that is already set (by the
 * user, the page, or an earlier tensor operation) is kept: `ready()` never switches it.
 * With none set it starts the fastest available: in a browser webgpu (when its package is
 * imported), webgl, wasm (when its package is imported), cpu, except that where WebGL is a
 * software rasterizer (SwiftShader, llvmpipe: `WEBGL_debug_renderer_info`) wasm goes before
 * webgl; in Node tensorflow (when tfjs-node is installed), wasm (when
 * @tensorflow/tfjs-backend-wasm is installed), cpu.
 * With `{backend}` that backend is forced, and an error carrying the cause is thrown if it
 * cannot start.
 *
 * `ready()` is also the one call that may change tfjs: it adds the wasm convolution gradients
 * tfjs-backend-wasm lacks and, unless `{accelerate: false}` or `tfp.setFastDefaults(false)`,
 * replaces tfjs' Dense `call`, `AdamOptimizer.applyGradients`, tfjs-layers' train function of
 * `fit` and a few wasm kernels by faster ones (on the tested tfjs version only; see
 * src/accelerate/install.ts). `tfp.restore()` puts
 * back exactly what was there.
 *
 * @example
 * ```ts
 * import * as tfp from 'tfjs-probability';
 * const name = await tfp.ready();          // 'webgl' in most pages, 'tensorflow' | 'wasm' | 'cpu' in Node
 * await tfp.ready({ backend: 'cpu' });     // force the pure-JS backend
 * // a page that wants wasm: import * as wasm from '@tensorflow/tfjs-backend-wasm';
 * await tfp.ready({ backend: 'wasm', wasm, wasmPaths: '/static/tfjs-wasm/' });
 * ```
 */
export async function ready(options: ReadyOptions = {}): Promise<string> {
  const name = await startBackend(options);
  // The wasm kernels (and so the missing conv gradients and the wasm replacements) exist only once its package has loaded.
  addMissingKernels();
  if (options.accelerate !== false) accelerate(wasmModule?.version_wasm);
  if (name === 'wasm') await prepareSimd(tf.backend()); // the SIMD kernels, compiled off the main thread's sync path
  return name;
}

/** Renderer strings of software rasterizers: WebGL there runs on the CPU, 12-17x slower than wasm for an MDN epoch. */
const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|software rasterizer|basic render driver/i;

/**
 * The WebGL renderer's name (`WEBGL_debug_renderer_info`, else `RENDERER`) when it is a software
 * rasterizer (SwiftShader, llvmpipe, ...), else null (a hardware GPU, no WebGL, or not a page).
 */
export function softwareWebglRenderer(): string | null {
  if (platform().name !== 'browser' || typeof document === 'undefined') return null;
  try {
    const gl = (document.createElement('canvas').getContext('webgl2') ?? document.createElement('canvas').getContext('webgl')) as WebGLRenderingContext | null;
    if (gl === null) return null;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(gl.getParameter(info !== null ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return SOFTWARE_RENDERER.test(renderer) ? renderer : null;
  } catch {
    return null;
  }
}

/**
 * Backends to try, fastest first: the platform's order, except that on a page whose WebGL is a
 * software rasterizer wasm (when the page registered it) goes before webgl.
 */
function backendOrder(): readonly string[] {
  const order = platform().backendOrder;
  const w = order.indexOf('wasm');
  const g = order.indexOf('webgl');
  if (w < 0 || g < 0 || w < g || tf.findBackendFactory('wasm') === null || softwareWebglRenderer() === null) return order;
  return [...order.slice(0, g), 'wasm', ...order.slice(g).filter((b) => b !== 'wasm')];
}

async function startBackend(options: ReadyOptions): Promise<string> {
  if (options.wasm !== undefined) wasmModule = options.wasm;
  if (options.wasmPaths !== undefined) {
    const m = await getWasm();
    if (m === null) {
      throw new Error(
        "tfp.ready: wasmPaths was given but the wasm backend module is not available: install '@tensorflow/tfjs-backend-wasm' " +
          "and, in a page, pass its module: tfp.ready({ wasm, wasmPaths }) with import * as wasm from '@tensorflow/tfjs-backend-wasm'",
      );
    }
    m.setWasmPaths(options.wasmPaths);
    wasmPathsSet = true;
  }
  if (options.backend !== undefined) return force(options.backend);
  const active = activeBackend();
  if (active !== null) {
    await tf.ready();
    return active;
  }
  for (const name of backendOrder()) {
    if (!(await prepare(name))) continue;
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        return name;
      }
    } catch {
      // a backend that fails to start is skipped; the next one is tried
    }
  }
  await tf.ready();
  return tf.getBackend();
}
