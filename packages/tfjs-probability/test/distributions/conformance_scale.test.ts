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
import { loadFixture, useBackend } from '../helpers.js';

type Params = Record<string, number | number[]>;
type Params2 = Record<string, number | number[] | number[][]>;
interface Row {
  params: Params2;
  method: string;
  x?: number | number[];
  ref: number | string | Array<number | string>;
  tol: number | number[];
}
interface GradRow {
  method?: string;
  params: Record<string, number | number[] | number[][]>;
  x: number | number[];
  grads: Record<string, number | number[] | number[][]>;
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

/** The class of a fixture family: `Bernoulli[logits]` is Bernoulli built from logits. */
function make(family: string, params: Record<string, tf.Tensor | number | number[] | number[][] | number[][][]>): Distribution {
  const ctor = (tfd as unknown as Record<string, new (a: object) => Distribution>)[family.replace(/\[.*\]$/, '')];
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
        const params = Object.fromEntries(names.map((k) => [k, sel.map((r) => r.params[k] as number[])]));
        const d = make(family, params);
        const out = call(d, method, sel.map((r) => (r.x ?? 0) as number[]) as unknown as number[]);
        const got = Array.from(out.dataSync());
        out.dispose();
        d.dispose();
        // each row's value: a number, or for vector families a vector or a row-major matrix
        const per = got.length / sel.length;
        sel.forEach((r, i) => {
          const refs = Array.isArray(r.ref) ? r.ref : [r.ref];
          const tols = Array.isArray(r.tol) ? r.tol : [r.tol];
          refs.forEach((rv, j) => {
            const ref = toNumber(rv);
            const value = got[i * per + j]!;
            if (refs.length !== per || !describeMismatch(false, value, ref, tols[j]!)) {
              failures.push(
                `${method}(${JSON.stringify(r.params)}${r.x !== undefined ? `, x=${JSON.stringify(r.x)}` : ''})[${j}] = ${value}, want ${ref} ± ${tols[j]!.toExponential(2)}`,
              );
            }
          });
        });
      }
      expect(failures, failures.slice(0, 12).join('\n')).toEqual([]);
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});

/**
 * One family's gradient rows for one method, batched: every parameter stacked along a new batch
 * axis, d Σ method(x) / d (each differentiable parameter, x) in one tf.grads call (each row's
 * value depends on its own slice only, so the gradient's slices are the rows' gradients).
 */
function checkGradients(family: string, method: string, rows: GradRow[]): string[] {
  const names = Object.keys(rows[0]!.grads);
  const keys = Object.keys(rows[0]!.params);
  const stack = (k: string) => tf.tensor(rows.map((r) => (k === 'x' ? r.x : r.params[k]!)) as number[]);
  const vars = names.map(stack);
  const fixed = Object.fromEntries(keys.filter((k) => !names.includes(k)).map((k) => [k, rows.map((r) => r.params[k]!) as number[]]));
  const grads = tf.grads((...ts: tf.Tensor[]) => {
    const p: Record<string, tf.Tensor | number[]> = { ...fixed };
    let x: tf.Tensor | number[] = rows.map((r) => r.x) as number[];
    names.forEach((k, i) => {
      if (k === 'x') x = ts[i]!;
      else p[k] = ts[i]!;
    });
    const d = make(family, p);
    const out = tf.sum(call(d, method, x));
    d.dispose();
    return out;
  })(vars);
  const failures: string[] = [];
  names.forEach((k, i) => {
    let g = grads[i]!;
    if (k === 'covarianceMatrix') g = tf.tidy(() => tf.sub(tf.add(g, tf.transpose(g, [0, 2, 1])), tf.mul(g, tf.eye(g.shape[1]!)))); // G_ij + G_ji (see the generator)
    const got = g.arraySync() as unknown[];
    if (g !== grads[i]) g.dispose();
    rows.forEach((r, j) => {
      const want = [r.grads[k]].flat(2) as number[];
      const at = [(k === 'x' ? r.x : r.params[k]) as number | number[]].flat(2) as number[];
      const have = [got[j]].flat(2) as number[];
      want.forEach((w, c) => {
        // relative 2e-3 of the derivative, plus the rounding of the method's terms at this scale
        const scale = Math.abs(at[c]!);
        const tol = 2e-3 * Math.abs(w) + 1e-4 + (8 * 2 ** -24 * 10 * Math.max(1, Math.abs(w) * scale)) / Math.max(scale, 1e-3);
        if (!(Math.abs(have[c]! - w) <= tol)) {
          failures.push(`${family} d${method}/d${k}[${c}] at ${JSON.stringify(r.params)}, x=${JSON.stringify(r.x)}: got ${have[c]}, want ${w} ± ${tol.toExponential(2)}`);
        }
      });
    });
  });
  tf.dispose([...vars, ...grads]);
  return failures;
}

for (const backend of ['cpu', 'wasm']) {
  describe(`gradients of logProb (and cdf) in every differentiable parameter and x, on ${backend} (float64 differences)`, () => {
    useBackend(backend);
    for (const [family, rows] of Object.entries(fx.gradients)) {
      const methods = [...new Set(rows.map((r) => r.method ?? 'logProb'))];
      it(`${family}: d ${methods.join(', ')} / d ${Object.keys(rows[0]!.grads).join(', ')}`, () => {
        const before = tf.memory().numTensors;
        const failures = methods.flatMap((m) => checkGradients(family, m, rows.filter((r) => (r.method ?? 'logProb') === m)));
        expect(failures, failures.slice(0, 12).join('\n')).toEqual([]);
        expect(tf.memory().numTensors).toBe(before);
      });
    }
  });
}

describe('TruncatedNormal moments are differentiable', () => {
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
    const row = r as Row & { family: string; ref: number | string; tol: number };
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
