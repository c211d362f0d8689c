import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { MetropolisAdjustedLangevinAlgorithm, RandomWalkMetropolis } from '../../src/mcmc/metropolis.js';
import { SimpleStepSizeAdaptation } from '../../src/mcmc/step_size_adaptation.js';
import { sampleChain } from '../../src/mcmc/sample_chain.js';
import type { TransitionKernel } from '../../src/mcmc/kernel.js';
import { Xoshiro128, nextNormal } from '../../src/math/random.js';
import { chiSquareCritical } from '../helpers.js';

// A skewed 1-d target: the mixture 0.3 N(-1, 0.5²) + 0.7 N(1.5, 1).
const W = [0.3, 0.7];
const MU = [-1, 1.5];
const SD = [0.5, 1];
function logTarget(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const comps = [0, 1].map((k) => tf.sub(tf.mul(-0.5, tf.square(tf.div(tf.sub(x, MU[k]!), SD[k]!))), Math.log(SD[k]! / W[k]!)));
    return tf.logSumExp(tf.stack(comps, -1), -1).squeeze([1]);
  });
}

function exactDraws(n: number, rng: Xoshiro128): Float32Array {
  return Float32Array.from({ length: n }, () => {
    const k = rng.nextOpen01() < W[0]! ? 0 : 1;
    return MU[k]! + SD[k]! * nextNormal(rng);
  });
}

/**
 * Detailed balance: with x ~ π and x' ~ K(x, ·), the pair (x, x') is exchangeable. Bins both on the same
 * grid and applies Bowker's symmetry test to the off-diagonal cells (rejections sit on the diagonal).
 */
async function bowker(kernel: TransitionKernel, seed: number): Promise<{ stat: number; df: number; moved: number }> {
  const n = 40000;
  const x0 = exactDraws(n, new Xoshiro128(seed));
  const start = tf.tensor2d(x0, [n, 1]);
  const { states, trace } = await sampleChain({ numResults: 1, currentState: start, kernel, seed: seed + 1 });
  const x1 = await states.data();
  const edges = [-2, -1.2, -0.6, 0, 0.6, 1.2, 1.8, 2.4, 3.2];
  const bin = (v: number): number => edges.findIndex((e) => v < e) === -1 ? edges.length : edges.findIndex((e) => v < e);
  const k = edges.length + 1;
  const counts = new Float64Array(k * k);
  let moved = 0;
  for (let i = 0; i < n; i++) {
    counts[bin(x0[i]!) * k + bin(x1[i]!)]! += 1;
    if (x1[i] !== x0[i]) moved++;
  }
  let stat = 0;
  let df = 0;
  for (let a = 0; a < k; a++) for (let b = a + 1; b < k; b++) {
    const s = counts[a * k + b]! + counts[b * k + a]!;
    if (s === 0) continue;
    stat += (counts[a * k + b]! - counts[b * k + a]!) ** 2 / s;
    df++;
  }
  tf.dispose([start, states, ...Object.values(trace)]);
  return { stat, df, moved: moved / n };
}

describe('Metropolis kernels: detailed balance (Bowker symmetry test on (x, x\') with x drawn from the target)', () => {
  it('RandomWalkMetropolis', async () => {
    const r = await bowker(new RandomWalkMetropolis({ targetLogProbFn: logTarget, scale: 1.2 }), 100);
    expect(r.moved).toBeGreaterThan(0.3);
    expect(r.stat).toBeLessThan(chiSquareCritical(r.df, 1e-4));
  });

  it('MetropolisAdjustedLangevinAlgorithm', async () => {
    const r = await bowker(new MetropolisAdjustedLangevinAlgorithm({ targetLogProbFn: logTarget, stepSize: 0.8 }), 200);
    expect(r.moved).toBeGreaterThan(0.3);
    expect(r.stat).toBeLessThan(chiSquareCritical(r.df, 1e-4));
  });

  it('the test has power: MALA without its Hastings correction fails it', async () => {
    class Uncorrected extends MetropolisAdjustedLangevinAlgorithm {
      protected override decide(...args: Parameters<MetropolisAdjustedLangevinAlgorithm['decide']>): ReturnType<MetropolisAdjustedLangevinAlgorithm['decide']> {
        return super.decide(args[0], args[1], args[2], new Float64Array(args[3].length));
      }
    }
    const r = await bowker(new Uncorrected({ targetLogProbFn: logTarget, stepSize: 0.8 }), 300);
    expect(r.stat).toBeGreaterThan(chiSquareCritical(r.df, 1e-4));
  });

  it('10,000 steps leak no tensors and report progress once per step', async () => {
    const kernel = new RandomWalkMetropolis({ targetLogProbFn: (x) => tf.mul(-0.5, tf.sum(tf.square(x), -1)), scale: 2 });
    const init = tf.zeros([2, 1]);
    const before = tf.memory().numTensors;
    let calls = 0;
    const { states, trace } = await sampleChain({ numResults: 5000, numBurninSteps: 5000, currentState: init, kernel, seed: 8, onProgress: () => calls++ });
    expect(calls).toBe(10000);
    tf.dispose([states, ...Object.values(trace)]);
    expect(tf.memory().numTensors).toBe(before);
    init.dispose();
  }, 120_000);

  it('SimpleStepSizeAdaptation moves MALA\'s acceptance from ~1 towards its target', async () => {
    const kernel = new SimpleStepSizeAdaptation({
      innerKernel: new MetropolisAdjustedLangevinAlgorithm({ targetLogProbFn: (x) => tf.mul(-0.5, tf.sum(tf.square(x), -1)), stepSize: 0.01 }),
      numAdaptationSteps: 400,
      adaptationRate: 0.03,
    });
    const init = tf.zeros([4, 3]);
    const { states, trace } = await sampleChain({ numResults: 200, numBurninSteps: 400, currentState: init, kernel, seed: 8 });
    const acc = (await trace.acceptProb.mean().data())[0]!;
    const eps = (await trace.stepSize.mean().data())[0]!;
    expect(acc).toBeGreaterThan(0.6);
    expect(acc).toBeLessThan(0.9);
    expect(eps).toBeGreaterThan(0.3);
    tf.dispose([init, states, ...Object.values(trace)]);
  });

  it('errors name the kernel and the parameter', async () => {
    const init = tf.zeros([2, 1]);
    await expect(sampleChain({ numResults: 1, currentState: init, kernel: new RandomWalkMetropolis({ targetLogProbFn: logTarget, scale: -1 }) }))
      .rejects.toThrow(/RandomWalkMetropolis: scale must be positive and finite; got -1/);
    await expect(sampleChain({ numResults: 1, currentState: init, kernel: new RandomWalkMetropolis({ targetLogProbFn: (x) => tf.sum(x) }) }))
      .rejects.toThrow(/targetLogProbFn must return one value per chain, shape \[2\]; got \[\]/);
    await expect(sampleChain({ numResults: 0, currentState: init, kernel: new RandomWalkMetropolis({ targetLogProbFn: logTarget }) }))
      .rejects.toThrow(/sampleChain: numResults must be an integer >= 1; got 0/);
    init.dispose();
  });
});
