/** Writes the snippet modules and type-checks them with the repository's strict settings. */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { root, toModule, type Snippet } from './snippets.js';

export const outDir = join(root, 'test', '.doc-snippets');

export interface Written {
  snippet: Snippet;
  path: string;
  codeOffset: number;
}

export function fileName(s: Snippet): string {
  return `${s.id.replace(/[^A-Za-z0-9]+/g, '_')}.ts`;
}

export function writeModules(snippets: readonly Snippet[]): Written[] {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  return snippets.map((snippet) => {
    const { source, codeOffset } = toModule(snippet);
    const path = join(outDir, fileName(snippet));
    writeFileSync(path, source);
    return { snippet, path, codeOffset };
  });
}

/** Type errors per snippet id, with positions mapped back to the documentation's lines. */
export function typecheck(written: readonly Written[]): Map<string, string[]> {
  const config = ts.readConfigFile(join(root, 'tsconfig.json'), (p) => ts.sys.readFile(p));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  // strict, as a user's project would have it; not the repository's extra noUncheckedIndexedAccess.
  const program = ts.createProgram(written.map((w) => w.path), { ...parsed.options, noEmit: true, strict: true, noUncheckedIndexedAccess: false });
  const byPath = new Map(written.map((w) => [w.path, w]));
  const errors = new Map<string, string[]>();
  // Only the snippets' own diagnostics: the library's bodies are not checked again here
  // (npm run typecheck does that), which keeps this to a few seconds.
  const diagnostics = written.flatMap((w) => {
    const sf = program.getSourceFile(w.path)!;
    return [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
  });
  for (const d of diagnostics) {
    const w = d.file && byPath.get(d.file.fileName);
    if (!w || d.start === undefined) continue;
    const { line } = d.file!.getLineAndCharacterOfPosition(d.start);
    const docLine = w.snippet.line + (line - w.codeOffset);
    const inCode = line >= w.codeOffset && line < w.codeOffset + w.snippet.code.split('\n').length;
    const where = inCode ? `${w.snippet.file}:${docLine}` : `${w.snippet.id} (setup/check, generated line ${line + 1})`;
    const list = errors.get(w.snippet.id) ?? [];
    list.push(`${where}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    errors.set(w.snippet.id, list);
  }
  return errors;
}
