import { cpuMs } from './cpu_time.js';
import * as tf from '@tensorflow/tfjs';
import { ready } from '../packages/tfjs-probability/src/node.js';
import { makeData, runOnce, type Workload } from './mvn.js';
await ready({ backend: 'wasm' });
const which = process.argv[2] ?? 'lp32';
const ws: Record<string, Workload> = {
  lp5: { name: 'lp5', kind: 'logprob', n: 100_000, d: 5, reps: 7, composed: false },
  lp32: { name: 'lp32', kind: 'logprob', n: 100_000, d: 32, reps: 7, composed: false },
  g32: { name: 'g32', kind: 'logprob_grad', n: 100_000, d: 32, reps: 7, composed: false },
  s5: { name: 's5', kind: 'sample', n: 10_000, d: 5, samples: 100, reps: 7, composed: false },
  rn: { name: 'rn', kind: 'randn', n: 10_000, d: 5, samples: 100, reps: 7, composed: false },
};
const w = ws[which]!;
const data = makeData(w.n, w.d, 1);
const ts: number[] = [];
const cs: number[] = [];
for (let r = 0; r < 9; r++) { const c0 = process.cpuUsage(); ts.push(runOnce(w, data, r)); cs.push(cpuMs(c0)); }
ts.sort((a, b) => a - b);
cs.sort((a, b) => a - b);
console.log(which, 'wall min', ts[0]!.toFixed(1), 'median', ts[4]!.toFixed(1), 'ms; cpu min', cs[0]!.toFixed(1), 'median', cs[4]!.toFixed(1));
