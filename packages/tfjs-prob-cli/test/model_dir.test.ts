// The CLI's model directory: a save killed with SIGKILL never leaves --out without a complete
// model (description and networks of one save), and a tampered directory (members leading
// outside, linked member folders or description, /dev/zero, broken scalers) is refused with
// exit status 2 and a message naming the file.
import * as tf from '@tensorflow/tfjs';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFitted, saveFitted } from '../src/model_dir.js';
import { buildNetwork, type Fitted, type ModelMeta } from '../src/model.js';
import { cli, tempDir } from './helpers.js';

const root = tempDir('modeldir');
afterAll(() => rmSync(root, { recursive: true, force: true }));
const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..', '..');

/** A two-network model whose weights all equal `c`, and whose description says so (xScaler.mean[0] = c). */
function fitted(c: number): Fitted {
  const members = [0, 1].map((s) => buildNetwork(2, 1, [3], { kind: 'normal', components: 1 }, s));
  for (const m of members) m.setWeights(m.getWeights().map((w) => tf.fill(w.shape, c)));
  const meta: ModelMeta = {
    format: 'tfjs-prob-model', version: 1, head: 'normal', xColumns: ['a', 'b'], yColumns: ['y'],
    xScaler: { mean: [c, 0], std: [1, 1] }, yScaler: { mean: [0], std: [1] }, hidden: [3], members: ['network-0', 'network-1'],
    training: {} as ModelMeta['training'],
  };
  return { meta, members };
}

/** The value of a loaded model: its description's and every weight's, which must agree. */
function valueOf(f: Fitted): number {
  const c = f.meta.xScaler.mean[0]!;
  for (const m of f.members) for (const w of m.getWeights()) expect(Array.from(w.dataSync()).every((v) => v === c), `weights of ${c}`).toBe(true);
  f.members.forEach((m) => m.dispose());
  return c;
}

let good: string;
beforeAll(async () => {
  good = join(root, 'good');
  const f = fitted(1);
  await saveFitted(f, good);
  f.members.forEach((m) => m.dispose());
});

describe('saveFitted: atomic', () => {
  it('replacing a model switches description and networks in one step and leaves one generation', async () => {
    const dir = join(root, 'replace');
    for (const c of [1, 2, 3]) {
      const f = fitted(c);
      await saveFitted(f, dir);
      f.members.forEach((m) => m.dispose());
      expect(valueOf(await loadFitted(dir))).toBe(c);
    }
    expect(readdirSync(dir).sort()).toEqual([expect.stringMatching(/^g-\d+-[0-9a-f]{16}$/), 'tfjs-prob.json']);
  });

  it('2 saving processes killed with SIGKILL at moments of their saves: --out always holds one complete model', async () => {
    const script = join(root, 'saver.mts');
    writeFileSync(
      script,
        `import { saveFitted } from ${JSON.stringify(join(repo, 'packages/tfjs-prob-cli/src/model_dir.ts'))};\n` +
        `import { buildNetwork } from ${JSON.stringify(join(repo, 'packages/tfjs-prob-cli/src/model.ts'))};\n` +
        `const [dir, first] = [process.argv[2], Number(process.argv[3])];\n` +
        `process.stdout.write('ready\\n');\n` +
        `for (let c = first; ; c++) {\n` +
        `  const members = [0, 1].map((s) => buildNetwork(2, 1, [3], { kind: 'normal', components: 1 }, s));\n` +
        `  for (const m of members) m.setWeights(m.getWeights().map((w) => w.mul(0).add(c)));\n` +
        `  await saveFitted({ meta: { format: 'tfjs-prob-model', version: 1, head: 'normal', xColumns: ['a', 'b'], yColumns: ['y'], xScaler: { mean: [c, 0], std: [1, 1] }, yScaler: { mean: [0], std: [1] }, hidden: [3], members: [], training: {} }, members }, dir);\n` +
        `  members.forEach((m) => m.dispose());\n` +
        `  process.stdout.write('saved ' + c + '\\n');\n` +
        `}\n`,
    );
    const runs = [0, 1].map(async (k) => {
      const dir = join(root, `killed-${k}`);
      cpSync(good, dir, { recursive: true });
      const child = spawn(process.execPath, ['--import', 'tsx', script, dir, String(100 * (k + 1))], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      await new Promise<void>((res, rej) => {
        child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && res());
        child.on('exit', () => rej(new Error(`saver exited early: ${err}`)));
      });
      // During the first save (k = 0) or a later one (k = 1).
      await new Promise((r) => setTimeout(r, 30 + 400 * k));
      const exited = new Promise((r) => child.on('exit', r));
      child.kill('SIGKILL');
      await exited;
      const v = valueOf(await loadFitted(dir));
      expect(v === 1 || v >= 100 * (k + 1)).toBe(true);
      // The next save removes what the killed process left.
      const f = fitted(7);
      await saveFitted(f, dir);
      f.members.forEach((m) => m.dispose());
      expect(readdirSync(dir)).toHaveLength(2);
    });
    await Promise.all(runs);
  });
});

