/**
 * Page side of bench/browser.ts (built and opened by test/browser/harness.ts as
 * index.html?backend=webgl|wasm|cpu): recipe 002's MDN, one `model.fit` epoch of 10,000 points
 * (batch 128, tf.train.adam, library defaults) timed over `epochs` epochs after a warm-up; on
 * webgl also the composed (non-fused) paths of the cpu/wasm kernels against plain tfjs ops.
 */
import * as tf from '@tensorflow/tfjs';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import * as tfp from 'tfjs-probability';
import { mdnActivation } from '../packages/tfjs-probability/src/kernels/mixture_mdn_activation.js';
import { mvnTrilLogProb } from '../packages/tfjs-probability/src/math/mvn_ops.js';
import { mixtureNormalLogProbFromParams } from '../packages/tfjs-probability/src/kernels/mixture_normal_logprob.js';
import { reportFromPage } from '../test/browser/page_report.js';

const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;

/** Median ms of `f` (awaiting its result's data so GPU work is included), after one warm-up call. */
async function timeOp(f: () => tf.Tensor, reps = 7): Promise<number> {
  const w = f();
  await w.data();
  w.dispose();
  const ts: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    const y = f();
    await y.data();
    ts.push(performance.now() - t0);
    y.dispose();
  }
  return median(ts);
}

