import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { windowedAdaptiveNuts } from '../../src/mcmc/windowed_nuts.js';
import { rhat, toChains } from '../../src/mcmc/diagnostics_host.js';
import { ChainRendezvous, type ChainSummary, donors, metricEntropy, stuckThreshold } from '../../src/mcmc/stuck_chains.js';
import { Xoshiro128 } from '../../src/math/random.js';

/**
 * x[0] from a two-component mixture: N(0, 1) with weight 1 and N(30, minorSd) with weight e^logWeight; x[1] ~ N(0, 1).
 * Between the components the density drops by hundreds of nats, so no chain crosses in a short run.
 */
function mixture(logWeight: number, minorSd: number) {
  return ({ x }: Record<string, tf.Tensor>): tf.Tensor => tf.tidy(() => {
    const [a, b] = tf.unstack(x!, 1) as [tf.Tensor, tf.Tensor];
    const main = tf.mul(-0.5, tf.square(a));
    const minor = tf.sub(logWeight - Math.log(minorSd), tf.mul(0.5, tf.square(tf.div(tf.sub(a, 30), minorSd))));
    return tf.sub(tf.logSumExp(tf.stack([main, minor], 1), 1), tf.mul(0.5, tf.square(b)));
  });
}

/** Chain 0 starts in the component at 30, the others near 0. */
const start = (): tf.Tensor => tf.tensor2d([[30, 0], [0.5, 0], [-0.5, 0.3], [0.2, -0.2]]);

async function chainMeans(logWeight: number, minorSd: number, opts: { independentChains?: boolean; restartStuckChains?: boolean }): Promise<{ means: number[]; rHat: number }> {
  const init = start();
  const r = await windowedAdaptiveNuts({
    targetLogProbFn: mixture(logWeight, minorSd),
    parts: { x: { shape: [2] } },
    initialState: { x: init },
    numAdaptationSteps: 150,
    numDraws: 100,
    seed: 4,
    ...opts,
  });
  const x = await r.states['x']!.data();
  const a = Float64Array.from({ length: 400 }, (_, i) => x[2 * i]!);
  const chains = toChains(a, 100, 4);
  tf.dispose([init, ...Object.values(r.states), ...Object.values(r.trace)]);
  return { means: chains.map((c) => c.reduce((s, v) => s + v, 0) / c.length), rHat: rhat(chains) };
}

describe('restarting chains stuck in a minor mode', () => {
  it('moves a chain out of a component with e^-100 of the mass, with independent chains and in lockstep', async () => {
    const before = tf.memory().numTensors;
    for (const independentChains of [true, false]) {
      const { means, rHat } = await chainMeans(-100, 0.1, { independentChains });
      for (const m of means) expect(Math.abs(m)).toBeLessThan(1);
      expect(rHat).toBeLessThan(1.1);
    }
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);

  it('leaves the chain in the minor mode when turned off (what the restart prevents)', async () => {
    const { means, rHat } = await chainMeans(-100, 0.1, { restartStuckChains: false });
    expect(means[0]).toBeGreaterThan(29);
    expect(rHat).toBeGreaterThan(1.3);
  }, 60_000);

  it('leaves chains in modes of comparable mass alone, so R-hat still reports the second mode', async () => {
    const { means, rHat } = await chainMeans(-1, 1, {});
    expect(means[0]).toBeGreaterThan(29);
    for (const m of means.slice(1)) expect(Math.abs(m)).toBeLessThan(1);
    expect(rHat).toBeGreaterThan(1.3);
  }, 60_000);

  it('picks donors among the chains within 50 + dim of the best score, with the stuck chain\'s own stream', () => {
    const rngs = [1, 2, 3, 4].map((s) => new Xoshiro128(s));
    expect(stuckThreshold(5)).toBe(55);
    expect(donors([-10, -12, -500, -60], 5, rngs)).toEqual([0, 1, expect.any(Number), 3]);
    expect([0, 1, 3]).toContain(donors([-10, -12, -500, -60], 5, rngs)[2]);
    expect(donors([-10, -12, -500, -70], 5, rngs)[3]).not.toBe(3);
    expect(donors([-Infinity, -Infinity], 1, rngs.slice(0, 2))).toEqual([0, 1]);
    // ½ log det: from the diagonal, or from the dense factor's diagonal.
    expect(metricEntropy(Float64Array.of(4, 9))).toBeCloseTo(Math.log(6), 12);
    expect(metricEntropy(Float64Array.of(4, 9), Float64Array.of(2, 0, 1, 3))).toBeCloseTo(Math.log(6), 12);
  });

  it('meets independent chains: parked until all arrive, then each gets its donor; a failure rejects the waiting ones', async () => {
    const summary = (score: number): ChainSummary => ({ x: Float64Array.of(score), logp: score, grad: Float64Array.of(0), invMass: Float64Array.of(1), score });
    let parked = 0;
    const rv = new ChainRendezvous(3, 1, () => parked++, () => parked--);
    const rngs = [5, 6, 7].map((s) => new Xoshiro128(s));
    const got = [rv.exchange(0, summary(-1), rngs[0]!), rv.exchange(1, summary(-400), rngs[1]!)];
    expect(parked).toBe(2);
    got.push(rv.exchange(2, summary(-2), rngs[2]!));
    const [a, b, c] = await Promise.all(got);
    expect(parked).toBe(0);
    expect([a!.score, c!.score]).toEqual([-1, -2]);
    expect([-1, -2]).toContain(b!.score);
    const failing = new ChainRendezvous(2, 1, () => {}, () => {});
    const waiting = failing.exchange(0, summary(-1), rngs[0]!);
    failing.abort(new Error('chain 1 failed'));
    await expect(waiting).rejects.toThrow('chain 1 failed');
    await expect(failing.exchange(1, summary(-1), rngs[1]!)).rejects.toThrow('chain 1 failed');
  });
});
