// Builds the CLI's dist/ with esbuild: its sources and the tfjs-probability library in one
// bundle, every other dependency (tfjs, the wasm backend, vega, resvg, ...) left as an import.
// So an installed CLI needs no separate tfjs-probability package, and exactly one tfjs is
// installed and used: the library's layers and the CLI's models share it.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, '..');
const library = join(pkg, '..', 'tfjs-probability', 'src', 'node.ts');

rmSync(join(pkg, 'dist'), { recursive: true, force: true });
await build({
  entryPoints: ['main', 'demo', 'spiral'].map((n) => join(pkg, 'src', `${n}.ts`)),
  outdir: join(pkg, 'dist'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: false,
  logLevel: 'warning',
  chunkNames: 'chunks/[name]-[hash]',
  plugins: [
    {
      name: 'library-inside-the-rest-outside',
      setup(b) {
        b.onResolve({ filter: /^tfjs-probability$/ }, () => ({ path: library }));
        // Any other bare import (a package) stays an import resolved at run time.
        b.onResolve({ filter: /^[^./]/ }, (a) => (a.path.startsWith('node:') || !a.path.startsWith('/') ? { path: a.path, external: true } : undefined));
      },
    },
  ],
});
