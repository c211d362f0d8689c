/**
 * A long-lived PyTorch child process for side-by-side benchmarks: the
 * benchmark sends one JSON command per line on stdin and reads one JSON reply
 * per line, so tfjs and PyTorch repetitions can be interleaved in one run.
 * Runs Debian's python3-torch with the OpenBLAS pthread build, single-threaded
 * BLAS (the fair baseline; the reference BLAS is ~6x slower).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';

export class TorchChild {
  private readonly lines: AsyncIterableIterator<string>;
  private readonly proc: ChildProcessWithoutNullStreams;

  /** `args` are python3's arguments (a script path, or `-c` and source); `label` names it in errors. */
  constructor(args: string[], private readonly label: string) {
    this.proc = spawn('/usr/bin/python3', args, {
      env: { ...process.env, LD_LIBRARY_PATH: '/usr/lib/x86_64-linux-gnu/openblas-pthread', OPENBLAS_NUM_THREADS: '1' },
      stdio: ['pipe', 'pipe', 'inherit'],
    }) as unknown as ChildProcessWithoutNullStreams;
    this.lines = createInterface({ input: this.proc.stdout })[Symbol.asyncIterator]();
  }

  /** Sends one command and waits for its reply; a reply with `error` throws. */
  async send(msg: object): Promise<Record<string, unknown>> {
    this.proc.stdin.write(JSON.stringify(msg) + '\n');
    const { value, done } = await this.lines.next();
    if (done) throw new Error(`${this.label} exited`);
    const r = JSON.parse(value) as Record<string, unknown>;
    if (r['error']) throw new Error(`${this.label}: ${String(r['error'])}`);
    return r;
  }

  quit(): void {
    this.proc.stdin.write('{"cmd":"quit"}\n');
    this.proc.stdin.end();
  }
}
