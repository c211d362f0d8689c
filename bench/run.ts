/**
 * `npm run bench`: runs every benchmark script in turn (each prints its own
 * table and updates its section of bench/RESULTS.md when given --write).
 * `npm run bench -- --only table.ts --write` runs issue 11's table alone (bench/table.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const scripts = ['mvn.ts', 'mdn.ts', 'table.ts'];
let failed = 0;
const argv = process.argv.slice(2);
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
const passed = only === undefined ? argv : argv.filter((a, i) => a !== '--only' && argv[i - 1] !== '--only');
for (const s of scripts) {
  if (only !== undefined && s !== only) continue;
  const file = join(here, s);
  if (!existsSync(file)) continue;
  console.log(`\n=== bench/${s}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', file, ...passed], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
