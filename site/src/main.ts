/**
 * The playground's entry. It imports no tfjs, so the page paints its text and controls at once;
 * then it loads tfjs and the library and starts the best backend (backend.ts: WebGL, falling back
 * to wasm then cpu; wasm first on a software WebGL; `?backend=wasm` forces one), builds the first
 * panel (the page is usable from here: the `playground-ready` mark and body[data-interactive]),
 * and the panels below it only as they come near the viewport, each loaded on its own (a dynamic
 * import) in an idle moment, so that no step holds the main thread for long (body[data-ready]
 * once all are built). Training starts in an idle moment after the first panel, in short tasks
 * that yield to the page after every batch (`?autotrain=0`: not at all).
 */
import { $ } from './ui.js';

/**
 * The panels below the first one, in page order: [an element of the page, what builds the panel].
 * Each is loaded (a dynamic import) and built when its element comes within 300 px of the
 * viewport, one at a time, in an idle moment. A test that drives one of them scrolls to it
 * first (test/site.test.ts: buildAllPanels).
 */
const LATER: Array<[string, () => Promise<unknown>]> = [
  ['#covariance', async () => new (await import('./covariance_panel.js')).CovariancePanel($(document, '#covariance'))],
  ['#csv', async () => new (await import('./csv_panel.js')).CsvPanel($(document, '#csv'))],
  ['#csv', async () => new (await import('./inference_panel.js')).InferencePanel($(document, '#csv').parentElement ?? document.body)],
  ['#csv', async () => new (await import('./bo_panel.js')).BoPanel($(document, '#csv').parentElement ?? document.body)],
];

async function start(): Promise<void> {
  const params = new URLSearchParams(location.search);
  // Let the page paint before the ~1.5 MB of tfjs and the library are parsed.
  await afterPaint();
  performance.mark('playground-painted');
  const { startBackend } = await import('./backend.js');
  const backend = await startBackend(params.get('backend') ?? undefined);
  performance.mark('playground-backend');
  document.body.dataset['backend'] = backend;
  $(document, '#backend').textContent = backend === 'webgl' ? 'WebGL' : backend;
  const { SpiralPanel } = await import('./spiral_panel.js');
  const spiral = new SpiralPanel($(document, '#spiral'));
  document.body.dataset['interactive'] = '1';
  performance.mark('playground-ready');
  let built = 0;
  let queue = Promise.resolve();
  for (const [selector, load] of LATER) {
    void whenNear($(document, selector)).then(() => {
      queue = queue.then(idle).then(load).then(() => {
        performance.mark('playground-panel');
        if (++built === LATER.length) document.body.dataset['ready'] = '1';
      });
      return queue;
    }).catch(fail);
  }
  if (params.get('autotrain') !== '0') {
    await idle();
    performance.mark('playground-training');
    void spiral.toggle();
  }
}

/** Resolves once `el` is within 300 px of the viewport. */
function whenNear(el: Element): Promise<void> {
  return new Promise((resolve) => {
    const io = new IntersectionObserver((entries) => {
      if (!entries.some((e) => e.isIntersecting)) return;
      io.disconnect();
      resolve();
    }, { rootMargin: '300px' });
    io.observe(el);
  });
}

/** Resolves after the browser has painted the current state of the page. */
function afterPaint(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

/** Resolves when the browser is idle (after a paint; at most 200 ms later where it never is). */
function idle(): Promise<void> {
  return afterPaint().then(() => new Promise((resolve) => (typeof requestIdleCallback === 'function' ? requestIdleCallback(() => resolve(), { timeout: 200 }) : setTimeout(resolve, 0))));
}

function fail(e: unknown): never {
  document.body.dataset['error'] = String(e);
  $(document, '#backend').textContent = `failed to start: ${String(e)}`;
  throw e;
}

start().catch(fail);
