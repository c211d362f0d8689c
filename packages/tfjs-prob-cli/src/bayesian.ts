/**
 * `fit --bayesian`: Bayes by backprop (Blundell et al. 2015) with the Flipout estimator. The
 * MLP's Dense layers become `tfp.layers.DenseFlipout` (mean-field normal posterior over each
 * kernel, standard normal prior, deterministic biases, TFP's defaults), trained on the negative
 * ELBO per example: the head's mean NLL plus the layers' KL terms (`tfp.modelLosses(model)`) with
 * `klWeight = 1 / trainingRows`. Prediction averages `mcSamples` forward passes per network
 * (see predictive.ts), each with freshly drawn weights: a mixture that holds the epistemic
 * uncertainty. Public API only.
 */
import * as tf from '@tensorflow/tfjs';
import * as tfp from 'tfjs-probability';
import { CliError } from './errors.js';
import { mulberry32, permutation } from './rng.js';
import { lastLayer, makeHead, memberSeed, type MemberHistory, type TrainOptions, type TrainReporter } from './model.js';

/** Forward passes averaged at prediction when `--mc-samples` is not given. */
export const DEFAULT_MC_SAMPLES = 50;
/** Forward passes for the validation NLL of early stopping (cheaper than at prediction). */
const VAL_SAMPLES = 8;

/** An MLP `inputDim -> hidden (relu) -> paramsSize -> head` of DenseFlipout layers. */
export function buildBayesianNetwork(
  inputDim: number, outputDim: number, hidden: number[], opts: TrainOptions, seed: number, klWeight: number,
): tf.Sequential {
  const head = makeHead(opts.head, outputDim);
  const model = tf.sequential();
  const units = [...hidden, head.paramsSize];
  units.forEach((u, i) => {
    model.add(
      new tfp.layers.DenseFlipout({
        units: u,
        activation: i < hidden.length ? 'relu' : null,
        klWeight,
        seed: (seed * 7919 + 31 * i + 17) >>> 0,
        ...(i === 0 ? { inputShape: [inputDim] } : {}),
      }),
    );
  });
  model.add(head);
  return model;
}

/** Mean NLL of `y` under the average of `passes` stochastic forward passes (log-mean-exp over passes). */
function mixtureNll(model: tf.Sequential, x: tf.Tensor2D, y: tf.Tensor2D, passes: number): number {
  const head = lastLayer(model);
  const t = tf.tidy(() => {
    const lps: tf.Tensor[] = [];
    for (let s = 0; s < passes; s++) {
      const d = head.toDistribution(model.predict(x) as tf.Tensor);
      lps.push(d.logProb(y));
      d.dispose();
    }
    return tf.neg(tf.mean(tf.sub(tf.logSumExp(tf.stack(lps), 0), Math.log(passes))));
  });
  const v = t.dataSync()[0]!;
  t.dispose();
  return v;
}

/**
 * Trains `opts.ensemble` Bayesian networks one after the other (member m from
 * `memberSeed(opts.seed, m)`), with the same validation split and early stopping as the
 * ensemble trainer (the validation NLL is that of the predictive mixture of a few passes).
 */
