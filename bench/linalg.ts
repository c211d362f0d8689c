/**
 * Micro-benchmarks of tfp.math linear algebra: the plain-loop kernels (cpu/wasm)
 * against the composed tf-op fallback, interleaved, medians of wall time.
 *
 *   node --import tsx bench/linalg.ts [--backend wasm|cpu] [--reps 7] [--quick]
 */
import * as tf from '@tensorflow/tfjs';
import { ready } from '../packages/tfjs-probability/src/node.js';
import { setKernelsEnabled } from '../packages/tfjs-probability/src/kernels/register.js';
import { cholesky, triangularSolve } from '../packages/tfjs-probability/src/math/linalg.js';
import { mvnTrilLogProb, mvnTrilSample } from '../packages/tfjs-probability/src/math/mvn_ops.js';
import { randomNormal } from '../packages/tfjs-probability/src/math/random.js';

const argv = process.argv.slice(2);
const arg = (name: string, dflt: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] ?? dflt : dflt;
};
const backend = arg('backend', 'wasm');
const reps = Number(arg('reps', '7'));
const quick = argv.includes('--quick');

await ready({ backend });

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Runs each variant `reps` times interleaved (after one warm-up each); returns
 * medians of wall time in ms. Median process CPU time (less sensitive to a
 * shared, loaded machine) is kept in `cpuMedians`.
 */
const cpuMedians: Record<string, number> = {};
function race(variants: Record<string, () => tf.Tensor | tf.Tensor[]>): Record<string, number> {
  const times: Record<string, number[]> = {};
  const cpu: Record<string, number[]> = {};
  const names = Object.keys(variants);
  for (const n of names) {
    times[n] = [];
    cpu[n] = [];
    tf.dispose(variants[n]!()); // warm-up (also reads nothing back: ops are synchronous on cpu/wasm)
  }
  for (let r = 0; r < reps; r++) {
    for (const n of names) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const out = variants[n]!();
      // force completion: read one value of each output
      for (const o of Array.isArray(out) ? out : [out]) o.dataSync();
      times[n]!.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu[n]!.push((c.user + c.system) / 1000);
      tf.dispose(out);
    }
  }
  for (const n of names) cpuMedians[n] = median(cpu[n]!);
  return Object.fromEntries(names.map((n) => [n, median(times[n]!)]));
}

function withKernels<T>(on: boolean, f: () => T): () => T {
  return () => {
    setKernelsEnabled(on);
    try {
      return f();
    } finally {
      setKernelsEnabled(true);
    }
  };
}

function trilScale(batch: number[], d: number, seed: number): tf.Tensor {
  return tf.tidy(() => {
    const raw = tf.mul(randomNormal([...batch, d, d], seed), 0.3 / Math.sqrt(d));
    const eye = tf.eye(d);
    return tf.add(tf.mul(raw, tf.linalg.bandPart(tf.ones([d, d]), -1, 0)), tf.mul(eye, 1.5));
  });
}

const rows: string[] = [];
function report(name: string, r: Record<string, number>, baseline?: string) {
  const parts = Object.entries(r).map(([k, v]) => `${k} ${v.toFixed(1)} ms (cpu ${cpuMedians[k]!.toFixed(1)})`);
  const ratio = baseline && r[baseline] !== undefined && r['kernel'] !== undefined ? ` (composed/kernel ${(r[baseline]! / r['kernel']!).toFixed(1)}x)` : '';
  const line = `| ${name} | ${parts.join(' · ')}${ratio} |`;
  rows.push(line);
  console.log(line);
}

console.log(`backend ${tf.getBackend()}, reps ${reps}`);
const N = quick ? 10_000 : 100_000;

for (const [d, perRow] of [[5, true], [5, false], [32, false]] as Array<[number, boolean]>) {
  const loc = randomNormal([N, d], 1);
  const x = randomNormal([N, d], 2);
  const l = trilScale(perRow ? [N] : [], d, 3);
  const lp = () => mvnTrilLogProb(x, loc, l);
  const lpGrad = () => tf.grads((m: tf.Tensor, s: tf.Tensor) => tf.sum(mvnTrilLogProb(x, m, s)))([loc, l]);
  const what = `N=${N} D=${d} scaleTril ${perRow ? '[N,D,D]' : '[D,D]'}`;
  // The composed fallback with a shared L (broadcast) and at D=32 takes many seconds to
  // minutes on wasm at N=100k: it is only timed in --quick mode (N=10k) there.
  const composedFwd = quick || d !== 32;
  const composedGrad = quick ? d !== 32 : perRow;
  report(`mvnTrilLogProb ${what}`, race({ kernel: withKernels(true, lp), ...(composedFwd ? { composed: withKernels(false, lp) } : {}) }), 'composed');
  report(`mvnTrilLogProb+grad(loc, L) ${what}`, race({ kernel: withKernels(true, lpGrad), ...(composedGrad ? { composed: withKernels(false, lpGrad) } : {}) }), 'composed');
  tf.dispose([loc, x, l]);
}

{
  const n = quick ? 1000 : 10_000;
  const d = 5;
  const s = 100;
  const loc = randomNormal([n, d], 4);
  const l = trilScale([n], d, 5);
  report(`randomNormal [${s}, ${n}, ${d}] (5M values)`, race({
    ours: () => randomNormal([s, n, d], 6),
    'tf.randomNormal': () => tf.randomNormal([s, n, d], 0, 1, 'float32', 6),
  }));
  report(`sample: randomNormal + mvnTrilSample, S=${s} N=${n} D=${d}`, race({
    kernel: withKernels(true, () => tf.tidy(() => mvnTrilSample(loc, l, randomNormal([s, n, d], 7)))),
    composed: withKernels(false, () => tf.tidy(() => mvnTrilSample(loc, l, randomNormal([s, n, d], 7)))),
  }), 'composed');
  tf.dispose([loc, l]);
}

for (const [b, n] of [[10_000, 5], [100, 32]] as Array<[number, number]>) {
  const a = tf.tidy(() => {
    const m = randomNormal([b, n, n], 8);
    return tf.add(tf.matMul(m, tf.transpose(m, [0, 2, 1])), tf.mul(tf.eye(n), n));
  });
  const rhs = randomNormal([b, n, 4], 9);
  const lo = cholesky(a);
  report(`cholesky [${b}, ${n}, ${n}]`, race({ kernel: withKernels(true, () => cholesky(a)), composed: withKernels(false, () => cholesky(a)) }), 'composed');
  report(`cholesky+grad [${b}, ${n}, ${n}]`, race({
    kernel: withKernels(true, () => tf.grad((t: tf.Tensor) => tf.sum(cholesky(t)))(a)),
    composed: withKernels(false, () => tf.grad((t: tf.Tensor) => tf.sum(cholesky(t)))(a)),
  }), 'composed');
  report(`triangularSolve [${b}, ${n}, ${n}] x [${b}, ${n}, 4]`, race({
    kernel: withKernels(true, () => triangularSolve(lo, rhs)),
    composed: withKernels(false, () => triangularSolve(lo, rhs)),
  }), 'composed');
  tf.dispose([a, rhs, lo]);
}

console.log('\n' + rows.join('\n'));
