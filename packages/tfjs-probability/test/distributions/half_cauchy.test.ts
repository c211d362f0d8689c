// HalfCauchy: the conformance suite, and values against scipy.stats.halfcauchy (fixtures/inference.json).
import * as tf from '@tensorflow/tfjs';
import { describe, it } from 'vitest';
import { HalfCauchy } from '../../src/distributions/half_cauchy.js';
import { expectClose, loadFixture } from '../helpers.js';
import { runConformance, type Args } from './conformance.js';

const positive = (fc: typeof import('fast-check'), lo = 0.05, hi = 20) =>
  fc.double({ min: Math.log(lo), max: Math.log(hi), noNaN: true }).map(Math.exp);

runConformance({
  name: 'HalfCauchy',
  make: (a: Args) => new HalfCauchy(a as never),
  args: () => ({ loc: [0, 1], scale: [1, 2] }),
  shapes: [
    { name: 'scalar', args: () => ({ loc: 0, scale: 1 }), batch: [], event: [] },
    { name: 'rank 2 broadcast', args: () => ({ loc: [[0], [1]], scale: [1, 2, 3] }), batch: [2, 3], event: [] },
  ],
  inside: [0.5, 3],
  outside: { value: [0.5, NaN], index: [1] },
  stats: { args: () => ({ loc: [0, 1], scale: [0.5, 4] }) },
  property: { args: (fc) => fc.record({ loc: fc.constant(0), scale: positive(fc) }), x: (fc) => positive(fc, 0.01, 100) },
});

interface Case { loc: number; scale: number; x: number[]; logPdf: number[]; cdf: number[]; sf: number[]; entropy: number }

describe('HalfCauchy against scipy', () => {
  it('logProb, cdf, survival and entropy', () => {
    for (const c of loadFixture<{ HalfCauchy: Case[] }>('inference').HalfCauchy) {
      const d = new HalfCauchy({ loc: c.loc, scale: c.scale });
      tf.tidy(() => {
        expectClose(d.logProb(c.x), c.logPdf, { rtol: 1e-5, context: c });
        expectClose(d.cdf(c.x), c.cdf, { rtol: 1e-5, atol: 1e-7, context: c });
        expectClose(d.survivalFunction(c.x), c.sf, { rtol: 1e-5, context: c });
        expectClose(d.entropy(), [c.entropy], { rtol: 1e-6, context: c });
        expectClose(d.logProb(c.loc - 1), [-Infinity]);
      });
      d.dispose();
    }
  });
});
