// The library in real headless Chromium (WebGL on SwiftShader, wasm, cpu), against Node.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCases, compareResults, type CaseResult } from './cases.js';
import { buildPage, openBrowser, serve, wasmDir, type Browser, type Served } from './harness.js';

interface Report {
  auto?: string;
  renderer?: string;
  keptAfterPageSetCpu?: string;
  backend: string;
  webgpuError: string;
  cases: Record<string, CaseResult>;
  losses: number[];
  savedBytes: number;
  roundTripIdentical: boolean;
  loadedLogProbFinite: boolean;
  leaked: number;
}

let browser: Browser;
let served: Served;
let nodeCases: Record<string, CaseResult>;

beforeAll(async () => {
  nodeCases = await runCases();
  const page = await buildPage({ entry: 'test/browser/page.ts', name: 'library' });
  served = await serve(page.dir, { '/wasm/': wasmDir() });
  browser = await openBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await served?.close();
});

describe('in headless Chromium', () => {
  for (const backend of ['webgl', 'wasm', 'cpu']) {
    it(`${backend}: values and sample shapes match Node, a head trains, indexeddb:// round-trips, nothing leaks, no console errors`, async () => {
      const auto = backend === 'webgl' ? '&auto=1' : '';
      const r = await browser.run<Report>(`${served.url}/index.html?backend=${backend}${auto}`, { name: `library-${backend}`, timeoutMs: 150_000 });
      expect(r.errors).toEqual([]);
      if (backend === 'webgl') {
        // Chromium's WebGL here is SwiftShader (a software rasterizer): ready() prefers wasm.
        expect(r.result.renderer).toMatch(/SwiftShader/);
        expect(r.result.auto).toBe('wasm');
        expect(r.result.keptAfterPageSetCpu).toBe('cpu');
      }
      expect(r.result.backend).toBe(backend);
      expect(r.result.webgpuError).toMatch(/tfp\.ready: backend 'webgpu' could not be initialized: it is not registered \(import '@tensorflow\/tfjs-backend-webgpu'\)/);
      // float32 everywhere; webgl's transcendental functions differ from the CPU's by a few ulps,
      // which special functions (lgamma, incomplete beta/gamma) amplify to ~1e-5 relative.
      expect(compareResults(r.result.cases, nodeCases, 2e-4, 2e-5)).toEqual([]);
      const l = r.result.losses;
      expect(l.every(Number.isFinite)).toBe(true);
      expect(l[l.length - 1]!).toBeLessThan(l[0]! - 0.2);
      expect(r.result.savedBytes).toBeGreaterThan(0);
      expect(r.result.roundTripIdentical).toBe(true);
      expect(r.result.loadedLogProbFinite).toBe(true);
      expect(r.result.leaked).toBe(0);
    }, 180_000);
  }
});
