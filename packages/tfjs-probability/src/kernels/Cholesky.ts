/**
 * `TfpCholesky`: the lower Cholesky factor of each matrix of `a [..., n, n]` (float64 loop, one rounding per entry).
 */
import { InvalidArgumentError, fmtShape } from '../errors.js';
import { memFor, sizeOf } from './backend_memory.js';
import { CHOLESKY } from './kernel_names.js';
import { type Info, type KernelSpec, type Params, asKernelFunc, input, unravel } from './kernel_utils.js';
import { choleskyJs } from './linalg_js.js';

function choleskyKernel(p: Params): Info {
  const a = input(p, 'a');
  const mem = memFor(p.backend);
  const n = a.shape[a.shape.length - 1]!;
  const batchShape = a.shape.slice(0, -2);
  const batch = sizeOf(batchShape);
  const out = mem.alloc(a.shape);
  const failed = choleskyJs(mem.view(a), mem.view(out), batch, n);
  if (failed >= 0) {
    mem.free(out);
    const where = batchShape.length ? ` at batch index ${failed} (${fmtShape(unravel(failed, batchShape))} of batch shape ${fmtShape(batchShape)})` : '';
    throw new InvalidArgumentError(
      `cholesky: matrix is not positive definite${where}; a must be symmetric positive definite [..., n, n] (got ${fmtShape(a.shape)})`,
    );
  }
  return out;
}

export const choleskyConfig: KernelSpec = { kernelName: CHOLESKY, kernelFunc: asKernelFunc(choleskyKernel) };
