/**
 * The model of the command line: an MLP whose last Dense layer feeds a
 * distribution head of the public API (tfp.layers), trained by the head's
 * negative log-likelihood (tfp.losses) on standardized inputs and targets;
 * optionally an ensemble of such networks (Deep Ensembles). Shared by
 * `tfjs-prob fit` and bench/uci.ts so that both run the same code.
 */
import type { Baseline } from './baseline.js';
import * as tf from '@tensorflow/tfjs';
import * as tfp from 'tfjs-probability';
import { CliError } from './errors.js';
import { mulberry32, permutation } from './rng.js';
import { applyScaler, fitScaler, type Scaler } from './scaler.js';
import { trainBayesianNetworks } from './bayesian.js';
import { fitGp, type GpKernelName, type GpState } from './gp.js';
import { checkCountTargets, isCountHead, makeCountHead, type CountHeadKind } from './count.js';

export type HeadKind = 'normal' | 'mvn-tril' | 'mixture' | 'gp' | CountHeadKind;

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
  if (s === 'gp') return { kind: 'gp', components: 1 };
  if (isCountHead(s)) return { kind: s, components: 1 };
  const m = /^mixture(?::(\d+))?$/.exec(s);
  if (m) {
    const k = m[1] === undefined ? 3 : Number(m[1]);
    if (!(k >= 1 && k <= 64)) throw new CliError(`option --head: mixture needs 1 to 64 components; got "${spec}"`);
    return { kind: 'mixture', components: k };
  }
  throw new CliError(`option --head: expected normal, mvn-tril, mixture:K, poisson, negbin, zinb or gp; got "${spec}"`);
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
      return new L.MixtureNormal({ numComponents: h.components, eventShape: [eventSize] }) as unknown as HeadLayer;
    case 'gp':
      throw new CliError('--head gp is a Gaussian process, not a network head');
    default:
      return makeCountHead(h.kind, eventSize) as unknown as HeadLayer;
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
  /** 'constant' (default) or 'cosine': the learning rate decays as lr (1 + cos(pi t / T)) / 2 over the `epochs` budget. */
  lrSchedule?: 'constant' | 'cosine';
  seed: number;
  /** Bayes by backprop (`fit --bayesian`): DenseFlipout layers, see bayesian.ts. */
  bayesian?: boolean;
  /** Forward passes averaged per network at prediction (Bayesian networks only). */
  mcSamples?: number;
  /** `--head gp`: the kernel and the inducing points (see gp.ts). */
  gp?: { kernel: GpKernelName; inducing?: number };
}

export interface EpochInfo {
  /** Networks trained together (all ensemble members advance one epoch per report). */
  members: number;
  epoch: number;
  epochs: number;
  /** Mean training NLL over the epoch (standardized units), averaged over the members still improving. */
  loss: number;
  /** Validation NLL (standardized units) averaged over members, or null without a validation split. */
  valNll: number | null;
}

export interface TrainReporter {
  epoch(info: EpochInfo): void;
  done?(history: MemberHistory[]): void;
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
  /** The networks (none for `--head gp`). */
  members: tf.LayersModel[];
  /** `--head gp`: the Gaussian process (standardized units). */
  gp?: GpState;
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
  /** The no-input baseline (marginal of the training targets) that evaluate reports; absent in older models. */
  baseline?: Baseline;
}

function rowsOf(src: Float32Array, width: number, idx: ArrayLike<number>, from: number, to: number): Float32Array {
  const out = new Float32Array((to - from) * width);
  for (let r = from; r < to; r++) {
    const i = idx[r]!;
    out.set(src.subarray(i * width, (i + 1) * width), (r - from) * width);
  }
  return out;
}

export function lastLayer(model: tf.LayersModel): HeadLayer {
  return model.layers[model.layers.length - 1] as unknown as HeadLayer;
}

/** Seed of ensemble member `m` (member 0 uses the base seed: `--ensemble 1` trains exactly member 0). */
export function memberSeed(seed: number, m: number): number {
  return (seed + 1000003 * m) >>> 0;
}

/**
 * The M networks of an ensemble as one stacked computation: layer l of all
 * members is a `[M, in, out]` kernel and `[M, 1, out]` bias, and a batch is
 * `[M, B, in]` (each member gets its own rows). One optimizer step then costs
 * about the same number of kernel launches as one network's step, which is
 * what dominates small-MLP training time in tfjs. The members stay
 * independent: the loss is the sum of the members' mean NLLs, so each
 * member's gradient (and Adam update, elementwise) is exactly its own.
 */
