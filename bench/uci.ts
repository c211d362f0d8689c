/**
 * UCI regression benchmark (Hernandez-Lobato & Adams 2015 splits, as used by
 * MC-dropout and Deep Ensembles), run through the same code as `tfjs-prob fit`
 * (src/cli/model.ts fitModel + src/cli/predictive.ts).
 *
 *   npm run bench:uci -- /work/shared/datasets/uci [--datasets yacht,energy] [--splits 5]
 *        [--ensemble 5] [--epochs 40] [--batch-size 100] [--lr 0.01] [--results file.json] [--write]
 *   npm run bench:uci -- --report file.json --write     (table from saved results only)
 *
 * Protocol: per split, inputs and target standardized on the training rows;
 * one hidden layer of n_hidden.txt ReLU units (50; 100 for protein); a normal
 * head (tfp.layers.IndependentNormal) trained by its NLL for 40 epochs, no
 * early stopping; test NLL per point in original units (= NLL on the
 * standardized target + log std_y) and RMSE. The ensemble is M networks from
 * different seeds mixed uniformly (tfd.Mixture); the "single network" is its
 * first member, which is exactly what `fit --ensemble 1` with the same seed
 * trains (member 0 uses the base seed), so the two are measured from one run.
 * Results are appended to the JSON file after every split, so an interrupted
 * run still reports what it measured.
 *
 * `--bayesian`: one Bayes-by-backprop network per split instead (DenseFlipout layers, what
 * `tfjs-prob fit --bayesian` trains; klWeight 1 / training rows; prediction = mixture of
 * `--mc-samples` forward passes), compared with PBP and MC-dropout (NLL and RMSE), written to
 * its own section "## UCI regression benchmark: Bayes by backprop".
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import * as tf from '@tensorflow/tfjs';
import * as tfp from 'tfjs-probability';
import { disposeFitted, fitModel, parseHead, type Fitted } from '../packages/tfjs-prob-cli/src/model.js';
import { Predictive } from '../packages/tfjs-prob-cli/src/predictive.js';

const ORDER = [
  'yacht',
  'bostonHousing',
  'energy',
  'concrete',
  'wine-quality-red',
  'kin8nm',
  'power-plant',
  'naval-propulsion-plant',
  'protein-tertiary-structure',
];

/**
 * Published test RMSE (Deep Ensembles paper, Table 1: PBP / MC-dropout / Deep Ensembles), which
 * take PBP's from Hernandez-Lobato & Adams 2015 and MC-dropout's from Gal & Ghahramani 2016.
 */
const PUBLISHED_RMSE: Record<string, [number, number, number]> = {
  bostonHousing: [3.01, 2.97, 3.28],
  concrete: [5.67, 5.23, 6.03],
  energy: [1.8, 1.66, 2.09],
  kin8nm: [0.1, 0.1, 0.09],
  'naval-propulsion-plant': [0.01, 0.01, 0.0],
  'power-plant': [4.12, 4.02, 4.11],
  'protein-tertiary-structure': [4.73, 4.36, 4.71],
  'wine-quality-red': [0.64, 0.62, 0.64],
  yacht: [1.02, 1.11, 1.58],
};

/** Published test NLL (Deep Ensembles paper, Table 1), from the data sets' README. */
const PUBLISHED: Record<string, [number, number, number]> = {
  bostonHousing: [2.57, 2.46, 2.41],
  concrete: [3.16, 3.04, 3.06],
  energy: [2.04, 1.99, 1.38],
  kin8nm: [-0.9, -0.95, -1.2],
  'naval-propulsion-plant': [-3.73, -3.8, -5.63],
  'power-plant': [2.84, 2.8, 2.79],
  'protein-tertiary-structure': [2.97, 2.89, 2.83],
  'wine-quality-red': [0.97, 0.93, 0.94],
  yacht: [1.63, 1.55, 1.18],
};

/**
 * MC-dropout re-run by its authors in 2018 (grid search over the hyperparameters on a train/validation
 * split of each training set, one layer, 10x the paper's stated 40 epochs): test NLL (= -LL) and RMSE,
 * "Grid Search (new)" columns of the readme of github.com/yaringal/DropoutUncertaintyExps (2018 update).
 */
const GAL_2018: Record<string, [number, number]> = {
  bostonHousing: [2.4, 2.9],
  concrete: [2.93, 4.82],
  energy: [1.21, 0.54],
  kin8nm: [-1.14, 0.08],
  'naval-propulsion-plant': [-4.45, 0.0],
  'power-plant': [2.8, 4.01],
  'protein-tertiary-structure': [2.87, 4.27],
  'wine-quality-red': [0.93, 0.62],
  yacht: [1.25, 0.67],
};

