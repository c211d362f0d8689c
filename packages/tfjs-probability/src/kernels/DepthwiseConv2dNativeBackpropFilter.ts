/**
 * wasm `DepthwiseConv2dNativeBackpropFilter`: the filter gradient of a depthwise convolution, which tfjs-backend-wasm 4.22 does not have (see wasm_conv_grads.ts).
 */
import type { KernelSpec } from './kernel_utils.js';
import { depthwiseGrad } from './wasm_conv_grads.js';

export const depthwiseConv2dNativeBackpropFilterConfig: KernelSpec = { kernelName: 'DepthwiseConv2dNativeBackpropFilter', kernelFunc: (args) => depthwiseGrad(args, true), backends: ['wasm'] };
