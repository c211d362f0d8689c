/**
 * The playground's load time in headless Chromium (WebGL through SwiftShader, a software GPU),
 * served from 127.0.0.1: navigation to painted, controls wired and the main thread free of long
 * tasks for 1 s (test/site/load_probe.ts says exactly what is measured). Builds the site first
 * unless --no-build; each load is a fresh page with nothing cached (the server sends no-store).
 *
 *   npx tsx bench/site_load.ts [--loads 7] [--no-build] [--query backend=webgl]
 *
 * Prints one line per load, then the medians and the machine's load (uptime) before and after.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromiumPath, openContext, repoRoot, serve } from '../test/browser/harness.js';
import { measureLoad, median, type LoadMetrics } from '../test/site/load_probe.js';

const { values: args } = parseArgs({
  options: { loads: { type: 'string', default: '7' }, 'no-build': { type: 'boolean', default: false }, query: { type: 'string', default: '' } },
});
const loads = Math.max(1, Number(args.loads) || 7);
if (chromiumPath() === null) throw new Error('chromium not found: apt-get install -y chromium');
const uptime = (): string => `load average ${loadavg().map((l) => l.toFixed(2)).join(', ')} on ${availableParallelism()} cores`;
const before = uptime();
if (!args['no-build']) execFileSync('npm', ['run', 'build:site'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
const server = await serve(join(repoRoot, 'site', 'dist'));
const browser = await openContext({ width: 1280, height: 900 });
const runs: LoadMetrics[] = [];
const errors: string[] = [];
try {
  const url = `${server.url}/index.html${args.query ? `?${args.query}` : ''}`;
  for (let i = 0; i < loads; i++) {
    const m = await measureLoad(browser.ctx, url, { onError: (e) => errors.push(e) });
    runs.push(m);
    console.log(
      `load ${i + 1}: interactive ${m.interactiveMs.toFixed(0)} ms (first paint ${m.firstPaintMs.toFixed(0)}, ready ${m.readyMs.toFixed(0)}; ` +
        `${m.longTasks} long tasks, longest ${m.longestTaskMs.toFixed(0)} ms, blocking ${m.totalBlockingMs.toFixed(0)} ms; ` +
        `click handled after ${m.clickDelayMs === null ? '?' : m.clickDelayMs.toFixed(0)} ms) on ${m.backend}; ${uptime()}`,
    );
  }
} finally {
  await browser.close();
  await server.close();
}
const med = (k: keyof LoadMetrics) => median(runs.map((r) => Number(r[k] ?? NaN))).toFixed(0);
console.log(
  `playground load on SwiftShader (software WebGL), headless Chromium, backend ${runs[0]!.backend}: median of ${loads} loads ` +
    `interactive ${med('interactiveMs')} ms, first paint ${med('firstPaintMs')} ms, ready ${med('readyMs')} ms, ` +
    `longest task ${med('longestTaskMs')} ms, total blocking ${med('totalBlockingMs')} ms, click delay ${med('clickDelayMs')} ms; ` +
    `machine before: ${before}; after: ${uptime()}`,
);
if (errors.length) console.log(`page errors: ${errors.join(' | ')}`);