class Stack {
  readonly kernels: tf.Variable[];
  readonly biases: tf.Variable[];
  constructor(nets: tf.Sequential[]) {
    const dense = nets[0]!.layers.length - 1; // the Dense layers before the head
    this.kernels = [];
    this.biases = [];
    for (let l = 0; l < dense; l++) {
      const ws = nets.map((net) => net.layers[l]!.getWeights());
      // tf.variable does not take ownership of its initial value: dispose it.
      const k = tf.stack(ws.map((w) => w[0]!));
      const b = tf.tidy(() => tf.expandDims(tf.stack(ws.map((w) => w[1]!)), 1));
      this.kernels.push(tf.variable(k));
      this.biases.push(tf.variable(b));
      tf.dispose([k, b]);
    }
  }

  /** `[M, B, in]` -> raw head parameters `[M, B, paramsSize]`. */
  apply(x: tf.Tensor3D): tf.Tensor3D {
    let h: tf.Tensor3D = x;
    const last = this.kernels.length - 1;
    this.kernels.forEach((k, l) => {
      const z = tf.add(tf.matMul(h, k), this.biases[l]!) as tf.Tensor3D;
      h = l < last ? tf.relu(z) : z;
    });
    return h;
  }

  /**
   * Member m's weights in the order of `Sequential.getWeights()`, as fresh
   * tensors (built from the values: a reshaped slice would share its data with
   * a rank-3 buffer, which the wasm fused matMul rejects as a bias).
   */
  member(m: number): tf.Tensor[] {
    const out: tf.Tensor[] = [];
    this.kernels.forEach((k, l) => {
      const [, i, o] = k.shape as [number, number, number];
      const kv = k.dataSync().subarray(m * i * o, (m + 1) * i * o);
      const bv = this.biases[l]!.dataSync().subarray(m * o, (m + 1) * o);
      out.push(tf.tensor2d(Float32Array.from(kv), [i, o]));
      out.push(tf.tensor1d(Float32Array.from(bv)));
    });
    return out;
  }

  dispose(): void {
    tf.dispose([...this.kernels, ...this.biases]);
  }
}

/**
 * Trains `opts.ensemble` networks on standardized data (x `[n, f]`, y `[n, d]`,
 * row-major float32), jointly batched (see Stack). Member m is initialized
 * and shuffled from `memberSeed(opts.seed, m)`. With `valSplit > 0` a seeded
 * random subset (the same for every member) is held out; each member keeps
 * the weights of its best validation epoch and stops improving after
 * `patience` epochs without progress; training ends when every member has
 * stopped or after `epochs`.
 */
