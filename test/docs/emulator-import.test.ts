/**
 * The library import src/emulator/README.md shows works for a user: in a project where
 * codegen-harness is installed (node_modules/codegen-harness, here a link to this checkout), the
 * README's TypeScript snippet type-checks and runs as written, through package.json `exports`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';

/** The first ```ts block of the emulator README that imports from the package by name. */
async function readmeSnippet(): Promise<string> {
  const readme = await readFile(path.join(ROOT, 'src/emulator/README.md'), 'utf8');
  const blocks = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
  const snippet = blocks.find((b) => /from 'codegen-harness[/']/.test(b));
  if (!snippet) throw new Error('src/emulator/README.md shows no import from codegen-harness');
  return snippet;
}

/** A user's project with the package installed (a link, as `npm link` makes). */
async function userProject(): Promise<string> {
  const dir = await makeTempDir('harness-user-');
  await mkdir(path.join(dir, 'node_modules', '@types'), { recursive: true });
  await symlink(ROOT, path.join(dir, 'node_modules', 'codegen-harness'), 'dir');
  await symlink(path.join(ROOT, 'node_modules', '@types', 'node'), path.join(dir, 'node_modules', '@types', 'node'), 'dir');
  await writeFile(path.join(dir, 'package.json'), '{ "name": "user-project", "type": "module", "private": true }\n');
  return dir;
}

describe('the emulator as a library (src/emulator/README.md)', () => {
  it('the README imports it by a subpath the package exports', async () => {
    const snippet = await readmeSnippet();
    const spec = /from '(codegen-harness[^']*)'/.exec(snippet)![1]!;
    const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
    const subpath = `.${spec.slice('codegen-harness'.length)}`;
    expect(Object.keys(pkg.exports)).toContain(subpath);
    expect(pkg.exports[subpath]).toMatchObject({ types: expect.stringMatching(/\.d\.ts$/), import: expect.stringMatching(/\.js$/) });
  });

  it('the README snippet runs as written in a project that installed the package', async () => {
    const dir = await userProject();
    await writeFile(path.join(dir, 'snippet.mjs'), await readmeSnippet());
    const r = spawnSync(process.execPath, ['snippet.mjs'], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
  });

  it('the README snippet type-checks against the exported types (moduleResolution nodenext)', async () => {
    const dir = await userProject();
    await writeFile(path.join(dir, 'snippet.mts'), await readmeSnippet());
    const tsconfig = {
      compilerOptions: {
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2023',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: ['node'],
      },
      files: ['snippet.mts'],
    };
    await writeFile(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    let out = '';
    try {
      execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8' });
    } catch (error) {
      out = String((error as { stdout?: string }).stdout ?? error);
    }
    expect(out).toBe('');
  });

  it('inside this package, the subpath resolves by package name too (self-reference)', () => {
    const code = "const m = await import('codegen-harness/emulator'); if (typeof m.startEmulator !== 'function') process.exit(1);";
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });
});
