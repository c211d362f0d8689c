// GaussianProcess and GaussianProcessRegressionModel against scikit-learn (fixtures/gp.json, written by
// fixtures/generate_gp.py): log marginal likelihood and its gradient at the same hyperparameters,
// predictive mean and standard deviation, and the L-BFGS fit's optimum from scikit-learn's start.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { GaussianProcess } from '../../src/distributions/gaussian_process.js';
import { GaussianProcessRegressionModel } from '../../src/distributions/gaussian_process_regression_model.js';
import * as psd from '../../src/math/psd_kernels/index.js';
import { lbfgsMinimize } from '../../src/optimizer/index.js';
import { valueAndGradient } from '../../src/optimizer/value_and_gradient.js';
import { expectClose, expectNoLeak, loadFixture } from '../helpers.js';

interface Case {
  name: string; kernel: string; x: number[][]; y: number[]; x_test: number[][];
  amplitude: number; length_scale: number | number[]; noise: number;
  lml: number; lml_grad_log_theta: number[]; mean: number[]; std: number[];
  fit_lml: number; fit_amplitude: number; fit_length_scale: number[]; fit_noise: number;
}
const fx = loadFixture<{ jitter: number; cases: Case[] }>('gp');

/** The TFP kernel for a case at hyperparameters (amplitude, length scale(s)). */
function makeKernel(kind: string, amplitude: tf.Tensor | number, lengthScale: tf.Tensor | number | number[]): psd.PositiveSemidefiniteKernel {
  const ard = Array.isArray(lengthScale) || (lengthScale instanceof tf.Tensor && lengthScale.rank === 1);
  const args = { amplitude, lengthScale: ard ? undefined : (lengthScale as tf.Tensor | number) };
  const base =
    kind === 'rbf' ? new psd.ExponentiatedQuadratic(args)
      : kind === 'matern12' ? new psd.MaternOneHalf(args)
        : kind === 'matern32' ? new psd.MaternThreeHalves(args)
          : new psd.MaternFiveHalves(args);
  return ard ? new psd.FeatureScaled({ kernel: base, scaleDiag: lengthScale as tf.Tensor | number[] }) : base;
}

/** −LML as a function of z = [log amplitude, log length scale(s)..., log noise variance]. */
function negLml(c: Case, z: tf.Tensor): tf.Tensor {
  const nl = Array.isArray(c.length_scale) ? c.length_scale.length : 1;
  const e = tf.exp(z);
  const amp = tf.reshape(tf.slice(e, [0], [1]), []);
  const ls = nl > 1 ? tf.slice(e, [1], [nl]) : tf.reshape(tf.slice(e, [1], [1]), []);
  const noise = tf.reshape(tf.slice(e, [1 + nl], [1]), []);
  const kernel = makeKernel(c.kernel, amp, ls);
  const gp = new GaussianProcess({ kernel, indexPoints: c.x, observationNoiseVariance: noise, jitter: fx.jitter });
  const out = tf.neg(gp.logProb(c.y));
  gp.dispose();
  kernel.dispose();
  return out;
}

const start = (c: Case) => [Math.log(c.amplitude), ...(Array.isArray(c.length_scale) ? c.length_scale : [c.length_scale]).map(Math.log), Math.log(c.noise)];

describe('GaussianProcess / GaussianProcessRegressionModel against scikit-learn', () => {
  for (const c of fx.cases) {
    it(`${c.name}: log marginal likelihood and its gradient`, () => {
      const z = tf.tensor1d(start(c));
      const [v, g] = valueAndGradient((t) => negLml(c, t), z);
      expectClose(tf.neg(v), c.lml, { rtol: 1e-4, context: c.name });
      // scikit-learn differentiates in log(amplitude²): half of ours in log(amplitude).
      const want = c.lml_grad_log_theta.map((d, i) => (i === 0 ? -2 * d : -d));
      expectClose(g, want, { rtol: 2e-3, atol: 2e-3 * Math.max(...want.map(Math.abs)), context: { case: c.name, what: 'gradient' } });
      tf.dispose([z, v, g]);
    });

    it(`${c.name}: predictive mean and standard deviation`, () => {
      const kernel = makeKernel(c.kernel, c.amplitude, c.length_scale);
      const args = { kernel, indexPoints: c.x_test, observationIndexPoints: c.x, observations: c.y, observationNoiseVariance: c.noise, jitter: fx.jitter };
      for (const m of [new GaussianProcessRegressionModel(args), GaussianProcessRegressionModel.precomputeRegressionModel(args)]) {
        expectClose(m.mean(), c.mean, { rtol: 1e-4, atol: 1e-4 * Math.max(...c.mean.map(Math.abs)), context: { case: c.name, what: 'mean' } });
        expectClose(m.stddev(), c.std, { rtol: 1e-4, context: { case: c.name, what: 'std' } });
        expectNoLeak(() => [m.mean(), m.stddev(), m.covariance()], `${c.name} GPRM`);
        m.dispose();
      }
      kernel.dispose();
    });

    it(`${c.name}: lbfgsMinimize from scikit-learn's start reaches an LML at least as high as scikit-learn's`, async () => {
      const r = await lbfgsMinimize((z) => valueAndGradient((t) => negLml(c, t), z), start(c), { tolerance: 1e-5, maxIterations: 100 });
      const lml = -r.objectiveValue.dataSync()[0]!;
      expect(lml, `ours ${lml}, scikit-learn ${c.fit_lml}`).toBeGreaterThanOrEqual(c.fit_lml - 1e-4 * Math.abs(c.fit_lml));
      tf.dispose([r.position, r.objectiveValue, r.objectiveGradient, r.converged, r.failed]);
    });
  }
});
