#!/usr/bin/env node
// The tfjs-prob command line, from the build (dist/main.js; `npm run build`).
// In a source checkout without a build: npx tsx packages/tfjs-prob-cli/src/main.ts <command> ...
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const entry = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'main.js');
if (!existsSync(entry)) {
  process.stderr.write('tfjs-prob: dist/main.js not found; run `npm run build` first (or use `npx tsx packages/tfjs-prob-cli/src/main.ts`)\n');
  process.exit(1);
}
const { runFromProcess } = await import(pathToFileURL(entry).href);
await runFromProcess();
