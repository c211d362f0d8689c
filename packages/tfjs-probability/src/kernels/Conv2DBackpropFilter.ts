/**
 * wasm `Conv2DBackpropFilter`: the filter gradient of a 2-D convolution, which tfjs-backend-wasm 4.22 does not have (see wasm_conv_grads.ts).
 */
import type { KernelSpec } from './kernel_utils.js';
import { filterGrad } from './wasm_conv_grads.js';

export const conv2DBackpropFilterConfig: KernelSpec = { kernelName: 'Conv2DBackpropFilter', kernelFunc: filterGrad, backends: ['wasm'] };
