/**
 * The same computations in Node and in a page: every public distribution with small
 * parameters, its values (logProb, cdf, moments, entropy, ...) at fixed points and the shape
 * and finiteness of seeded samples. The browser test compares the page's results on webgl,
 * wasm and cpu with Node's. A method a class does not implement records its error name.
 */
import * as tf from '@tensorflow/tfjs';
import * as tfp from 'tfjs-probability';

const tfd = tfp.distributions;

export interface CaseResult {
  /** method -> values (flattened) or the name of the error it threw */
  values: Record<string, number[] | string>;
  sampleShape: number[];
  sampleFinite: boolean;
}

type Make = () => tfp.distributions.Distribution;

/** Each distribution with the points its values are taken at. */
export function cases(): Array<{ name: string; make: Make; x: number[] | number[][] }> {
  return [
    { name: 'Normal', make: () => new tfd.Normal({ loc: [0, 1], scale: [1, 2] }), x: [0.3, -1.2] },
    { name: 'Laplace', make: () => new tfd.Laplace({ loc: [0, 1], scale: [1, 2] }), x: [0.3, -1.2] },
    { name: 'LogNormal', make: () => new tfd.LogNormal({ loc: [0, 1], scale: [0.5, 1] }), x: [0.7, 2.5] },
    { name: 'StudentT', make: () => new tfd.StudentT({ df: [3, 30], loc: 0, scale: [1, 2] }), x: [0.4, -2] },
    { name: 'Gamma', make: () => new tfd.Gamma({ concentration: [0.5, 3], rate: [1, 2] }), x: [0.4, 1.7] },
    { name: 'Beta', make: () => new tfd.Beta({ concentration1: [0.5, 2], concentration0: [0.5, 5] }), x: [0.3, 0.2] },
    { name: 'Bernoulli', make: () => new tfd.Bernoulli({ probs: [0.2, 0.9] }), x: [0, 1] },
    { name: 'Categorical', make: () => new tfd.Categorical({ logits: [[0, 1, 2], [2, 0, -1]] }), x: [2, 0] },
    { name: 'OneHotCategorical', make: () => new tfd.OneHotCategorical({ probs: [0.2, 0.3, 0.5] }), x: [0, 0, 1] },
    { name: 'Dirichlet', make: () => new tfd.Dirichlet({ concentration: [[1, 2, 3], [0.5, 0.5, 2]] }), x: [[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]] },
    { name: 'Independent', make: () => new tfd.Independent({ distribution: new tfd.Normal({ loc: [[0, 1, 2]], scale: 1 }), reinterpretedBatchNdims: 1 }), x: [[0.1, 0.9, 2.5]] },
    { name: 'MultivariateNormalDiag', make: () => new tfd.MultivariateNormalDiag({ loc: [[0, 0], [1, 2]], scaleDiag: [1, 0.5] }), x: [[0.5, -0.5], [1, 1]] },
    { name: 'MultivariateNormalTriL', make: () => new tfd.MultivariateNormalTriL({ loc: [0, 0], scaleTril: [[1, 0], [0.5, 2]] }), x: [0.3, 1.1] },
    {
      name: 'MultivariateNormalFullCovariance',
      make: () => new tfd.MultivariateNormalFullCovariance({ loc: [1, 2, 0], covarianceMatrix: [[1, 0.5, 0.1], [0.5, 2, 0.3], [0.1, 0.3, 1.5]] }),
      x: [0.5, 2.5, -0.2],
    },
    {
      name: 'Mixture',
      make: () => new tfd.Mixture({ cat: new tfd.Categorical({ probs: [0.3, 0.7] }), components: [new tfd.Normal({ loc: -1, scale: 0.5 }), new tfd.Laplace({ loc: 2, scale: 1 })] }),
      x: [0.5],
    },
    {
      name: 'MixtureSameFamily',
      make: () => new tfd.MixtureSameFamily({ mixtureDistribution: new tfd.Categorical({ probs: [0.2, 0.8] }), componentsDistribution: new tfd.Normal({ loc: [-1, 1], scale: [0.1, 0.5] }) }),
      x: [0.7],
    },
  ];
}

