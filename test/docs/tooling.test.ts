/**
 * The linter and formatter (Biome) and the dead-export check are part of `npm test`, as
 * docs/contributing.md says: the test script runs them, they check without writing, and the
 * configuration really lints.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';

const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  devDependencies: Record<string, string>;
};
const biomeBin = path.join(ROOT, 'node_modules', '@biomejs', 'biome', 'bin', 'biome');

/** Biome with the repository's configuration on one file, in a scratch copy of the repository's root. */
async function biome(command: 'lint' | 'check', file: string, text: string) {
  const dir = await makeTempDir('harness-biome-');
  const config = JSON.parse(readFileSync(path.join(ROOT, 'biome.json'), 'utf8')) as Record<string, unknown>;
  delete config.$schema;
  await writeFile(path.join(dir, 'biome.json'), JSON.stringify(config));
  await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
  await writeFile(path.join(dir, file), text);
  return spawnSync(process.execPath, [biomeBin, command, file], { cwd: dir, encoding: 'utf8' });
}

describe('tooling', () => {
  it('npm test runs the type check, then the linter, then the dead-export check, then vitest', () => {
    const steps = pkg.scripts.test!.split('&&').map((s) => s.trim());
    expect(steps).toEqual(['npm run typecheck', 'npm run lint', 'npm run dead-exports', 'vitest run']);
    expect(pkg.scripts['dead-exports']).toBe('node scripts/dead-exports.js');
    expect(pkg.scripts.lint).toMatch(/^biome check\b/);
    expect(pkg.scripts.lint).not.toMatch(/--write|--fix|--apply/);
  });

  it('Biome is pinned to an exact version', () => {
    expect(pkg.devDependencies['@biomejs/biome']).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('the configuration lints: a debugger statement in a test file is an error', async () => {
    const bad = await biome('lint', 'test/x.test.ts', "import { it } from 'vitest';\nit('x', () => {\n  debugger;\n});\n");
    expect(bad.status, bad.stdout + bad.stderr).not.toBe(0);
    expect(bad.stdout + bad.stderr).toMatch(/noDebugger/);
  });

  it('the configuration accepts the house style (single quotes, semicolons, 2 spaces, non-null assertions)', async () => {
    const good = await biome(
      'check',
      'scripts/x.ts',
      "const xs: number[] = [1];\nexport const first = (): number => xs[0]!;\nexport const name = 'harness';\n",
    );
    expect(good.status, good.stdout + good.stderr).toBe(0);
  });
});
