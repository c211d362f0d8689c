/**
 * The packaging test (npm run test:pack; run by .ci/run after npm test): what a user gets from
 * npm. Packs both workspace packages (prepack builds them), checks the tarballs (no dependency
 * the CLI needs in the library, tfjs a peer, no source map pointing at an unshipped file), then
 * installs them offline, from the npm cache that `npm ci` filled, into temporary consumers
 * (`npm ci --offline` with a lockfile taken from the repository's: see consumerLock):
 *  A. the library + @tensorflow/tfjs only (no wasm backend, no CLI): ESM import and require(),
 *     tfp.ready() falls back to cpu, a model directory round-trips, a consumer file type-checks
 *     with moduleResolution bundler and node16, and esbuild's and Vite's default browser builds succeed
 *     (with its minified+gzip size over tfjs alone printed);
 *  B. the CLI tarball on its own (the library is bundled into it): one tfjs installed, its bin
 *     runs with no "already registered" warnings, ships its data and fits a model;
 *  C. the CLI tarball installed globally, `npm i -g --prefix <temporary directory>` (nothing
 *     global on the machine is touched; this one resolves from the registry, preferring the
 *     npm cache): `tfjs-prob demo` runs end to end from the global bin (skip it with --no-demo).
 * Prints the measurements (install footprint, bundle delta) as JSON on its last line.
 */
import { execFileSync, spawnSync, type ExecFileSyncOptions } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = (name: string): string => join(repo, 'node_modules', '.bin', name);
const keep = process.argv.includes('--keep');
const demo = !process.argv.includes('--no-demo');
const work = mkdtempSync(join(tmpdir(), 'tfp-pack-'));
const t0 = performance.now();
const failures: string[] = [];

