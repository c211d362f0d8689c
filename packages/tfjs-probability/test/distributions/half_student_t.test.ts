// HalfStudentT: the conformance suite, and values against scipy (2 t.pdf, 2 t.cdf - 1; fixtures/inference.json).
import * as tf from '@tensorflow/tfjs';
import { describe, it } from 'vitest';
import { HalfStudentT } from '../../src/distributions/half_student_t.js';
import { expectClose, loadFixture } from '../helpers.js';
import { runConformance, type Args } from './conformance.js';

runConformance({
  name: 'HalfStudentT',
  make: (a: Args) => new HalfStudentT(a as never),
  args: () => ({ df: [3, 10], loc: [0, 1], scale: [1, 2] }),
  shapes: [
    { name: 'scalar', args: () => ({ df: 5, loc: 0, scale: 1 }), batch: [], event: [] },
    { name: 'rank 2 broadcast', args: () => ({ df: [[3], [30]], loc: 0, scale: [1, 2, 3] }), batch: [2, 3], event: [] },
  ],
  inside: [0.5, 3],
  outside: { value: [0.5, NaN], index: [1] },
  stats: { args: () => ({ df: [5, 30], loc: [0, 1], scale: [0.5, 4] }) },
});

interface Case {
  df: number; loc: number; scale: number; x: number[]; logPdf: number[]; cdf: number[]; sf: number[];
  mean: number | string; variance: number | string; entropy: number;
}
const num = (v: number | string) => (v === 'inf' ? Infinity : (v as number));

describe('HalfStudentT against scipy', () => {
  it('logProb, cdf, survival, mean, variance and entropy', () => {
    for (const c of loadFixture<{ HalfStudentT: Case[] }>('inference').HalfStudentT) {
      const d = new HalfStudentT({ df: c.df, loc: c.loc, scale: c.scale });
      tf.tidy(() => {
        expectClose(d.logProb(c.x), c.logPdf, { rtol: 2e-5, context: c });
        expectClose(d.cdf(c.x), c.cdf, { rtol: 2e-5, atol: 1e-7, context: c });
        expectClose(d.survivalFunction(c.x), c.sf, { rtol: 1e-4, atol: 1e-9, context: c });
        expectClose(d.mean(), [num(c.mean)], { rtol: 1e-5, context: c });
        expectClose(d.variance(), [num(c.variance)], { rtol: 1e-4, context: c });
        expectClose(d.entropy(), [c.entropy], { rtol: 1e-5, atol: 1e-6, context: c });
        expectClose(d.cdf(d.quantile([0.1, 0.5, 0.99])), [0.1, 0.5, 0.99], { rtol: 1e-4 });
      });
      d.dispose();
    }
  });
});