describe('loadFitted: a tampered model directory', () => {
  const data = (): string => {
    const f = join(root, 'data.csv');
    writeFileSync(f, 'a,b,y\n1,2,3\n2,3,4\n');
    return f;
  };
  const variant = (name: string, edit: (dir: string, meta: ModelMeta) => void): string => {
    const dir = join(root, name);
    cpSync(good, dir, { recursive: true });
    const meta = JSON.parse(readFileSync(join(dir, 'tfjs-prob.json'), 'utf8')) as ModelMeta;
    edit(dir, meta);
    writeFileSync(join(dir, 'tfjs-prob.json'), JSON.stringify(meta));
    return dir;
  };
  const refused = async (dir: string, ...parts: Array<string | RegExp>): Promise<void> => {
    const r = await cli('predict', dir, data());
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    for (const p of parts) expect(r.stderr).toMatch(p);
  };

  it("members leading outside ('..', absolute) are refused; so is a member folder linked outside", async () => {
    const victim = join(root, 'elsewhere', 'victim');
    mkdirSync(dirname(victim), { recursive: true });
    cpSync(good, victim, { recursive: true });
    const first = (JSON.parse(readFileSync(join(good, 'tfjs-prob.json'), 'utf8')) as ModelMeta).members[0]!;
    await refused(variant('dotdot', (_, m) => (m.members = [`../elsewhere/victim/${first}`])), /tfjs-prob\.json: network path "\.\.\/elsewhere.*must be a relative path inside the model directory/);
    await refused(variant('absolute', (_, m) => (m.members = [join(victim, first)])), /must be a relative path inside the model directory/);
    await refused(
      variant('linked', (dir, m) => {
        symlinkSync(join(victim, first.split('/')[0]!), join(dir, 'network-0'));
        m.members = ['network-0/network-0'];
      }),
      /network network-0\/network-0 resolves to .*elsewhere\/victim.*, outside the model directory/,
    );
  });

  it('a description linked to /dev/zero or another file is refused without reading it', async () => {
    const dir = join(root, 'zero');
    cpSync(good, dir, { recursive: true });
    rmSync(join(dir, 'tfjs-prob.json'));
    symlinkSync('/dev/zero', join(dir, 'tfjs-prob.json'));
    await refused(dir, /zero\/tfjs-prob\.json: is a symbolic link, refused/);
  });

  it.each([
    ['std 0', (m: ModelMeta) => (m.yScaler.std = [0]), /yScaler\.std of column "y" is 0, expected a finite number > 0/],
    ['std -1', (m: ModelMeta) => (m.xScaler.std = [-1, 1]), /xScaler\.std of column "a" is -1/],
    ['std null', (m: ModelMeta) => (m.yScaler.std = [null as unknown as number]), /yScaler\.std of column "y" is null/],
    ['mean null', (m: ModelMeta) => (m.xScaler.mean = [0, null as unknown as number]), /xScaler\.mean of column "b" is null/],
  ])('a tampered scaler (%s) is refused', async (name, edit, pattern) => {
    await refused(variant(`scaler-${name.replace(/\W/g, '')}`, (_, m) => edit(m)), pattern);
  });
});

describe('CSV inputs: regular files only, values that scale in float32', () => {
  it('/dev/zero and a FIFO are refused at once; a value whose square overflows float32 is refused by row and column', async () => {
    const out = join(root, 'never');
    const fit = (file: string): Promise<{ code: number; stderr: string }> => cli('fit', file, '--x', 'a', '--y', 'y', '--epochs', '1', '--quiet', '--out', out);
    let r = await fit('/dev/zero');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\/dev\/zero: not a regular file/);
    const fifo = join(root, 'pipe.csv');
    const { execFileSync } = await import('node:child_process');
    execFileSync('mkfifo', [fifo]);
    r = await fit(fifo);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/pipe\.csv: not a regular file/);
    const big = join(root, 'big.csv');
    writeFileSync(big, 'a,y\n1,2\n2,3e19\n3,4\n');
    r = await fit(big);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/big\.csv row 2 \(line 3\), column "y": 3e19 is too large/);
  });
});

describe('no silent garbage models', () => {
  it('--lr 9.9 --head mvn-tril exits 2 saying training diverged, and writes no model', async () => {
    const file = join(root, 'mv.csv');
    let seed = 7;
    const u = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const rows = ['x1,x2,y1,y2'];
    for (let i = 0; i < 200; i++) {
      const [a, b] = [u() * 2 - 1, u() * 2 - 1];
      rows.push(`${a},${b},${a + 0.3 * u()},${a * b + 0.5 * u()}`);
    }
    writeFileSync(file, rows.join('\n') + '\n');
    const out = join(root, 'diverged');
    const r = await cli('fit', file, '--x', 'x1,x2', '--y', 'y1,y2', '--head', 'mvn-tril', '--lr', '9.9', '--epochs', '25', '--quiet', '--out', out);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/training diverged: .*try a smaller --lr \(now 9\.9\)|training diverged \(loss .* try a smaller --lr/);
    expect(() => readdirSync(out)).toThrow(/ENOENT/);
  });
});