/** What the published columns mean, under every UCI table. */
const PUBLISHED_NOTE =
  'Published columns are means over the same 20 splits (5 for protein); their sources give ± as standard errors of the mean ' +
  '(PBP, MC-dropout) where this table gives ± one standard deviation over splits (divide by √20 ≈ 4.5 to compare). ' +
  'MC-dropout (2016) is the paper\'s figure as the Deep Ensembles paper quotes it; the paper states 40 epochs, while its ' +
  'authors\' repository calls its "10x epochs" (400-epoch) code the paper\'s setting. "MC-dropout 2018" is that repository\'s ' +
  '2018 re-run with a grid search over the hyperparameters on each split (yaringal/DropoutUncertaintyExps readme, "Grid Search (new)").';

interface SplitResult {
  dataset: string;
  split: number;
  nTrain: number;
  nTest: number;
  nll1: number;
  rmse1: number;
  nllM: number;
  rmseM: number;
  members: number;
  seconds: number;
}

interface ResultsFile {
  config: Record<string, unknown>;
  started: string;
  backend: string;
  results: SplitResult[];
}

function readMatrix(file: string): number[][] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number));
}

function readInts(file: string): number[] {
  return readFileSync(file, 'utf8')
    .trim()
    .split(/\s+/)
    .map((v) => Math.round(Number(v)));
}

function scores(fitted: Fitted, x: Float64Array, y: Float64Array, n: number): { nll: number; rmse: number } {
  const p = new Predictive(fitted, x, n);
  try {
    const lp = p.logProb(y);
    const mean = p.mean();
    let nll = 0;
    let se = 0;
    for (let i = 0; i < n; i++) {
      nll -= lp[i]!;
      se += (mean[i]! - y[i]!) ** 2;
    }
    return { nll: nll / n, rmse: Math.sqrt(se / n) };
  } finally {
    p.dispose();
  }
}

const meanStd = (v: number[]): [number, number] => {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  const s = v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1)) : 0;
  return [m, s];
};

export function reportMarkdown(r: ResultsFile, wallSeconds: number | null): string {
  const cfg = r.config;
  const L: string[] = [];
  const m = Number(cfg['ensemble']);
  L.push(
    `Protocol: standard splits of ${'`'}/work/shared/datasets/uci${'`'} (not redistributed), per-split standardization, one hidden ` +
      `layer of 50 ReLU units (100 for protein), normal head (${'`'}tfp.layers.IndependentNormal${'`'}) trained by NLL with Adam ` +
      `(lr ${cfg['lr']}${cfg['lrSchedule'] === 'cosine' ? ' with cosine decay to 0' : ', constant'}, batch ${cfg['batchSize'] === 'auto' ? '32 below 2000 training rows, else 100' : cfg['batchSize']}) for ${cfg['epochs']} epochs, no early stopping, through ${'`'}fitModel${'`'} (the code of ` +
      `${'`'}tfjs-prob fit${'`'}). Test NLL per point in original units (NLL of the standardized target + log std_y) and RMSE, ` +
      `mean ± std over the splits that ran. "Ours, 1 net" is member 0 of the ensemble (what ${'`'}fit --ensemble 1${'`'} trains with the same seed); ` +
      `"ours, ${m} nets" is their uniform mixture (${'`'}tfd.Mixture${'`'}), as Deep Ensembles (without their adversarial training). ` +
      `Backend ${r.backend}; started ${r.started}.`,
  );
  L.push('');
  L.push(`| data set | splits | NLL ours, 1 net | NLL ours, ${m} nets | PBP | MC-dropout | MC-dropout 2018 | Deep Ens. | RMSE ours, 1 net | RMSE ours, ${m} nets | train s/split |`);
  L.push('|---|---|---|---|---|---|---|---|---|---|---|');
  let wins = 0;
  let ran = 0;
  for (const ds of ORDER) {
    const rows = r.results.filter((x) => x.dataset === ds);
    const pub = PUBLISHED[ds]!;
    if (rows.length === 0) {
      L.push(`| ${ds} | 0 | not run | | ${pub[0]} | ${pub[1]} | ${GAL_2018[ds]![0]} | ${pub[2]} | | | |`);
      continue;
    }
    ran++;
    const f = (v: number[]): string => {
      const [a, b] = meanStd(v);
      // Two decimals, or three significant digits for small values (naval's RMSE is ~1e-3).
      const dec = Math.min(6, Math.max(2, 1 - Math.floor(Math.log10(Math.abs(a) || 1))));
      return `${a.toFixed(dec)} ± ${b.toFixed(dec)}`;
    };
    const [nllM] = meanStd(rows.map((x) => x.nllM));
    const win = nllM < pub[2];
    if (win) wins++;
    const splits = rows.map((x) => x.split).sort((a, b) => a - b);
    const splitText = splits.length === splits[splits.length - 1]! + 1 ? `${splits.length} (0-${splits.length - 1})` : splits.join(',');
    L.push(
      `| ${ds} | ${splitText} | ${f(rows.map((x) => x.nll1))} | ${win ? '**' : ''}${f(rows.map((x) => x.nllM))}${win ? '**' : ''} | ` +
        `${pub[0]} | ${pub[1]} | ${GAL_2018[ds]![0]} | ${pub[2]} | ${f(rows.map((x) => x.rmse1))} | ${f(rows.map((x) => x.rmseM))} | ` +
        `${meanStd(rows.map((x) => x.seconds))[0].toFixed(1)} |`,
    );
  }
  L.push('');
  L.push(
    `Ensemble NLL below Deep Ensembles' on **${wins} of ${ran}** data sets that ran (bold; target: 6 of 9). ` +
      `Published numbers: Deep Ensembles paper, Table 1. ${PUBLISHED_NOTE} ` +
      (wallSeconds !== null ? `Wall time of this run: ${(wallSeconds / 60).toFixed(1)} min on the shared 2-core machine. ` : '') +
      `Total training time over the splits that ran: ${(r.results.reduce((a, b) => a + b.seconds, 0) / 60).toFixed(1)} min.`,
  );
  return L.join('\n');
}

