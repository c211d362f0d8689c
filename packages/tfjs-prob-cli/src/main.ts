#!/usr/bin/env node
/**
 * `tfjs-prob`: distributional regression on CSV files.
 *
 *   tfjs-prob fit data.csv --x X1,X2 --y Y1,Y2 --head normal|mvn-tril|mixture:K --out model/
 *   tfjs-prob predict model/ data.csv [--format csv|json] [--levels 0.5,0.9]
 *   tfjs-prob sample model/ data.csv --n 100 [--seed 1]
 *   tfjs-prob evaluate model/ data.csv
 *   tfjs-prob plot model/ data.csv --x-col X1 --out fig.png
 *   tfjs-prob split data.csv --test-fraction 0.2 --seed 0 --train train.csv --test test.csv
 *   tfjs-prob demo
 *
 * `main(argv, io)` runs one command in-process and resolves with the exit
 * status: 0 success, 2 bad input or arguments (one line on stderr naming the
 * file, row and column where they apply), 1 internal failure.
 */
import { DEFAULT_INDUCING, EXACT_MAX_ROWS } from './gp.js';
import * as tf from '@tensorflow/tfjs';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import * as tfp from 'tfjs-probability';
import { evaluateCommand, fitCommand, plotCommand, predictCommand, sampleCommand } from './commands.js';
import { CliError, oneLine } from './errors.js';
import type { CliIo } from './io.js';

export interface MainOptions {
  /** Initialize a backend with tfp.ready() (default true; tests that already set one pass false). */
  initBackend?: boolean;
}

const HELP_EPILOG = `
Exit status: 0 success, 2 bad input or arguments, 1 internal failure.
Examples:
  tfjs-prob split data.csv --test-fraction 0.2 --train train.csv --test test.csv
  tfjs-prob fit train.csv --x X1,X2 --y Y --head normal --out model/
  tfjs-prob evaluate model/ test.csv
  tfjs-prob plot model/ test.csv --x-col X1 --out fig.png
  tfjs-prob demo`;

