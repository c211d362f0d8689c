/**
 * TFP's "Probabilistic Layers Regression" tutorial, cases 1 to 4, in tfjs-probability.
 *
 * Data (the tutorial's generator, re-seeded): 150 points x ~ U(-20, 60),
 * y = 0.125·x·(1 + sin x) + 5 + ε with ε ~ N(0, s(x)²), s(x) = 3·(0.25 + g²), g = (x + 20) / 80:
 * the noise grows with x.
 *
 * - Case 1, known unknowns fixed: Dense(1) → Normal(loc = t, scale = 1). A line.
 * - Case 2, aleatoric uncertainty: Dense(2) → Normal(loc = t₀, scale = 1e-3 + softplus(0.05·t₁)).
 * - Case 3, epistemic uncertainty: DenseVariational(1, posteriorMeanField, priorTrainable,
 *   klWeight = 1/N) → Normal(loc = t, scale = 1). Every forward pass draws a new line.
 * - Case 4, both: DenseVariational(2, ...) → Normal(loc = t₀, scale = 1e-3 + softplus(0.01·t₁)).
 * - Case 5 (VariationalGaussianProcess) is not built in this library yet.
 *
 * Each model is trained by `model.fit` on the head's NLL with Adam (lr 0.01), batch 32, as in the
 * tutorial (which uses 1000 epochs, 1500 for case 4; here seeded and without shuffling); for cases 3 and 4 tfjs-layers adds the
 * KL terms of `tfp.modelLosses(model)` to the NLL by itself. Predictions use `tfp.predictiveMixture`
 * (T forward passes: the mean, the epistemic and the aleatoric variance). One PNG per case:
 * the data, the predictive mean, ±2 sd bands (total, and epistemic alone in cases 3 and 4),
 * and for 3 and 4 the means of a few single posterior draws.
 *
 * Run: npx tsx examples/bayesian-regression.ts [--epochs 1000] [--passes 100] [--out examples/out]
 */
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import { Resvg } from '@resvg/resvg-js';
import * as tfp from 'tfjs-probability';

const { tfd, tfpl } = tfp;
const X_RANGE: [number, number] = [-20, 60];

/** mulberry32: a small seeded uniform generator on [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The tutorial's data set (its generator; a seeded JS stream instead of numpy's seed 43). */
export function loadDataset(n = 150, seed = 43): { x: Float32Array; y: Float32Array } {
  const r = mulberry32(seed);
  const u = Array.from({ length: n }, r);
  // Box-Muller normals.
  const e = Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r()));
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const xi = (X_RANGE[1] - X_RANGE[0]) * u[i]! + X_RANGE[0];
    const g = (xi - X_RANGE[0]) / (X_RANGE[1] - X_RANGE[0]);
    x[i] = xi;
    y[i] = 0.125 * xi * (1 + Math.sin(xi)) + 5 + e[i]! * 3 * (0.25 + g * g);
  }
  return { x, y };
}

// Heads, registered by name so that the models could be saved.
// Parameters t [N, 1] or [N, 2] → a Normal of batch shape [N].
const normalLearnedScale = (k: number) => (t: tf.Tensor) => {
  const [loc, s] = tf.tidy(() => tf.split(t, 2, -1).map((v) => tf.squeeze(v, [-1])));
  const scale = tf.tidy(() => tf.add(tf.softplus(tf.mul(s!, k)), 1e-3));
  const d = new tfd.Normal({ loc: loc!, scale });
  tf.dispose([loc!, s!, scale]);
  return d;
};
tfpl.registerDistributionFn('tutorialUnitScale', (t) => {
  const loc = tf.squeeze(t, [-1]);
  const d = new tfd.Normal({ loc, scale: 1 });
  loc.dispose();
  return d;
});
tfpl.registerDistributionFn('tutorialScale005', normalLearnedScale(0.05));
tfpl.registerDistributionFn('tutorialScale001', normalLearnedScale(0.01));

interface Case {
  id: number;
  title: string;
  lr: number;
  build(n: number): tf.Sequential;
  bayesian: boolean;
}

