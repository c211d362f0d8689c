/**
 * The playground's Bayesian-optimization panel in headless Chromium (wasm backend; the page is the
 * panel alone, bundled by test/browser/harness.ts): a click on the posterior plot adds an
 * observation there and the refitted posterior mean passes near it; "Evaluate at max EI" evaluates
 * where the expected improvement was largest; no page or console errors. The screenshot goes to
 * browser-out/bo/ (git-ignored) to be looked at.
 */
import { join } from 'node:path';
import { availableParallelism, loadavg } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { buildPage, openContext, outRoot, serve, wasmDir, type Served } from './browser/harness.js';

const scale = Math.min(4, Math.max(1, loadavg()[0]! / availableParallelism()));
const budget = (ms: number): number => Math.round(ms * scale);
let server: Served;
let chromium: { ctx: BrowserContext; close(): Promise<void> };
let page: Page;
const problems: string[] = [];

interface Panel { posterior: { mean: Float32Array; ei: Float32Array } | null; gridPoints: Float32Array }

beforeAll(async () => {
  const built = await buildPage({ entry: 'test/browser/bo_page.ts', name: 'bo', body: '<div id="root"></div>' });
  server = await serve(built.dir, { '/wasm/': wasmDir() });
  chromium = await openContext({ width: 940, height: 620 });
  chromium.ctx.setDefaultTimeout(budget(60_000));
  page = await chromium.ctx.newPage();
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console.error: ${m.text()}`);
  });
  await page.goto(`${server.url}/index.html`);
  await page.waitForSelector('#bo[data-state="ready"][data-observations="3"]', { timeout: budget(90_000) });
}, budget(180_000));

afterAll(async () => {
  await chromium?.close();
  await server?.close();
});

const data = (key: string) => page.$eval('#bo', (el, k) => (el as HTMLElement).dataset[k] ?? null, key);

describe('Bayesian-optimization panel in headless Chromium', { timeout: budget(120_000) + 30_000 }, () => {
  it('a click adds the observation under the pointer, and the posterior mean follows it', async () => {
    const area = JSON.parse((await data('plotArea'))!) as { x0: number; y0: number; w: number; h: number };
    const box = (await page.locator('#bo canvas.posterior').boundingBox())!;
    // x = 6, y = −1.5 on the plot's axes: x ∈ [−2, 10], y ∈ [−3, 3].
    const px = box.x + area.x0 + ((6 + 2) / 12) * area.w;
    const py = box.y + area.y0 + ((3 - -1.5) / 6) * area.h;
    await page.mouse.click(px, py);
    await page.waitForSelector('#bo[data-state="ready"][data-observations="4"]', { timeout: budget(60_000) });
    const at6 = await page.evaluate(() => {
      const p = (window as unknown as { __bo: Panel }).__bo;
      const g = Array.from(p.gridPoints);
      const i = g.reduce((b, x, j) => (Math.abs(x - 6) < Math.abs(g[b]! - 6) ? j : b), 0);
      return { x: g[i]!, mean: p.posterior!.mean[i]!, eiMax: Math.max(...p.posterior!.ei) };
    });
    expect(Math.abs(at6.x - 6)).toBeLessThan(0.05);
    expect(Math.abs(at6.mean - -1.5)).toBeLessThan(0.35);
    expect(at6.eiMax).toBeGreaterThan(0);
  });

  it('"Evaluate at max EI" evaluates the hidden function where EI was largest', async () => {
    const arg = Number(await data('eiArgmax'));
    const bestBefore = Number(await data('best'));
    await page.click('#bo button.next');
    await page.waitForSelector('#bo[data-state="ready"][data-observations="5"]', { timeout: budget(60_000) });
    const xs = await page.evaluate(() => (window as unknown as { __bo: { ['xs']: number[] } }).__bo['xs']);
    expect(Math.abs(xs[xs.length - 1]! - arg)).toBeLessThan(1e-3);
    expect(Number(await data('best'))).toBeLessThanOrEqual(bestBefore);
    await page.locator('#bo').screenshot({ path: join(outRoot, 'bo', 'bo.png') });
    expect(problems).toEqual([]);
  });
});