function buildProgram(io: CliIo, init: () => Promise<void>): Command {
  const program = new Command();
  program
    .name('tfjs-prob')
    .description('Distributional regression on CSV files with tfjs-probability: fit networks that predict a whole distribution per row.')
    .option('--backend <name>', 'tfjs backend (wasm, cpu, tensorflow); default: the fastest available')
    .exitOverride()
    .showHelpAfterError(false)
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: () => {}, // errors are reported once, as one line, by main()
      outputError: () => {},
    })
    .addHelpText('after', HELP_EPILOG);

  program
    .command('fit')
    .description('train a network (or an ensemble) whose output is a distribution over the target columns')
    .argument('<data>', 'training data: CSV with a header line, or JSON / NDJSON records (.json, .ndjson, .jsonl)')
    .requiredOption('--x <cols>', 'input columns, comma-separated')
    .requiredOption('--y <cols>', 'target columns, comma-separated')
    .option('--head <head>', 'normal | mvn-tril | mixture:K | poisson | negbin | zinb (count targets) | gp (Gaussian process, one target)', 'normal')
    .option('--hidden <units>', 'hidden layer sizes, comma-separated (relu)', '64,64')
    .option('--epochs <n>', 'maximum epochs', '200')
    .option('--batch-size <n>', 'mini-batch size', '64')
    .option('--lr <rate>', 'Adam learning rate', '0.003')
    .option('--lr-schedule <kind>', 'constant | cosine (decay to 0 over --epochs)', 'constant')
    .option('--val-split <fraction>', 'held-out fraction for early stopping on validation NLL (0: none)', '0.1')
    .option('--patience <n>', 'epochs without validation improvement before stopping', '20')
    .option('--ensemble <m>', 'train M networks from different seeds and predict their uniform mixture', '1')
    .option('--seed <n>', 'random seed (initialization, shuffling, split)', '0')
    .option('--bayesian', 'Bayes by backprop: DenseFlipout layers (weight posterior), KL added to the NLL; predicts the mixture of --mc-samples passes')
    .option('--mc-samples <n>', 'forward passes averaged per network at prediction (with --bayesian)', '50')
    .option('--kernel <name>', 'with --head gp: matern52 | rbf (one length scale per input column)', 'matern52')
    .option('--inducing <m>', `with --head gp: M inducing points (default: exact up to ${EXACT_MAX_ROWS} rows, else ${DEFAULT_INDUCING})`)
    .option('--quiet', 'no progress output')
    .option('--drop-missing', 'skip rows with an empty, NA or NaN cell in the --x/--y columns (default: such a row is an error)')
    .requiredOption('--out <dir>', 'model directory to write (written atomically)')
    .action(async (data: string, o: Record<string, string>) => {
      await init();
      await fitCommand(io, data, o);
    });

  program
    .command('predict')
    .description('per row: mean, standard deviations, covariance (mvn-tril) and central intervals')
    .argument('<model>', 'model directory written by fit')
    .argument('<data>', 'CSV with the input columns')
    .option('--format <fmt>', 'csv | json', 'csv')
    .option('--levels <list>', 'central interval levels, comma-separated', '0.5,0.9')
    .option('--out <file>', 'write here (atomically) instead of stdout')
    .action(async (model: string, data: string, o: Record<string, string>) => {
      await init();
      await predictCommand(io, model, data, o);
    });

  program
    .command('sample')
    .description('draws from the predictive distribution of each row, long format: row,draw,Y1,...')
    .argument('<model>', 'model directory written by fit')
    .argument('<data>', 'CSV with the input columns')
    .requiredOption('--n <draws>', 'draws per row')
    .option('--seed <n>', 'random seed', '0')
    .option('--out <file>', 'write here (atomically) instead of stdout')
    .action(async (model: string, data: string, o: Record<string, string>) => {
      await init();
      await sampleCommand(io, model, data, o);
    });

  program
    .command('evaluate')
    .description('NLL, RMSE, CRPS / energy score, interval coverage and a PIT histogram on labelled data')
    .argument('<model>', 'model directory written by fit')
    .argument('<data>', 'CSV with the input and target columns')
    .option('--format <fmt>', 'text | json', 'text')
    .option('--samples <n>', 'draws per row for the energy score (non-normal heads)', '500')
    .option('--seed <n>', 'random seed for the energy score draws', '1')
    .option('--drop-missing', 'skip rows with an empty, NA or NaN cell in the model\'s columns')
    .option('--out <file>', 'write here (atomically) instead of stdout')
    .action(async (model: string, data: string, o: Record<string, string>) => {
      await init();
      await evaluateCommand(io, model, data, o);
    });

  program
    .command('plot')
    .description('predictions with 50% and 90% central intervals against one input column, and the PIT histogram')
    .argument('<model>', 'model directory written by fit')
    .argument('<data>', 'CSV with the input columns (and targets, for points and PIT)')
    .requiredOption('--x-col <col>', 'column for the horizontal axis')
    .requiredOption('--out <file>', 'figure.png or figure.svg')
    .option('--title <text>', 'figure title')
    .action(async (model: string, data: string, o: Record<string, string>) => {
      await init();
      await plotCommand(io, model, data, o);
    });

  program
    .command('split')
    .description('a seeded train/test split of a data file (CSV, JSON or NDJSON records), rows unchanged')
    .argument('<data>', 'data file')
    .option('--test-fraction <f>', 'fraction of the rows for the test file', '0.2')
    .option('--seed <n>', 'random seed of the split', '0')
    .requiredOption('--train <file>', 'training rows go here')
    .requiredOption('--test <file>', 'test rows go here')
    .action(async (data: string, o: Record<string, string>) => {
      const { splitCommand } = await import('./split.js');
      splitCommand(io, data, o);
    });

  program
    .command('demo')
    .description('fit, predict, evaluate and plot on bundled data (a noisy spiral and the 6-row recipe table)')
    .option('--out-dir <dir>', 'where to write models and figures (default: a new temporary directory)')
    .option('--full', 'longer training (not the quick settings)')
    .action(async (o: { outDir?: string; full?: boolean }) => {
      await init();
      const { runDemo } = await import('./demo.js');
      await runDemo(io, o);
    });
  return program;
}

/** Runs the CLI with `argv` (the arguments after the program name). Resolves with the exit status. */
export async function main(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }, options: MainOptions = {}): Promise<number> {
  let initialized = false;
  const init = async (): Promise<void> => {
    if (initialized) return;
    initialized = true;
    tf.env().set('PROD', true); // no console chatter from tfjs on stdout/stderr
    const backend = program.opts<{ backend?: string }>().backend;
    if (options.initBackend === false && backend === undefined) return;
    try {
      await tfp.ready(backend ? { backend } : {});
    } catch (e) {
      throw new CliError(`--backend ${backend}: ${(e as Error).message}`);
    }
  };
  const program = buildProgram(io, init);
  if (argv.length === 0) {
    io.stdout.write(program.helpInformation());
    return 2;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      io.stderr.write(`tfjs-prob: ${oneLine(e.message.replace(/^error:\s*/, ''))}\n`);
      return 2;
    }
    if (e instanceof CliError) {
      io.stderr.write(`tfjs-prob: ${oneLine(e.message)}\n`);
      return e.exitCode;
    }
    const err = e as Error;
    io.stderr.write(`tfjs-prob: internal error: ${oneLine(`${err?.name ?? 'Error'}: ${err?.message ?? String(e)}`)}\n`);
    if (process.env['TFJS_PROB_DEBUG']) io.stderr.write(`${err?.stack}\n`);
    return 1;
  }
}

function invokedDirectly(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

/** Runs the CLI on process.argv and sets the exit status (the bin entry and `tsx src/cli/main.ts` use this). */
export async function runFromProcess(): Promise<void> {
  // `tfjs-prob predict ... | head`: a closed pipe ends the program quietly.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`tfjs-prob: internal error: ${oneLine(String(e))}\n`);
    process.exitCode = 1;
  }
}

if (invokedDirectly()) void runFromProcess();
