/**
 * `Conv2DBackpropFilter` for the wasm backend, which tfjs-backend-wasm 4.22 does not have, so no
 * model with a Conv2D layer (the Bayesian conv layers included) can train there: the filter
 * gradient of `tf.conv2d` throws "Kernel 'Conv2DBackpropFilter' not registered".
 *
 * `dW[fh, fw, ci, co] = Σ_{b, oh, ow} x[b, oh·sh − padTop + fh, ow·sw − padLeft + fw, ci] · dy[b, oh, ow, co]`
 * (positions outside the input contribute nothing), accumulated in float64 and rounded once,
 * for NHWC and NCHW, any stride and padding (tfjs' conv2d gradient itself only allows dilation
 * 1). Registered by `tfp.ready()` when the wasm backend is loaded and tfjs has no such kernel; it
 * stays registered with `tfp.setFastDefaults(false)` (it adds a missing kernel, it replaces none).
 */
import * as tf from '@tensorflow/tfjs';
import { memFor } from './backend_memory.js';

interface Attrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

/** Element strides of a rank-4 tensor indexed as (batch, row, column, channel). */
function strides4(shape: readonly number[], format: 'NHWC' | 'NCHW'): [number, number, number, number] {
  const [, d1, d2, d3] = shape as [number, number, number, number];
  // NHWC [B, H, W, C]; NCHW [B, C, H, W]
  return format === 'NHWC' ? [d1 * d2 * d3, d2 * d3, d3, 1] : [d1 * d2 * d3, d3, 1, d2 * d3];
}

function filterGrad(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const a = args.attrs as unknown as Attrs;
  const format = a.dataFormat === 'NCHW' ? 'NCHW' : 'NHWC';
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode, false,
    format === 'NHWC' ? 'channelsLast' : 'channelsFirst',
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, strideHeight, strideWidth } = info;
  const { filterHeight, filterWidth } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  const mem = memFor(args.backend);
  const out = mem.alloc([filterHeight, filterWidth, inChannels, outChannels], false);
  const xv = mem.view(x);
  const dv = mem.view(dy);
  const ov = mem.view(out);
  const [xb, xr, xc, xch] = strides4(x.shape, format);
  const [db, dr, dc, dch] = strides4(dy.shape, format);
  const acc = new Float64Array(filterHeight * filterWidth * inChannels * outChannels);
  for (let fh = 0; fh < filterHeight; fh++) {
    for (let fw = 0; fw < filterWidth; fw++) {
      const wBase = (fh * filterWidth + fw) * inChannels * outChannels;
      for (let b = 0; b < batchSize; b++) {
        for (let oh = 0; oh < outHeight; oh++) {
          const r = oh * strideHeight - padTop + fh;
          if (r < 0 || r >= inHeight) continue;
          for (let ow = 0; ow < outWidth; ow++) {
            const c = ow * strideWidth - padLeft + fw;
            if (c < 0 || c >= inWidth) continue;
            const xo = b * xb + r * xr + c * xc;
            const d0 = b * db + oh * dr + ow * dc;
            for (let ci = 0; ci < inChannels; ci++) {
              const xval = xv[xo + ci * xch]!;
              const w0 = wBase + ci * outChannels;
              for (let co = 0; co < outChannels; co++) acc[w0 + co]! += xval * dv[d0 + co * dch]!;
            }
          }
        }
      }
    }
  }
  ov.set(acc);
  return out;
}

/** Registers the wasm `Conv2DBackpropFilter` where the wasm kernels exist and tfjs has none (idempotent). */
export function registerWasmConvFilterGrad(): void {
  if (tf.getKernel('Conv2D', 'wasm') === undefined || tf.getKernel('Conv2DBackpropFilter', 'wasm') !== undefined) return;
  tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: filterGrad });
}
