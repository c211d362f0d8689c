/**
 * `npm run bench`: runs every benchmark script in turn (each prints its own
 * table and updates its section of bench/RESULTS.md when given --write).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const scripts = ['mvn.ts', 'mdn.ts'];
let failed = 0;
for (const s of scripts) {
  const file = join(here, s);
  if (!existsSync(file)) continue;
  console.log(`\n=== bench/${s}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', file, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
