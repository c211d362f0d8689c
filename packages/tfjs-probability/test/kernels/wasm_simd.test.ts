import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { MultivariateNormalTriL } from '../../src/distributions/mvn_tril.js';
import { RELU_MASK, denseOp } from '../../src/kernels/dense_op.js';
import { setWasmSimd, simdFor } from '../../src/kernels/wasm_simd.js';
import { wasmHeapOffset } from '../../src/kernels/backend_memory.js';
import { mixtureNormalLogProbFromParams } from '../../src/kernels/mixture_normal_logprob.js';
import { mdnActivation } from '../../src/kernels/mixture_mdn_activation.js';
import { expectClose, expectNoLeak } from '../helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const onWasm = () => tf.getBackend() === 'wasm';

afterEach(() => setWasmSimd(true));

/** Runs `f` with the SIMD kernels and with the JS loops; returns both results as arrays. */
function both(f: () => tf.Tensor | tf.Tensor[]): [Float32Array[], Float32Array[]] {
  const read = (r: tf.Tensor | tf.Tensor[]) => {
    const ts = Array.isArray(r) ? r : [r];
    const out = ts.map((t) => t.dataSync() as Float32Array);
    tf.dispose(ts);
    return out;
  };
  setWasmSimd(true);
  const a = read(f());
  setWasmSimd(false);
  const b = read(f());
  setWasmSimd(true);
  return [a, b];
}