/** The table of a `--bayesian` run: Bayes by backprop against PBP and MC-dropout, NLL and RMSE. */
export function reportBayesianMarkdown(r: ResultsFile, wallSeconds: number | null): string {
  const cfg = r.config;
  const L: string[] = [];
  L.push(
    `Protocol: standard splits of ${'`'}/work/shared/datasets/uci${'`'} (not redistributed), per-split standardization, one hidden ` +
      `layer of 50 ReLU units (100 for protein) as ${'`'}tfp.layers.DenseFlipout${'`'} layers (mean-field normal kernel posterior, ` +
      `N(0, 1) prior, TFP's initialization, deterministic biases) and an ${'`'}IndependentNormal${'`'} head, trained on the negative ELBO per ` +
      `example (mean NLL + KL / training rows, the KL from ${'`'}model.losses${'`'}) with Adam (lr ${cfg['lr']}${cfg['lrSchedule'] === 'cosine' ? ' with cosine decay to 0' : ', constant'}, ` +
      `batch ${cfg['batchSize'] === 'auto' ? '32 below 2000 training rows, else 100' : cfg['batchSize']}) for ${cfg['epochs']} epochs, no early stopping, through ` +
      `${'`'}fitModel${'`'} (the code of ${'`'}tfjs-prob fit --bayesian${'`'}). Prediction: the mixture of ${cfg['mcSamples']} forward passes. ` +
      `Test NLL per point in original units and RMSE of the mixture mean, mean ± std over the splits that ran. ` +
      `Published PBP and MC-dropout values: Deep Ensembles paper, Table 1. ${PUBLISHED_NOTE} Backend ${r.backend}; started ${r.started}.`,
  );
  L.push('');
  L.push('| data set | splits | NLL BBB (ours) | NLL PBP | NLL MC-dropout | NLL MC-dropout 2018 | RMSE BBB (ours) | RMSE PBP | RMSE MC-dropout | RMSE MC-dropout 2018 | train s/split |');
  L.push('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const ds of ORDER) {
    const rows = r.results.filter((x) => x.dataset === ds);
    const pub = PUBLISHED[ds]!;
    const pubR = PUBLISHED_RMSE[ds]!;
    if (rows.length === 0) {
      L.push(`| ${ds} | 0 | not run | ${pub[0]} | ${pub[1]} | ${GAL_2018[ds]![0]} | | ${pubR[0]} | ${pubR[1]} | ${GAL_2018[ds]![1]} | |`);
      continue;
    }
    const f = (v: number[]): string => {
      const [a, b] = meanStd(v);
      const dec = Math.min(6, Math.max(2, 1 - Math.floor(Math.log10(Math.abs(a) || 1))));
      return `${a.toFixed(dec)} ± ${b.toFixed(dec)}`;
    };
    const splits = rows.map((x) => x.split).sort((a, b) => a - b);
    const splitText = splits.length === splits[splits.length - 1]! + 1 ? `${splits.length} (0-${splits.length - 1})` : splits.join(',');
    L.push(
      `| ${ds} | ${splitText} | ${f(rows.map((x) => x.nllM))} | ${pub[0]} | ${pub[1]} | ${GAL_2018[ds]![0]} | ${f(rows.map((x) => x.rmseM))} | ${pubR[0]} | ${pubR[1]} | ${GAL_2018[ds]![1]} | ` +
        `${meanStd(rows.map((x) => x.seconds))[0].toFixed(1)} |`,
    );
  }
  L.push('');
  L.push(
    (wallSeconds !== null ? `Wall time of this run: ${(wallSeconds / 60).toFixed(1)} min on the shared 2-core machine. ` : '') +
      `Total training time over the splits that ran: ${(r.results.reduce((a, b) => a + b.seconds, 0) / 60).toFixed(1)} min.`,
  );
  return L.join('\n');
}