const CASES: Case[] = [
  {
    id: 1, title: 'Case 1: known unknowns (fixed scale)', lr: 0.01, bayesian: false,
    build: () => tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [1], units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      new tfpl.DistributionLambda({ makeDistribution: 'tutorialUnitScale', paramsSize: 1 }),
    ] }),
  },
  {
    id: 2, title: 'Case 2: aleatoric uncertainty (learned scale)', lr: 0.01, bayesian: false,
    build: () => tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [1], units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      new tfpl.DistributionLambda({ makeDistribution: 'tutorialScale005', paramsSize: 2 }),
    ] }),
  },
  {
    id: 3, title: 'Case 3: epistemic uncertainty (DenseVariational)', lr: 0.01, bayesian: true,
    build: (n) => tf.sequential({ layers: [
      new tfpl.DenseVariational({ inputShape: [1], units: 1, makePosteriorFn: tfpl.posteriorMeanField, makePriorFn: tfpl.priorTrainable, klWeight: 1 / n, seed: 3 }),
      new tfpl.DistributionLambda({ makeDistribution: 'tutorialUnitScale', paramsSize: 1 }),
    ] }),
  },
  {
    id: 4, title: 'Case 4: aleatoric and epistemic uncertainty', lr: 0.01, bayesian: true,
    build: (n) => tf.sequential({ layers: [
      new tfpl.DenseVariational({ inputShape: [1], units: 2, makePosteriorFn: tfpl.posteriorMeanField, makePriorFn: tfpl.priorTrainable, klWeight: 1 / n, seed: 4 }),
      new tfpl.DistributionLambda({ makeDistribution: 'tutorialScale001', paramsSize: 2 }),
    ] }),
  },
];

export interface CaseResult {
  id: number;
  finalLoss: number;
  /** Predictive sd (total, epistemic) at the left end, the middle and the right end of the range. */
  sdTotal: [number, number, number];
  sdEpistemic: [number, number, number];
  pngPath: string;
}

export interface Options {
  epochs?: number;
  passes?: number;
  outDir?: string;
  cases?: number[];
  log?: (s: string) => void;
}

export async function runBayesianRegression(options: Options = {}): Promise<CaseResult[]> {
  const log = options.log ?? console.log;
  const epochs = options.epochs ?? 1000;
  const passes = options.passes ?? 100;
  const outDir = options.outDir ?? join(dirname(fileURLToPath(import.meta.url)), 'out');
  const { x, y } = loadDataset();
  const n = x.length;
  const xt = tf.tensor2d(x, [n, 1]);
  const yt = tf.tensor1d(y);
  const grid = Float32Array.from({ length: 150 }, (_, i) => X_RANGE[0] + ((X_RANGE[1] - X_RANGE[0]) * i) / 149);
  const xg = tf.tensor2d(grid, [grid.length, 1]);
  const results: CaseResult[] = [];
  for (const c of CASES.filter((cc) => !options.cases || options.cases.includes(cc.id))) {
    const model = c.build(n);
    const head = model.layers[model.layers.length - 1] as tfp.layers.DistributionLambda;
    const optimizer = tf.train.adam(c.lr);
    model.compile({ optimizer, loss: tfp.losses.negativeLogLikelihood(head) });
    // No shuffling and seeded initializers and weight draws: the run is reproducible.
    const h = await model.fit(xt, yt, { epochs, batchSize: 32, verbose: 0, shuffle: false });
    const losses = h.history['loss'] as number[];
    const finalLoss = losses[losses.length - 1]!;
    const mix = tfp.predictiveMixture(model, xg, { numSamples: c.bayesian ? passes : 1 });
    const mean = mix.mean.dataSync().slice();
    const sdT = Array.from(mix.variance.dataSync(), Math.sqrt);
    const sdE = Array.from(mix.epistemicVariance.dataSync(), Math.sqrt);
    tf.dispose(Object.values(mix));
    // A few single posterior draws (one forward pass each): their means.
    const draws: Float32Array[] = [];
    for (let k = 0; k < (c.bayesian ? 8 : 0); k++) {
      const d = tfp.predictDistribution(model, xg);
      const m = d.mean();
      draws.push(m.dataSync().slice() as Float32Array);
      m.dispose();
      d.dispose();
    }
    const at = (v: ArrayLike<number>): [number, number, number] => [v[0]!, v[Math.floor(v.length / 2)]!, v[v.length - 1]!];
    const pngPath = await plotCase(outDir, c, x, y, grid, mean, sdT, sdE, draws);
    const r: CaseResult = { id: c.id, finalLoss, sdTotal: at(sdT), sdEpistemic: at(sdE), pngPath };
    results.push(r);
    const f = (v: number[]) => v.map((a) => a.toFixed(2)).join(' / ');
    log(
      `case ${c.id}: final loss ${finalLoss.toFixed(3)}${c.bayesian ? ' (NLL + KL)' : ''}; predictive sd at x = -20 / 20 / 60: ` +
        `total ${f(r.sdTotal)}, epistemic ${f(r.sdEpistemic)}; model losses: ${tfp.modelLosses(model).length}; wrote ${pngPath}`,
    );
    model.dispose();
    optimizer.dispose(); // a model does not own an optimizer instance it was compiled with
  }
  tf.dispose([xt, yt, xg]);
  return results;
}