export async function trainBayesianNetworks(
  x: Float32Array, y: Float32Array, n: number, f: number, d: number, opts: TrainOptions, reporter?: TrainReporter,
): Promise<{ models: tf.Sequential[]; history: MemberHistory[] }> {
  const split = permutation(n, mulberry32(opts.seed ^ 0x5bd1e995));
  const nVal = opts.valSplit > 0 ? Math.max(1, Math.round(n * opts.valSplit)) : 0;
  const nTrain = n - nVal;
  if (nTrain < 1) throw new CliError(`--val-split ${opts.valSplit} leaves no training rows (${n} rows)`);
  const pick = (src: Float32Array, w: number, from: number, to: number): Float32Array => {
    const out = new Float32Array((to - from) * w);
    for (let r = from; r < to; r++) out.set(src.subarray(split[r]! * w, (split[r]! + 1) * w), (r - from) * w);
    return out;
  };
  const xTr = pick(x, f, 0, nTrain);
  const yTr = pick(y, d, 0, nTrain);
  const xv = nVal ? tf.tensor2d(pick(x, f, nTrain, n), [nVal, f]) : null;
  const yv = nVal ? tf.tensor2d(pick(y, d, nTrain, n), [nVal, d]) : null;
  const bs = Math.max(1, Math.min(opts.batchSize, nTrain));
  const models: tf.Sequential[] = [];
  const history: MemberHistory[] = [];
  const xb = new Float32Array(bs * f);
  const yb = new Float32Array(bs * d);
  try {
    for (let m = 0; m < opts.ensemble; m++) {
      const seed = memberSeed(opts.seed, m);
      const model = buildBayesianNetwork(f, d, opts.hidden, opts, seed, 1 / nTrain);
      models.push(model);
      const head = lastLayer(model);
      const optimizer = tf.train.adam(opts.lr);
      const adam = optimizer as unknown as { learningRate: number };
      const rand = mulberry32(seed);
      const totalSteps = Math.ceil(nTrain / bs) * opts.epochs;
      let step = 0;
      let best = Infinity;
      let bestEpoch = 0;
      let bestWeights: tf.Tensor[] | null = null;
      let lastLoss = NaN;
      let epochsRun = 0;
      try {
        for (let epoch = 1; epoch <= opts.epochs; epoch++) {
          const order = permutation(nTrain, rand);
          const losses: tf.Tensor[] = [];
          for (let b = 0; b < nTrain; b += bs) {
            const rows = Math.min(bs, nTrain - b);
            for (let r = 0; r < rows; r++) {
              const i = order[b + r]!;
              xb.set(xTr.subarray(i * f, (i + 1) * f), r * f);
              yb.set(yTr.subarray(i * d, (i + 1) * d), r * d);
            }
            const xt = tf.tensor2d(xb.subarray(0, rows * f), [rows, f]);
            const yt = tf.tensor2d(yb.subarray(0, rows * d), [rows, d]);
            if (opts.lrSchedule === 'cosine') adam.learningRate = (opts.lr * (1 + Math.cos((Math.PI * step) / totalSteps))) / 2;
            step++;
            let batchLoss: tf.Tensor | null = null;
            optimizer.minimize(() => {
              // Training mode: the Flipout layers leave this pass's KL terms for tfp.modelLosses(model).
              const params = model.apply(xt, { training: true }) as tf.Tensor;
              const dist = head.toDistribution(params);
              const nll = tf.neg(tf.mean(dist.logProb(yt)));
              dist.dispose();
              const loss = tf.addN([nll, ...tfp.modelLosses(model).map((fn) => fn())]) as tf.Scalar;
              batchLoss = tf.keep(tf.mul(loss, rows));
              return loss;
            }, false);
            tf.dispose([xt, yt]);
            if (batchLoss) losses.push(batchLoss);
          }
          const total = tf.tidy(() => tf.addN(losses));
          lastLoss = total.dataSync()[0]! / nTrain;
          tf.dispose([total, ...losses]);
          epochsRun = epoch;
          if (!Number.isFinite(lastLoss)) {
            throw new CliError(`training diverged (loss ${lastLoss} at epoch ${epoch} of network ${m + 1}); try a smaller --lr`);
          }
          let valNll: number | null = null;
          if (xv && yv) {
            valNll = mixtureNll(model, xv, yv, VAL_SAMPLES);
            if (valNll < best) {
              best = valNll;
              bestEpoch = epoch;
              if (bestWeights) tf.dispose(bestWeights);
              bestWeights = model.getWeights().map((w) => w.clone());
            } else if (epoch - bestEpoch >= opts.patience) {
              reporter?.epoch({ members: 1, epoch, epochs: opts.epochs, loss: lastLoss, valNll });
              break;
            }
          }
          reporter?.epoch({ members: 1, epoch, epochs: opts.epochs, loss: lastLoss, valNll });
          if (epoch % 5 === 0) await new Promise((r) => setImmediate(r));
        }
        if (bestWeights) model.setWeights(bestWeights);
      } finally {
        if (bestWeights) tf.dispose(bestWeights);
        optimizer.dispose();
      }
      history.push({ seed, epochsRun, bestEpoch: nVal ? bestEpoch : epochsRun, bestValNll: nVal ? best : null, finalLoss: lastLoss });
    }
  } catch (e) {
    models.forEach((mm) => mm.dispose());
    throw e;
  } finally {
    if (xv) xv.dispose();
    if (yv) yv.dispose();
  }
  reporter?.done?.(history);
  return { models, history };
}