function sh(cmd: string, args: string[], o: ExecFileSyncOptions & { cwd: string }): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20, ...o }) as string;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} (in ${o.cwd}) failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
  }
}
/** Runs a command and returns stdout and stderr (both: tfjs prints its warnings on either). */
function shAll(cmd: string, args: string[], o: { cwd: string; timeout?: number }): { out: string; all: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...o });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} (in ${o.cwd}) failed with status ${r.status}: ${r.error?.message ?? ''}\n${r.stdout}\n${r.stderr}`);
  return { out: r.stdout, all: `${r.stdout}\n${r.stderr}` };
}
/** The installed copies of a package (e.g. '@tensorflow/tfjs-core') under a node_modules tree. */
function copiesOf(nodeModules: string, name: string): string[] {
  const found: string[] = [];
  const suffix = join('node_modules', name);
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      const p = join(dir, e.name);
      if (p.endsWith(suffix)) found.push(p);
      walk(e.name.startsWith('@') ? p : join(p, 'node_modules'));
    }
  };
  walk(nodeModules);
  return found;
}
function check(what: string, ok: boolean, detail = ''): void {
  process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? `: ${detail}` : ''}\n`);
  if (!ok) failures.push(what);
}
function step(what: string): void {
  process.stdout.write(`\n== ${what} (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
}
function duBytes(p: string): number {
  const st = statSync(p);
  if (!st.isDirectory()) return st.size;
  return readdirSync(p).reduce((s, n) => s + duBytes(join(p, n)), 0);
}


type LockEntry = Record<string, unknown> & { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string>; peerDependencies?: Record<string, string>; peerDependenciesMeta?: Record<string, { optional?: boolean }> };

/**
 * A lockfile for a consumer: the given tarballs plus every package they need, taken from the
 * repository's package-lock.json (same versions, same integrity). `npm ci --offline` then
 * installs it from the tarballs that the repository's `npm ci` put in the npm cache (a plain
 * `npm install --offline` would need registry metadata, which `npm ci` does not cache).
 */
function consumerLock(name: string, deps: Record<string, string>, tarballs: Record<string, { path: string; pkg: LockEntry }>): object {
  const root = JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const out: Record<string, LockEntry> = { '': { name, dependencies: deps } };
  const find = (from: string, dep: string): string | null => {
    let p = from;
    for (;;) {
      const cand = `${p ? `${p}/` : ''}node_modules/${dep}`;
      if (tarballs[dep] !== undefined && p === '') return cand;
      if (root.packages[cand] !== undefined) return cand;
      if (p === '') return null;
      const i = p.lastIndexOf('/node_modules/');
      p = i < 0 ? '' : p.slice(0, i);
    }
  };
  const queue: Array<[string, string]> = Object.keys(deps).map((d) => ['', d]);
  while (queue.length > 0) {
    const [from, dep] = queue.shift()!;
    const key = find(from, dep);
    if (key === null || out[key] !== undefined) continue;
    const tb = key === `node_modules/${dep}` ? tarballs[dep] : undefined;
    const entry: LockEntry = tb !== undefined ? { ...tb.pkg, resolved: `file:${tb.path}` } : { ...root.packages[key]! };
    delete entry['dev'];
    delete entry['peer'];
    delete entry['devOptional'];
    out[key] = entry;
    const optionalPeers = new Set(Object.entries(entry.peerDependenciesMeta ?? {}).filter(([, m]) => m.optional).map(([n]) => n));
    for (const d of [...Object.keys(entry.dependencies ?? {}), ...Object.keys(entry.optionalDependencies ?? {}), ...Object.keys(entry.peerDependencies ?? {}).filter((n) => !optionalPeers.has(n))]) {
      queue.push([key, d]);
    }
  }
  return { name, lockfileVersion: 3, requires: true, packages: out };
}

/** The lockfile entry npm writes for a packed workspace package. */
function tarballEntry(pkgJson: string, integrity: string): LockEntry {
  const pkg = JSON.parse(readFileSync(pkgJson, 'utf8')) as Record<string, unknown>;
  const e: LockEntry = { version: pkg['version'], integrity, license: pkg['license'] };
  for (const k of ['dependencies', 'peerDependencies', 'peerDependenciesMeta', 'bin', 'engines']) if (pkg[k] !== undefined) e[k] = pkg[k];
  return e;
}

/** Writes package.json and its lockfile into `dir` and runs `npm ci --offline`. */
function install(dir: string, deps: Record<string, string>, tarballs: Record<string, { path: string; pkg: LockEntry }>): void {
  mkdirSync(dir);
  const name = dir.split('/').pop()!;
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module', dependencies: deps }, null, 2));
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify(consumerLock(name, deps, tarballs), null, 2));
  sh('npm', ['ci', '--offline', '--no-audit', '--no-fund'], { cwd: dir });
}

try {
  step('npm pack (prepack builds both packages)');
  const tgzDir = join(work, 'tarballs');
  mkdirSync(tgzDir);
  const packed = JSON.parse(sh('npm', ['pack', '-w', 'tfjs-probability', '-w', 'tfjs-prob-cli', '--pack-destination', tgzDir, '--json'], { cwd: repo })) as Array<{
    name: string;
    filename: string;
    size: number;
    unpackedSize: number;
    files: Array<{ path: string }>;
    integrity: string;
  }>;
  const lib = packed.find((p) => p.name === 'tfjs-probability')!;
  const cli = packed.find((p) => p.name === 'tfjs-prob-cli')!;
  const libTgz = join(tgzDir, lib.filename);
  const cliTgz = join(tgzDir, cli.filename);
  const libFiles = new Set(lib.files.map((f) => f.path));
  check('library tarball has dist/index.js, dist/node.js and their types', ['dist/index.js', 'dist/node.js', 'dist/index.d.ts'].every((f) => libFiles.has(f)));
  // Every source map's sources must be shipped.
  const extract = join(work, 'lib-extract');
  mkdirSync(extract);
  sh('tar', ['-xzf', libTgz, '-C', extract], { cwd: work });
  let maps = 0;
  const dangling: string[] = [];
  for (const f of libFiles) {
    if (!f.endsWith('.map')) continue;
    maps++;
    const m = JSON.parse(readFileSync(join(extract, 'package', f), 'utf8')) as { sources: string[] };
    for (const s of m.sources) if (!libFiles.has(join(dirname(f), s).replace(/\\/g, '/'))) dangling.push(`${f} -> ${s}`);
  }
  check(`the library's ${maps} source maps point only at shipped files`, dangling.length === 0, dangling.slice(0, 3).join(', '));
  const libPkg = JSON.parse(readFileSync(join(extract, 'package', 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
  check('the library has no dependencies (tfjs is a peer)', Object.keys(libPkg['dependencies'] ?? {}).length === 0, JSON.stringify(libPkg['dependencies']));
  check('@tensorflow/tfjs is a peer dependency, the wasm backend an optional one', libPkg['peerDependencies']?.['@tensorflow/tfjs'] !== undefined && (libPkg['peerDependenciesMeta'] as unknown as Record<string, { optional?: boolean }>)?.['@tensorflow/tfjs-backend-wasm']?.optional === true);
  const cliFiles = new Set(cli.files.map((f) => f.path));
  check('CLI tarball ships bin, dist and data', ['bin/tfjs-prob.js', 'dist/main.js', 'dist/spiral.js', 'data/spiral.csv', 'data/recipe001.csv'].every((f) => cliFiles.has(f)));

  step('consumer A: the library and @tensorflow/tfjs only, installed offline');
  const a = join(work, 'consumer-a');
  const tarballs = {
    'tfjs-probability': { path: libTgz, pkg: tarballEntry(join(extract, 'package', 'package.json'), lib.integrity) },
    'tfjs-prob-cli': { path: cliTgz, pkg: tarballEntry(join(repo, 'packages', 'tfjs-prob-cli', 'package.json'), cli.integrity) },
  };
  install(a, { '@tensorflow/tfjs': '^4.22.0', 'tfjs-probability': `file:${libTgz}` }, tarballs);
  check('the wasm backend is not installed with the library', !existsSync(join(a, 'node_modules', '@tensorflow', 'tfjs-backend-wasm')));
  const footprint = duBytes(join(a, 'node_modules', 'tfjs-probability'));
  const tfjsFootprint = duBytes(join(a, 'node_modules')) - footprint;

  const script = `
    const tf = await import('@tensorflow/tfjs');
    const name = await tfp.ready();
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 2 }), new tfp.layers.IndependentNormal({ eventShape: [1] })] });
    await tfp.io.saveModel(model, 'saved-model');
    const again = await tfp.io.loadModel('saved-model');
    const d = tfp.predictDistribution(again, tf.ones([3, 2]));
    console.log(JSON.stringify({ name, batch: d.batchShape, keys: Object.keys(tfp).length }));`;
  writeFileSync(join(a, 'esm.mjs'), `import * as tfp from 'tfjs-probability';\n${script}\n`);
  const esm = JSON.parse(sh('node', ['esm.mjs'], { cwd: a }).trim().split('\n').pop()!) as { name: string; batch: number[] };
  check('ESM import works; ready() falls back to cpu without the wasm backend; a model directory round-trips', esm.name === 'cpu' && JSON.stringify(esm.batch) === '[3]', JSON.stringify(esm));
  writeFileSync(join(a, 'req.cjs'), `const tfp = require('tfjs-probability');\n(async () => {${script}\n})();\n`);
  const req = JSON.parse(sh('node', ['req.cjs'], { cwd: a, env: { ...process.env, NODE_NO_WARNINGS: '1' } }).trim().split('\n').pop()!) as { name: string; keys: number };
  check("require('tfjs-probability') works (require of the ESM build, no top-level await)", req.name === 'cpu' && req.keys > 5, JSON.stringify(req));

  writeFileSync(
    join(a, 'check.ts'),
    `import * as tf from '@tensorflow/tfjs';\nimport * as tfp from 'tfjs-probability';\n` +
      `const d: tfp.distributions.Distribution = new tfp.tfd.Normal({ loc: [0, 1], scale: 1 });\n` +
      `const lp: tf.Tensor = d.logProb(0.5);\n` +
      `export async function save(m: tf.LayersModel): Promise<number> { const r: tfp.io.SaveModelResult = await tfp.io.saveModel(m, 'indexeddb://x'); return r.weightDataBytes; }\n` +
      `export const backend: Promise<string> = tfp.ready({ backend: 'webgl' });\nlp.dispose();\n`,
  );
  for (const [res, mod] of [['bundler', 'esnext'], ['node16', 'node16']]) {
    writeFileSync(join(a, `tsconfig.${res}.json`), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, module: mod, moduleResolution: res, target: 'es2022', lib: ['es2022', 'dom'], types: [], skipLibCheck: false }, files: ['check.ts'] }));
    let errors: string[] = [];
    try {
      sh(bin('tsc'), ['-p', `tsconfig.${res}.json`], { cwd: a });
    } catch (e) {
      errors = (e as Error).message.split('\n').filter((l) => l.includes('error TS'));
    }
    // tfjs 4.22's own declarations have errors with skipLibCheck off (Long, PyJsonValue, ...):
    // those are not ours; every other error (the consumer file, our .d.ts) fails the check.
    const ours = errors.filter((l) => !l.startsWith('node_modules/@tensorflow/'));
    check(`a consumer file and the library's declarations type-check with moduleResolution ${res} (skipLibCheck off; tfjs's own ${errors.length - ours.length} errors ignored)`, ours.length === 0, ours.slice(0, 5).join(' | '));
  }

  writeFileSync(join(a, 'page.js'), `import * as tfp from 'tfjs-probability';\nconsole.log(await tfp.ready());\n`);
  let bundleErr = '';
  try {
    sh(bin('esbuild'), ['page.js', '--bundle', '--outfile=page.bundle.js', '--format=esm'], { cwd: a });
  } catch (e) {
    bundleErr = (e as Error).message.split('\n').filter((l) => /ERROR|Could not resolve/.test(l)).slice(0, 3).join(' | ');
  }
  check("esbuild's default browser bundle of import * as tfp from 'tfjs-probability' succeeds", bundleErr === '', bundleErr);
  check('the browser bundle holds nothing from node:', bundleErr === '' && !/["']node:/.test(readFileSync(join(a, 'page.bundle.js'), 'utf8')));
  // Vite (vitest brings it) with default settings, on an index.html page.
  writeFileSync(join(a, 'index.html'), '<!doctype html><script type="module" src="./page.js"></script>\n');
  let vite = '';
  try {
    vite = sh(bin('vite'), ['build', '--logLevel', 'warn'], { cwd: a });
  } catch (e) {
    vite = `FAILED ${(e as Error).message.slice(0, 400)}`;
  }
  check("Vite's default build of the same page succeeds, nothing externalized for the browser", !/FAILED|externalized|node:/.test(vite), vite.split('\n').find((l) => /FAILED|externalized|node:/.test(l)));
  // Size: the library's minified+gzip cost over tfjs alone (everything the library exports kept).
  writeFileSync(join(a, 'size-tf.js'), `import * as tf from '@tensorflow/tfjs';\nglobalThis.x = [tf];\n`);
  writeFileSync(join(a, 'size-tfp.js'), `import * as tf from '@tensorflow/tfjs';\nimport * as tfp from 'tfjs-probability';\nglobalThis.x = [tf, tfp];\n`);
  const gz: Record<string, number> = {};
  for (const n of ['size-tf', 'size-tfp']) {
    sh(bin('esbuild'), [`${n}.js`, '--bundle', '--minify', `--outfile=${n}.min.js`], { cwd: a });
    gz[n] = gzipSync(readFileSync(join(a, `${n}.min.js`)), { level: 9 }).length;
  }

  step('consumer B: the CLI tarball alone, installed offline');
  const cliPkg = JSON.parse(readFileSync(join(repo, 'packages', 'tfjs-prob-cli', 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
  check('the CLI does not depend on the tfjs-probability package (the library is bundled into its dist)', cliPkg['dependencies']?.['tfjs-probability'] === undefined);
  for (const [name, p] of [['library', libPkg], ['CLI', cliPkg]] as const) {
    check(`the ${name}'s package.json has repository, homepage, bugs and keywords`, ['repository', 'homepage', 'bugs', 'keywords'].every((k) => p[k] !== undefined));
  }
  const b = join(work, 'consumer-b');
  install(b, { 'tfjs-prob-cli': `file:${cliTgz}` }, tarballs);
  const cores = copiesOf(join(b, 'node_modules'), '@tensorflow/tfjs-core');
  check('exactly one @tensorflow/tfjs-core is installed with the CLI', cores.length === 1, cores.map((c) => c.slice(b.length + 1)).join(', '));
  check('no separate tfjs-probability package is installed with the CLI', !existsSync(join(b, 'node_modules', 'tfjs-probability')));
  const help = shAll('npx', ['--offline', 'tfjs-prob', '--help'], { cwd: b });
  check('npx tfjs-prob --help runs the installed bin', /Usage: tfjs-prob/.test(help.out), help.out.split('\n')[0]);
  const data = join(b, 'node_modules', 'tfjs-prob-cli', 'data');
  const fit = shAll('npx', ['--offline', 'tfjs-prob', 'fit', join(data, 'spiral.csv'), '--x', 'x', '--y', 'y', '--head', 'normal', '--epochs', '2', '--quiet', '--out', join(b, 'm')], { cwd: b });
  check('tfjs-prob fit on the shipped data writes a model', existsSync(join(b, 'm', 'model.json')) || readdirSync(join(b, 'm')).length > 0, fit.out.trim().split('\n').pop());
  check('no "already registered" warnings from the installed CLI', !/already registered/.test(fit.all + help.all), fit.all.split('\n').find((l) => /already registered/.test(l)));

  step('C: the CLI tarball installed globally into a temporary prefix');
  const prefix = join(work, 'global');
  const g0 = performance.now();
  shAll('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', cliTgz], { cwd: work, timeout: 900_000 });
  const globalSeconds = (performance.now() - g0) / 1000;
  const globalModules = join(prefix, 'lib', 'node_modules');
  const globalCores = copiesOf(globalModules, '@tensorflow/tfjs-core');
  check(`npm i -g of the CLI tarball alone installs exactly one @tensorflow/tfjs-core (${globalSeconds.toFixed(0)} s)`, globalCores.length === 1, globalCores.map((c) => c.slice(prefix.length + 1)).join(', '));
  const globalBin = join(prefix, 'bin', 'tfjs-prob');
  check('the global install puts tfjs-prob on the prefix\'s bin', existsSync(globalBin));
  let demoSeconds: number | null = null;
  if (demo) {
    const d0 = performance.now();
    const run = shAll(globalBin, ['demo', '--out-dir', join(work, 'demo')], { cwd: work, timeout: 1_800_000 });
    demoSeconds = (performance.now() - d0) / 1000;
    check('tfjs-prob demo runs end to end from the global install (spiral MDN included)', /demo done in/.test(run.out) && /spiral MDN: held-out NLL/.test(run.out), run.out.trim().split('\n').pop());
    check('no "already registered" warnings from the global install', !/already registered/.test(run.all), run.all.split('\n').find((l) => /already registered/.test(l)));
  }
  const globalInstallBytes = duBytes(globalModules);

  const numbers = {
    libraryTarballBytes: lib.size,
    libraryUnpackedBytes: lib.unpackedSize,
    libraryInstallBytes: footprint,
    tfjsInstallBytes: tfjsFootprint,
    tfjsMinGzipBytes: gz['size-tf'],
    tfjsPlusLibraryMinGzipBytes: gz['size-tfp'],
    libraryMinGzipDeltaBytes: gz['size-tfp']! - gz['size-tf']!,
    demoSeconds,
    globalInstallSeconds: globalSeconds,
    globalInstallBytes,
    seconds: (performance.now() - t0) / 1000,
  };
  process.stdout.write(`\n${failures.length === 0 ? 'all packaging checks passed' : `${failures.length} packaging checks FAILED`}\n${JSON.stringify(numbers)}\n`);
} catch (e) {
  failures.push((e as Error).message);
  process.stdout.write(`FAIL ${(e as Error).message}\n`);
} finally {
  if (!keep) rmSync(work, { recursive: true, force: true });
  else process.stdout.write(`kept ${work}\n`);
}
process.exitCode = failures.length === 0 ? 0 : 1;
