/**
 * The playground's load time in headless Chromium (WebGL through SwiftShader, a software GPU),
 * served from 127.0.0.1: navigation to painted, controls wired and the main thread free of long
 * tasks for 1 s (test/site/load_probe.ts says exactly what is measured). Builds the site first
 * unless --no-build; each load is a fresh page with nothing cached (the server sends no-store).
 *
 *   npx tsx bench/site_load.ts [--loads 7] [--no-build] [--query backend=webgl] [--dir other/dist] [--compare other/dist]
 *
 * --dir measures another build of the site instead (no build); --compare measures this one and
 * another build side by side, alternating loads, and prints the ratio of their medians.
 * Prints one line per load, then the medians and the machine's load (uptime) before and after.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromiumPath, openContext, repoRoot, serve, type Served } from '../test/browser/harness.js';
import { measureLoad, median, type LoadMetrics } from '../test/site/load_probe.js';

const { values: args } = parseArgs({
  options: {
    loads: { type: 'string', default: '7' },
    'no-build': { type: 'boolean', default: false },
    query: { type: 'string', default: '' },
    dir: { type: 'string' },
    compare: { type: 'string' },
  },
});
const loads = Math.max(1, Number(args.loads) || 7);
if (chromiumPath() === null) throw new Error('chromium not found: apt-get install -y chromium');
const uptime = (): string => `load average ${loadavg().map((l) => l.toFixed(2)).join(', ')} on ${availableParallelism()} cores`;
if (!args['no-build'] && args.dir === undefined) execFileSync('npm', ['run', 'build:site'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
const before = uptime();
const sites: Array<{ name: string; server: Served; runs: LoadMetrics[] }> = [
  { name: args.dir ?? 'site/dist', server: await serve(args.dir !== undefined ? resolve(args.dir) : join(repoRoot, 'site', 'dist')), runs: [] },
  ...(args.compare !== undefined ? [{ name: args.compare, server: await serve(resolve(args.compare)), runs: [] }] : []),
];
const browser = await openContext({ width: 1280, height: 900 });
const errors: string[] = [];
try {
  for (let i = 0; i < loads; i++) {
    for (const site of sites) {
      const m = await measureLoad(browser.ctx, `${site.server.url}/index.html${args.query ? `?${args.query}` : ''}`, { onError: (e) => errors.push(`${site.name}: ${e}`) });
      site.runs.push(m);
      console.log(
        `${site.name} load ${i + 1}: interactive ${m.interactiveMs.toFixed(0)} ms (first paint ${m.firstPaintMs.toFixed(0)}, ready ${m.readyMs.toFixed(0)}; ` +
          `${m.longTasks} long tasks, longest ${m.longestTaskMs.toFixed(0)} ms, blocking ${m.totalBlockingMs.toFixed(0)} ms; ` +
          `click handled after ${m.clickDelayMs === null ? '?' : m.clickDelayMs.toFixed(0)} ms) on ${m.backend}; ${uptime()}`,
      );
    }
  }
} finally {
  await browser.close();
  for (const s of sites) await s.server.close();
}
const med = (runs: LoadMetrics[], k: keyof LoadMetrics): number => median(runs.map((r) => Number(r[k] ?? NaN)));
for (const { name, runs } of sites) {
  const f = (k: keyof LoadMetrics) => med(runs, k).toFixed(0);
  console.log(
    `${name}: playground load on SwiftShader (software WebGL), headless Chromium, backend ${runs[0]!.backend}: median of ${loads} loads ` +
      `interactive ${f('interactiveMs')} ms, first paint ${f('firstPaintMs')} ms, ready ${f('readyMs')} ms, ` +
      `longest task ${f('longestTaskMs')} ms, total blocking ${f('totalBlockingMs')} ms, click delay ${f('clickDelayMs')} ms`,
  );
}
if (sites.length === 2) {
  const ratio = (k: keyof LoadMetrics) => (med(sites[1]!.runs, k) / med(sites[0]!.runs, k)).toFixed(2);
  console.log(`${sites[1]!.name} / ${sites[0]!.name} (medians, alternating loads): interactive ${ratio('interactiveMs')}x, first paint ${ratio('firstPaintMs')}x, total blocking ${ratio('totalBlockingMs')}x`);
}
console.log(`machine before: ${before}; after: ${uptime()}`);
if (errors.length) console.log(`page errors: ${errors.join(' | ')}`);