describe('wasm SIMD kernels (simd.wat on the wasm heap)', () => {
  // registers the mask kernel
  tf.dispose(denseOp(tf.ones([1, 1]) as tf.Tensor2D, tf.ones([1, 1]) as tf.Tensor2D, null, true));

  it('the committed module is what wasm/simd.wat assembles to', () => {
    execFileSync(process.execPath, [join(here, '../../scripts/build_wasm.mjs'), '--check'], { stdio: 'pipe' });
  });

  it('instantiate on the wasm backend only', () => {
    expect(simdFor(tf.backend()) !== null).toBe(onWasm());
    setWasmSimd(false);
    expect(simdFor(tf.backend())).toBeNull();
  });

  const mvnCases: Array<{ name: string; n: number; d: number; locRows: boolean; xRows: boolean; scale?: number }> = [
    { name: 'd=1', n: 7, d: 1, locRows: true, xRows: true },
    { name: 'd=3, one loc for all rows', n: 9, d: 3, locRows: false, xRows: true },
    { name: 'd=5', n: 11, d: 5, locRows: true, xRows: true },
    { name: 'd=8, one x for all rows', n: 6, d: 8, locRows: true, xRows: false },
    { name: 'd=13', n: 5, d: 13, locRows: true, xRows: true },
    { name: 'd=32', n: 40, d: 32, locRows: true, xRows: true },
    { name: 'd=32, diagonals near 1e-30 (renormalized products)', n: 4, d: 32, locRows: true, xRows: true, scale: 1e-30 },
    { name: 'd=32, diagonals near 1e30', n: 4, d: 32, locRows: true, xRows: true, scale: 1e30 },
  ];
  for (const c of mvnCases) {
    it(`MVN TriL logProb ${c.name}: SIMD equals the JS loop`, () => {
      const { n, d } = c;
      const loc = tf.randomNormal(c.locRows ? [n, d] : [d], 0, 1, 'float32', 1);
      const scaleTril = tf.tidy(() => {
        const off = tf.mul(tf.randomNormal([n, d, d], 0, 0.3, 'float32', 3), tf.sub(tf.linalg.bandPart(tf.ones([d, d]), -1, 0), tf.eye(d)));
        const diag = tf.mul(tf.expandDims(tf.randomUniform([n, d], 0.5, 1.5, 'float32', 4), -1), tf.eye(d));
        return tf.mul(tf.add(off, diag), c.scale ?? 1);
      });
      // x = loc + L u with u ~ N(0, 1), so z = L⁻¹(x − loc) stays moderate at any scale of L.
      const x = tf.tidy(() => {
        const u = tf.randomNormal([n, d, 1], 0, 1, 'float32', 2);
        const xs = tf.add(tf.reshape(tf.matMul(scaleTril, u), [n, d]), loc);
        return c.xRows ? xs : tf.slice(xs, [0, 0], [1, d]).reshape([d]);
      });
      const dist = new MultivariateNormalTriL({ loc, scaleTril });
      const [simd, js] = both(() => dist.logProb(x));
      expect(simd[0]!.every(Number.isFinite)).toBe(true);
      expectClose(simd[0]!, js[0]!, { rtol: 1e-6, atol: 1e-4 });
      if (onWasm()) expectNoLeak(() => dist.logProb(x), 'SIMD logProb');
      dist.dispose();
      tf.dispose([loc, x, scaleTril]);
    });
  }

  it('tf.train.adam: SIMD and JS updates are bit-identical', () => {
    const run = () => {
      const w = tf.variable(tf.randomNormal([7, 5], 0, 1, 'float32', 5)); // 35 values: SIMD body and scalar tail
      const opt = tf.train.adam(0.05);
      for (let i = 0; i < 4; i++) tf.dispose(opt.minimize(() => tf.sum(tf.square(tf.sub(w, 0.3))) as tf.Scalar, true) ?? []);
      const out = tf.clone(w);
      opt.dispose();
      w.dispose();
      return out;
    };
    const [simd, js] = both(run);
    expectClose(simd[0]!, js[0]!, { rtol: 0, atol: 0 });
  });

  it('transpose, row sums and the relu mask: SIMD equals the JS loops on ragged shapes', () => {
    for (const [m, n] of [[1, 1], [3, 5], [4, 4], [5, 7], [8, 13], [13, 8], [128, 60]] as const) {
      const x = tf.randomNormal([m, n], 0, 1, 'float32', m * 31 + n);
      const xi = tf.cast(tf.mul(x, 100), 'int32');
      const [simd, js] = both(() => [tf.transpose(x), tf.transpose(xi), tf.sum(x, 0)]);
      expectClose(simd[0]!, js[0]!, { rtol: 0, atol: 0, context: `transpose ${m}x${n}` });
      expectClose(simd[1]!, js[1]!, { rtol: 0, atol: 0, context: `int transpose ${m}x${n}` });
      expectClose(simd[2]!, js[2]!, { rtol: 1e-6, atol: 1e-6, context: `row sums ${m}x${n}` });
      tf.dispose([x, xi]);
    }
    const y = tf.tensor1d([1, 0, -2, NaN, 3, -0, 0.5, 2, -1]);
    const dy = tf.tensor1d([2, 3, 4, 5, -6, 7, 8, 9, 10]);
    // The Dense gradient's mask kernel against tfjs' own dy · step(y) (NaN stays NaN).
    const [simd, js] = both(() => tf.engine().runKernel(RELU_MASK, { dy, y }) as tf.Tensor);
    const ref = tf.mul(dy, tf.step(y));
    expect(Array.from(simd[0]!)).toEqual(Array.from(ref.dataSync()));
    expect(Array.from(js[0]!)).toEqual(Array.from(ref.dataSync()));
    tf.dispose([y, dy, ref]);
  });

  it('e^x and ln x (float32 lanes): within 3e-7 relative of Math.exp / Math.log', () => {
    const simd = simdFor(tf.backend());
    if (simd === null) return; // cpu run: nothing to check
    const n = 40_000;
    const xs = Float32Array.from({ length: n }, (_, i) => -87 + (175 * i) / n);
    const ls = Float32Array.from({ length: n }, (_, i) => Math.exp(-80 + (160 * i) / n));
    const x = tf.tensor1d(xs);
    const l = tf.tensor1d(ls);
    const out = tf.zeros([n]);
    const be = tf.backend();
    simd.exp_f32(wasmHeapOffset(be, x), wasmHeapOffset(be, out), n);
    const e = Float32Array.from(out.dataSync());
    simd.log_f32(wasmHeapOffset(be, l), wasmHeapOffset(be, out), n);
    const g = out.dataSync();
    let worstExp = 0;
    let worstLog = 0;
    for (let i = 0; i < n; i++) {
      const re = Math.exp(xs[i]!);
      worstExp = Math.max(worstExp, Math.abs(e[i]! - re) / re);
      const rl = Math.log(ls[i]!);
      worstLog = Math.max(worstLog, Math.abs(g[i]! - rl) / Math.max(1, Math.abs(rl)));
    }
    expect(worstExp).toBeLessThan(3e-7);
    expect(worstLog).toBeLessThan(3e-7);
    tf.dispose([x, l, out]);
  });

  for (const [layout, K] of [['mdn', 1], ['mdn', 3], ['mdn', 4], ['mdn', 5], ['mdn', 20], ['mixtureNormal', 1], ['mixtureNormal', 5], ['mixtureNormal', 20]] as const) {
    it(`${layout} NLL and gradient, K=${K}: SIMD equals the float64 loop (targets up to 60 sd out)`, () => {
      const B = 9;
      const params = tf.tidy(() => {
        const raw = tf.randomNormal([B, 3 * K], 0, 1, 'float32', K);
        if (layout === 'mixtureNormal') {
          // raw σ of -30 and 25 in the last row (softplus's two outer branches)
          const last = Array.from({ length: 3 * K }, (_, i) => (i >= K && (i - K) % 2 === 1 ? ((i >> 1) % 2 ? 25 : -30) : 0.3));
          return tf.concat([tf.slice(raw, [0, 0], [B - 1, 3 * K]), tf.tensor2d([last])]);
        }
        const mask = tf.concat([tf.zeros([K]), tf.ones([K]), tf.zeros([K])]);
        return tf.add(raw, tf.mul(mask, tf.sub(tf.add(tf.abs(raw), 0.1), raw)));
      });
      const y = tf.tidy(() => tf.concat([tf.randomNormal([B - 1, 1], 0, 2, 'float32', 7), tf.tensor2d([[60]])]));
      const attrs = { numComponents: K, eventSize: 1, layout, reduction: 'meanNeg' as const };
      const run = () => {
        const [dp, dy] = tf.grads((p: tf.Tensor, yy: tf.Tensor) => mixtureNormalLogProbFromParams(p, yy, attrs))([params, y]);
        return [mixtureNormalLogProbFromParams(params, y, attrs), dp!, dy!];
      };
      const [simd, js] = both(run);
      expect(simd.every((a) => a.every(Number.isFinite))).toBe(true);
      expectClose(simd[0]!, js[0]!, { rtol: 2e-6, atol: 1e-5, context: 'value' });
      expectClose(simd[1]!, js[1]!, { rtol: 1e-4, atol: 1e-6, context: 'd params' });
      expectClose(simd[2]!, js[2]!, { rtol: 1e-4, atol: 1e-6, context: 'd y' });
      tf.dispose([params, y]);
    });
  }

  it('MixtureDensity NLL with a σ that is not a positive normal float: the float64 loop decides', () => {
    const p = tf.tensor2d([[0, 1, 0, 0], [0, 1, 1, 0]].map((r) => [r[0]!, r[1]!, r[2]!, r[3]!, 0.5, 0.5]), [2, 6]);
    const bad = tf.tensor2d([[0, 1, 0, -1, 0.5, 0.5], [0, 1, 1, 0, 0.5, 0.5]]);
    const y = tf.tensor2d([[0.2], [0.3]]);
    const attrs = { numComponents: 2, eventSize: 1, layout: 'mdn' as const, reduction: 'meanNeg' as const };
    for (const params of [p, bad]) {
      const [simd, js] = both(() => mixtureNormalLogProbFromParams(params, y, attrs));
      expect(Array.from(simd[0]!)).toEqual(Array.from(js[0]!));
    }
    tf.dispose([p, bad, y]);
  });

  it('MixtureDensity activation and its gradient: SIMD equals the JS loop (ragged σ block)', () => {
    for (const [P, start, end] of [[9, 3, 6], [61, 20, 41], [4, 0, 4], [7, 2, 3]] as const) {
      const z = tf.randomNormal([5, P], 0, 3, 'float32', P);
      const w = tf.randomNormal([5, P], 0, 1, 'float32', P + 1);
      const run = () => [mdnActivation(z, start, end, 1e-7), tf.grad((zz: tf.Tensor) => tf.sum(tf.mul(w, mdnActivation(zz, start, end, 1e-7))))(z)];
      const [simd, js] = both(run);
      expectClose(simd[0]!, js[0]!, { rtol: 3e-7, atol: 1e-7, context: `activation P=${P}` });
      expectClose(simd[1]!, js[1]!, { rtol: 3e-7, atol: 1e-7, context: `gradient P=${P}` });
      tf.dispose([z, w]);
    }
  });

  it('matrix products (simd.wat gemm instead of XNNPACK): every transpose flag, ragged shapes, bias and relu, gradients', () => {
    const shapes: Array<[number, number, number]> = [[128, 128, 60], [7, 5, 13], [1, 9, 3], [4, 1, 8], [13, 8, 4], [3, 3, 1]];
    for (const [m, k, n] of shapes) {
      const a = tf.randomNormal([m, k], 0, 1, 'float32', m + k);
      const b = tf.randomNormal([k, n], 0, 1, 'float32', k + n);
      const at = tf.transpose(a);
      const bt = tf.transpose(b);
      const bias = tf.randomNormal([n], 0, 1, 'float32', n);
      const run = () => [
        tf.matMul(a, b), tf.matMul(at, b, true, false), tf.matMul(a, bt, false, true), tf.matMul(at, bt, true, true),
        tf.matMul(tf.reshape(a, [1, m, k]), tf.reshape(b, [1, k, n])),
        denseOp(a as tf.Tensor2D, b as tf.Tensor2D, bias as tf.Tensor1D, true), denseOp(a as tf.Tensor2D, b as tf.Tensor2D, null, false),
        ...tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D)))([a, b]),
      ];
      const [simd, ref] = both(run);
      simd.forEach((v, i) => expectClose(v, ref[i]!, { rtol: 1e-5, atol: 1e-5, context: `${m}x${k}x${n} output ${i}` }));
      tf.dispose([a, b, at, bt, bias]);
    }
    // A B too large for the kernel (K·N > 2^18 floats) goes to tfjs' own product.
    const a = tf.randomNormal([2, 600], 0, 1, 'float32', 1);
    const b = tf.randomNormal([600, 500], 0, 1, 'float32', 2);
    const [big, bigRef] = both(() => tf.matMul(a, b));
    expectClose(big[0]!, bigRef[0]!, { rtol: 1e-5, atol: 1e-4 });
    if (onWasm()) expectNoLeak(() => tf.matMul(a, b, false, false), 'large product');
    const c = tf.randomNormal([6, 5], 0, 1, 'float32', 3);
    if (onWasm()) expectNoLeak(() => tf.matMul(c, c, true, false), 'SIMD product with a transposed operand');
    tf.dispose([a, b, c]);
  });
});
