/**
 * `TfpTriangularSolve`: solves `matrix · X = rhs` for triangular `matrix [..., n, n]` (lower or upper, optionally its adjoint), batch dims broadcast.
 */
import { memFor, sizeOf } from './backend_memory.js';
import { TRIANGULAR_SOLVE } from './kernel_names.js';
import { type Info, type KernelSpec, type Params, asKernelFunc, bshape, input } from './kernel_utils.js';
import { broadcastMap, triangularSolveJs } from './linalg_js.js';

function triangularSolveKernel(p: Params): Info {
  const a = input(p, 'matrix');
  const b = input(p, 'rhs');
  const lower = p.attrs?.['lower'] !== false;
  const adjoint = p.attrs?.['adjoint'] === true;
  const n = a.shape[a.shape.length - 1]!;
  const m = b.shape[b.shape.length - 1]!;
  const aB = a.shape.slice(0, -2);
  const bB = b.shape.slice(0, -2);
  const outB = bshape(aB, bB);
  const batch = sizeOf(outB);
  const mem = memFor(p.backend);
  const out = mem.alloc([...outB, n, m]);
  triangularSolveJs(mem.view(a), mem.view(b), mem.view(out), batch, n, m, lower, adjoint, broadcastMap(outB, aB), broadcastMap(outB, bB));
  return out;
}

export const triangularSolveConfig: KernelSpec = { kernelName: TRIANGULAR_SOLVE, kernelFunc: asKernelFunc(triangularSolveKernel) };
