/**
 * Starts the playground's backend: `tfp.ready()` picks the fastest the page has (webgl, then
 * wasm, then cpu; wasm before webgl where WebGL is a software rasterizer such as SwiftShader or
 * llvmpipe), or the one `?backend=` names. The wasm binaries are served by the site itself
 * (./tfjs-wasm/*.wasm, no CDN). Loaded by main.ts after the first paint.
 */
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import * as tfp from 'tfjs-probability';

export async function startBackend(forced: string | undefined): Promise<string> {
  const wasmPaths = new URL('tfjs-wasm/', document.baseURI).href;
  return tfp.ready({ wasm, wasmPaths, ...(forced !== undefined ? { backend: forced } : {}) });
}
