/**
 * How long the playground takes to load, measured the way a person meets it: from navigation
 * until the page has painted, its controls are wired (the page's `playground-ready` performance
 * mark) and the main thread then stays free of long tasks (> 50 ms, the Long Tasks API) for a
 * quiet window, so a click is handled at once. That is Lighthouse's "time to interactive" with
 * a 1 s window instead of 5 s (the page trains a model in the background, in short tasks). Also
 * reported: first contentful paint, the long tasks before that point (count, longest, total
 * blocking time = the sum of their parts over 50 ms) and the delay of a click right after it
 * (Event Timing's first-input entry). Used by test/site.test.ts and bench/site_load.ts.
 */
import type { BrowserContext } from 'playwright-core';

export interface LoadMetrics {
  /** Navigation to first contentful paint, ms. */
  firstPaintMs: number;
  /** Navigation to the `playground-ready` mark (the first panel's controls wired; else body[data-interactive] or body[data-ready] set), ms. */
  readyMs: number;
  /** Navigation to the end of the last long task before a quiet window (and not before paint and ready), ms. */
  interactiveMs: number;
  /** Long tasks that started before `interactiveMs`: count, longest, total blocking time (ms over 50 each). */
  longTasks: number;
  longestTaskMs: number;
  totalBlockingMs: number;
  /** A click on the page right after `interactiveMs`: from the input to its handler starting, ms. */
  clickDelayMs: number | null;
  /** The backend the page started (body[data-backend]). */
  backend: string;
}

/** Installed before any of the page's scripts: records long tasks and the first input from the start. */
const INIT = `(() => {
  const rec = { longTasks: [], firstInput: null, readyAt: null };
  window.__loadProbe = rec;
  // Pages without the mark: the moment body[data-interactive] (else body[data-ready]) is set.
  new MutationObserver((_, mo) => {
    const b = document.body;
    if (b && (b.dataset.interactive || b.dataset.ready) && rec.readyAt === null) { rec.readyAt = performance.now(); mo.disconnect(); }
  }).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-interactive', 'data-ready'] });
  try {
    new PerformanceObserver((l) => { for (const e of l.getEntries()) rec.longTasks.push([e.startTime, e.duration]); })
      .observe({ type: 'longtask', buffered: true });
  } catch {}
  try {
    new PerformanceObserver((l) => { for (const e of l.getEntries()) rec.firstInput = e.processingStart - e.startTime; })
      .observe({ type: 'first-input', buffered: true });
  } catch {}
})();`;

/** In the page: waits for the quiet window after paint and ready; resolves with the raw numbers. */
const SETTLE = `async (quietMs) => {
  const rec = window.__loadProbe;
  const ready = () => performance.getEntriesByName('playground-ready')[0]?.startTime ?? rec.readyAt;
  while (ready() == null || !performance.getEntriesByName('first-contentful-paint')[0]) await new Promise((r) => setTimeout(r, 50));
  const readyMs = ready();
  const firstPaintMs = performance.getEntriesByName('first-contentful-paint')[0].startTime;
  let t = Math.max(readyMs, firstPaintMs);
  let quietChecks = 0;
  for (;;) {
    for (const [s, d] of rec.longTasks) if (s + d > t) t = s + d;
    // Two checks 100 ms apart: a long task's entry arrives just after the task.
    if (performance.now() - t >= quietMs) { if (++quietChecks >= 2) break; } else quietChecks = 0;
    await new Promise((r) => setTimeout(r, 100));
  }
  const before = rec.longTasks.filter(([s]) => s < t);
  return {
    firstPaintMs, readyMs, interactiveMs: t, longTasks: before.length,
    longestTaskMs: before.reduce((m, [, d]) => Math.max(m, d), 0),
    totalBlockingMs: before.reduce((a, [, d]) => a + Math.max(0, d - 50), 0),
    backend: document.body.dataset.backend || '',
  };
}`;

/**
 * Opens `url` in a new page of `ctx`, measures its load (see the file's comment) and closes the
 * page unless `keep`; throws if the page does not settle within `timeoutMs`.
 */
export async function measureLoad(
  ctx: BrowserContext,
  url: string,
  o: { quietMs?: number; timeoutMs?: number; onError?: (msg: string) => void } = {},
): Promise<LoadMetrics> {
  const page = await ctx.newPage();
  try {
    if (o.onError) {
      const report = o.onError;
      page.on('pageerror', (e) => report(`pageerror: ${e.message}`));
      page.on('console', (m) => void (m.type() === 'error' && report(`console.error: ${m.text()}`)));
    }
    await page.addInitScript(INIT);
    await page.goto(url, { waitUntil: 'commit', timeout: o.timeoutMs ?? 120_000 });
    const settle = page.evaluate(`(${SETTLE})(${o.quietMs ?? 1000})`) as Promise<Omit<LoadMetrics, 'clickDelayMs'>>;
    const timeout = new Promise<never>((_, reject) => {
      const id = setTimeout(() => reject(new Error(`${url}: the page did not paint, get ready and go quiet within ${o.timeoutMs ?? 120_000} ms`)), o.timeoutMs ?? 120_000);
      void settle.finally(() => clearTimeout(id)).catch(() => undefined);
    });
    const m = await Promise.race([settle, timeout]);
    await page.click('header h1');
    const clickDelayMs = (await page.waitForFunction(() => (window as { __loadProbe?: { firstInput: number | null } }).__loadProbe?.firstInput ?? null, null, { timeout: 10_000 }).then((h) => h.jsonValue()).catch(() => null)) as number | null;
    return { ...m, clickDelayMs };
  } finally {
    await page.close();
  }
}

/** The median of a non-empty list. */
export function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
