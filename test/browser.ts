/**
 * Browser-test plumbing: a static file server bound to 127.0.0.1 and Debian's Chromium started
 * through playwright-core with WebGL on SwiftShader (a software GPU) and no network chatter.
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.csv': 'text/csv',
};

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/** Serves the files under `dir` (nothing outside it) on 127.0.0.1 at a free port. */
export async function serveStatic(dir: string): Promise<StaticServer> {
  const base = resolve(dir);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    const file = normalize(join(base, path.endsWith('/') ? path + 'index.html' : path));
    if (file !== base && !file.startsWith(base + sep)) {
      res.writeHead(403).end();
      return;
    }
    readFile(file, (err, body) => {
      if (err) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('serveStatic: no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

/** The system Chromium (`which chromium`); `.ci/run` installs Debian's package when it is missing. */
export function chromiumPath(): string {
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('browser tests need Debian\'s chromium on PATH: apt-get install -y chromium (.ci/run does this)');
  }
}

/** Headless Chromium with WebGL through SwiftShader, a fresh profile, and no background networking. */
export async function launchChromium(): Promise<Browser> {
  // playwright-core gives every launch a fresh temporary profile (--user-data-dir) of its own.
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
      '--disable-quic',
    ],
  });
}
