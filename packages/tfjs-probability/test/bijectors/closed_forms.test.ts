// Values of the bijectors' closed forms against float64 numpy/scipy (fixtures/generate_bijectors.py).
import * as tf from '@tensorflow/tfjs';
import { describe, it } from 'vitest';
import * as tfb from '../../src/bijectors/index.js';
import type { Bijector } from '../../src/bijectors/bijector.js';
import { expectClose, loadFixture } from '../helpers.js';

interface Case {
  name: string;
  args: Record<string, unknown>;
  x: number[];
  y: number[];
  fldj: number[];
}
const { cases } = loadFixture<{ cases: Case[] }>('bijectors');

function make(c: Case): Bijector {
  const ctor = (tfb as unknown as Record<string, new (a: unknown) => Bijector>)[c.name]!;
  return new ctor(c.args);
}

describe('bijector closed forms against numpy/scipy (float64 fixture)', () => {
  for (const c of cases) {
    it(`${c.name}(${JSON.stringify(c.args)})`, () => {
      const b = make(c);
      const ctx = `${c.name} ${JSON.stringify(c.args)}`;
      const y = b.forward(c.x);
      expectClose(y, c.y, { rtol: 2e-5, atol: 1e-6, context: `${ctx} forward` });
      const x = b.inverse(c.y);
      // The inverse loses relative accuracy where the forward map is flat (tanh near ±1, sigmoid tails).
      expectClose(x, c.x, { rtol: 2e-4, atol: 2e-4, context: `${ctx} inverse` });
      const f = b.forwardLogDetJacobian(c.x, b.forwardMinEventNdims);
      expectClose(f, c.fldj, { rtol: 2e-5, atol: 2e-5, context: `${ctx} fldj` });
      const i = b.inverseLogDetJacobian(c.y, b.inverseMinEventNdims);
      expectClose(i, c.fldj.map((v) => -v), { rtol: 2e-4, atol: 2e-4, context: `${ctx} ildj` });
      tf.dispose([y, x, f, i]);
      b.dispose();
    });
  }
});
