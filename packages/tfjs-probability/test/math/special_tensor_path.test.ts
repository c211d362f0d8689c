/**
 * The float32 tensor-op path of igamma / igammac / betainc / betaincc and their
 * log versions (what backends other than cpu/wasm run), forced on here with
 * setSpecialTensorPath and compared with scipy (special.json, edges.json)
 * over the parameter range it is documented for.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  betainc,
  betaincc,
  igamma,
  igammac,
  logBetainc,
  logBetaincc,
  logIgamma,
  logIgammac,
  setSpecialTensorPath,
} from '../../src/math/special.js';
import { expectClose, fixtureFlat, loadFixture, type FixtureNum } from '../helpers.js';

type Arr = number[];
interface Special {
  igamma: { a: Arr; x: Arr; p: Arr; q: Arr; grad_x: Arr };
  betainc: { a: Arr; b: Arr; x: Arr; value: Arr; grad_x: Arr };
}
interface Edges {
  log_igamma: { a: FixtureNum[]; x: FixtureNum[]; log_p: FixtureNum[]; log_q: FixtureNum[] };
  log_betainc: { a: FixtureNum[]; b: FixtureNum[]; x: FixtureNum[]; log_value: FixtureNum[]; log_complement: FixtureNum[] };
}
const sp = loadFixture<Special>('special');
const ed = loadFixture<Edges>('edges');
/** The documented range of the tensor-op path (64 terms): parameters up to this. */
const MAX_PARAM = 100;

function pick<T extends Record<string, Arr>>(c: T, keep: (i: number) => boolean): T {
  const out: Record<string, Arr> = {};
  for (const [k, v] of Object.entries(c)) out[k] = v.filter((_, i) => keep(i));
  return out as T;
}
const f32 = (v: Arr) => v.map((y) => (Number.isFinite(Math.fround(y)) ? y : Math.fround(y)));

describe('incomplete gamma / beta on the float32 tensor-op path (parameters <= 100)', () => {
  beforeAll(() => setSpecialTensorPath(true));
  afterAll(() => setSpecialTensorPath(false));

  it('igamma / igammac against scipy (relative 2e-4; absolute 1e-6)', () => {
    const c = pick(sp.igamma, (i) => sp.igamma.a[i]! <= MAX_PARAM);
    expect(c.a.length).toBeGreaterThan(40);
    for (const [got, want, what] of [
      [igamma(c.a, c.x), c.p, 'igamma'],
      [igammac(c.a, c.x), c.q, 'igammac'],
    ] as const) {
      expectClose(got, f32(want), { rtol: 2e-4, atol: 1e-6, context: what });
      got.dispose();
    }
  });
  it('logIgamma / logIgammac far into the tails (absolute 2e-4 + relative 2e-5)', () => {
    const c = ed.log_igamma;
    const keep = (i: number) => Number(c.a[i]) <= MAX_PARAM;
    const N = (v: FixtureNum[]) => fixtureFlat(v).filter((_, i) => keep(i));
    const a = N(c.a);
    const x = N(c.x);
    for (const [got, want, what] of [
      [logIgamma(a, x), N(c.log_p), 'logIgamma'],
      [logIgammac(a, x), N(c.log_q), 'logIgammac'],
    ] as const) {
      expectClose(got, want, { rtol: 2e-5, atol: 2e-4, context: what });
      got.dispose();
    }
  });
  it('betainc / betaincc / logBetainc / logBetaincc against scipy', () => {
    const c = pick(sp.betainc, (i) => sp.betainc.a[i]! <= MAX_PARAM && sp.betainc.b[i]! <= MAX_PARAM);
    expect(c.a.length).toBeGreaterThan(20);
    // float32 log B(a, b) from lgamma differences limits the relative error to ~6e-4 near a = 50 (3e-5 up to 30)
    const v = betainc(c.a, c.b, c.x);
    expectClose(v, f32(c.value), { rtol: 1e-3, atol: 1e-6, context: 'betainc' });
    const w = betaincc(c.a, c.b, c.x);
    expectClose(w, f32(c.value.map((y) => 1 - y)), { rtol: 1e-3, atol: 1e-6, context: 'betaincc' });
    tf.dispose([v, w]);
    const e = ed.log_betainc;
    const keep = (i: number) => Number(e.a[i]) <= MAX_PARAM && Number(e.b[i]) <= MAX_PARAM;
    const N = (u: FixtureNum[]) => fixtureFlat(u).filter((_, i) => keep(i));
    for (const [got, want, what] of [
      [logBetainc(N(e.a), N(e.b), N(e.x)), N(e.log_value), 'logBetainc'],
      [logBetaincc(N(e.a), N(e.b), N(e.x)), N(e.log_complement), 'logBetaincc'],
    ] as const) {
      expectClose(got, want, { rtol: 2e-5, atol: 2e-4, context: what });
      got.dispose();
    }
  });
  it('x-gradients equal the densities', () => {
    const c = pick(sp.igamma, (i) => sp.igamma.a[i]! <= MAX_PARAM);
    const a = tf.tensor1d(c.a);
    const x = tf.tensor1d(c.x);
    const g = tf.grad((u: tf.Tensor) => tf.sum(igamma(a, u)))(x);
    expectClose(g, f32(c.grad_x), { rtol: 2e-4, atol: 1e-30, context: "igamma'" });
    tf.dispose([a, x, g]);
  });
});

describe('incomplete gamma / beta read nothing back', () => {
  // On cpu/wasm the 'TfpSpecialHost' kernel reads the backend's own host memory (no GPU sync); on other
  // backends the tensor-op path runs. Neither calls a tensor's synchronous readers.
  for (const tensorPath of [false, true]) {
    it(`no Tensor dataSync / arraySync / bufferSync (${tensorPath ? 'tensor-op path' : 'kernel path'})`, async () => {
      const { vi } = await import('vitest');
      setSpecialTensorPath(tensorPath);
      const a = tf.tensor1d([0.5, 3, 20]);
      const x = tf.tensor1d([0.2, 0.5, 0.9]);
      const spies = [
        vi.spyOn(tf.Tensor.prototype, 'dataSync'),
        vi.spyOn(tf.Tensor.prototype, 'arraySync'),
        vi.spyOn(tf.Tensor.prototype, 'bufferSync'),
      ];
      try {
        const outs = [igamma(a, x), logIgammac(a, x), betainc(a, a, x), logBetaincc(a, a, x)];
        const g = tf.grad((u: tf.Tensor) => tf.sum(logBetainc(a, a, u)))(x);
        for (const s of spies) expect(s).not.toHaveBeenCalled();
        tf.dispose([...outs, g]);
      } finally {
        for (const s of spies) s.mockRestore();
        setSpecialTensorPath(false);
        tf.dispose([a, x]);
      }
    });
  }
});
