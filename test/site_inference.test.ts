/**
 * The playground's inference panel (site/src/inference_panel.ts) in headless Chromium (Debian's
 * chromium, WebGL through SwiftShader; the panel runs on wasm): a short eight-schools run of 4 chains
 * x (150 warm-up + 150 draws) must finish, draw its trace plots and histograms, and fill the running
 * diagnostics table with a bulk ESS and R-hat per parameter. The screenshot goes to
 * browser-out/site-inference.png (git-ignored) to be looked at.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, buildPage, openBrowser, serve, type Served, wasmDir } from './browser/harness.js';

interface PanelReport {
  backend: string;
  seconds: number;
  done: string | null;
  status: string;
  draws: number;
  minEss: number;
  maxRhat: number;
  meanMu: number;
  rows: string[][];
  inked: Array<{ cls: string; inked: number }>;
}

let browser: Browser;
let server: Served;

beforeAll(async () => {
  const page = await buildPage({ entry: 'test/browser/inference_page.ts', name: 'site-inference-page', body: '' });
  server = await serve(page.dir, { '/wasm/': wasmDir() });
  browser = await openBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('playground inference panel in headless Chromium', () => {
  it('samples eight schools, draws traces and histograms, and shows ESS and R-hat per parameter', async () => {
    const { result: r, errors } = await browser.run<PanelReport>(`${server.url}/index.html`, { name: 'site-inference', timeoutMs: 480_000 });
    expect(errors).toEqual([]);
    expect(r.backend).toBe('wasm');
    expect(r.done).toBe('1');
    expect(r.status).toMatch(/^done in/);
    expect(r.draws).toBe(150);
    // Ten parameters: mu, tau, theta[1..8], each with mean, sd, bulk ESS and R-hat.
    expect(r.rows.map((row) => row[0])).toEqual(['mu', 'tau', ...Array.from({ length: 8 }, (_, j) => `theta[${j + 1}]`)]);
    for (const row of r.rows) for (const cell of row.slice(1)) expect(Number.isFinite(Number(cell))).toBe(true);
    // 600 draws of a posterior whose mean of mu is 4.4 (sd 3.3): the chains mixed.
    expect(r.minEss).toBeGreaterThan(50);
    expect(r.maxRhat).toBeLessThan(1.1);
    expect(Math.abs(r.meanMu - 4.4)).toBeLessThan(2);
    // Every canvas (two trace plots, two histograms) has a drawing on it.
    expect(r.inked.length).toBe(4);
    for (const c of r.inked) expect(c.inked, c.cls).toBeGreaterThan(500);
  }, 600_000);
});
