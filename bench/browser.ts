/**
 * Milliseconds per MDN epoch in headless Chromium on webgl (SwiftShader: a software GPU, no
 * real GPU on this machine), wasm and cpu: recipe 002's network (bench/browser_page.ts).
 * Run: npx tsx bench/browser.ts [--epochs 4]   (results in browser-out/bench-mdn-*.json)
 */
import { loadavg } from 'node:os';
import { buildPage, openBrowser, serve, wasmDir } from '../test/browser/harness.js';

const i = process.argv.indexOf('--epochs');
const epochs = i >= 0 ? Number(process.argv[i + 1]) : 4;
const page = await buildPage({ entry: 'bench/browser_page.ts', name: 'bench-mdn' });
const served = await serve(page.dir, { '/wasm/': wasmDir() });
const browser = await openBrowser();
try {
  console.log(`load average before: ${loadavg().map((v) => v.toFixed(1)).join(' ')}`);
  for (const backend of ['webgl', 'wasm', 'cpu']) {
    const r = await browser.run<{ backend: string; firstEpochMs: number; medianEpochMs: number; epochMs: number[]; losses: number[] }>(
      `${served.url}/index.html?backend=${backend}&epochs=${epochs}`,
      { name: `bench-mdn-${backend}`, timeoutMs: 900_000 },
    );
    console.log(
      `${r.result.backend}: median ${r.result.medianEpochMs.toFixed(0)} ms/epoch over epochs 2..${epochs} ` +
        `(first ${r.result.firstEpochMs.toFixed(0)} ms; all ${r.result.epochMs.map((t) => t.toFixed(0)).join(', ')}; loss ${r.result.losses.map((l) => l.toFixed(3)).join(', ')})` +
        (r.errors.length ? `; console errors: ${r.errors.join(' | ')}` : ''),
    );
  }
  console.log(`load average after: ${loadavg().map((v) => v.toFixed(1)).join(' ')}`);
} finally {
  await browser.close();
  await served.close();
}
