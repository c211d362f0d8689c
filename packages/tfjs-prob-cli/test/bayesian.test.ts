/**
 * fit --bayesian (Bayes by backprop with DenseFlipout layers) through the command line: the
 * model directory holds Flipout layers and their posterior, and the predictive (the mixture of
 * --mc-samples passes) is wider far from the training inputs. Seeded throughout: deterministic.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, rng, tempDir } from './helpers.js';

let dir: string;
let model: string;
let query: string;

beforeAll(async () => {
  dir = tempDir('bayes');
  const train = join(dir, 'train.csv');
  const r = rng(4);
  const lines = ['x,y'];
  for (let i = 0; i < 200; i++) {
    const x = -1 + 2 * r.u();
    lines.push(`${x},${2 * x + 0.2 * r.n()}`);
  }
  writeFileSync(train, lines.join('\n') + '\n');
  query = join(dir, 'query.csv');
  writeFileSync(query, 'x,y\n0,0\n4,8\n');
  model = join(dir, 'model');
  const f = await cli(
    'fit', train, '--x', 'x', '--y', 'y', '--bayesian', '--mc-samples', '40', '--hidden', '16', '--epochs', '40',
    '--batch-size', '25', '--lr', '0.02', '--val-split', '0', '--seed', '2', '--quiet', '--out', model,
  );
  expect(f.code, f.stderr).toBe(0);
  expect(f.stdout).toMatch(/Bayesian: DenseFlipout, 40 passes/);
}, 180_000); // 320 training steps: seconds alone, but minutes on a loaded machine

describe('fit --bayesian', () => {
  it('saves DenseFlipout layers with their posterior and the settings', () => {
    const meta = JSON.parse(readFileSync(join(model, 'tfjs-prob.json'), 'utf8'));
    expect(meta.training.bayesian).toBe(true);
    expect(meta.training.mcSamples).toBe(40);
    const topo = JSON.parse(readFileSync(join(model, meta.members[0], 'model.json'), 'utf8'));
    const layers = topo.modelTopology.config.layers.map((l: { class_name: string }) => l.class_name);
    expect(layers).toEqual(['DenseFlipout', 'DenseFlipout', 'IndependentNormal']);
    const names = topo.weightsManifest[0].weights.map((w: { name: string }) => w.name);
    expect(names.some((n: string) => n.endsWith('kernel_posterior_untransformed_scale'))).toBe(true);
  });

  it('predicts a wider distribution far from the training inputs, and fits near them', async () => {
    const p = await cli('predict', model, query, '--format', 'json');
    expect(p.code, p.stderr).toBe(0);
    const rows = JSON.parse(p.stdout).rows as Array<{ mean: { y: number }; stddev: { y: number } }>;
    expect(Math.abs(rows[0]!.mean.y)).toBeLessThan(0.3);
    expect(rows[1]!.stddev.y).toBeGreaterThan(2 * rows[0]!.stddev.y);
  });

  it('predict, sample and evaluate leak no tensors', async () => {
    await cli('predict', model, query);
    const before = tf.memory().numTensors;
    expect((await cli('predict', model, query)).code).toBe(0);
    expect((await cli('sample', model, query, '--n', '3')).code).toBe(0);
    expect((await cli('evaluate', model, query)).code).toBe(0);
    expect(tf.memory().numTensors - before).toBe(0);
  });
});
