/**
 * TFP's "Probabilistic Layers Regression" tutorial, case 5 (functional uncertainty): a
 * `tfpl.VariationalGaussianProcess` layer trained by `model.fit`, on the tutorial's data (the same
 * generator as examples/bayesian-regression.ts), with an exact Gaussian-process regression fitted by
 * L-BFGS on the log marginal likelihood beside it.
 *
 * - Case 5, as the tutorial: InputLayer([1]) → Dense(1, kernel 'ones', no bias) →
 *   VariationalGaussianProcess(40 inducing points spread over the x range, an exponentiated-quadratic
 *   kernel, noise variance starting at softplus(0.54) = 1), Adam (lr 0.011), batch 32, 1000 epochs,
 *   the loss per row: `−E_q[log N(y | f, σ²)] + KL / N`.
 * - Exact GP: `ExponentiatedQuadratic` + observation noise, hyperparameters (log scale) by
 *   `tfp.optimizer.lbfgsMinimize` on `−GaussianProcess.logProb(y)`, predictions from
 *   `GaussianProcessRegressionModel`.
 *
 * Writes gaussian-process-case5.png: the data, both predictive means with ±2 sd bands (of a new
 * observation) and a few joint draws of the variational process.
 *
 * Run: npx tsx examples/gaussian-process.ts [--epochs 1000] [--out examples/out]
 */
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import { Resvg } from '@resvg/resvg-js';
import * as tfp from 'tfjs-probability';
import { loadDataset } from './bayesian-regression.js';

const { tfd, tfpl } = tfp;
const X_RANGE: [number, number] = [-20, 60];

export interface GpExampleResult {
  vgpLoss: number;
  vgpNoiseSd: number;
  exactLml: number;
  exactAmplitude: number;
  exactLengthScale: number;
  exactNoiseSd: number;
  pngPath: string;
}

export async function runGaussianProcessExample(opts: { epochs?: number; outDir?: string; inducing?: number } = {}): Promise<GpExampleResult> {
  const epochs = opts.epochs ?? 1000;
  const M = opts.inducing ?? 40;
  const { x, y } = loadDataset();
  const n = x.length;
  const xt = tf.tensor2d(x, [n, 1]);
  const yt = tf.tensor1d(y);
  const grid = Float32Array.from({ length: 200 }, (_, i) => X_RANGE[0] + ((X_RANGE[1] - X_RANGE[0]) * i) / 199);
  const xg = tf.tensor2d(grid, [grid.length, 1]);

  // ---- Case 5: the variational GP layer.
  const inducing = Float32Array.from({ length: M }, (_, i) => X_RANGE[0] + ((X_RANGE[1] - X_RANGE[0]) * i) / (M - 1));
  const vgpLayer = new tfpl.VariationalGaussianProcess({
    numInducingPoints: M, eventShape: [1], numTrainingPoints: n,
    inducingIndexPointsInitializer: tf.initializers.constant({ value: 0 }),
    unconstrainedObservationNoiseVarianceInitial: 0.54,
  });
  const model = tf.sequential({
    layers: [
      tf.layers.inputLayer({ inputShape: [1] }),
      tf.layers.dense({ units: 1, kernelInitializer: 'ones', useBias: false }),
      vgpLayer,
    ],
  });
  // The tutorial's constant initializer of the inducing points: np.linspace over the x range.
  const w = vgpLayer.getWeights();
  const z0 = tf.tensor2d(inducing, [M, 1]);
  vgpLayer.setWeights([z0, ...w.slice(1)]);
  z0.dispose();
  const optimizer = tf.train.adam(0.011);
  model.compile({ optimizer, loss: tfp.losses.negativeLogLikelihood(vgpLayer) });
  const h = await model.fit(xt, yt, { epochs, batchSize: 32, shuffle: false, verbose: 0 });
  const losses = h.history['loss'] as number[];
  const vgp = tfp.predictDistribution(model, xg) as InstanceType<typeof tfd.VariationalGaussianProcess>;
  const vMean = await read(vgp.mean());
  const vSd = await read(vgp.stddev());
  const draws = await readRows(vgp.sample(4, { seed: 5 }));
  const noise = vgp.observationNoiseVariance!.dataSync()[0]!;
  vgp.dispose();

  // ---- Exact GP regression, hyperparameters by L-BFGS on the log marginal likelihood.
  const negLml = (z: tf.Tensor) => {
    const [la, ll, ln] = tf.unstack(z, -1) as [tf.Tensor, tf.Tensor, tf.Tensor];
    const kernel = new tfp.math.psdKernels.ExponentiatedQuadratic({ amplitude: tf.exp(la), lengthScale: tf.exp(ll) });
    const gp = new tfd.GaussianProcess({ kernel, indexPoints: xt, observationNoiseVariance: tf.exp(ln) });
    const v = tf.neg(gp.logProb(yt));
    gp.dispose();
    kernel.dispose();
    return v;
  };
  const start = [Math.log(5), Math.log(5), Math.log(1)];
  const fit = await tfp.optimizer.lbfgsMinimize((z) => tfp.math.valueAndGradient(negLml, z), start, { tolerance: 1e-4, maxIterations: 200 });
  const [la, ll, ln] = Array.from(await fit.position.data());
  const exactLml = -(await fit.objectiveValue.data())[0]!;
  tf.dispose([fit.position, fit.objectiveValue, fit.objectiveGradient, fit.converged, fit.failed]);
  const kernel = new tfp.math.psdKernels.ExponentiatedQuadratic({ amplitude: Math.exp(la!), lengthScale: Math.exp(ll!) });
  const gprm = new tfd.GaussianProcessRegressionModel({ kernel, indexPoints: xg, observationIndexPoints: xt, observations: yt, observationNoiseVariance: Math.exp(ln!) });
  const gMean = await read(gprm.mean());
  const gSd = await read(gprm.stddev());
  gprm.dispose();
  kernel.dispose();

  const pngPath = await plot(opts.outDir ?? 'examples/out', x, y, grid, vMean, vSd, gMean, gSd, draws);
  tf.dispose([xt, yt, xg]);
  model.dispose();
  optimizer.dispose();
  return {
    vgpLoss: losses.at(-1)!, vgpNoiseSd: Math.sqrt(noise), exactLml,
    exactAmplitude: Math.exp(la!), exactLengthScale: Math.exp(ll!), exactNoiseSd: Math.exp(0.5 * ln!), pngPath,
  };
}

