/**
 * Collects the code a user reads: every TypeScript block of the README files and every
 * TSDoc `@example` of the library, turned into modules that the documentation test
 * type-checks (strict) and runs. New sections and new examples are picked up by themselves.
 *
 * Each module starts with the names the docs use without importing them (`tf`, `tfp`,
 * `tfd`, `tfb`, `tfpl`); import lines of those names inside a block are dropped, others are
 * kept at the top. Markdown blocks can carry HTML comments that a reader of the rendered page
 * does not see:
 *
 * - `<!-- snippet-setup ... -->` right before a block: code run first (the data a fragment uses);
 * - `<!-- snippet-check ... -->` right after a block: assertions run after it (`expect` in scope);
 * - `<!-- snippet: typecheck-only: why -->` before a block: type-checked, not run (browser-only code);
 * - `<!-- snippet: continues -->` before a block: it runs after the previous block, in its scope.
 *
 * TSDoc examples get their setup from `setups` in tsdoc_setup.ts, keyed by `file#symbol`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { setups } from './tsdoc_setup.js';

export interface Snippet {
  /** Where it comes from: `README.md:42` or `src/distributions/normal.ts#Normal`. */
  id: string;
  /** The file it is read from, and its 1-based first line there. */
  file: string;
  line: number;
  code: string;
  setup: string;
  check: string;
  run: boolean;
  /** Why it is not run (typecheck-only). */
  reason?: string;
  /** Import lines the setup needs. */
  imports?: string[];
}

export const root = join(import.meta.dirname, '..', '..');

const FENCE = /^```(\w*)\s*$/;
const TS_LANGS = new Set(['ts', 'typescript', 'js', 'javascript']);

/** The `<!-- name ... -->` comment that ends on line `end` (exclusive) of `lines`, if any. */
function commentBefore(lines: string[], end: number): string | null {
  let i = end - 1;
  while (i >= 0 && lines[i]!.trim() === '') i--;
  if (i < 0 || !lines[i]!.trimEnd().endsWith('-->')) return null;
  let j = i;
  while (j >= 0 && !lines[j]!.includes('<!--')) j--;
  if (j < 0) return null;
  return lines.slice(j, i + 1).join('\n').replace(/^[\s\S]*?<!--/, '').replace(/-->\s*$/, '').trim();
}

/** All HTML comments directly before line `end` (several may be stacked). */
function commentsBefore(lines: string[], end: number): string[] {
  const out: string[] = [];
  let e = end;
  for (;;) {
    const c = commentBefore(lines, e);
    if (c === null) return out;
    out.unshift(c);
    let i = e - 1;
    while (i >= 0 && lines[i]!.trim() === '') i--;
    while (i >= 0 && !lines[i]!.includes('<!--')) i--;
    e = i;
  }
}

function commentAfter(lines: string[], start: number): string | null {
  let i = start;
  while (i < lines.length && lines[i]!.trim() === '') i++;
  if (i >= lines.length || !lines[i]!.trimStart().startsWith('<!--')) return null;
  let j = i;
  while (j < lines.length && !lines[j]!.includes('-->')) j++;
  return lines.slice(i, j + 1).join('\n').replace(/^\s*<!--/, '').replace(/-->[\s\S]*$/, '').trim();
}

export function markdownSnippets(file: string): Snippet[] {
  const rel = relative(root, file);
  const lines = readFileSync(file, 'utf8').split('\n');
  const out: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (!open) continue;
    let j = i + 1;
    while (j < lines.length && !/^```\s*$/.test(lines[j]!)) j++;
    if (TS_LANGS.has(open[1]!)) {
      const directives = commentsBefore(lines, i);
      const setup = directives.filter((d) => d.startsWith('snippet-setup')).map((d) => d.slice('snippet-setup'.length)).join('\n');
      const after = commentAfter(lines, j + 1);
      const check = after?.startsWith('snippet-check') ? after.slice('snippet-check'.length) : '';
      const only = directives.map((d) => /^snippet:\s*typecheck-only:?\s*(.*)$/s.exec(d)).find((m) => m);
      const snippet: Snippet = {
        id: `${rel}:${i + 1}`,
        file: rel,
        line: i + 1,
        code: lines.slice(i + 1, j).join('\n'),
        setup,
        check,
        run: !only,
        ...(only ? { reason: only[1]!.trim() } : {}),
      };
      const prev = out.at(-1);
      if (directives.some((d) => /^snippet:\s*continues/.test(d)) && prev) {
        prev.code += `\n${snippet.setup}\n${snippet.code}`;
        prev.check += `\n${snippet.check}`;
        prev.run &&= snippet.run;
        if (snippet.reason) prev.reason = snippet.reason;
      } else out.push(snippet);
    }
    i = j;
  }
  return out;
}

