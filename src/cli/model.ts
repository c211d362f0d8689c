/**
 * The model of the command line: an MLP whose last Dense layer feeds a
 * distribution head of the public API (tfp.layers), trained by the head's
 * negative log-likelihood (tfp.losses) on standardized inputs and targets;
 * optionally an ensemble of such networks (Deep Ensembles). Shared by
 * `tfjs-prob fit` and bench/uci.ts so that both run the same code.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tfp from '../index.js';
import { CliError } from './errors.js';
import { writeDirAtomic } from './io.js';
import { mulberry32, permutation } from './rng.js';
import { applyScaler, fitScaler, type Scaler } from './scaler.js';

export type HeadKind = 'normal' | 'mvn-tril' | 'mixture';

export interface HeadSpec {
  kind: HeadKind;
  /** Mixture components (only for 'mixture'). */
  components: number;
}

/** Parses `normal`, `mvn-tril` or `mixture:K`. */
export function parseHead(spec: string): HeadSpec {
  const s = spec.trim().toLowerCase();
  if (s === 'normal') return { kind: 'normal', components: 1 };
  if (s === 'mvn-tril' || s === 'mvn') return { kind: 'mvn-tril', components: 1 };
  const m = /^mixture(?::(\d+))?$/.exec(s);
  if (m) {
    const k = m[1] === undefined ? 3 : Number(m[1]);
    if (!(k >= 1 && k <= 64)) throw new CliError(`option --head: mixture needs 1 to 64 components; got "${spec}"`);
    return { kind: 'mixture', components: k };
  }
  throw new CliError(`option --head: expected normal, mvn-tril or mixture:K; got "${spec}"`);
}

export function headName(h: HeadSpec): string {
  return h.kind === 'mixture' ? `mixture:${h.components}` : h.kind;
}

type HeadLayer = tf.layers.Layer & {
  readonly paramsSize: number;
  readonly eventShape: number[];
  toDistribution(params: tf.Tensor): tfp.distributions.Distribution;
};

/** The public-API head layer for a spec and an event size. */
export function makeHead(h: HeadSpec, eventSize: number): HeadLayer {
  const L = tfp.layers;
  switch (h.kind) {
    case 'normal':
      return new L.IndependentNormal({ eventShape: [eventSize] }) as unknown as HeadLayer;
    case 'mvn-tril':
      return new L.MultivariateNormalTriL({ eventSize }) as unknown as HeadLayer;
    case 'mixture':
      // MixtureNormal lands with the mixtures work; looked up dynamically until then.
      return new (L as unknown as Record<string, new (a: object) => HeadLayer>)['MixtureNormal']!({
        numComponents: h.components,
        eventShape: [eventSize],
      });
  }
}

/** An MLP `inputDim -> hidden (relu) -> Dense(paramsSize) -> head`, initialized from `seed`. */
export function buildNetwork(inputDim: number, outputDim: number, hidden: number[], h: HeadSpec, seed: number): tf.Sequential {
  const head = makeHead(h, outputDim);
  const model = tf.sequential();
  let s = (seed * 7919 + 17) >>> 0;
  hidden.forEach((units, i) => {
    model.add(
      tf.layers.dense({
        units,
        activation: 'relu',
        ...(i === 0 ? { inputShape: [inputDim] } : {}),
        kernelInitializer: tf.initializers.glorotUniform({ seed: s++ }),
      }),
    );
  });
  model.add(
    tf.layers.dense({
      units: head.paramsSize,
      ...(hidden.length === 0 ? { inputShape: [inputDim] } : {}),
      kernelInitializer: tf.initializers.glorotUniform({ seed: s++ }),
    }),
  );
  model.add(head);
  return model;
}

export interface TrainOptions {
  hidden: number[];
  head: HeadSpec;
  epochs: number;
  batchSize: number;
  lr: number;
  /** Fraction of rows held out for early stopping on validation NLL (0: none, train all epochs). */
  valSplit: number;
  /** Epochs without improvement of validation NLL before stopping. */
  patience: number;
  /** Networks in the ensemble (1: a single network). */
  ensemble: number;
  seed: number;
}

export interface EpochInfo {
  member: number;
  members: number;
  epoch: number;
  epochs: number;
  loss: number;
  valNll: number | null;
}

export interface TrainReporter {
  epoch(info: EpochInfo): void;
  memberDone?(info: { member: number; members: number; epochsRun: number; bestEpoch: number; bestValNll: number | null }): void;
}

export interface MemberHistory {
  seed: number;
  epochsRun: number;
  bestEpoch: number;
  bestValNll: number | null;
  finalLoss: number;
}

/** A trained model in memory: networks plus everything needed to use them. */
export interface Fitted {
  meta: ModelMeta;
  members: tf.LayersModel[];
}

export interface ModelMeta {
  format: 'tfjs-prob-model';
  version: 1;
  head: string;
  xColumns: string[];
  yColumns: string[];
  xScaler: Scaler;
  yScaler: Scaler;
  hidden: number[];
  members: string[];
  training: Omit<TrainOptions, 'head'> & { rows: number; history: MemberHistory[] };
}

