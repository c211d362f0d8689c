/**
 * Can Node use tfjs-backend-wasm's threaded-SIMD binary? tfjs never picks it in Node
 * (WASM_HAS_MULTITHREAD_SUPPORT is hard-coded false there), so this registers a 'wasm' backend
 * factory that instantiates it directly (the pthread worker script written to a temp file, run by
 * worker_threads), checks a matMul against the cpu backend, reports the thread pool's size and
 * times matMuls (wall and CPU).
 *
 *   npx tsx bench/wasm_threads.ts [threads]
 *
 * Finding (2026-11-30, Node 20, tfjs 4.22): it loads and computes correctly, but
 * getThreadsCount() stays 1 and no pthread worker runs, so there is no speed-up to use.
 */
import * as tf from '@tensorflow/tfjs';
import { BackendWasm, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cpuMs } from './cpu_time.js';
const require = createRequire(import.meta.url);
const root = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
const threads = Number(process.argv[2] ?? 2);
const factory = require(join(root, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js')) as (cfg: object) => Promise<any>;
const { wasmWorkerContents } = require(join(root, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string };
const workerFile = join(tmpdir(), 'tfp-wasm-threaded-simd.worker.js');
writeFileSync(workerFile, wasmWorkerContents.replace(/\n/g, '\\n'));
tf.removeBackend('wasm');
tf.registerBackend('wasm', async () => {
  const wasm = await factory({
    locateFile: (p: string) => (p.endsWith('.worker.js') ? workerFile : join(root, 'dist', p)),
    mainScriptUrlOrBlob: join(root, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js'),
  });
  wasm.tfjs = {
    init: wasm.cwrap('init', null, []),
    initWithThreadsCount: wasm.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: wasm.cwrap('get_threads_count', 'number', []),
    registerTensor: wasm.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: wasm.cwrap('dispose_data', null, ['number']),
    dispose: wasm.cwrap('dispose', null, []),
  };
  return new BackendWasm(wasm);
}, 2);
setThreadsCount(threads);
const t = setTimeout(() => { console.log('init timeout'); process.exit(2); }, 30000);
console.log('setBackend', await tf.setBackend('wasm'));
clearTimeout(t);
{ const w = (tf.backend() as any).wasm; console.log('threads', w.tfjs.getThreadsCount(), 'running', w.PThread.runningWorkers.length, 'unused', w.PThread.unusedWorkers.length); w.tfjs.initWithThreadsCount(threads); console.log('after re-init', w.tfjs.getThreadsCount(), 'running', w.PThread.runningWorkers.length); }
const a = tf.randomNormal([128, 128]) as tf.Tensor2D;
{
  // Correctness against the cpu backend.
  const got = tf.matMul(a, a).dataSync();
  const av = a.dataSync();
  await tf.setBackend('cpu');
  const want = tf.matMul(tf.tensor2d(av, [128, 128]), tf.tensor2d(av, [128, 128])).dataSync();
  await tf.setBackend('wasm');
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / (1 + Math.abs(want[i]!)));
  console.log('max relative difference against cpu', worst.toExponential(2));
}
const b = tf.randomNormal([128, 60]) as tf.Tensor2D;
const big = tf.randomNormal([512, 512]) as tf.Tensor2D;
for (const [name, x, y, reps] of [['128x128x128', a, a, 400], ['128x128x60', a, b, 400], ['512^3', big, big, 20]] as const) {
  const ws: number[] = [], cs: number[] = [];
  for (let r = 0; r < 7; r++) { const c0 = process.cpuUsage(); const t0 = performance.now(); for (let i = 0; i < reps; i++) tf.matMul(x, y).dispose(); ws.push((performance.now() - t0) / reps); cs.push(cpuMs(c0) / reps); }
  ws.sort((p, q) => p - q); cs.sort((p, q) => p - q);
  console.log(name, 'wall min', ws[0]!.toFixed(4), 'med', ws[3]!.toFixed(4), 'ms; cpu med', cs[3]!.toFixed(4));
}
{ const w = (tf.backend() as any).wasm; console.log('end: threads', w.tfjs.getThreadsCount(), 'running', w.PThread.runningWorkers.length, 'pthreads', Object.keys(w.PThread.pthreads).length); }
process.exit(0);