function walk(dir: string, acc: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, acc);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) acc.push(p);
  }
  return acc;
}

/** Every ```ts block inside a TSDoc `@example` of the library's sources. */
export function tsdocSnippets(srcDir = join(root, 'packages', 'tfjs-probability', 'src')): Snippet[] {
  const out: Snippet[] = [];
  for (const file of walk(srcDir).sort()) {
    const text = readFileSync(file, 'utf8');
    if (!text.includes('@example')) continue;
    const rel = relative(join(root, 'packages', 'tfjs-probability'), file);
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (!/^\s*\*\s*@example\b/.test(lines[i]!)) continue;
      // The fenced block that follows, until the comment ends.
      let s = i + 1;
      while (s < lines.length && !/^\s*\*\s*```/.test(lines[s]!) && !lines[s]!.includes('*/')) s++;
      if (s >= lines.length || !/^\s*\*\s*```/.test(lines[s]!)) continue;
      let e = s + 1;
      while (e < lines.length && !/^\s*\*\s*```\s*$/.test(lines[e]!)) e++;
      const code = lines.slice(s + 1, e).map((l) => l.replace(/^\s*\* ?/, '')).join('\n');
      // The symbol documented: the first declaration after the comment.
      let k = e;
      while (k < lines.length && !lines[k]!.includes('*/')) k++;
      let name = `line${i + 1}`;
      for (let d = k + 1; d < Math.min(lines.length, k + 6); d++) {
        const m = /(?:class|function|const|interface|type)\s+([A-Za-z_$][\w$]*)|^\s*(?:static\s+|async\s+|get\s+)*([A-Za-z_$][\w$]*)\s*[(<]/.exec(lines[d]!);
        if (m) {
          name = m[1] ?? m[2]!;
          break;
        }
      }
      let id = `${rel}#${name}`;
      if (out.some((o) => o.id === id)) id += `@${i + 1}`;
      const extra = setups[id] ?? {};
      out.push({
        id,
        file: relative(root, file),
        line: s + 2,
        code,
        setup: extra.setup ?? '',
        check: extra.check ?? '',
        run: extra.typecheckOnly === undefined,
        ...(extra.typecheckOnly !== undefined ? { reason: extra.typecheckOnly } : {}),
        ...(extra.imports ? { imports: extra.imports } : {}),
      });
      i = e;
    }
  }
  return out;
}

export function readmeFiles(): string[] {
  return [join(root, 'README.md'), ...readdirSync(join(root, 'packages')).map((p) => join(root, 'packages', p, 'README.md'))].filter((f) => {
    try {
      readFileSync(f);
      return true;
    } catch {
      return false;
    }
  });
}

const PRELUDE_NAMES: Record<string, RegExp> = {
  tf: /^\s*import \* as tf from '@tensorflow\/tfjs';?\s*$/,
  tfp: /^\s*import \* as tfp from 'tfjs-probability';?\s*$/,
  tfd: /^\s*const tfd = tfp\.(distributions|tfd);?\s*$/,
  tfb: /^\s*const tfb = tfp\.(bijectors|tfb);?\s*$/,
  tfpl: /^\s*const tfpl = tfp\.(layers|tfpl);?\s*$/,
};

/**
 * The module for one snippet: the shared names, the snippet's other imports, then
 * `run()` (setup, the code, the checks). The code is placed at the start of a line
 * so that type errors point at `line - offset`.
 */
export function toModule(s: Snippet): { source: string; codeOffset: number } {
  const imports: string[] = [...(s.imports ?? [])];
  const body: string[] = [];
  for (const l of s.code.split('\n')) {
    if (Object.values(PRELUDE_NAMES).some((re) => re.test(l))) body.push('');
    else if (/^\s*import\s/.test(l)) {
      imports.push(l);
      body.push('');
    } else body.push(l);
  }
  const head = [
    `// Generated from ${s.id} by test/docs/snippets.ts; do not edit.`,
    "import * as tf from '@tensorflow/tfjs';",
    "import * as tfp from 'tfjs-probability';",
    "import { expect } from 'vitest';",
    ...imports,
    'const tfd = tfp.distributions;',
    'const tfb = tfp.bijectors;',
    'const tfpl = tfp.layers;',
    'void tf, tfd, tfb, tfpl, expect;',
    'export async function run(): Promise<void> {',
    s.setup,
    '{',
  ].join('\n');
  const codeOffset = head.split('\n').length;
  return { source: `${head}\n${body.join('\n')}\n${s.check}\n}\n}\n`, codeOffset };
}
