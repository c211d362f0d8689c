/**
 * Recipe 002: approximating a non-function mapping with a mixture density network (the
 * recipe's noisy spiral, an MSE network against a 20-component `tfpl.MixtureDensity` head).
 * The recipe itself lives in the CLI package (packages/tfjs-prob-cli/src/spiral.ts), where
 * `tfjs-prob demo` runs it; this script runs it from a source checkout with the options below.
 *
 * Run: npx tsx examples/spiral.ts [--epochs 300] [--quick] [--out examples/out] [--extreme-targets 4]
 *      [--plateau-patience 20] [--stop-patience 30] [--monitor val_loss|loss] [--seed 1] [--no-fast] [--backend wasm]
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tfp from 'tfjs-probability';
import { runSpiral } from '../packages/tfjs-prob-cli/src/spiral.js';

export { EarlyStopping, ReduceLROnPlateau, noisySpiral, runSpiral, type SpiralOptions, type SpiralResult } from '../packages/tfjs-prob-cli/src/spiral.js';

// ------------------------------------------------------------------ CLI

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const argv = process.argv.slice(2);
  const val = (f: string) => {
    const i = argv.indexOf(f);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  await tfp.ready({ backend: val('--backend') ?? 'wasm' });
  const epochs = val('--epochs');
  const extreme = val('--extreme-targets');
  const num = (f: string) => (val(f) !== undefined ? Number(val(f)) : undefined);
  const pp = num('--plateau-patience');
  const sp = num('--stop-patience');
  const mon = val('--monitor');
  const seedArg = num('--seed');
  const r = await runSpiral({
    quick: argv.includes('--quick'),
    fast: !argv.includes('--no-fast'),
    ...(pp !== undefined ? { plateauPatience: pp } : {}),
    ...(seedArg !== undefined ? { seed: seedArg } : {}),
    ...(sp !== undefined ? { stopPatience: sp } : {}),
    ...(mon === 'loss' || mon === 'val_loss' ? { monitor: mon } : {}),
    ...(extreme !== undefined ? { extremeTargets: Number(extreme) } : {}),
    ...(epochs !== undefined ? { epochs: Number(epochs) } : {}),
    outDir: val('--out') ?? join(dirname(fileURLToPath(import.meta.url)), 'out'),
  });
  console.log(`done in ${r.seconds.toFixed(0)} s`);
  if (!argv.includes('--quick') && r.mdnNll > -0.17) {
    console.error(`MDN held-out NLL ${r.mdnNll.toFixed(4)} missed the target -0.17`);
    process.exitCode = 1;
  }
}
