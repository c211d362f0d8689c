/**
 * What importing the library, `tfp.ready()` and `tfp.restore()` change in tfjs, seen from a
 * fresh process (the test runner's own process has imported the library already). Prints one
 * JSON object; test/accelerate/probe.test.ts runs it and checks it.
 *
 * A snapshot holds, for tfjs' layer, model and optimizer classes, every own property of their
 * prototypes (the function or getter itself), the kernel registry of the cpu and wasm backends
 * (each kernel function itself) and the gradient registry, the IO routers that claim a plain
 * path, and what a plain user model (Dense 8-32-32-1 with an L2 regularizer, built with a fixed
 * seed) reports: `model.losses.length` and its predictions.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

type Snapshot = {
  protos: Record<string, unknown>;
  kernels: Map<string, unknown>;
  grads: Map<string, unknown>;
  routers: number;
};

function denseClass(): { prototype: object } {
  return (tf.serialization.SerializationMap.getMap().classNameMap as Record<string, [{ prototype: object }, unknown]>)['Dense']![0];
}

function snapshot(): Snapshot {
  const classes: Record<string, object> = {
    LayersModel: tf.LayersModel.prototype,
    Sequential: tf.Sequential.prototype,
    Layer: tf.layers.Layer.prototype,
    Dense: denseClass().prototype,
    AdamOptimizer: tf.AdamOptimizer.prototype,
    Optimizer: tf.Optimizer.prototype,
  };
  const protos: Record<string, unknown> = {};
  for (const [cls, proto] of Object.entries(classes)) {
    for (const key of Reflect.ownKeys(proto)) {
      const d = Object.getOwnPropertyDescriptor(proto, key)!;
      protos[`${cls}.${String(key)}`] = d.value ?? d.get ?? d.set;
    }
  }
  const kernels = new Map<string, unknown>();
  const grads = new Map<string, unknown>();
  for (const backend of ['cpu', 'wasm']) {
    for (const k of tf.getKernelsForBackend(backend)) {
      kernels.set(`${backend}/${k.kernelName}`, k.kernelFunc);
      const g = tf.getGradient(k.kernelName);
      if (g) grads.set(k.kernelName, g.gradFunc);
    }
  }
  const routers = tf.io.getSaveHandlers('./some-dir').length + tf.io.getLoadHandlers('./some-dir').length;
  return { protos, kernels, grads, routers };
}

/** Differences between two snapshots: replaced or removed entries, and added ones (the library's own `Tfp` kernels aside). */
function diff(a: Snapshot, b: Snapshot): { changed: string[]; added: string[] } {
  const changed: string[] = [];
  const added: string[] = [];
  const keys = new Set([...Object.keys(a.protos), ...Object.keys(b.protos)]);
  for (const k of keys) {
    if (!(k in a.protos)) added.push(k);
    else if (a.protos[k] !== b.protos[k]) changed.push(k);
  }
  for (const [name, ma, mb] of [['kernel', a.kernels, b.kernels], ['gradient', a.grads, b.grads]] as const) {
    for (const [k, f] of mb) {
      const own = /(^|\/)Tfp/.test(k);
      if (!ma.has(k)) {
        if (!own) added.push(`${name} ${k}`);
      } else if (ma.get(k) !== f) changed.push(`${name} ${k}`);
    }
    for (const k of ma.keys()) if (!mb.has(k)) changed.push(`${name} ${k} (removed)`);
  }
  if (a.routers !== b.routers) changed.push(`IO routers for a plain path: ${a.routers} -> ${b.routers}`);
  return { changed, added };
}

/** The user's plain model, built and run with fixed seeds: its `losses` count and predictions. */
async function plainModel(): Promise<{ losses: number; predictions: number[] }> {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [8], units: 32, activation: 'relu', kernelInitializer: init(1), kernelRegularizer: tf.regularizers.l2({ l2: 0.01 }) }),
      tf.layers.dense({ units: 32, activation: 'relu', kernelInitializer: init(2) }),
      tf.layers.dense({ units: 1, kernelInitializer: init(3) }),
    ],
  });
  const x = tf.randomNormal([16, 8], 0, 1, 'float32', 4);
  const y = model.predict(x) as tf.Tensor;
  const out = { losses: model.losses.length, predictions: Array.from(await y.data()) };
  tf.dispose([x, y]);
  model.dispose();
  return out;
}

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  const before = snapshot();
  const modelBefore = await plainModel();
  const tfp = await import('../../src/node.js');
  const afterImport = snapshot();
  const modelAfterImport = await plainModel();
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...a: unknown[]) => void warnings.push(a.map(String).join(' '));
  try {
    await tfp.ready({ backend: 'wasm', accelerate: false });
    const afterReadyStock = snapshot();
    await tfp.ready({ backend: 'wasm' });
    const afterReady = snapshot();
    tfp.restore();
    const afterRestore = snapshot();
    await tf.setBackend('cpu');
    const modelAfterRestore = await plainModel();
    // Another tfjs version: ready() leaves tfjs alone and says so once.
    const version = tf.version as Record<string, string>;
    const real = version['tfjs-core']!;
    version['tfjs-core'] = '4.99.0';
    await tfp.ready({ backend: 'wasm' });
    await tfp.ready({ backend: 'wasm' });
    const afterUntested = snapshot();
    version['tfjs-core'] = real;
    tfp.restore();
    process.stdout.write(
      JSON.stringify({
        import: diff(before, afterImport),
        readyStock: diff(before, afterReadyStock),
        ready: diff(before, afterReady),
        restore: diff(before, afterRestore),
        untested: diff(before, afterUntested),
        warnings,
        model: { before: modelBefore, afterImport: modelAfterImport, afterRestore: modelAfterRestore },
      }) + '\n',
    );
  } finally {
    console.warn = warn;
  }
}

await main();
