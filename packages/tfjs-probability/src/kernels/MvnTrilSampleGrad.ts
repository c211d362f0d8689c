/**
 * `TfpMvnTrilSampleGrad`: the gradients of `TfpMvnTrilSample` with respect to loc, scaleTril and eps, times the upstream `dy`.
 */
import { memFor, sizeOf } from './backend_memory.js';
import { MVN_TRIL_SAMPLE_GRAD } from './kernel_names.js';
import { type Info, type KernelSpec, type Params, accum, asKernelFunc, input, sampleShapes } from './kernel_utils.js';
import { mvnTrilSampleGradJs } from './linalg_js.js';

function mvnSampleGradKernel(p: Params): Info[] {
  const loc = input(p, 'loc');
  const l = input(p, 'scaleTril');
  const eps = input(p, 'eps');
  const dy = input(p, 'dy');
  const s = sampleShapes(loc, l, eps);
  const mem = memFor(p.backend);
  const dlocI = mem.alloc(loc.shape);
  const dlI = mem.alloc(l.shape);
  const depsI = mem.alloc(eps.shape);
  const ls = sizeOf(loc.shape), lls = sizeOf(l.shape), es = sizeOf(eps.shape);
  const aloc = accum(ls, ls !== s.batch * s.d);
  const al = accum(lls, lls !== s.batch * s.d * s.d);
  const ae = accum(es, es !== s.batch * s.d);
  const dlocV = mem.view(dlocI), dlV = mem.view(dlI), depsV = mem.view(depsI);
  mvnTrilSampleGradJs(
    mem.view(l), mem.view(eps), mem.view(dy), aloc ?? dlocV, al ?? dlV, ae ?? depsV,
    s.batch, s.d, s.locMap, s.lMap, s.epsMap,
  );
  if (aloc) dlocV.set(aloc);
  if (al) dlV.set(al);
  if (ae) depsV.set(ae);
  return [dlocI, dlI, depsI];
}


export const mvnTrilSampleGradConfig: KernelSpec = { kernelName: MVN_TRIL_SAMPLE_GRAD, kernelFunc: asKernelFunc(mvnSampleGradKernel) };
