/**
 * The MDN epoch in headless Chromium on webgl (SwiftShader: a software GPU), wasm and cpu,
 * and on webgl the composed (non-fused) kernel paths against plain tfjs ops
 * (bench/browser_page.ts), through the browser test harness of test/browser/harness.ts.
 *
 *   npx tsx bench/browser.ts [--epochs 3]
 *
 * Prints JSON per backend; bench/table.ts --browser adds the rows to RESULTS.md.
 */
import { loadavg } from 'node:os';
import { buildPage, chromiumPath, openBrowser, serve, wasmDir } from '../test/browser/harness.js';

export interface BrowserBench {
  /** 'webgl', 'wasm', 'cpu', or 'wasm (cross-origin isolated)'. */
  backend: string;
  /** wasm: the threads tfjs' wasm backend runs its XNNPACK products on. */
  wasmThreads?: number;
  /** wasm: whether the backend's heap is a SharedArrayBuffer (tfjs' threaded build). */
  wasmSharedMemory?: boolean;
  /** wasm, threaded build: emscripten's pthread workers (spawned, running). */
  pthreadWorkers?: { unused: number; running: number } | null;
  crossOriginIsolated?: boolean;
  hardwareConcurrency?: number;
  fitEpochMedianMs: number;
  fitEpochMs: number[];
  webglComposedVsPlainMs?: Record<string, { composed: number; plain: number }>;
  load: number;
}

/** Runs the page on each backend; null when Chromium is not installed. */
export async function browserBench(epochs = 3, backends = ['webgl', 'wasm', 'cpu']): Promise<BrowserBench[] | null> {
  if (chromiumPath() === null) return null;
  const page = await buildPage({ entry: 'bench/browser_page.ts', name: 'bench-mdn' });
  const srv = await serve(page.dir, { '/wasm/': wasmDir() });
  // The same page cross-origin isolated (COOP/COEP): SharedArrayBuffer exists, so tfjs' wasm backend
  // loads its threaded-SIMD binary.
  const isolated = await serve(page.dir, { '/wasm/': wasmDir() }, {
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-embedder-policy': 'require-corp',
  });
  const b = await openBrowser();
  const out: BrowserBench[] = [];
  try {
    for (const backend of backends) {
      const runs: Array<[string, string]> = [[backend, srv.url]];
      if (backend === 'wasm') {
        runs.push(['wasm (cross-origin isolated)', isolated.url]);
        runs.push(['wasm (cross-origin isolated, 2 threads)', `${isolated.url}/index.html?threads=2&`]);
      }
      for (const [label, url] of runs) {
        const page = url.includes('?') ? url : `${url}/index.html?`;
        const r = await b.run<Omit<BrowserBench, 'load'>>(`${page}backend=${backend}&epochs=${epochs}`, {
          name: `bench-mdn-${label.replace(/[^a-z]+/g, '-')}`,
          timeoutMs: 600_000,
        });
        out.push({ ...r.result, backend: label, load: loadavg()[0]! });
      }
    }
  } finally {
    await b.close();
    await srv.close();
    await isolated.close();
  }
  return out;
}

if (process.argv[1]?.endsWith('browser.ts')) {
  const argv = process.argv.slice(2);
  const epochs = argv.includes('--epochs') ? Number(argv[argv.indexOf('--epochs') + 1]) : 3;
  const backends = argv.includes('--backends') ? argv[argv.indexOf('--backends') + 1]!.split(',') : undefined;
  browserBench(epochs, backends).then(
    (r) => console.log(r === null ? 'chromium not installed' : JSON.stringify(r, null, 1)),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