const SECTION = '## UCI regression benchmark';
const BAYES_SECTION = '## UCI regression benchmark: Bayes by backprop';

/** Replaces the section `title` of bench/RESULTS.md (appends it when missing and `append`). */
function writeSection(markdown: string, title = SECTION, append = false): void {
  const file = join(process.cwd(), 'bench', 'RESULTS.md');
  const text = readFileSync(file, 'utf8');
  const found = text.split('\n').findIndex((l) => l.trimEnd() === title);
  if (found < 0 && !append) throw new Error(`bench/RESULTS.md has no "${title}" section`);
  const body = `${title}\n\n${markdown}\n`;
  if (found < 0) {
    writeFileSync(file, `${text.trimEnd()}\n\n${body}`);
    return;
  }
  const start = text.split('\n').slice(0, found).join('\n').length + (found > 0 ? 1 : 0);
  const next = text.indexOf('\n## ', start + 5);
  const end = next < 0 ? text.length : next + 1;
  writeFileSync(file, text.slice(0, start) + body + (next < 0 ? '' : '\n') + text.slice(end));
}

async function main(): Promise<void> {
  const program = new Command()
    .name('bench:uci')
    .argument('[dir]', 'UCI data directory (one folder per data set)')
    .option('--datasets <list>', 'comma-separated subset', ORDER.join(','))
    .option('--splits <n>', 'at most this many splits per data set')
    .option('--first-split <k>', 'start at split k (to continue or spread a run over processes)', '0')
    .option('--ensemble <m>', 'networks in the ensemble', '5')
    .option('--epochs <n>', 'epochs', '40')
    .option('--batch-size <n>', "mini-batch size, or 'auto': 32 below 2000 training rows, else 100", 'auto')
    .option('--lr <rate>', 'Adam learning rate', '0.01')
    .option('--seed <n>', 'base seed', '1')
    .option('--lr-schedule <kind>', 'constant | cosine', 'constant')
    .option('--results <file>', 'JSON results file (rewritten after every split)', join(tmpdir(), 'tfjs-prob-uci-results.json'))
    .option('--report <files>', 'only build the table from results file(s), comma-separated')
    .option('--wall <seconds>', 'wall time to report with --report')
    .option('--write', 'write the UCI section of bench/RESULTS.md')
    .option('--bayesian', 'one Bayes-by-backprop network (DenseFlipout) per split instead of the ensemble')
    .option('--mc-samples <n>', 'forward passes averaged at prediction (with --bayesian)', '50')
    .parse();
  const o = program.opts<Record<string, string | boolean | undefined>>();
  if (o['report']) {
    // Several files (comma-separated; e.g. a data set run in a parallel process) are merged.
    const files = String(o['report']).split(',').map((f) => JSON.parse(readFileSync(f, 'utf8')) as ResultsFile);
    const r: ResultsFile = { ...files[0]!, results: files.flatMap((f) => f.results) };
    const bayes = r.config['bayesian'] === true;
    const md = (bayes ? reportBayesianMarkdown : reportMarkdown)(r, o['wall'] ? Number(o['wall']) : null);
    console.log(md);
    if (o['write']) writeSection(md, bayes ? BAYES_SECTION : SECTION, bayes);
    return;
  }
  const dir = program.args[0];
  if (!dir || !existsSync(dir)) {
    console.error(`bench:uci: give the UCI data directory, e.g. npm run bench:uci -- /work/shared/datasets/uci (got ${dir ?? 'nothing'})`);
    process.exit(2);
  }
  tf.env().set('PROD', true);
  const backend = await tfp.ready();
  const datasets = String(o['datasets']).split(',');
  const bayesian = o['bayesian'] === true;
  const cfg = {
    bayesian,
    mcSamples: Number(o['mcSamples']),
    ensemble: bayesian ? 1 : Number(o['ensemble']),
    epochs: Number(o['epochs']),
    batchSize: (o['batchSize'] === 'auto' ? 'auto' : Number(o['batchSize'])) as 'auto' | number,
    lr: Number(o['lr']),
    lrSchedule: String(o['lrSchedule']) as 'constant' | 'cosine',
    seed: Number(o['seed']),
    splits: o['splits'] ? Number(o['splits']) : null,
    datasets,
  };
  const out: ResultsFile = { config: cfg, started: new Date().toISOString(), backend, results: [] };
  const resultsFile = String(o['results']);
  const t0 = performance.now();
  for (const ds of datasets) {
    const base = join(dir, ds);
    if (!existsSync(join(base, 'data.txt'))) {
      console.error(`bench:uci: ${base}/data.txt not found`);
      process.exit(2);
    }
    const data = readMatrix(join(base, 'data.txt'));
    const feats = readInts(join(base, 'index_features.txt'));
    const target = readInts(join(base, 'index_target.txt'))[0]!;
    const hidden = readInts(join(base, 'n_hidden.txt'))[0]!;
    const nSplits = Math.min(readInts(join(base, 'n_splits.txt'))[0]!, cfg.splits ?? Infinity);
    for (let k = Number(o['firstSplit'] ?? 0); k < nSplits; k++) {
      const tr = readInts(join(base, `index_train_${k}.txt`));
      const te = readInts(join(base, `index_test_${k}.txt`));
      const sel = (rows: number[], cols: number[]): Float64Array => {
        const a = new Float64Array(rows.length * cols.length);
        rows.forEach((r, i) => cols.forEach((c, j) => (a[i * cols.length + j] = data[r]![c]!)));
        return a;
      };
      const xTr = sel(tr, feats);
      const yTr = sel(tr, [target]);
      const xTe = sel(te, feats);
      const yTe = sel(te, [target]);
      const names = feats.map((c) => `c${c}`);
      const s0 = performance.now();
      const fitted = await fitModel(xTr, yTr, tr.length, names, ['y'], {
        head: parseHead('normal'),
        hidden: [hidden],
        epochs: cfg.epochs,
        batchSize: typeof cfg.batchSize === 'number' ? cfg.batchSize : tr.length < 2000 ? 32 : 100,
        lr: cfg.lr,
        lrSchedule: cfg.lrSchedule,
        valSplit: 0,
        patience: cfg.epochs,
        ensemble: cfg.ensemble,
        seed: cfg.seed + 101 * k,
        ...(bayesian ? { bayesian: true, mcSamples: cfg.mcSamples } : {}),
      });
      const seconds = (performance.now() - s0) / 1000;
      const one = scores({ meta: { ...fitted.meta, members: [fitted.meta.members[0]!] }, members: [fitted.members[0]!] }, xTe, yTe, te.length);
      const all = bayesian ? one : scores(fitted, xTe, yTe, te.length);
      disposeFitted(fitted);
      const row: SplitResult = {
        dataset: ds,
        split: k,
        nTrain: tr.length,
        nTest: te.length,
        nll1: one.nll,
        rmse1: one.rmse,
        nllM: all.nll,
        rmseM: all.rmse,
        members: cfg.ensemble,
        seconds,
      };
      out.results.push(row);
      writeFileSync(resultsFile, JSON.stringify(out, null, 1));
      console.log(
        `${ds} split ${k}: NLL 1 net ${one.nll.toFixed(3)}, ${cfg.ensemble} nets ${all.nll.toFixed(3)} | RMSE ${one.rmse.toFixed(3)} / ${all.rmse.toFixed(3)} | ${seconds.toFixed(1)} s | tensors ${tf.memory().numTensors}`,
      );
    }
  }
  const wall = (performance.now() - t0) / 1000;
  const md = (bayesian ? reportBayesianMarkdown : reportMarkdown)(out, wall);
  console.log('\n' + md);
  if (o['write']) writeSection(md, bayesian ? BAYES_SECTION : SECTION, bayesian);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
