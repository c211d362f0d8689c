/**
 * What differs between runtimes, as hooks the entry points install. The
 * library's main entry (`index.ts`) is browser-clean: it imports nothing from
 * `node:` and no optional package. The Node entry (`node.ts`, chosen by the
 * package's `node` export condition) installs the Node hooks: tfjs-node and
 * the wasm backend found in node_modules, and file-system model directories.
 */

/** The part of `@tensorflow/tfjs-backend-wasm` the library uses (structural, so no type dependency on it). */
export interface WasmModuleLike {
  setWasmPaths(prefixOrFileMap: string | { [file: string]: string }, usePlatformFetch?: boolean): void;
  /** The package's version (checked before tfjs' wasm kernels are replaced). */
  readonly version_wasm?: string;
}

export interface PlatformHooks {
  /** 'node' or 'browser' (any non-Node runtime). */
  readonly name: 'node' | 'browser';
  /** Backends to try, fastest first, when no backend is set. */
  readonly backendOrder: readonly string[];
  /** Loads `@tensorflow/tfjs-backend-wasm` when it is installed (registers the 'wasm' backend); null when it is not. */
  loadWasm(): Promise<WasmModuleLike | null>;
  /** Where the wasm files are when the user did not say (Node: inside node_modules). */
  defaultWasmPaths(): string | undefined;
  /** Loads tfjs-node when it is installed (registers 'tensorflow'); false when it is not. */
  loadTfjsNode(): Promise<boolean>;
  /** Node: a model-directory handler for a plain path (or `file://` without tfjs-node), else null. */
  directoryHandler?(target: string, options?: object): IOHandlerLike | null;
  /** Node: registers the directory handler as a tfjs IO router (`tfp.io.registerFileRouter()`). */
  registerFileRouter?(): void;
}

/** The part of `tf.io.IOHandler` a platform hands out (structural, so this module imports nothing). */
export interface IOHandlerLike {
  save?: unknown;
  load?: unknown;
}

const browserHooks: PlatformHooks = {
  name: 'browser',
  backendOrder: ['webgpu', 'webgl', 'wasm', 'cpu'],
  // In a page the wasm backend is the user's choice: they import it (which registers it)
  // and pass its module to `tfp.ready({ wasm })` when tfp should set its paths.
  loadWasm: async () => null,
  defaultWasmPaths: () => undefined,
  loadTfjsNode: async () => false,
};

let current: PlatformHooks = browserHooks;

/** The hooks in effect (browser ones unless the Node entry was loaded). */
export function platform(): PlatformHooks {
  return current;
}

/** Installs runtime hooks; called once by the Node entry. */
export function setPlatform(hooks: PlatformHooks): void {
  current = hooks;
}
