/**
 * The conformance suite's scale sweep: every method of every scalar family at parameters from 1e-6
 * to 1e7 (where the support allows) against float64 references, each value with the tolerance
 * float32 can honour (a relative part plus the function's own condition: see
 * test/fixtures/generate_scale.py, which writes scale.json); logProb gradients in every
 * differentiable parameter and x against float64 finite differences; and regression cases for
 * values that were silently wrong, infinite or whose gradients threw.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as tfd from '../../src/distributions/index.js';
import { klDivergence } from '../../src/distributions/kl.js';
import type { Distribution } from '../../src/distributions/distribution.js';
import { loadFixture } from '../helpers.js';

type Params = Record<string, number | number[]>;
interface Row {
  params: Params;
  method: string;
  x?: number | number[];
  ref: number | string;
  tol: number;
}
interface GradRow {
  params: Record<string, number>;
  x: number;
  grads: Record<string, number>;
}
interface KLRow {
  family: 'KL';
  pair: string;
  p: Params;
  q: Params;
  ref: number;
}
interface Fixture {
  sweep: Record<string, Row[]>;
  gradients: Record<string, GradRow[]>;
  regression: Array<(Row & { family: string }) | KLRow>;
}

const fx = loadFixture<Fixture>('scale');
const METHODS_WITH_X = new Set(['logProb', 'cdf', 'survivalFunction', 'logCdf', 'logSurvivalFunction', 'quantile']);

function make(family: string, params: Record<string, tf.Tensor | number | number[]>): Distribution {
  const ctor = (tfd as unknown as Record<string, new (a: object) => Distribution>)[family];
  if (!ctor) throw new Error(`no distribution ${family}`);
  return new ctor(params);
}

function call(d: Distribution, method: string, x?: tf.Tensor | number | number[]): tf.Tensor {
  const m = (d as unknown as Record<string, (v?: unknown) => tf.Tensor>)[method]!;
  return METHODS_WITH_X.has(method) ? m.call(d, x) : m.call(d);
}

function toNumber(v: number | string): number {
  return typeof v === 'string' ? Number(v) : v;
}

function describeMismatch(ok: boolean, got: number, ref: number, tol: number): boolean {
  if (Number.isNaN(ref)) return Number.isNaN(got);
  if (!Number.isFinite(ref)) return got === ref;
  return ok || Math.abs(got - ref) <= tol;
}

describe('scale sweep against float64 references (fixture scale.json)', () => {
  for (const [family, rows] of Object.entries(fx.sweep)) {
    const methods = [...new Set(rows.map((r) => r.method))];
    it(`${family}: ${methods.join(', ')} at parameters 1e-6 … 1e7`, () => {
      const before = tf.memory().numTensors;
      const failures: string[] = [];
      for (const method of methods) {
        const sel = rows.filter((r) => r.method === method);
        const names = Object.keys(sel[0]!.params);
        const params = Object.fromEntries(names.map((k) => [k, sel.map((r) => r.params[k] as number)]));
        const d = make(family, params);
        const out = call(d, method, sel.map((r) => (r.x ?? 0) as number));
        const got = Array.from(out.dataSync());
        out.dispose();
        d.dispose();
        sel.forEach((r, i) => {
          const ref = toNumber(r.ref);
          if (!describeMismatch(false, got[i]!, ref, r.tol)) {
            failures.push(`${method}(${JSON.stringify(r.params)}${r.x !== undefined ? `, x=${r.x}` : ''}) = ${got[i]}, want ${ref} ± ${r.tol.toExponential(2)}`);
          }
        });
      }
      expect(failures, failures.slice(0, 12).join('\n')).toEqual([]);
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});

describe('logProb gradients in every parameter and x at several scales (float64 finite differences)', () => {
  for (const [family, rows] of Object.entries(fx.gradients)) {
    it(`${family}: d logProb / d ${Object.keys(rows[0]!.grads).join(', ')}`, () => {
      for (const r of rows) {
        const names = Object.keys(r.grads);
        const fixed = Object.fromEntries(Object.entries(r.params).filter(([k]) => !names.includes(k)));
        const vars = names.map((k) => tf.scalar(k === 'x' ? r.x : r.params[k]!));
        const grads = tf.grads((...ts: tf.Tensor[]) => {
          const p: Record<string, tf.Tensor | number> = { ...fixed };
          let x: tf.Tensor | number = r.x;
          names.forEach((k, i) => {
            if (k === 'x') x = ts[i]!;
            else p[k] = ts[i]!;
          });
          const d = make(family, p);
          const lp = d.logProb(x);
          d.dispose();
          return lp;
        })(vars);
        names.forEach((k, i) => {
          const got = grads[i]!.dataSync()[0]!;
          const want = r.grads[k]!;
          // relative 2e-3 of the derivative, plus the rounding of logProb's terms at this scale
          const scale = Math.abs(k === 'x' ? r.x : r.params[k]!);
          const tol = 2e-3 * Math.abs(want) + 1e-4 + (8 * 2 ** -24 * 10 * Math.max(1, Math.abs(want) * scale)) / Math.max(scale, 1e-3);
          expect(Math.abs(got - want), `${family} d/d${k} at ${JSON.stringify(r.params)}, x=${r.x}: got ${got}, want ${want}`).toBeLessThanOrEqual(tol);
        });
        tf.dispose([...vars, ...grads]);
      }
    });
  }

  it('TruncatedNormal: logProb, cdf, mean and variance are differentiable in loc, scale, low, high and x', () => {
    const g = tf.grads((loc: tf.Tensor, scale: tf.Tensor, low: tf.Tensor, high: tf.Tensor, x: tf.Tensor) => {
      const d = new tfd.TruncatedNormal({ loc, scale, low, high });
      const s = tf.addN([d.logProb(x), d.cdf(x), d.mean(), d.variance()]);
      d.dispose();
      return s;
    })([0.3, 1.5, -1, 2, 0.5].map((v) => tf.scalar(v)));
    // float64 central differences of the same sum with scipy.stats.truncnorm (step 1e-6)
    const want = [0.18133185, -0.0347542, 0.14725677, 0.37172761, 0.29968377];
    g.forEach((t, i) => expect(t.dataSync()[0]!).toBeCloseTo(want[i]!, 3));
    tf.dispose(g);
  });
});

describe('regression cases (values that were wrong, infinite or whose gradients threw)', () => {
  for (const r of fx.regression) {
    if (r.family === 'KL') {
      const k = r as KLRow;
      it(`KL(${k.pair}(${JSON.stringify(k.p)}) ‖ ${k.pair}(${JSON.stringify(k.q)})) = ${k.ref.toPrecision(4)}`, () => {
        const p = make(k.pair, k.p);
        const q = make(k.pair, k.q);
        const kl = klDivergence(p, q);
        expect(Math.abs(kl.dataSync()[0]! - k.ref)).toBeLessThanOrEqual(2e-4 * Math.abs(k.ref));
        kl.dispose();
        p.dispose();
        q.dispose();
      });
      continue;
    }
    const row = r as Row & { family: string };
    const ref = toNumber(row.ref);
    it(`${row.family}(${JSON.stringify(row.params)}).${row.method}(${row.x ?? ''}) = ${ref.toPrecision(5)}`, () => {
      const d = make(row.family, row.params);
      const out = call(d, row.method, row.x);
      const got = out.dataSync()[0]!;
      out.dispose();
      d.dispose();
      expect(describeMismatch(false, got, ref, row.tol), `got ${got}, want ${ref} ± ${row.tol}`).toBe(true);
    });
  }
});
