/**
 * A small reusable harness for tests and measurements in a real browser: builds a page bundle
 * with esbuild, serves it on 127.0.0.1 only, opens Debian's Chromium (headless, WebGL through
 * SwiftShader, a fresh profile) with playwright-core, waits for the page's result and collects
 * console errors, page errors and a screenshot into browser-out/<name>/ (git-ignored).
 *
 * The page protocol: the page's script sets `window.__tfpResult` (any JSON) when done, or
 * `window.__tfpError` (a string) when it failed; `reportFromPage` (page_report.ts) does both.
 *
 * ```ts
 * const b = await openBrowser();
 * try {
 *   const page = await buildPage({ entry: 'test/browser/page.ts', name: 'lib' });
 *   const srv = await serve(page.dir, { '/wasm/': wasmDir() });
 *   const r = await b.run(`${srv.url}/index.html?backend=webgl`, { name: 'lib-webgl' });
 *   await srv.close();
 * } finally { await b.close(); }
 * ```
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { chromium, type BrowserContext } from 'playwright-core';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Where pages, results and screenshots go (git-ignored). */
export const outRoot = join(repoRoot, 'browser-out');

/** Chromium flags: headless, WebGL on SwiftShader (a software GPU), nothing that reaches the network. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** The system Chromium (`which chromium`), or null when it is not installed. */
export function chromiumPath(): string | null {
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      const p = execFileSync('which', [name], { encoding: 'utf8' }).trim();
      if (p) return p;
    } catch {
      // not on PATH
    }
  }
  return null;
}

/** The directory holding tfjs-backend-wasm's .wasm files (serve it and pass its URL as wasmPaths). */
export function wasmDir(): string {
  return join(repoRoot, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
}

export interface BuildOptions {
  /** The page's script (TypeScript or JavaScript). */
  entry: string;
  /** Subfolder of browser-out/ for this page. */
  name: string;
  /**
   * Module aliases. By default `tfjs-probability` is the library's browser entry in the
   * sources (src/index.ts), so a page tests exactly what a browser bundle of the package holds.
   */
  alias?: Record<string, string>;
  /** Minify (for size measurements). */
  minify?: boolean;
  /** HTML body; default: a <pre id="out"> the page may write into. */
  body?: string;
}

export interface BuiltPage {
  dir: string;
  bundle: string;
  bytes: number;
}

/** Bundles `entry` for the browser (esbuild, ESM) and writes index.html beside it. */
export async function buildPage(o: BuildOptions): Promise<BuiltPage> {
  const dir = join(outRoot, o.name);
  mkdirSync(dir, { recursive: true });
  const bundle = join(dir, 'bundle.js');
  await esbuild.build({
    entryPoints: [resolve(repoRoot, o.entry)],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outfile: bundle,
    minify: o.minify ?? false,
    logLevel: 'error',
    // The repository's tsconfig maps tfjs-probability to the Node entry; a page gets the browser one.
    alias: o.alias ?? { 'tfjs-probability': join(repoRoot, 'packages', 'tfjs-probability', 'src', 'index.ts') },
  });
  writeFileSync(
    join(dir, 'index.html'),
    `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>${o.name}</title></head>` +
      `<body>${o.body ?? '<pre id="out">running</pre>'}<script type="module" src="bundle.js"></script></body></html>`,
  );
  return { dir, bundle, bytes: statSync(bundle).size };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.png': 'image/png',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.csv': 'text/csv',
};

export interface Served {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves `dir` at / and each extra directory at its URL prefix, on 127.0.0.1 (a free port) only;
 * `headers` go on every response (e.g. COOP/COEP for a cross-origin-isolated page).
 */
export async function serve(dir: string, extra: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<Served> {
  const roots: Array<[string, string]> = [...Object.entries(extra), ['/', dir]];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    for (const [prefix, root] of roots) {
      if (!path.startsWith(prefix)) continue;
      const file = normalize(join(root, path.slice(prefix.length) || 'index.html'));
      if (!file.startsWith(resolve(root) + sep) || !existsSync(file) || !statSync(file).isFile()) break;
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store', ...headers });
      createReadStream(file).pipe(res);
      return;
    }
    res.writeHead(404).end('not found');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

export interface PageResult<T> {
  /** What the page set as window.__tfpResult. */
  result: T;
  /** console.error messages and uncaught page errors. */
  errors: string[];
  /** Every console message, `type: text`. */
  console: string[];
  /** The screenshot written (browser-out/<name>.png). */
  screenshot: string;
}

export interface Browser {
  /** Opens `url`, waits for the page's result (or error, or timeout) and screenshots it. */
  run<T = unknown>(url: string, o: { name: string; timeoutMs?: number }): Promise<PageResult<T>>;
  close(): Promise<void>;
}

/**
 * Headless Chromium (the flags above) in a fresh profile that `close()` removes; throws when
 * Chromium is not installed. For tests that drive pages themselves (clicks, sliders).
 */
export async function openContext(viewport = { width: 900, height: 700 }): Promise<{ ctx: BrowserContext; close(): Promise<void> }> {
  const exe = chromiumPath();
  if (exe === null) throw new Error('chromium not found: apt-get install -y chromium (.ci/run installs it)');
  const profile = mkdtempSync(join(tmpdir(), 'tfp-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, { executablePath: exe, headless: true, args: CHROMIUM_FLAGS, viewport });
  return {
    ctx,
    async close() {
      await ctx.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Starts headless Chromium with a fresh profile; throws when Chromium is not installed. */
export async function openBrowser(): Promise<Browser> {
  const { ctx, close } = await openContext();
  return {
    async run<T>(url: string, o: { name: string; timeoutMs?: number }): Promise<PageResult<T>> {
      const page = await ctx.newPage();
      const errors: string[] = [];
      const messages: string[] = [];
      page.on('console', (m) => {
        messages.push(`${m.type()}: ${m.text()}`);
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
      try {
        await page.goto(url);
        await page.waitForFunction(() => (window as { __tfpResult?: unknown }).__tfpResult !== undefined || (window as { __tfpError?: unknown }).__tfpError !== undefined, undefined, {
          timeout: o.timeoutMs ?? 120_000,
          polling: 100,
        });
        const failure = await page.evaluate(() => (window as { __tfpError?: string }).__tfpError);
        const shot = join(outRoot, `${o.name}.png`);
        mkdirSync(dirname(shot), { recursive: true });
        await page.screenshot({ path: shot });
        if (failure !== undefined) throw new Error(`page ${url} failed: ${failure}\nconsole:\n${messages.join('\n')}`);
        const result = (await page.evaluate(() => (window as { __tfpResult?: unknown }).__tfpResult)) as T;
        writeFileSync(join(outRoot, `${o.name}.json`), JSON.stringify({ url, result, errors, console: messages }, null, 2));
        return { result, errors, console: messages, screenshot: shot };
      } finally {
        await page.close();
      }
    },
    close,
  };
}