async function plotCase(
  outDir: string, c: Case, x: Float32Array, y: Float32Array, grid: Float32Array,
  mean: ArrayLike<number>, sdT: number[], sdE: number[], draws: Float32Array[],
): Promise<string> {
  const yDomain = [-5, 30];
  const clip = (v: number) => Math.min(yDomain[1]!, Math.max(yDomain[0]!, v));
  const band = Array.from(grid, (g, i) => ({
    x: g, lo: clip(mean[i]! - 2 * sdT[i]!), hi: clip(mean[i]! + 2 * sdT[i]!),
    elo: clip(mean[i]! - 2 * sdE[i]!), ehi: clip(mean[i]! + 2 * sdE[i]!), m: clip(mean[i]!),
  }));
  const drawRows = draws.flatMap((d, k) => Array.from(grid, (g, i) => ({ x: g, y: clip(d[i]!), k })));
  const xs = { field: 'x', type: 'quantitative', scale: { domain: X_RANGE }, title: 'x' };
  const layers: object[] = [
    { data: { values: band }, mark: { type: 'area', color: '#f4a259', opacity: 0.35 },
      encoding: { x: xs, y: { field: 'lo', type: 'quantitative', scale: { domain: yDomain }, title: 'y' }, y2: { field: 'hi' } } },
  ];
  if (c.bayesian) {
    layers.push({ data: { values: band }, mark: { type: 'area', color: '#bc4b51', opacity: 0.35 },
      encoding: { x: xs, y: { field: 'elo', type: 'quantitative' }, y2: { field: 'ehi' } } });
    layers.push({ data: { values: drawRows }, mark: { type: 'line', strokeWidth: 0.8, opacity: 0.6, color: '#5b8e7d' },
      encoding: { x: xs, y: { field: 'y', type: 'quantitative' }, detail: { field: 'k', type: 'nominal' } } });
  }
  layers.push({ data: { values: Array.from(x, (xv, i) => ({ x: xv, y: clip(y[i]!) })) }, mark: { type: 'circle', size: 14, color: '#1f5fbf', opacity: 0.7 },
    encoding: { x: xs, y: { field: 'y', type: 'quantitative' } } });
  layers.push({ data: { values: band }, mark: { type: 'line', color: '#8a1c1c', strokeWidth: 2.5 },
    encoding: { x: xs, y: { field: 'm', type: 'quantitative' } } });
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    background: 'white',
    title: { text: c.title, subtitle: c.bayesian
      ? ['points: data; dark red: predictive mean; green: means of single weight draws;', 'red band: ±2 sd epistemic; orange band: ±2 sd total']
      : 'points: data; dark red: predicted mean; orange band: ±2 sd' },
    width: 560, height: 320,
    layer: layers,
  };
  const vgSpec = vl.compile(spec as unknown as vl.TopLevelSpec).spec;
  const view = new vega.View(vega.parse(vgSpec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  const png = new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, background: 'white' }).render().asPng();
  mkdirSync(outDir, { recursive: true });
  const p = resolve(outDir, `bayesian-regression-case${c.id}.png`);
  writeFileSync(p, png);
  return p;
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const argv = process.argv.slice(2);
  const val = (f: string) => {
    const i = argv.indexOf(f);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  await tfp.ready({ backend: val('--backend') ?? 'wasm' });
  const t0 = performance.now();
  await runBayesianRegression({
    ...(val('--epochs') !== undefined ? { epochs: Number(val('--epochs')) } : {}),
    ...(val('--passes') !== undefined ? { passes: Number(val('--passes')) } : {}),
    ...(val('--out') !== undefined ? { outDir: val('--out')! } : {}),
    ...(val('--cases') !== undefined ? { cases: val('--cases')!.split(',').map(Number) } : {}),
  });
  console.log(`total ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`live tensors at the end: ${tf.memory().numTensors}`);
}
