/**
 * posteriordb's hmm_example: a two-state hidden Markov model with unit-variance normal emissions, the states
 * summed out by the forward algorithm. The forward recursion is a product of 2 x 2 matrices in the log
 * semiring ((A ⊗ B)[i, k] = logsumexp_j A[i, j] + B[j, k]), which is associative: here it runs as a pairwise
 * tree in log2(N) levels for all steps at once instead of N dependent steps.
 */
import * as tf from '@tensorflow/tfjs';
import { Exp } from '../../src/bijectors/exp.js';
import { Sigmoid } from '../../src/bijectors/sigmoid.js';
import { column, type PosteriorFixture, type PosteriorModel } from './posteriordb_models.js';

/** A finite stand-in for log 0 (so that logsumexp never sees only -Infinity). */
const LOG0 = -1e30;

/** `a ⊗ b` over the last two axes, `[..., 2, 2]` each. */
function logMatMul(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.logSumExp(tf.add(tf.expandDims(a, -1), tf.expandDims(b, -3)), -2);
}

export function hmmExample(f: PosteriorFixture): PosteriorModel {
  const yv = f.data['y'] as number[];
  const n = yv.length;
  const levels = Math.ceil(Math.log2(n - 1));
  const padded = 2 ** levels;
  const y = tf.tensor1d(yv.slice(1)).reshape([1, n - 1, 1]);
  const y1 = yv[0]!;
  // Log-semiring identities that pad the N - 1 transition matrices to a power of two.
  const pad = tf.tensor(Array.from({ length: padded - (n - 1) }, () => [0, LOG0, LOG0, 0]).flat(), [1, padded - (n - 1), 2, 2]);
  return {
    targetLogProbFn: ({ theta1, theta2, mu1, delta }) => tf.tidy(() => {
      const c = mu1!.shape[0]!;
      const mu = tf.stack([mu1!, tf.add(mu1!, delta!)], 1); // [C, 2], Stan's positive_ordered
      const logTheta = tf.log(tf.stack([tf.stack([theta1!, tf.sub(1, theta1!)], 1), tf.stack([theta2!, tf.sub(1, theta2!)], 1)], 1)); // [C, j, k]
      const emit = tf.mul(-0.5, tf.square(tf.sub(y, tf.expandDims(mu, 1)))); // [C, N - 1, k]
      let m = tf.add(tf.expandDims(logTheta, 1), tf.expandDims(emit, 2)); // [C, N - 1, j, k]
      m = tf.concat([m, tf.broadcastTo(pad, [c, padded - (n - 1), 2, 2])], 1);
      for (let len = padded; len > 1; len /= 2) {
        const pairs = tf.reshape(m, [c, len / 2, 2, 2, 2]);
        const [a, b] = tf.unstack(pairs, 2) as [tf.Tensor, tf.Tensor];
        m = logMatMul(a, b);
      }
      const gamma1 = tf.expandDims(tf.mul(-0.5, tf.square(tf.sub(y1, mu))), 1); // [C, 1, 2]
      const lik = tf.logSumExp(logMatMul(gamma1, tf.reshape(m, [c, 2, 2])), [1, 2]);
      const prior = tf.add(tf.mul(-0.5, tf.square(tf.sub(mu1!, 3))), tf.mul(-0.5, tf.square(tf.sub(tf.add(mu1!, delta!), 10))));
      return tf.add(lik, prior);
    }),
    // Stan's simplex[2] is (z, 1 - z) with z logistic (its Jacobian is the Sigmoid's); positive_ordered[2] is
    // mu1 = exp(u1), mu2 = mu1 + exp(u2).
    parts: {
      theta1: { shape: [], bijector: new Sigmoid() },
      theta2: { shape: [], bijector: new Sigmoid() },
      mu1: { shape: [], bijector: new Exp() },
      delta: { shape: [], bijector: new Exp() },
    },
    extract: (s) => {
      const t1 = column(s['theta1']!, 0);
      const t2 = column(s['theta2']!, 0);
      const m1 = column(s['mu1']!, 0);
      const d = column(s['delta']!, 0);
      return {
        'theta1[1]': t1, 'theta1[2]': t1.map((v) => 1 - v), 'theta2[1]': t2, 'theta2[2]': t2.map((v) => 1 - v),
        'mu[1]': m1, 'mu[2]': m1.map((v, i) => v + d[i]!),
      };
    },
    dispose: () => tf.dispose([y, pad]),
  };
}