/** Reads a tensor back and releases it. */
async function read(t: tf.Tensor): Promise<Float32Array> {
  try {
    return (await t.data()) as Float32Array;
  } finally {
    t.dispose();
  }
}

/** Reads the rows of a matrix back and releases it. */
async function readRows(t: tf.Tensor): Promise<number[][]> {
  try {
    return (await t.array()) as number[][];
  } finally {
    t.dispose();
  }
}

async function plot(
  outDir: string, x: Float32Array, y: Float32Array, grid: Float32Array,
  vMean: ArrayLike<number>, vSd: ArrayLike<number>, gMean: ArrayLike<number>, gSd: ArrayLike<number>, draws: number[][],
): Promise<string> {
  const yDomain = [-5, 30];
  const clip = (v: number) => Math.min(yDomain[1]!, Math.max(yDomain[0]!, v));
  const rows = Array.from(grid, (g, i) => ({
    x: g, vlo: clip(vMean[i]! - 2 * vSd[i]!), vhi: clip(vMean[i]! + 2 * vSd[i]!), vm: clip(vMean[i]!),
    glo: clip(gMean[i]! - 2 * gSd[i]!), ghi: clip(gMean[i]! + 2 * gSd[i]!), gm: clip(gMean[i]!),
  }));
  const drawRows = draws.flatMap((d, k) => Array.from(grid, (g, i) => ({ x: g, y: clip(d[i]!), k })));
  const xs = { field: 'x', type: 'quantitative', scale: { domain: X_RANGE }, title: 'x' };
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    background: 'white',
    title: { text: 'Case 5: VariationalGaussianProcess layer (model.fit) and exact GP (L-BFGS)',
      subtitle: ['points: data; red: VGP mean, band ±2 sd; green: joint draws of new observations (noise included);', 'blue dashed: exact GP mean, light blue band ±2 sd'] },
    width: 560, height: 320,
    layer: [
      { data: { values: rows }, mark: { type: 'area', color: '#9ecae1', opacity: 0.4 },
        encoding: { x: xs, y: { field: 'glo', type: 'quantitative', scale: { domain: yDomain }, title: 'y' }, y2: { field: 'ghi' } } },
      { data: { values: rows }, mark: { type: 'area', color: '#f4a259', opacity: 0.35 },
        encoding: { x: xs, y: { field: 'vlo', type: 'quantitative' }, y2: { field: 'vhi' } } },
      { data: { values: drawRows }, mark: { type: 'line', strokeWidth: 0.8, opacity: 0.7, color: '#5b8e7d' },
        encoding: { x: xs, y: { field: 'y', type: 'quantitative' }, detail: { field: 'k', type: 'nominal' } } },
      { data: { values: Array.from(x, (xv, i) => ({ x: xv, y: clip(y[i]!) })) }, mark: { type: 'circle', size: 14, color: '#1f5fbf', opacity: 0.7 },
        encoding: { x: xs, y: { field: 'y', type: 'quantitative' } } },
      { data: { values: rows }, mark: { type: 'line', color: '#8a1c1c', strokeWidth: 2.5 }, encoding: { x: xs, y: { field: 'vm', type: 'quantitative' } } },
      { data: { values: rows }, mark: { type: 'line', color: '#08519c', strokeWidth: 2, strokeDash: [6, 3] }, encoding: { x: xs, y: { field: 'gm', type: 'quantitative' } } },
    ],
  };
  const vgSpec = vl.compile(spec as unknown as vl.TopLevelSpec).spec;
  const view = new vega.View(vega.parse(vgSpec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  const png = new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, background: 'white' }).render().asPng();
  mkdirSync(outDir, { recursive: true });
  const p = resolve(outDir, 'gaussian-process-case5.png');
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
  const r = await runGaussianProcessExample({
    ...(val('--epochs') !== undefined ? { epochs: Number(val('--epochs')) } : {}),
    ...(val('--out') !== undefined ? { outDir: val('--out')! } : {}),
  });
  const f = (v: number) => v.toFixed(3);
  console.log(`case 5 (VariationalGaussianProcess layer): final loss ${f(r.vgpLoss)} per row, noise sd ${f(r.vgpNoiseSd)}`);
  console.log(`exact GP by L-BFGS: LML ${f(r.exactLml)}, amplitude ${f(r.exactAmplitude)}, length scale ${f(r.exactLengthScale)}, noise sd ${f(r.exactNoiseSd)}`);
  console.log(`wrote ${r.pngPath}`);
  console.log(`total ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`live tensors at the end: ${tf.memory().numTensors}`);
}
