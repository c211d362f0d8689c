/**
 * Training progress: a cli-progress bar (epoch, loss, validation NLL) when
 * stdout is a terminal, plain lines otherwise (logs, pipes, tests).
 */
import cliProgress from 'cli-progress';
import type { OutStream } from './io.js';
import type { EpochInfo, TrainReporter } from './model.js';

const fmt = (v: number | null): string => (v === null ? '-' : v.toFixed(4));

export function makeReporter(out: OutStream, opts: { quiet?: boolean } = {}): TrainReporter & { stop(): void } {
  if (opts.quiet) return { epoch() {}, stop() {} };
  if (out.isTTY) {
    let bar: cliProgress.SingleBar | null = null;
    let current = -1;
    return {
      epoch(e: EpochInfo) {
        if (e.member !== current) {
          bar?.stop();
          current = e.member;
          bar = new cliProgress.SingleBar(
            {
              stream: out as unknown as NodeJS.WritableStream,
              format: `network ${e.member + 1}/${e.members} |{bar}| epoch {value}/{total} | loss {loss} | val NLL {val} | {duration_formatted}`,
              hideCursor: true,
              clearOnComplete: false,
            },
            cliProgress.Presets.shades_classic,
          );
          bar.start(e.epochs, 0, { loss: '-', val: '-' });
        }
        bar!.update(e.epoch, { loss: fmt(e.loss), val: fmt(e.valNll) });
      },
      memberDone(m) {
        bar?.stop();
        bar = null;
        current = -1;
        if (m.bestValNll !== null) {
          out.write(`  network ${m.member + 1}: stopped after ${m.epochsRun} epochs, best val NLL ${fmt(m.bestValNll)} at epoch ${m.bestEpoch} (weights restored)\n`);
        }
      },
      stop() {
        bar?.stop();
      },
    };
  }
  return {
    epoch(e: EpochInfo) {
      const every = Math.max(1, Math.floor(e.epochs / 10));
      if (e.epoch === 1 || e.epoch % every === 0 || e.epoch === e.epochs) {
        out.write(
          `network ${e.member + 1}/${e.members} epoch ${e.epoch}/${e.epochs} loss ${fmt(e.loss)} val_nll ${fmt(e.valNll)}\n`,
        );
      }
    },
    memberDone(m) {
      if (m.bestValNll !== null) {
        out.write(`network ${m.member + 1}/${m.members} stopped after ${m.epochsRun} epochs, best val_nll ${fmt(m.bestValNll)} at epoch ${m.bestEpoch} (weights restored)\n`);
      }
    },
    stop() {},
  };
}
