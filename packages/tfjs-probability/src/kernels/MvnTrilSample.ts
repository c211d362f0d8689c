/**
 * `TfpMvnTrilSample`: `loc + L·eps` for `eps [..., d]`, batch dims broadcast.
 */
import { memFor, sizeOf } from './backend_memory.js';
import { MVN_TRIL_SAMPLE } from './kernel_names.js';
import { type Info, type KernelSpec, type Params, asKernelFunc, bshape, input, sampleShapes, suffixRows } from './kernel_utils.js';
import { mvnTrilSampleJs, mvnTrilSampleSuffixJs } from './linalg_js.js';

function mvnSampleKernel(p: Params): Info {
  const loc = input(p, 'loc');
  const l = input(p, 'scaleTril');
  const eps = input(p, 'eps');
  const d = l.shape[l.shape.length - 1]!;
  const outB = bshape(bshape(eps.shape.slice(0, -1), loc.shape.slice(0, -1)), l.shape.slice(0, -2));
  const rows = [suffixRows(outB, loc.shape.slice(0, -1)), suffixRows(outB, l.shape.slice(0, -2)), suffixRows(outB, eps.shape.slice(0, -1))];
  const mem = memFor(p.backend);
  if (rows.every((r) => r > 0)) {
    const out = mem.alloc([...outB, d], false);
    mvnTrilSampleSuffixJs(mem.view(loc), mem.view(l), mem.view(eps), mem.view(out), sizeOf(outB), d, rows[0]!, rows[1]!, rows[2]!);
    return out;
  }
  const s = sampleShapes(loc, l, eps);
  const out = mem.alloc([...s.outB, s.d]);
  mvnTrilSampleJs(mem.view(loc), mem.view(l), mem.view(eps), mem.view(out), s.batch, s.d, s.locMap, s.lMap, s.epsMap);
  return out;
}

export const mvnTrilSampleConfig: KernelSpec = { kernelName: MVN_TRIL_SAMPLE, kernelFunc: asKernelFunc(mvnSampleKernel) };
