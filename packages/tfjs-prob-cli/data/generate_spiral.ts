/**
 * Writes the bundled spiral data of the demo: spiral.csv (2,000 training
 * points) and spiral_test.csv (1,000 held-out points), from the recipe-002
 * generator in examples/spiral.ts (noisy two-revolution spiral scaled to
 * [0, 5]), with fixed seeds. Run: npx tsx packages/tfjs-prob-cli/data/generate_spiral.ts
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { noisySpiral } from '../../../examples/spiral.js';

const here = dirname(fileURLToPath(import.meta.url));
function write(name: string, n: number, seed: number): void {
  const { x, y } = noisySpiral(n, seed);
  const lines = ['x,y'];
  for (let i = 0; i < n; i++) lines.push(`${x[i]!.toFixed(5)},${y[i]!.toFixed(5)}`);
  writeFileSync(join(here, name), lines.join('\n') + '\n');
}
write('spiral.csv', 2000, 11);
write('spiral_test.csv', 1000, 12);