export async function trainNetworks(
  x: Float32Array,
  y: Float32Array,
  n: number,
  f: number,
  d: number,
  opts: TrainOptions,
  reporter?: TrainReporter,
): Promise<{ models: tf.Sequential[]; history: MemberHistory[] }> {
  const M = opts.ensemble;
  const seeds = Array.from({ length: M }, (_, m) => memberSeed(opts.seed, m));
  const nets = seeds.map((s) => buildNetwork(f, d, opts.hidden, opts.head, s));
  const head = lastLayer(nets[0]!);
  const p = head.paramsSize;

  const split = permutation(n, mulberry32(opts.seed ^ 0x5bd1e995));
  const nVal = opts.valSplit > 0 ? Math.max(1, Math.round(n * opts.valSplit)) : 0;
  const nTrain = n - nVal;
  if (nTrain < 1) {
    nets.forEach((net) => net.dispose());
    throw new CliError(`--val-split ${opts.valSplit} leaves no training rows (${n} rows)`);
  }
  const trainIdx = split.subarray(0, nTrain);
  const stack = new Stack(nets);
  const optimizer = tf.train.adam(opts.lr);
  const rands = seeds.map((s) => mulberry32(s));
  const bs = Math.max(1, Math.min(opts.batchSize, nTrain));

  // Validation tensors, shared by all members: x as [M, nVal, f] (copies), y as [M * nVal, d].
  let xv: tf.Tensor3D | null = null;
  let yv: tf.Tensor2D | null = null;
  if (nVal) {
    const xr = rowsOf(x, f, split, nTrain, n);
    const yr = rowsOf(y, d, split, nTrain, n);
    const xm = new Float32Array(M * nVal * f);
    const ym = new Float32Array(M * nVal * d);
    for (let m = 0; m < M; m++) {
      xm.set(xr, m * nVal * f);
      ym.set(yr, m * nVal * d);
    }
    xv = tf.tensor3d(xm, [M, nVal, f]);
    yv = tf.tensor2d(ym, [M * nVal, d]);
  }

  /** Per-member mean NLL of rows laid out `[M, rows, ...]`: `[M]`. */
  const perMemberNll = (xb: tf.Tensor3D, yb: tf.Tensor2D, rows: number): tf.Tensor1D =>
    tf.tidy(() => {
      const params = tf.reshape(stack.apply(xb), [M * rows, p]);
      const dist = head.toDistribution(params);
      try {
        return tf.neg(tf.mean(tf.reshape(dist.logProb(yb), [M, rows]), 1)) as tf.Tensor1D;
      } finally {
        dist.dispose();
      }
    });

  const best = new Array<number>(M).fill(Infinity);
  const bestEpoch = new Array<number>(M).fill(0);
  const bestWeights: (tf.Tensor[] | null)[] = new Array<tf.Tensor[] | null>(M).fill(null);
  const stopped = new Array<boolean>(M).fill(false);
  const lastLoss = new Array<number>(M).fill(NaN);
  let epochsRun = 0;
  const xb = new Float32Array(M * bs * f);
  const yb = new Float32Array(M * bs * d);
  const stepsPerEpoch = Math.ceil(nTrain / bs);
  const totalSteps = stepsPerEpoch * opts.epochs;
  let step = 0;
  const adam = optimizer as unknown as { learningRate: number };
  try {
    for (let epoch = 1; epoch <= opts.epochs; epoch++) {
      const orders = rands.map((r) => permutation(nTrain, r));
      const lossTensors: tf.Tensor[] = [];
      for (let b = 0; b < nTrain; b += bs) {
        const rows = Math.min(bs, nTrain - b);
        for (let m = 0; m < M; m++) {
          const ord = orders[m]!;
          for (let r = 0; r < rows; r++) {
            const i = trainIdx[ord[b + r]!]!;
            xb.set(x.subarray(i * f, (i + 1) * f), (m * rows + r) * f);
            yb.set(y.subarray(i * d, (i + 1) * d), (m * rows + r) * d);
          }
        }
        const xt = tf.tensor3d(xb.subarray(0, M * rows * f), [M, rows, f]);
        const yt = tf.tensor2d(yb.subarray(0, M * rows * d), [M * rows, d]);
        if (opts.lrSchedule === 'cosine') adam.learningRate = (opts.lr * (1 + Math.cos((Math.PI * step) / totalSteps))) / 2;
        step++;
        let perMember: tf.Tensor | null = null;
        optimizer.minimize(() => {
          const l = perMemberNll(xt, yt, rows);
          perMember = tf.keep(tf.mul(l, rows));
          return tf.sum(l) as tf.Scalar;
        }, false);
        tf.dispose([xt, yt]);
        if (perMember) lossTensors.push(perMember);
      }
      // One read-back per epoch (reading every batch's loss stalls the pipeline).
      const total = tf.tidy(() => tf.addN(lossTensors));
      const sums = total.dataSync();
      total.dispose();
      tf.dispose(lossTensors);
      for (let m = 0; m < M; m++) lastLoss[m] = sums[m]! / nTrain;
      epochsRun = epoch;
      const bad = lastLoss.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) {
        throw new CliError(`training diverged (loss ${lastLoss[bad]} at epoch ${epoch} of network ${bad + 1}); try a smaller --lr`);
      }
      let valMean: number | null = null;
      if (xv && yv) {
        const vt = perMemberNll(xv, yv, nVal);
        const vals = vt.dataSync();
        vt.dispose();
        let sum = 0;
        for (let m = 0; m < M; m++) {
          sum += vals[m]!;
          if (stopped[m]) continue;
          if (vals[m]! < best[m]!) {
            best[m] = vals[m]!;
            bestEpoch[m] = epoch;
            if (bestWeights[m]) tf.dispose(bestWeights[m]!);
            bestWeights[m] = stack.member(m);
          } else if (epoch - bestEpoch[m]! >= opts.patience) {
            stopped[m] = true;
          }
        }
        valMean = sum / M;
      }
      const active = lastLoss.filter((_, m) => !stopped[m]);
      const shown = active.length ? active : lastLoss;
      reporter?.epoch({ members: M, epoch, epochs: opts.epochs, loss: shown.reduce((a, v) => a + v, 0) / shown.length, valNll: valMean });
      if (stopped.every(Boolean)) break;
      // Let the event loop breathe (progress bar redraws, signals).
      if (epoch % 5 === 0) await new Promise((r) => setImmediate(r));
    }
    for (let m = 0; m < M; m++) {
      const w = bestWeights[m] ?? stack.member(m);
      nets[m]!.setWeights(w);
      if (!bestWeights[m]) tf.dispose(w);
    }
  } catch (e) {
    nets.forEach((net) => net.dispose());
    throw e;
  } finally {
    bestWeights.forEach((w) => w && tf.dispose(w));
    stack.dispose();
    optimizer.dispose();
    if (xv) xv.dispose();
    if (yv) yv.dispose();
  }
  const history: MemberHistory[] = seeds.map((seed, m) => ({
    seed,
    epochsRun,
    bestEpoch: nVal ? bestEpoch[m]! : epochsRun,
    bestValNll: nVal ? best[m]! : null,
    finalLoss: lastLoss[m]!,
  }));
  reporter?.done?.(history);
  return { models: nets, history };
}

