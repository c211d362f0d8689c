/**
 * Documentation that runs: every TypeScript block of the README files and every TSDoc
 * `@example` of the library is type-checked (strict, the repository's settings) and run on the
 * test backend (cpu or wasm), with the setup and checks test/docs/snippets.ts describes. New
 * README sections and new examples are picked up without any change here.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markdownSnippets, readmeFiles, tsdocSnippets, type Snippet } from './snippets.js';
import { typecheck, writeModules, type Written } from './typecheck.js';

const snippets: Snippet[] = [...readmeFiles().flatMap(markdownSnippets), ...tsdocSnippets()];
let written: Written[] = [];
let typeErrors = new Map<string, string[]>();
const cwd = process.cwd();
const scratch = mkdtempSync(join(tmpdir(), 'tfp-doc-snippets-'));

beforeAll(() => {
  written = writeModules(snippets);
  typeErrors = typecheck(written);
  // Snippets that save to a relative path ('./model') write into a scratch directory.
  process.chdir(scratch);
}, 240_000);

afterAll(() => {
  process.chdir(cwd);
  rmSync(scratch, { recursive: true, force: true });
});

describe('documentation snippets', () => {
  it('finds the README blocks and the TSDoc examples', () => {
    expect(snippets.filter((s) => s.file === 'README.md').length).toBeGreaterThanOrEqual(6);
    expect(snippets.filter((s) => s.id.startsWith('src/')).length).toBeGreaterThanOrEqual(80);
  });

  it.each(snippets.map((s) => [s.id, s] as const))('%s type-checks and runs', async (_id, s) => {
    expect(typeErrors.get(s.id) ?? [], `type errors in ${s.id}`).toEqual([]);
    if (!s.run) return; // typecheck-only: the reason is written beside the block
    const w = written.find((x) => x.snippet === s)!;
    const mod = (await import(pathToFileURL(w.path).href)) as { run(): Promise<void> };
    tf.engine().startScope();
    try {
      await mod.run();
    } catch (e) {
      throw new Error(`${s.file}:${s.line} (${s.id}) failed: ${(e as Error).message}`, { cause: e });
    } finally {
      tf.engine().endScope();
    }
  });
});
