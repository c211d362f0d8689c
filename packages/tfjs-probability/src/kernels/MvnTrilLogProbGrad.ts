/**
 * `TfpMvnTrilLogProbGrad`: the gradients of `TfpMvnTrilLogProb` with respect to x, loc and scaleTril, times the upstream `dy`.
 */
import { memFor, sizeOf } from './backend_memory.js';
import { MVN_TRIL_LOG_PROB_GRAD } from './kernel_names.js';
import { type Info, type KernelSpec, type Params, accum, asKernelFunc, input, mvnShapes } from './kernel_utils.js';
import { mvnTrilLogProbGradJs, mvnTrilLogProbGradSharedJs } from './linalg_js.js';

function mvnLogProbGradKernel(p: Params): Info[] {
  const x = input(p, 'x');
  const loc = input(p, 'loc');
  const l = input(p, 'scaleTril');
  const dy = input(p, 'dy');
  const s = mvnShapes(x, loc, l);
  const mem = memFor(p.backend);
  const dxI = mem.alloc(x.shape);
  const dlocI = mem.alloc(loc.shape);
  const dlI = mem.alloc(l.shape);
  const xs = sizeOf(x.shape), ls = sizeOf(loc.shape), lls = sizeOf(l.shape);
  const ax = accum(xs, xs !== s.batch * s.d);
  const aloc = accum(ls, ls !== s.batch * s.d);
  const al = accum(lls, lls !== s.batch * s.d * s.d);
  const dxV = mem.view(dxI), dlocV = mem.view(dlocI), dlV = mem.view(dlI);
  if (s.nL === 1 && s.batch > 1) {
    mvnTrilLogProbGradSharedJs(
      mem.view(x), mem.view(loc), mem.view(l), mem.view(dy), ax ?? dxV, aloc ?? dlocV, al ?? dlV,
      s.batch, s.d, s.xMap, s.locMap,
    );
  } else {
    mvnTrilLogProbGradJs(
      mem.view(x), mem.view(loc), mem.view(l), mem.view(dy),
      ax ?? dxV, aloc ?? dlocV, al ?? dlV,
      s.batch, s.d, s.xMap, s.locMap, s.lMap, s.nL,
    );
  }
  if (ax) dxV.set(ax);
  if (aloc) dlocV.set(aloc);
  if (al) dlV.set(al);
  return [dxI, dlocI, dlI];
}

export const mvnTrilLogProbGradConfig: KernelSpec = { kernelName: MVN_TRIL_LOG_PROB_GRAD, kernelFunc: asKernelFunc(mvnLogProbGradKernel) };
