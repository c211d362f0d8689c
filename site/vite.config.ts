/**
 * The playground and documentation site (npm run build:site -> site/dist; npm run site serves it
 * on 127.0.0.1). The library is bundled from its sources; the wasm backend's binaries are
 * served by the site itself under tfjs-wasm/ (no CDN: the site works offline).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const wasmDir = join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
const wasmFiles = readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'));

/** Serves (dev) and emits (build) the tfjs wasm binaries under tfjs-wasm/. */
function tfjsWasm(): Plugin {
  return {
    name: 'tfjs-wasm-files',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const m = /\/tfjs-wasm\/([\w.-]+\.wasm)$/.exec(req.url ?? '');
        if (!m || !wasmFiles.includes(m[1]!)) return next();
        res.setHeader('Content-Type', 'application/wasm');
        res.end(readFileSync(join(wasmDir, m[1]!)));
      });
    },
    generateBundle() {
      for (const f of wasmFiles) this.emitFile({ type: 'asset', fileName: `tfjs-wasm/${f}`, source: readFileSync(join(wasmDir, f)) });
    },
  };
}

export default defineConfig({
  root: here,
  base: './',
  resolve: {
    alias: [{ find: /^tfjs-probability$/, replacement: join(here, '..', 'packages', 'tfjs-probability', 'src', 'index.ts') }],
  },
  plugins: [tfjsWasm()],
  build: { outDir: join(here, 'dist'), emptyOutDir: true, chunkSizeWarningLimit: 4096, target: 'es2022' },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1', port: 4173, strictPort: false },
});