const META = 'tfjs-prob.json';

function rowsOf(src: Float32Array, width: number, idx: ArrayLike<number>, from: number, to: number): Float32Array {
  const out = new Float32Array((to - from) * width);
  for (let r = from; r < to; r++) {
    const i = idx[r]!;
    out.set(src.subarray(i * width, (i + 1) * width), (r - from) * width);
  }
  return out;
}

/** Mean NLL (standardized units) of a network on a data set, evaluated in chunks. */
export function meanNll(model: tf.LayersModel, x: Float32Array, y: Float32Array, n: number, f: number, d: number): number {
  const loss = tfp.losses.negativeLogLikelihood(lastLayer(model));
  const chunk = 4096;
  let total = 0;
  for (let i = 0; i < n; i += chunk) {
    const m = Math.min(chunk, n - i);
    const v = tf.tidy(() => {
      const xb = tf.tensor2d(x.subarray(i * f, (i + m) * f), [m, f]);
      const yb = tf.tensor2d(y.subarray(i * d, (i + m) * d), [m, d]);
      return loss(yb, model.predict(xb) as tf.Tensor);
    });
    total += v.dataSync()[0]! * m;
    v.dispose();
  }
  return total / n;
}

export function lastLayer(model: tf.LayersModel): HeadLayer {
  return model.layers[model.layers.length - 1] as unknown as HeadLayer;
}

/**
 * Trains one network on standardized data. With `valSplit > 0` a seeded
 * random subset is held out and training stops when its NLL has not improved
 * for `patience` epochs; the best weights are restored.
 */
export async function trainNetwork(
  x: Float32Array,
  y: Float32Array,
  n: number,
  f: number,
  d: number,
  opts: TrainOptions,
  member: number,
  reporter?: TrainReporter,
): Promise<{ model: tf.Sequential; history: MemberHistory }> {
  const seed = opts.seed + 1000003 * member;
  const model = buildNetwork(f, d, opts.hidden, opts.head, seed);
  const head = lastLayer(model);
  const loss = tfp.losses.negativeLogLikelihood(head);
  const optimizer = tf.train.adam(opts.lr);

  // The validation split depends on opts.seed only: every member sees the same held-out rows.
  const split = permutation(n, mulberry32(opts.seed ^ 0x5bd1e995));
  const nVal = opts.valSplit > 0 ? Math.max(1, Math.round(n * opts.valSplit)) : 0;
  const nTrain = n - nVal;
  if (nTrain < 1) throw new CliError(`--val-split ${opts.valSplit} leaves no training rows (${n} rows)`);
  const trainIdx = split.subarray(0, nTrain);
  const xv = nVal ? rowsOf(x, f, split, nTrain, n) : null;
  const yv = nVal ? rowsOf(y, d, split, nTrain, n) : null;

  const rand = mulberry32(seed);
  let best = Infinity;
  let bestEpoch = 0;
  let bestWeights: tf.Tensor[] | null = null;
  let epochsRun = 0;
  let lastLoss = NaN;
  const bs = Math.max(1, Math.min(opts.batchSize, nTrain));
  try {
    for (let epoch = 1; epoch <= opts.epochs; epoch++) {
      const order = permutation(nTrain, rand);
      const idx = order.map((k) => trainIdx[k]!);
      let sum = 0;
      const lossTensors: tf.Tensor[] = [];
      for (let b = 0; b < nTrain; b += bs) {
        const m = Math.min(bs, nTrain - b);
        const xb = tf.tensor2d(rowsOf(x, f, idx, b, b + m), [m, f]);
        const yb = tf.tensor2d(rowsOf(y, d, idx, b, b + m), [m, d]);
        const l = optimizer.minimize(() => loss(yb, model.apply(xb, { training: true }) as tf.Tensor) as tf.Scalar, true);
        xb.dispose();
        yb.dispose();
        if (l) lossTensors.push(tf.mul(l, m) as tf.Tensor), l.dispose();
      }
      // One read-back per epoch (reading every batch's loss stalls the pipeline).
      const total = tf.tidy(() => tf.addN(lossTensors));
      sum = total.dataSync()[0]!;
      total.dispose();
      tf.dispose(lossTensors);
      lastLoss = sum / nTrain;
      epochsRun = epoch;
      if (!Number.isFinite(lastLoss)) {
        throw new CliError(`training diverged (loss ${lastLoss} at epoch ${epoch} of network ${member + 1}); try a smaller --lr`, 1);
      }
      let valNll: number | null = null;
      if (xv && yv) {
        valNll = meanNll(model, xv, yv, nVal, f, d);
        if (valNll < best) {
          best = valNll;
          bestEpoch = epoch;
          if (bestWeights) tf.dispose(bestWeights);
          bestWeights = model.getWeights().map((w) => w.clone());
        }
      }
      reporter?.epoch({ member, members: opts.ensemble, epoch, epochs: opts.epochs, loss: lastLoss, valNll });
      if (xv && epoch - bestEpoch >= opts.patience) break;
      // Let the event loop breathe (progress bar redraws, signals).
      if (epoch % 5 === 0) await new Promise((r) => setImmediate(r));
    }
    if (bestWeights) model.setWeights(bestWeights);
  } finally {
    if (bestWeights) tf.dispose(bestWeights);
    optimizer.dispose();
  }
  const history: MemberHistory = {
    seed,
    epochsRun,
    bestEpoch: nVal ? bestEpoch : epochsRun,
    bestValNll: nVal ? best : null,
    finalLoss: lastLoss,
  };
  reporter?.memberDone?.({ member, members: opts.ensemble, epochsRun, bestEpoch: history.bestEpoch, bestValNll: history.bestValNll });
  return { model, history };
}

