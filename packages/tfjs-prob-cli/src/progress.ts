/**
 * Training progress: a cli-progress bar (epoch, loss, validation NLL) when
 * stdout is a terminal, plain lines otherwise (logs, pipes, tests).
 */
import cliProgress from 'cli-progress';
import type { OutStream } from './io.js';
import type { EpochInfo, MemberHistory, TrainReporter } from './model.js';

const fmt = (v: number | null): string => (v === null ? '-' : v.toFixed(4));

function writeDone(out: OutStream, history: MemberHistory[]): void {
  history.forEach((h, m) => {
    if (h.bestValNll !== null) {
      out.write(
        `${history.length > 1 ? `network ${m + 1}: ` : ''}best val NLL ${fmt(h.bestValNll)} at epoch ${h.bestEpoch} of ${h.epochsRun} (weights of that epoch kept)\n`,
      );
    }
  });
}

export function makeReporter(out: OutStream, opts: { quiet?: boolean } = {}): TrainReporter & { stop(): void } {
  if (opts.quiet) return { epoch() {}, stop() {} };
  if (out.isTTY) {
    let bar: cliProgress.SingleBar | null = null;
    return {
      epoch(e: EpochInfo) {
        if (!bar) {
          bar = new cliProgress.SingleBar(
            {
              stream: out as unknown as NodeJS.WritableStream,
              format: `${e.members > 1 ? `${e.members} networks` : 'network'} |{bar}| epoch {value}/{total} | loss {loss} | val NLL {val} | {duration_formatted}`,
              hideCursor: true,
              clearOnComplete: false,
            },
            cliProgress.Presets.shades_classic,
          );
          bar.start(e.epochs, 0, { loss: '-', val: '-' });
        }
        bar!.update(e.epoch, { loss: fmt(e.loss), val: fmt(e.valNll) });
      },
      done(history) {
        bar?.stop();
        bar = null;
        writeDone(out, history);
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
          `${e.members > 1 ? `${e.members} networks ` : ''}epoch ${e.epoch}/${e.epochs} loss ${fmt(e.loss)} val_nll ${fmt(e.valNll)}\n`,
        );
      }
    },
    done(history) {
      writeDone(out, history);
    },
    stop() {},
  };
}
