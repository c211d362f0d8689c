/**
 * wasm `DepthwiseConv2dNativeBackpropInput`: the input gradient of a depthwise convolution, which tfjs-backend-wasm 4.22 does not have (see wasm_conv_grads.ts).
 */
import type { KernelSpec } from './kernel_utils.js';
import { depthwiseGrad } from './wasm_conv_grads.js';

export const depthwiseConv2dNativeBackpropInputConfig: KernelSpec = { kernelName: 'DepthwiseConv2dNativeBackpropInput', kernelFunc: (args) => depthwiseGrad(args, false), backends: ['wasm'] };
