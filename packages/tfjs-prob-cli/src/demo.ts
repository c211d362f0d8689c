/**
 * `tfjs-prob demo`: the product on bundled data only, through the same
 * commands a user types (each step is a `main([...])` call):
 *   1. recipe 001: 6 inputs -> 5 outputs, a mean vector and a full 5x5
 *      covariance per row (mvn-tril head), on the 6-row table of the recipe;
 *   2. the noisy spiral of recipe 002, y given x: a normal head against a
 *      mixture head (fit, evaluate on held-out points, plot, sample);
 *   3. the spiral mixture density network of recipe 002 (src/spiral.ts, also run by
 *      examples/spiral.ts; end to end: 10,000 points, 160 epochs, about a minute).
 */
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError } from './errors.js';
import type { CliIo } from './io.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The bundled data of the CLI package (src/ or dist/ -> ../data). */
function dataDir(): string {
  return resolve(here, '..', 'data');
}

export async function runDemo(io: CliIo, o: { outDir?: string; full?: boolean }): Promise<void> {
  const t0 = performance.now();
  const data = dataDir();
  if (!existsSync(join(data, 'spiral.csv'))) throw new CliError(`demo: bundled data not found in ${data}`, 1);
  const out = o.outDir ? resolve(o.outDir) : mkdtempSync(join(tmpdir(), 'tfjs-prob-demo-'));
  mkdirSync(out, { recursive: true });
  const { main } = await import('./main.js');
  const say = (s: string): void => void io.stdout.write(s + '\n');
  const run = async (args: string[]): Promise<void> => {
    say(`\n$ tfjs-prob ${args.map((a) => (a.startsWith(out) ? a.replace(out, '$OUT') : a.startsWith(data) ? a.replace(data, 'data') : a)).join(' ')}`);
    const code = await main(args, io, { initBackend: false });
    if (code !== 0) throw new CliError(`demo: step "tfjs-prob ${args[0]}" failed with status ${code}`, 1);
  };
  const epochs = o.full ? '300' : '60';
  say(`tfjs-prob demo: bundled data in ${data}, outputs in ${out} ($OUT)`);

  say('\n== 1. Recipe 001: a mean vector and a 5x5 covariance per row (6 inputs, 5 outputs, MultivariateNormalTriL head)');
  await run([
    'fit', join(data, 'recipe001.csv'), '--x', 'X1,X2,X3,X4,X5,X6', '--y', 'Y1,Y2,Y3,Y4,Y5', '--head', 'mvn-tril',
    '--hidden', '24,12', '--epochs', '300', '--lr', '0.01', '--val-split', '0', '--batch-size', '6', '--seed', '1', '--quiet',
    '--out', join(out, 'recipe001-model'),
  ]);
  await run(['predict', join(out, 'recipe001-model'), join(data, 'recipe001.csv'), '--levels', '0.9', '--out', join(out, 'recipe001-pred.csv')]);
  say('(per row: mean and sd of each output, the covariance upper triangle, 90% intervals; in $OUT/recipe001-pred.csv)');
  await run(['predict', join(out, 'recipe001-model'), join(data, 'recipe001.csv'), '--format', 'json', '--levels', '0.9', '--out', join(out, 'recipe001-pred.json')]);
  {
    const { readFileSync } = await import('node:fs');
    const j = JSON.parse(readFileSync(join(out, 'recipe001-pred.json'), 'utf8')) as { rows: { mean: Record<string, number>; covariance: number[][] }[] };
    const r = j.rows[0]!;
    say(`row 1 mean: ${Object.entries(r.mean).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`);
    say('row 1 covariance:');
    for (const line of r.covariance) say('  ' + line.map((v) => v.toFixed(3).padStart(8)).join(' '));
  }

  say('\n== 2. Noisy spiral (recipe 002), y given x: one normal vs a mixture of 5 normals');
  const common = ['--x', 'x', '--y', 'y', '--hidden', '64,64', '--epochs', epochs, '--batch-size', '64', '--lr', '0.005', '--val-split', '0.15', '--patience', '10', '--seed', '1'];
  await run(['fit', join(data, 'spiral.csv'), ...common, '--head', 'normal', '--out', join(out, 'spiral-normal')]);
  await run(['fit', join(data, 'spiral.csv'), ...common, '--head', 'mixture:5', '--out', join(out, 'spiral-mixture')]);
  await run(['evaluate', join(out, 'spiral-normal'), join(data, 'spiral_test.csv')]);
  await run(['evaluate', join(out, 'spiral-mixture'), join(data, 'spiral_test.csv')]);
  await run(['plot', join(out, 'spiral-normal'), join(data, 'spiral_test.csv'), '--x-col', 'x', '--out', join(out, 'spiral-normal.png')]);
  await run(['plot', join(out, 'spiral-mixture'), join(data, 'spiral_test.csv'), '--x-col', 'x', '--out', join(out, 'spiral-mixture.png')]);
  await run(['sample', join(out, 'spiral-mixture'), join(data, 'spiral_test.csv'), '--n', '20', '--seed', '3', '--out', join(out, 'spiral-samples.csv')]);
  say('(20 draws per held-out row in long format: row,draw,y -> $OUT/spiral-samples.csv)');

  say('\n== 3. The spiral mixture density network of recipe 002 (tfpl.MixtureDensity, 20 components; examples/spiral.ts)');
  const { runSpiral } = await import('./spiral.js');
  // 160 epochs on the recipe's 10,000 points: about a minute, and past the recipe's NLL
  // (measured: held-out -0.21, validation -0.22); --full runs the example's 300 epochs.
  const r = await runSpiral(o.full ? { outDir: out } : { epochs: 160, outDir: out });
  const spiralPng = r.pngPath;
  say(`spiral MDN: held-out NLL ${r.mdnNll.toFixed(3)} vs ${r.mseNll.toFixed(3)} for the MSE network; figure ${r.pngPath} (${r.seconds.toFixed(1)} s)`);
  const figures = [join(out, 'spiral-normal.png'), join(out, 'spiral-mixture.png'), spiralPng];
  say(`\ndemo done in ${((performance.now() - t0) / 1000).toFixed(1)} s; figures: ${figures.join(', ')}`);
}