/**
 * Fits the scalers and trains `opts.ensemble` networks. `x` is `[n * xColumns]`,
 * `y` is `[n * yColumns]`, both row-major in original units.
 */
export async function fitModel(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  n: number,
  xColumns: string[],
  yColumns: string[],
  opts: TrainOptions,
  reporter?: TrainReporter,
): Promise<Fitted> {
  const f = xColumns.length;
  const d = yColumns.length;
  const xScaler = fitScaler(x, n, f);
  const yScaler = fitScaler(y, n, d);
  const xs = applyScaler(xScaler, x, n);
  const ys = applyScaler(yScaler, y, n);
  const members: tf.LayersModel[] = [];
  const history: MemberHistory[] = [];
  try {
    for (let m = 0; m < opts.ensemble; m++) {
      const r = await trainNetwork(xs, ys, n, f, d, opts, m, reporter);
      members.push(r.model);
      history.push(r.history);
    }
  } catch (e) {
    members.forEach((mm) => mm.dispose());
    throw e;
  }
  const { head, ...rest } = opts;
  const meta: ModelMeta = {
    format: 'tfjs-prob-model',
    version: 1,
    head: headName(head),
    xColumns,
    yColumns,
    xScaler,
    yScaler,
    hidden: opts.hidden,
    members: members.map((_, i) => `network-${i}`),
    training: { ...rest, rows: n, history },
  };
  return { meta, members };
}

export function disposeFitted(m: Fitted): void {
  m.members.forEach((mm) => mm.dispose());
}

/** Whether `dir` is a model directory written by this CLI. */
export function isModelDir(dir: string): boolean {
  try {
    const meta = JSON.parse(readFileSync(join(dir, META), 'utf8')) as Partial<ModelMeta>;
    return meta.format === 'tfjs-prob-model';
  } catch {
    return false;
  }
}

/** Writes a model directory atomically (temp directory beside it, then rename). */
export async function saveFitted(m: Fitted, dir: string): Promise<void> {
  await writeDirAtomic(
    dir,
    async (tmp) => {
      for (let i = 0; i < m.members.length; i++) await tfp.io.saveModel(m.members[i]!, join(tmp, m.meta.members[i]!));
      writeFileSync(join(tmp, META), JSON.stringify(m.meta, null, 2) + '\n');
    },
    (existing) => isModelDir(existing),
  );
}

/** Loads a model directory written by `saveFitted`; a directory that is not ours is a CliError. */
export async function loadFitted(dir: string): Promise<Fitted> {
  if (!existsSync(dir)) throw new CliError(`${dir}: no such model directory`);
  if (!statSync(dir).isDirectory()) throw new CliError(`${dir}: not a directory (expected a model directory written by tfjs-prob fit)`);
  const metaPath = join(dir, META);
  if (!existsSync(metaPath)) throw new CliError(`${dir}: not a tfjs-prob model directory (no ${META})`);
  let meta: ModelMeta;
  try {
    meta = JSON.parse(readFileSync(metaPath, 'utf8')) as ModelMeta;
  } catch (e) {
    throw new CliError(`${metaPath}: not valid JSON (${(e as Error).message})`);
  }
  if (meta?.format !== 'tfjs-prob-model' || meta.version !== 1) {
    throw new CliError(`${metaPath}: not a tfjs-prob model description (format "${String(meta?.format)}", version ${String(meta?.version)})`);
  }
  const ok =
    Array.isArray(meta.xColumns) && Array.isArray(meta.yColumns) && Array.isArray(meta.members) && meta.members.length > 0 &&
    meta.xScaler?.mean?.length === meta.xColumns.length && meta.yScaler?.std?.length === meta.yColumns.length;
  if (!ok) throw new CliError(`${metaPath}: incomplete model description (columns, scalers or networks missing)`);
  parseHead(meta.head);
  const members: tf.LayersModel[] = [];
  try {
    for (const name of meta.members) {
      const sub = join(dir, name);
      if (!existsSync(join(sub, 'model.json'))) throw new CliError(`${dir}: network ${name} is missing (no ${name}/model.json)`);
      try {
        members.push(await tfp.io.loadModel(sub));
      } catch (e) {
        throw new CliError(`${sub}: cannot load network (${(e as Error).message})`);
      }
    }
  } catch (e) {
    members.forEach((mm) => mm.dispose());
    throw e;
  }
  return { meta, members };
}

export { applyScaler };
