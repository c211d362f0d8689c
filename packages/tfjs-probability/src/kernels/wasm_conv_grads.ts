/**
 * Convolution gradient kernels that tfjs-backend-wasm 4.22 does not have, so that no model with a
 * Conv2D or DepthwiseConv2D layer (the Bayesian conv layers included) can train there ("Kernel
 * 'Conv2DBackpropFilter' not registered"):
 *
 * - `Conv2DBackpropFilter`: `dW[fh, fw, ci, co] = Σ_{b, oh, ow} x[b, oh·sh − pt + fh, ow·sw − pl + fw, ci] · dy[b, oh, ow, co]`,
 *   NHWC and NCHW, any stride and padding (tfjs' conv2d gradient itself only allows dilation 1);
 * - `DepthwiseConv2dNativeBackpropFilter`: `dW[fh, fw, c, q] = Σ x[b, r, s, c] · dy[b, oh, ow, c·m + q]`
 *   with `r = oh·sh − pt + fh·dh`, `s = ow·sw − pl + fw·dw` (channel multiplier m; tfjs' depthwise
 *   gradient only ever asks for dilation 1, the case tested against the cpu kernels, which ignore it);
 * - `DepthwiseConv2dNativeBackpropInput`: `dx[b, r, s, c] = Σ W[fh, fw, c, q] · dy[b, oh, ow, c·m + q]`
 *   over the same positions;
 *
 * positions outside the input contributing nothing, accumulated in float64 and rounded once.
 * The loops of the kernel files Conv2DBackpropFilter.ts, DepthwiseConv2dNativeBackpropFilter.ts and
 * DepthwiseConv2dNativeBackpropInput.ts (registered for wasm by register_all.ts).
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

export function filterGrad(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
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

interface DepthwiseAttrs {
  strides: number | [number, number];
  dilations: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape?: [number, number, number, number];
  inputShape?: [number, number, number, number];
}

/**
 * Both depthwise gradients (NHWC, as tfjs' depthwise conv): `wantFilter` accumulates
 * dW[fh, fw, c, q] += x·dy, otherwise dx[b, r, s, c] += W·dy, over every (b, oh, ow, fh, fw)
 * whose input position lies inside the image.
 */
export function depthwiseGrad(args: Parameters<tf.KernelFunc>[0], wantFilter: boolean): tf.TensorInfo {
  const ins = args.inputs as { x?: tf.TensorInfo; dy: tf.TensorInfo; filter?: tf.TensorInfo };
  const a = args.attrs as unknown as DepthwiseAttrs;
  const xShape = (wantFilter ? ins.x!.shape : a.inputShape!) as [number, number, number, number];
  const fShape = (wantFilter ? a.filterShape! : ins.filter!.shape) as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(xShape, fShape, a.strides, a.dilations, a.pad, a.dimRoundingMode, true);
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, strideHeight, strideWidth } = info;
  const { filterHeight, filterWidth, dilationHeight, dilationWidth } = info;
  const chMul = outChannels / inChannels;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  const mem = memFor(args.backend);
  const out = mem.alloc(wantFilter ? fShape : xShape, false);
  const dv = mem.view(ins.dy);
  const other = mem.view(wantFilter ? ins.x! : ins.filter!);
  const acc = new Float64Array(wantFilter ? filterHeight * filterWidth * inChannels * chMul : batchSize * inHeight * inWidth * inChannels);
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let fh = 0; fh < filterHeight; fh++) {
        const r = oh * strideHeight - padTop + fh * dilationHeight;
        if (r < 0 || r >= inHeight) continue;
        for (let ow = 0; ow < outWidth; ow++) {
          const d0 = ((b * outHeight + oh) * outWidth + ow) * outChannels;
          for (let fw = 0; fw < filterWidth; fw++) {
            const c0 = ow * strideWidth - padLeft + fw * dilationWidth;
            if (c0 < 0 || c0 >= inWidth) continue;
            const x0 = ((b * inHeight + r) * inWidth + c0) * inChannels;
            const w0 = (fh * filterWidth + fw) * inChannels * chMul;
            for (let c = 0; c < inChannels; c++) {
              for (let q = 0; q < chMul; q++) {
                const g = dv[d0 + c * chMul + q]!;
                if (wantFilter) acc[w0 + c * chMul + q]! += other[x0 + c]! * g;
                else acc[x0 + c]! += other[w0 + c * chMul + q]! * g;
              }
            }
          }
        }
      }
    }
  }
  mem.view(out).set(acc);
  return out;
}
