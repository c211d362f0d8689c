#!/usr/bin/env node
// The tfjs-prob command line, from the build (dist/cli/main.js; `npm run build`).
// In a source checkout without a build: npx tsx src/cli/main.ts <command> ...
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const entry = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli', 'main.js');
if (!existsSync(entry)) {
  process.stderr.write('tfjs-prob: dist/cli/main.js not found; run `npm run build` first (or use `npx tsx src/cli/main.ts`)\n');
  process.exit(1);
}
const { runFromProcess } = await import(pathToFileURL(entry).href);
await runFromProcess();
