/**
 * The playground's entry: starts the best backend (WebGL, falling back to wasm then cpu; wasm
 * first on a software WebGL; `?backend=wasm` forces one), then the three panels.
 */
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import * as tfp from 'tfjs-probability';
import { CovariancePanel } from './covariance_panel.js';
import { CsvPanel } from './csv_panel.js';
import { InferencePanel } from './inference_panel.js';
import { BoPanel } from './bo_panel.js';
import { SpiralPanel } from './spiral_panel.js';
import { $ } from './ui.js';

async function start(): Promise<void> {
  const forced = new URLSearchParams(location.search).get('backend') ?? undefined;
  // The wasm binaries are served by the site itself (no CDN): ./tfjs-wasm/*.wasm.
  const wasmPaths = new URL('tfjs-wasm/', document.baseURI).href;
  // With no backend forced, tfp.ready() starts the fastest one the page has: webgl, then wasm, then
  // cpu, with wasm first where WebGL is a software rasterizer (SwiftShader, llvmpipe).
  const backend = await tfp.ready({ wasm, wasmPaths, ...(forced !== undefined ? { backend: forced } : {}) });
  document.body.dataset['backend'] = backend;
  $(document, '#backend').textContent = backend === 'webgl' ? 'WebGL' : backend;
  // Let the page paint its text and empty plots before any model is built or trained.
  await afterPaint();
  const spiral = new SpiralPanel($(document, '#spiral'));
  new CovariancePanel($(document, '#covariance'));
  new CsvPanel($(document, '#csv'));
  new InferencePanel($(document, '#csv').parentElement ?? document.body);
  new BoPanel($(document, '#csv').parentElement ?? document.body);
  document.body.dataset['ready'] = '1';
  if (new URLSearchParams(location.search).get('autotrain') !== '0') {
    await afterPaint();
    void spiral.toggle();
  }
}

/** Resolves after the browser has painted the current state of the page. */
function afterPaint(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

start().catch((e: unknown) => {
  document.body.dataset['error'] = String(e);
  $(document, '#backend').textContent = `failed to start: ${String(e)}`;
  throw e;
});