const METHODS = ['logProb', 'prob', 'cdf', 'logCdf', 'survivalFunction', 'quantile', 'mean', 'mode', 'variance', 'stddev', 'covariance', 'entropy'] as const;


/** Runs every case on the active backend; leaves no tensors behind. */
export async function runCases(): Promise<Record<string, CaseResult>> {
  const out: Record<string, CaseResult> = {};
  for (const c of cases()) {
    const d = c.make();
    const values: Record<string, number[] | string> = {};
    for (const m of METHODS) {
      try {
        const t =
          m === 'quantile'
            ? d.quantile(0.3)
            : m === 'logProb' || m === 'prob' || m === 'cdf' || m === 'logCdf' || m === 'survivalFunction'
              ? d[m](c.x)
              : d[m]();
        values[m] = Array.from(await t.data());
        t.dispose();
      } catch (e) {
        values[m] = (e as Error).name || 'Error';
      }
    }
    const s = d.sample([2, 3], { seed: 5 });
    const sv = await s.data();
    out[c.name] = { values, sampleShape: s.shape, sampleFinite: Array.from(sv).every(Number.isFinite) };
    s.dispose();
    d.dispose();
  }
  return out;
}

/** Differences beyond |a - b| <= atol + rtol |b| between two result sets, as readable lines. */
export function compareResults(got: Record<string, CaseResult>, want: Record<string, CaseResult>, rtol = 1e-4, atol = 1e-5): string[] {
  const bad: string[] = [];
  for (const [name, w] of Object.entries(want)) {
    const g = got[name];
    if (g === undefined) {
      bad.push(`${name}: missing`);
      continue;
    }
    if (JSON.stringify(g.sampleShape) !== JSON.stringify(w.sampleShape)) bad.push(`${name}: sample shape ${JSON.stringify(g.sampleShape)} vs ${JSON.stringify(w.sampleShape)}`);
    if (!g.sampleFinite) bad.push(`${name}: non-finite samples`);
    for (const [m, wv] of Object.entries(w.values)) {
      const gv = g.values[m];
      if (typeof wv === 'string' || typeof gv === 'string' || gv === undefined) {
        if (gv !== wv) bad.push(`${name}.${m}: ${JSON.stringify(gv)} vs ${JSON.stringify(wv)}`);
        continue;
      }
      if (gv.length !== wv.length) {
        bad.push(`${name}.${m}: ${gv.length} values vs ${wv.length}`);
        continue;
      }
      wv.forEach((b, i) => {
        const a = gv[i]!;
        const same = Number.isNaN(b) ? Number.isNaN(a) : !Number.isFinite(b) ? a === b : Math.abs(a - b) <= atol + rtol * Math.abs(b);
        if (!same) bad.push(`${name}.${m}[${i}]: ${a} vs ${b}`);
      });
    }
  }
  return bad;
}

/** The head the page trains: Dense 16 relu -> MixtureNormal(3) on a noisy sine; returns the losses. */
export async function trainHead(epochs: number): Promise<{ model: tf.LayersModel; losses: number[] }> {
  const n = 256;
  const xs = tf.tidy(() => tf.reshape(tf.linspace(-2, 2, n), [n, 1]));
  const ys = tf.tidy(() => tf.add(tf.sin(tf.mul(xs, 2)), tf.mul(0.1, tf.randomNormal([n, 1], 0, 1, 'float32', 3))));
  const head = new tfp.layers.MixtureNormal({ numComponents: 3, eventShape: [1] });
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [1], units: 16, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.dense({ units: head.paramsSize, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      head,
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.01), loss: tfp.losses.negativeLogLikelihood(head) });
  const h = await model.fit(xs, ys, { epochs, batchSize: 64, shuffle: false, verbose: 0 });
  tf.dispose([xs, ys]);
  return { model, losses: (h.history['loss'] as number[]).map(Number) };
}
