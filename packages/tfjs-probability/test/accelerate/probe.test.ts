import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const MISSING_WASM = ['kernel wasm/Conv2DBackpropFilter', 'kernel wasm/DepthwiseConv2dNativeBackpropFilter', 'kernel wasm/DepthwiseConv2dNativeBackpropInput'];

interface Diff {
  changed: string[];
  added: string[];
}
interface Probe {
  import: Diff;
  readyStock: Diff;
  ready: Diff;
  restore: Diff;
  untested: Diff;
  warnings: string[];
  model: Record<'before' | 'afterImport' | 'afterRestore', { losses: number; predictions: number[] }>;
}

describe('what the library changes in tfjs (a fresh process: probe.ts)', () => {
  it('import: nothing; ready({accelerate: false}): only adds the missing wasm conv gradients; ready(): the documented replacements; restore(): all back; another tfjs version: stock tfjs and one warning', async () => {
    const script = fileURLToPath(new URL('./probe.ts', import.meta.url));
    const { stdout } = await run(process.execPath, ['--import', 'tsx', script], { maxBuffer: 1 << 24 });
    const p = JSON.parse(stdout.trim().split('\n').pop()!) as Probe;
    // Importing registers the library's own Tfp kernels and classes only (the probe leaves those out).
    expect(p.import).toEqual({ changed: [], added: [] });
    expect(p.readyStock).toEqual({ changed: [], added: MISSING_WASM });
    expect(p.ready.added).toEqual(MISSING_WASM);
    expect([...p.ready.changed].sort()).toEqual(
      [
        'Dense.call', 'AdamOptimizer.applyGradients', 'LayersModel.makeTrainFunction',
        ...['Identity', 'Cast', 'GatherV2', 'Sum', 'Transpose', 'Slice', 'BatchMatMul'].map((k) => `kernel wasm/${k}`),
      ].sort(),
    );
    expect(p.restore).toEqual({ changed: [], added: [] });
    expect(p.untested).toEqual({ changed: [], added: MISSING_WASM });
    expect(p.warnings).toHaveLength(1);
    expect(p.warnings[0]).toMatch(/tested on tfjs 4\.22\.0 and this is tfjs-core 4\.99\.0; running stock tfjs/);
    // A plain user model: no losses appear, predictions are bit-identical.
    expect(p.model.afterImport).toEqual(p.model.before);
    expect(p.model.afterRestore).toEqual(p.model.before);
    expect(p.model.before.losses).toBe(0);
  });
});