/**
 * Refuses a model that training left far worse than a constant standard normal on the
 * standardized targets (NLL 0.5·log(2πe) per target column): a learning rate that blew the
 * weights up can leave finite but meaningless predictions (variances of 1e14), which must not
 * pass for a trained model. Releases the networks before throwing.
 */
function checkNotDiverged(history: MemberHistory[], d: number, opts: TrainOptions, models: tf.LayersModel[]): void {
  const baseline = 0.5 * Math.log(2 * Math.PI * Math.E) * d;
  const bound = baseline + 2 * d + 5;
  history.forEach((h, m) => {
    const nll = h.bestValNll ?? h.finalLoss;
    if (Number.isFinite(nll) && nll <= bound) return;
    models.forEach((net) => net.dispose());
    throw new CliError(
      `training diverged: network ${m + 1} ends with a negative log-likelihood of ${nll.toPrecision(4)} per row (standardized targets), ` +
        `far above the ${baseline.toPrecision(3)} of a constant standard normal; the model would be meaningless, nothing was written: try a smaller --lr (now ${opts.lr})`,
    );
  });
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
  // Count heads model the counts themselves: no standardization of the targets.
  if (isCountHead(opts.head.kind)) checkCountTargets(y, n, yColumns, opts.head.kind);
  const yScaler = isCountHead(opts.head.kind) ? { mean: new Array<number>(d).fill(0), std: new Array<number>(d).fill(1) } : fitScaler(y, n, d);
  const xs = applyScaler(xScaler, x, n);
  const ys = applyScaler(yScaler, y, n);
  if (opts.head.kind === 'gp') {
    if (d !== 1) throw new CliError(`--head gp: one target column (--y); got ${d}`);
    const gp = await fitGp(xs, ys, n, f, { kernel: opts.gp?.kernel ?? 'matern52', inducing: opts.gp?.inducing, maxIterations: 100, seed: opts.seed });
    const { head, ...rest } = opts;
    const meta: ModelMeta = {
      format: 'tfjs-prob-model', version: 1, head: headName(head), xColumns, yColumns, xScaler, yScaler, hidden: [], members: [],
      training: { ...rest, rows: n, history: [] },
    };
    return { meta, members: [], gp };
  }
  const train = opts.bayesian ? trainBayesianNetworks : trainNetworks;
  const { models, history } = await train(xs, ys, n, f, d, opts, reporter);
  if (!isCountHead(opts.head.kind) && !opts.bayesian) checkNotDiverged(history, d, opts, models);
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
    members: models.map((_, i) => `network-${i}`),
    training: { ...rest, rows: n, history },
  };
  return { meta, members: models };
}

export function disposeFitted(m: Fitted): void {
  m.members.forEach((mm) => mm.dispose());
}

// Saving and loading model directories (atomic, confined): model_dir.ts.
export { loadFitted, saveFitted } from './model_dir.js';

export { applyScaler };
