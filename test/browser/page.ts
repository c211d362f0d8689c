/**
 * The library page of the browser test (built by harness.ts, opened as
 * index.html?backend=webgl|wasm|cpu[&auto=1]): distribution values and sample shapes, a head
 * trained by model.fit, tfp.io through indexeddb://, and the tensor count before and after.
 */
import * as tf from '@tensorflow/tfjs';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import * as tfp from 'tfjs-probability';
import { runCases, trainHead } from './cases.js';
import { reportFromPage } from './page_report.js';

reportFromPage(async () => {
  const q = new URLSearchParams(location.search);
  const backend = q.get('backend') ?? 'webgl';
  const report: Record<string, unknown> = {};
  if (q.get('auto') === '1') {
    // No backend set yet: ready() picks the fastest. WebGL here is SwiftShader, a software
    // rasterizer, so that is wasm (the page registered it), not webgl.
    const gl = document.createElement('canvas').getContext('webgl2');
    const info = gl?.getExtension('WEBGL_debug_renderer_info');
    report['renderer'] = gl && info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : 'unknown';
    report['auto'] = await tfp.ready({ wasm, wasmPaths: '/wasm/' });
    // A backend the page set is kept, never switched.
    await tf.setBackend('cpu');
    report['keptAfterPageSetCpu'] = await tfp.ready();
  }
  // A forced backend that is not there fails with a message saying what to import.
  report['webgpuError'] = await tfp.ready({ backend: 'webgpu' }).then(
    () => 'no error',
    (e: Error) => e.message,
  );
  report['backend'] = backend === 'wasm' ? await tfp.ready({ backend, wasm, wasmPaths: '/wasm/' }) : await tfp.ready({ backend });
  const before = tf.memory().numTensors;
  report['cases'] = await runCases();

  const { model, losses } = await trainHead(15);
  report['losses'] = losses;
  const x = tf.tensor2d([[-1], [0.5], [1.5]]);
  const url = `indexeddb://tfp-browser-test-${backend}`;
  const saved = await tfp.io.saveModel(model, url);
  report['savedBytes'] = saved.weightDataBytes;
  const loaded = await tfp.io.loadModel(url);
  const a = model.predict(x) as tf.Tensor;
  const b = loaded.predict(x) as tf.Tensor;
  report['roundTripIdentical'] = JSON.stringify(Array.from(await a.data())) === JSON.stringify(Array.from(await b.data()));
  const dist = tfp.predictDistribution(loaded, x);
  const y = tf.tensor2d([[0.1], [0.2], [0.3]]);
  const lp = dist.logProb(y);
  report['loadedLogProbFinite'] = Array.from(await lp.data()).every(Number.isFinite);
  await tf.io.removeModel(url);
  tf.dispose([x, y, a, b, lp]);
  dist.dispose();
  model.optimizer.dispose();
  model.dispose();
  loaded.dispose();
  report['leaked'] = tf.memory().numTensors - before;
  return report;
});