reportFromPage(async () => {
  const q = new URLSearchParams(location.search);
  const backend = q.get('backend') ?? 'webgl';
  const epochs = Number(q.get('epochs') ?? 3);
  const report: Record<string, unknown> = {};
  // threads=N: the wasm backend's thread count (tfjs' default is half the hardware threads, so 1 on 2 cores).
  if (backend === 'wasm' && q.get('threads')) wasm.setThreadsCount(Number(q.get('threads')));
  report['backend'] = backend === 'wasm' ? await tfp.ready({ backend, wasm, wasmPaths: '/wasm/' }) : await tfp.ready({ backend });
  if (backend === 'wasm') {
    report['wasmThreads'] = wasm.getThreadsCount();
    const wm = (tf.backend() as unknown as { wasm?: { asm?: { memory?: WebAssembly.Memory }; wasmMemory?: WebAssembly.Memory } }).wasm;
    const mem = wm?.asm?.memory ?? wm?.wasmMemory; // the threaded build keeps its (imported, shared) memory here
    report['wasmSharedMemory'] = typeof SharedArrayBuffer !== 'undefined' && mem?.buffer instanceof SharedArrayBuffer;
    report['wasmThreadsSupported'] = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    const m = (tf.backend() as unknown as { wasm: Record<string, unknown> }).wasm;
    const pt = m['PThread'] as { unusedWorkers?: unknown[]; runningWorkers?: unknown[] } | undefined;
    report['pthreadWorkers'] = pt ? { unused: pt.unusedWorkers?.length, running: pt.runningWorkers?.length } : null;
    report['hardwareConcurrency'] = navigator.hardwareConcurrency;
  }
  report['crossOriginIsolated'] = globalThis.crossOriginIsolated === true;
  const N = 10_000;
  const K = 20;
  const [x, y] = tf.tidy(() => {
    const angle = tf.randomUniform([N], 0, 4 * Math.PI, 'float32', 1);
    const xy = tf.add(tf.stack([tf.mul(angle, tf.cos(angle)), tf.mul(angle, tf.sin(angle))], 1), tf.randomNormal([N, 2], 0, 0.2, 'float32', 2));
    const s = tf.mul(5, tf.div(tf.sub(xy, tf.min(xy)), tf.sub(tf.max(xy), tf.min(xy))));
    return tf.split(s, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
  });
  const head = new tfp.layers.MixtureDensity({ eventSize: 1, numComponents: K, seed: 3 });
  const model = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [1], units: 128, activation: 'relu' }), tf.layers.dense({ units: 128, activation: 'relu' }), head],
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: tfp.losses.negativeLogLikelihood(head) });
  await model.fit(x, y, { batchSize: 128, epochs: 1, verbose: 0 }); // warm-up (shader compilation on webgl)
  const ts: number[] = [];
  for (let e = 0; e < epochs; e++) {
    const t0 = performance.now();
    await model.fit(x, y, { batchSize: 128, epochs: 1, verbose: 0 });
    ts.push(performance.now() - t0);
  }
  report['fitEpochMs'] = ts;
  report['fitEpochMedianMs'] = median(ts);

  if (backend === 'webgl') {
    // Composed paths (what webgl runs) against the plain tfjs ops a user would write.
    const z = tf.randomNormal([128, 3 * K], 0, 1, 'float32', 4);
    const yb = tf.randomNormal([128, 1], 0, 1, 'float32', 5);
    const act = (zz: tf.Tensor) => mdnActivation(zz, K, 2 * K, 1e-7);
    const plainAct = (zz: tf.Tensor) => {
      const [mu, s, l] = tf.split(zz, 3, 1);
      return tf.concat([mu!, tf.add(tf.elu(s!), 1 + 1e-7), l!], 1);
    };
    const params = tf.tidy(() => act(z));
    const mixLp = () => head.toDistribution(params).logProb(yb);
    const plainLp = () =>
      tf.tidy(() => {
        const [mu, s, l] = tf.split(params, 3, 1);
        const zz = tf.div(tf.sub(yb, mu!), s!);
        const comp = tf.sub(tf.mul(-0.5, tf.square(zz)), tf.add(tf.log(s!), 0.5 * Math.log(2 * Math.PI)));
        return tf.logSumExp(tf.add(tf.logSoftmax(l!), comp), 1);
      });
    const grad = (f: (t: tf.Tensor) => tf.Tensor, t: tf.Tensor) => () => tf.grad((u: tf.Tensor) => tf.sum(f(u)))(t);
    const lpOf = (fromParams: boolean) => (p: tf.Tensor) =>
      fromParams
        ? tf.tidy(() => {
            const d = head.toDistribution(p);
            const r = d.logProb(yb);
            d.dispose();
            return r;
          })
        : tf.tidy(() => {
            const [mu, s, l] = tf.split(p, 3, 1);
            const zz = tf.div(tf.sub(yb, mu!), s!);
            return tf.logSumExp(tf.add(tf.logSoftmax(l!), tf.sub(tf.mul(-0.5, tf.square(zz)), tf.add(tf.log(s!), 0.5 * Math.log(2 * Math.PI)))), 1);
          });
    const opOnly = (p: tf.Tensor) => mixtureNormalLogProbFromParams(p, yb, { numComponents: K, eventSize: 1, layout: 'mdn' });
    const d = 5;
    const n = 10_000;
    const loc = tf.randomNormal([n, d], 0, 1, 'float32', 6);
    const xs = tf.randomNormal([n, d], 0, 1, 'float32', 7);
    const L = tf.tidy(() => tf.add(tf.mul(tf.linalg.bandPart(tf.randomNormal([n, d, d], 0, 0.3, 'float32', 8), -1, 0), tf.sub(1, tf.eye(d))), tf.eye(d)));
    const mvn = () => tf.tidy(() => {
      const m = new tfp.distributions.MultivariateNormalTriL({ loc, scaleTril: L });
      const r = m.logProb(xs);
      m.dispose();
      return r;
    });
    // Plain tfjs: x - loc solved against L by forward substitution written with per-column ops.
    const plainMvn = () => tf.tidy(() => {
      const diff = tf.sub(xs, loc);
      const cols: tf.Tensor[] = [];
      for (let i = 0; i < d; i++) {
        let s = tf.slice(diff, [0, i], [n, 1]);
        for (let k = 0; k < i; k++) s = tf.sub(s, tf.mul(tf.reshape(tf.slice(L, [0, i, k], [n, 1, 1]), [n, 1]), cols[k]!));
        cols.push(tf.div(s, tf.reshape(tf.slice(L, [0, i, i], [n, 1, 1]), [n, 1])));
      }
      const zz = tf.concat(cols, 1);
      const logDet = tf.sum(tf.log(tf.abs(tf.sum(tf.mul(L, tf.eye(d)), -1))), -1);
      return tf.sub(tf.sub(tf.mul(-0.5, tf.sum(tf.square(zz), 1)), logDet), 0.5 * d * Math.log(2 * Math.PI));
    });
    report['webglComposedVsPlainMs'] = {
      mdnActivation: { composed: await timeOp(() => act(z)), plain: await timeOp(() => plainAct(z)) },
      mdnActivationGrad: { composed: await timeOp(grad(act, z)), plain: await timeOp(grad(plainAct, z)) },
      mixtureLogProb: { composed: await timeOp(mixLp), plain: await timeOp(plainLp) },
      mixtureLogProbGrad: { composed: await timeOp(grad(lpOf(true), params)), plain: await timeOp(grad(lpOf(false), params)) },
      mixtureLogProbOpOnlyGrad: { composed: await timeOp(grad(opOnly, params)), plain: await timeOp(grad(lpOf(false), params)) },
      mvnTrilLogProbN10kD5: { composed: await timeOp(mvn), plain: await timeOp(plainMvn) },
      mvnTrilLogProbOpOnlyN10kD5: { composed: await timeOp(() => mvnTrilLogProb(xs, loc, L)), plain: await timeOp(plainMvn) },
    };
    tf.dispose([z, yb, params, loc, xs, L]);
  }
  tf.dispose([x, y]);
  model.optimizer.dispose();
  model.dispose();
  return report;
});
