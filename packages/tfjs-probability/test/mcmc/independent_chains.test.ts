import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { runIndependentChains } from '../../src/mcmc/independent_chains.js';
import { runChain } from '../../src/mcmc/sample_chain.js';
import { defaultTrace } from '../../src/mcmc/sample_chain.js';
import { FlatTarget } from '../../src/mcmc/target.js';
import { NoUTurnSampler } from '../../src/mcmc/nuts.js';
import { WindowedAdaptation } from '../../src/mcmc/windowed_adaptation.js';
import { windowedAdaptiveNuts } from '../../src/mcmc/windowed_nuts.js';
import { splitSeed } from '../../src/util.js';

// A correlated 2-d Gaussian written with elementwise ops only, so a row's value and gradient do not depend on
// the other rows of the batch (bit for bit).
const logProb = (parts: tf.Tensor[]): tf.Tensor => tf.tidy(() => {
  const [a, b] = tf.unstack(parts[0]!, 1) as [tf.Tensor, tf.Tensor];
  return tf.mul(-0.5, tf.add(tf.square(a), tf.square(tf.div(tf.sub(b, tf.mul(0.9, a)), 0.3))));
});
const kernel = (): WindowedAdaptation => new WindowedAdaptation({
  innerKernel: new NoUTurnSampler({ targetLogProbFn: (x) => logProb([x]), stepSize: 1 }),
  numAdaptationSteps: 40,
});
const spec = [{ name: 'x', shape: [2] }];

describe('runIndependentChains', () => {
  it('gives each chain exactly the draws of the same kernel run on that chain alone, with one batch per round of requests', async () => {
    const c = 3;
    const seed = 11;
    const x0 = Float64Array.from([0.5, -1, 1.5, 0.2, -0.7, 1.1]);
    const before = tf.memory().numTensors;
    const shared = new FlatTarget(logProb, spec, c);
    const r = await runIndependentChains(shared, kernel, x0, { numResults: 30, numBurninSteps: 40, seed, traceFn: defaultTrace, owner: 'test' });
    expect(tf.memory().numTensors).toBe(before);
    const seeds = splitSeed(seed, c);
    let most = 0;
    for (let ch = 0; ch < c; ch++) {
      const alone = new FlatTarget(logProb, spec, 1);
      const s = await runChain(alone, kernel(), x0.slice(ch * 2, ch * 2 + 2), { numResults: 30, numBurninSteps: 40, thin: 0, seed: seeds[ch]!, traceFn: defaultTrace, owner: 'test' });
      most = Math.max(most, alone.numEvaluations);
      for (let i = 0; i < 30; i++) {
        expect(Array.from(r.rows.subarray((i * c + ch) * 2, (i * c + ch) * 2 + 2))).toEqual(Array.from(s.rows.subarray(i * 2, i * 2 + 2)));
        expect(r.trace['numLeapfrogSteps']![i * c + ch]).toBe(s.trace['numLeapfrogSteps']![i]);
      }
      expect(r.stepSize[ch]).toBe(s.final.stepSize[0]);
      expect(Array.from(r.invMass.subarray(ch * 2, ch * 2 + 2))).toEqual(Array.from(s.final.invMass));
    }
    // A batch runs whenever every unfinished chain waits: as many batches as the busiest chain's evaluations.
    expect(shared.numEvaluations).toBe(most);
  }, 60_000);

  it('reports progress once all chains completed a step, with every chain at that step', async () => {
    const steps: number[] = [];
    const positions: number[][] = [];
    const r = await runIndependentChains(new FlatTarget(logProb, spec, 2), kernel, Float64Array.from([0, 0, 1, 1]), {
      numResults: 5, numBurninSteps: 40, seed: 2, traceFn: defaultTrace, owner: 'test',
      onProgress: (p) => {
        steps.push(p.step);
        positions.push(Array.from(p.position));
      },
    });
    expect(steps).toEqual(Array.from({ length: 45 }, (_, i) => i + 1));
    // The last five reports are the draws.
    for (let i = 0; i < 5; i++) expect(positions[40 + i]).toEqual(Array.from(r.rows.subarray(i * 4, i * 4 + 4)));
    expect(r.samplingMs).toBeGreaterThanOrEqual(0);
    expect(r.warmupMs).toBeGreaterThanOrEqual(0);
  }, 60_000);

  it("stops every chain when one chain's model throws, and leaks nothing", async () => {
    const before = tf.memory().numTensors;
    let calls = 0;
    const failing = (parts: tf.Tensor[]): tf.Tensor => {
      if (++calls > 25) throw new Error('model broke');
      return logProb(parts);
    };
    await expect(runIndependentChains(new FlatTarget(failing, spec, 4), kernel, new Float64Array(8), { numResults: 10, numBurninSteps: 40, seed: 1, traceFn: defaultTrace, owner: 'test' }))
      .rejects.toThrow('model broke');
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);
});

describe('windowedAdaptiveNuts chain modes', () => {
  it('independent chains (the default) need fewer batched gradients than lockstep for the same draws', async () => {
    const run = (independentChains: boolean) => windowedAdaptiveNuts({
      targetLogProbFn: ({ x }) => logProb([x!]), parts: { x: { shape: [2] } }, numChains: 8, numDraws: 60, numAdaptationSteps: 60, seed: 4, independentChains,
    });
    const a = await run(true);
    const b = await run(false);
    expect(a.states['x']!.shape).toEqual([60, 8, 2]);
    expect(a.numEvaluations).toBeLessThan(b.numEvaluations);
    expect(a.timing.samplingMs).toBeGreaterThan(0);
    tf.dispose([...Object.values(a.states), ...Object.values(a.trace), ...Object.values(b.states), ...Object.values(b.trace)]);
  }, 60_000);
});
