import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { effectiveSampleSize, mcse, potentialScaleReduction, summary } from '../../src/mcmc/diagnostics.js';
import { ess, mcse as mcseHost, normalQuantile, rhat, toChains } from '../../src/mcmc/diagnostics_host.js';
import { expectClose, expectNoLeak, loadFixture } from '../helpers.js';

interface Case {
  name: string;
  numChains: number;
  numDraws: number;
  draws: number[];
  essBulk: number;
  essTail: number;
  essMean: number;
  essSd: number;
  rhatRank: number;
  rhatSplit: number;
  mcseMean: number;
  mcseSd: number;
}

const { cases } = loadFixture<{ cases: Case[] }>('mcmc_diagnostics');

describe('mcmc diagnostics against an independent numpy implementation (generate_mcmc_diagnostics.py)', () => {
  for (const c of cases) {
    it(c.name, () => {
      const chains = toChains(c.draws, c.numDraws, c.numChains);
      const got = {
        essBulk: ess(chains, 'bulk'),
        essTail: ess(chains, 'tail'),
        essMean: ess(chains, 'mean'),
        essSd: ess(chains, 'sd'),
        rhatRank: rhat(chains, 'rank'),
        rhatSplit: rhat(chains, 'split'),
        mcseMean: mcseHost(chains, 'mean'),
        mcseSd: mcseHost(chains, 'sd'),
      };
      for (const k of Object.keys(got) as Array<keyof typeof got>) expectClose(got[k], c[k], { rtol: 1e-9, context: `${c.name} ${k}` });
    });
  }

  it('tensor entry points: [numDraws, numChains, ...shape] -> [...shape], float32 input', () => {
    const a = cases[0]!;
    const b = cases[1]!;
    // Two elements side by side: element 0 is case 0, element 1 is case 1 (first 200 draws of its 4 chains).
    const n = a.numDraws;
    const data = new Float32Array(n * 4 * 2);
    for (let i = 0; i < n * 4; i++) {
      data[2 * i] = a.draws[i]!;
      data[2 * i + 1] = b.draws[i]!;
    }
    const x = tf.tensor3d(data, [n, 4, 2]);
    const e = effectiveSampleSize(x);
    expect(e.shape).toEqual([2]);
    const chainsB = toChains(b.draws.slice(0, n * 4), n, 4);
    expectClose(e, [a.essBulk, ess(chainsB, 'bulk')], { rtol: 1e-4 });
    const r = potentialScaleReduction(x);
    expectClose(r, [a.rhatRank, rhat(chainsB)], { rtol: 1e-5 });
    expectClose(mcse(x, { method: 'sd' }), [a.mcseSd, mcseHost(chainsB, 'sd')], { rtol: 1e-4 });
    expectClose(effectiveSampleSize(x, { method: 'tail' }), [a.essTail, ess(chainsB, 'tail')], { rtol: 1e-4 });
    for (const f of [() => effectiveSampleSize(x), () => potentialScaleReduction(x), () => mcse(x)]) expectNoLeak(f);
    x.dispose();
  });

  it('summary: one row per element with the same numbers, and a printable table', () => {
    const c = cases[0]!;
    const x = tf.tensor3d(Float32Array.from(c.draws), [c.numDraws, c.numChains, 1]);
    const before = tf.memory().numTensors;
    const s = summary({ beta: x });
    expect(tf.memory().numTensors).toBe(before);
    expect(s.rows.map((r) => r.name)).toEqual(['beta[0]']);
    const row = s.rows[0]!;
    expectClose([row.essBulk, row.essTail, row.rHat, row.mcseMean, row.mcseSd], [c.essBulk, c.essTail, c.rhatRank, c.mcseMean, c.mcseSd], { rtol: 1e-6 });
    expect(s.toString()).toMatch(/mean\s+sd\s+5%\s+50%\s+95%\s+mcse_mean\s+mcse_sd\s+ess_bulk\s+ess_tail\s+r_hat/);
    expect(s.text.split('\n')[1]).toMatch(/^beta\[0\]/);
    x.dispose();
  });

  it('rejects inputs without a chain dimension and unknown methods, naming the function', () => {
    const x = tf.zeros([10]);
    expect(() => effectiveSampleSize(x)).toThrow(/effectiveSampleSize: x must be a tensor \[numDraws, numChains, \.\.\.shape\]; got shape \[10\]/);
    const y = tf.zeros([10, 2]);
    expect(() => effectiveSampleSize(y, { method: 'median' as never })).toThrow(/effectiveSampleSize: method must be/);
    expect(() => potentialScaleReduction(tf.zeros([3, 2]))).toThrow(/at least 4 draws/);
    tf.dispose([x, y]);
  });

  it('normalQuantile matches known values to 1e-14', () => {
    expectClose([normalQuantile(0.975), normalQuantile(1e-10), normalQuantile(0.5), normalQuantile(0.3)],
      [1.959963984540054, -6.361340902404056, 0, -0.5244005127080407], { rtol: 1e-14, atol: 1e-15 });
  });
});
