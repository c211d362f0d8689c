/**
 * posteriordb's diamonds-diamonds (models/stan/diamonds.stan, a brms linear regression of log price on 24
 * predictors of 5000 diamonds) as a batched tfjs log density: parts with a leading chain dimension, log
 * density `[numChains]`. The fixture stores the Stan data exactly (float64, zlib + base64, see
 * generate_posteriordb.py); this file decodes it (Node only) and translates the program line by line.
 */
import { inflateSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import { Exp } from '../../src/bijectors/exp.js';
import { column, type PosteriorFixture, type PosteriorModel } from './posteriordb_models.js';

/** A float64 array as the generator stores it (`packed` in generate_posteriordb.py). */
interface Packed {
  encoding: string;
  length: number;
  data: string;
}

/** The float64 values of a packed array; checks the encoding and the decoded length. */
export function unpackFloat64(p: Packed, what: string): Float64Array {
  if (p.encoding !== 'zlib+base64 float64le') throw new Error(`posteriordb fixture: ${what} has encoding ${JSON.stringify(p.encoding)}; expected 'zlib+base64 float64le'`);
  let bytes: Buffer;
  try {
    // One byte more than expected, so that a longer stream is detected instead of cut.
    bytes = inflateSync(Buffer.from(p.data, 'base64'), { maxOutputLength: 8 * p.length + 1 });
  } catch (err) {
    throw new Error(`posteriordb fixture: ${what} does not inflate to ${8 * p.length} bytes (${(err as Error).message})`);
  }
  if (bytes.length !== 8 * p.length) throw new Error(`posteriordb fixture: ${what} decodes to ${bytes.length} bytes; expected ${8 * p.length}`);
  const out = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) out[i] = bytes.readDoubleLE(8 * i);
  return out;
}

export function diamonds(f: PosteriorFixture): PosteriorModel {
  const data = f.data as unknown as { N: number; K: number; prior_only: number; X: Packed; Y: Packed };
  const { N, K } = data;
  const X = unpackFloat64(data.X, `${f.posterior} X`); // column-major [N, K], as Stan stores matrix[N, K]
  const Yv = unpackFloat64(data.Y, `${f.posterior} Y`);
  if (X.length !== N * K || Yv.length !== N) throw new Error(`posteriordb fixture diamonds: X has ${X.length} values and Y ${Yv.length}; expected ${N * K} and ${N}`);
  // transformed data: Kc = K - 1; means_X[i - 1] = mean(X[:, i]); Xc[:, i - 1] = X[:, i] - means_X[i - 1] (i = 2..K),
  // in float64; stored here with a leading column of ones, so that Intercept + Xc * b is one matMul.
  const Kc = K - 1;
  const design = new Float32Array(N * K); // row-major [N, 1 + Kc]
  for (let n = 0; n < N; n++) design[n * K] = 1;
  for (let i = 1; i < K; i++) {
    let m = 0;
    for (let n = 0; n < N; n++) m += X[i * N + n]!;
    m /= N;
    for (let n = 0; n < N; n++) design[n * K + i] = X[i * N + n]! - m;
  }
  const D = tf.tensor2d(design, [N, K]);
  const Y = tf.tensor1d(Float32Array.from(Yv));
  const likelihood = data.prior_only === 0;
  return {
    targetLogProbFn: ({ b, Intercept, sigma }) => tf.tidy(() => {
      // target += normal_lpdf(b | 0, 1)
      const lpB = tf.mul(-0.5, tf.sum(tf.square(b!), 1));
      // target += student_t_lpdf(Intercept | 3, 8, 10)
      const lpI = tf.mul(-2, tf.log1p(tf.div(tf.square(tf.div(tf.sub(Intercept!, 8), 10)), 3)));
      // target += student_t_lpdf(sigma | 3, 0, 10) - 1 * student_t_lccdf(0 | 3, 0, 10) (a constant)
      const lpS = tf.mul(-2, tf.log1p(tf.div(tf.square(tf.div(sigma!, 10)), 3)));
      let lp = tf.addN([lpB, lpI, lpS]);
      if (likelihood) {
        // target += normal_id_glm_lpdf(Y | Xc, Intercept, b, sigma): mu = Intercept + Xc * b
        const mu = tf.matMul(tf.concat([tf.expandDims(Intercept!, 1), b!], 1), D, false, true); // [C, N]
        const ss = tf.sum(tf.square(tf.sub(Y, mu)), 1);
        lp = tf.add(lp, tf.sub(tf.div(tf.mul(-0.5, ss), tf.square(sigma!)), tf.mul(N, tf.log(sigma!))));
      }
      return lp;
    }),
    // The parameters block's order: vector[Kc] b; real Intercept; real<lower=0> sigma.
    parts: { b: { shape: [Kc] }, Intercept: { shape: [] }, sigma: { shape: [], bijector: new Exp() } },
    extract: (s) => ({
      ...Object.fromEntries(Array.from({ length: Kc }, (_, i) => [`b[${i + 1}]`, column(s['b']!, i)])),
      Intercept: column(s['Intercept']!, 0),
      sigma: column(s['sigma']!, 0),
    }),
    dispose: () => tf.dispose([D, Y]),
  };
}
