/**
 * `npm run bench`: runs every benchmark script in turn (each prints its own
 * table and updates its section of bench/RESULTS.md when given --write).
 * `npm run bench -- --only table.ts --write` runs the speed table alone (bench/table.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const scripts = ['mvn.ts', 'mdn.ts', 'table.ts', 'samplers.ts'];
let failed = 0;
const argv = process.argv.slice(2);
// The first `--only <script>` picks a script; everything else (a later --only too) goes to the scripts.
const at = argv.findIndex((a, i) => a === '--only' && (argv[i + 1] ?? '').endsWith('.ts'));
const only = at >= 0 ? argv[at + 1] : undefined;
const passed = at >= 0 ? [...argv.slice(0, at), ...argv.slice(at + 2)] : argv;
for (const s of scripts) {
  if (only !== undefined && s !== only) continue;
  const file = join(here, s);
  if (!existsSync(file)) continue;
  console.log(`\n=== bench/${s}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', file, ...passed], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
