/**
 * A test run leaves no temporary directories behind: a nested vitest run (the real global set-up,
 * a fixture that makes temp dirs every way the tests do) against an empty TMPDIR leaves it empty.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { makeTempDir, tmpRoot } from '../helpers/tmp.js';

describe('temporary directories of a test run', () => {
  it('this run has its own root, and os.tmpdir() points into it', () => {
    expect(process.env.HARNESS_TEST_TMP).toBeTruthy();
    expect(tmpRoot()).toBe(process.env.HARNESS_TEST_TMP);
    expect(path.resolve(os.tmpdir())).toBe(path.resolve(tmpRoot()));
  });

  it('a whole vitest run leaves its TMPDIR as it found it', async () => {
    const tmp = await makeTempDir('nested-run-tmp-');
    const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmp, HARNESS_TEST_NESTED: '1' };
    delete env.HARNESS_TEST_TMP;
    delete env.HARNESS_KEEP_TEST_TMP;
    const vitest = path.join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
    const r = spawnSync(process.execPath, [vitest, 'run', '--config', 'test/setup/fixtures/vitest.config.ts'], {
      cwd: ROOT,
      env,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/1 passed/);
    expect(readdirSync(tmp)).toEqual([]);
  });
});
