/**
 * Vitest global set-up:
 * - compile src/ to dist/ before any test runs, so the subprocess tests (which run bin/harness.js,
 *   as a user would) always test the sources as they are now, also when vitest is started directly
 *   (`npx vitest run test/x.test.ts`) rather than through `npm test`;
 * - one temporary root per run (`harness-test-run-*` under the system temp dir), removed at the end.
 *   Its path is in HARNESS_TEST_TMP (test/helpers/tmp.ts makes directories under it) and in TMPDIR,
 *   so everything else that asks `os.tmpdir()` in the test workers and in the processes they start
 *   (the harness CLI, git, the emulator's own temp data dirs) lands there too, and nothing is left
 *   behind. Roots of runs that were killed before their teardown are swept after a day.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const RUN_ROOT_PREFIX = 'harness-test-run-';
const STALE_AFTER_MS = 24 * 3600_000;

export default function setup(): () => void {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  // A vitest run started by a test (test/setup/tmp.test.ts) uses the build of the run that started it.
  if (!process.env.HARNESS_TEST_NESTED) {
    try {
      execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'pipe' });
    } catch (error) {
      const out = (error as { stdout?: Buffer }).stdout?.toString() ?? '';
      throw new Error(`building src/ for the tests failed:\n${out}`);
    }
  }

  const systemTmp = os.tmpdir();
  sweepStaleRoots(systemTmp);
  const runRoot = mkdtempSync(path.join(systemTmp, RUN_ROOT_PREFIX));
  const saved = { HARNESS_TEST_TMP: process.env.HARNESS_TEST_TMP, TMPDIR: process.env.TMPDIR };
  process.env.HARNESS_TEST_TMP = runRoot;
  process.env.TMPDIR = runRoot;
  return () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    if (process.env.HARNESS_KEEP_TEST_TMP) {
      process.stderr.write(`test temp files kept in ${runRoot} (HARNESS_KEEP_TEST_TMP)\n`);
      return;
    }
    rmSync(runRoot, { recursive: true, force: true, maxRetries: 3 });
  };
}

function sweepStaleRoots(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(RUN_ROOT_PREFIX)) continue;
    const full = path.join(dir, name);
    try {
      if (Date.now() - statSync(full).mtimeMs > STALE_AFTER_MS) rmSync(full, { recursive: true, force: true });
    } catch {
      // another run removed it first, or it is not ours to remove: leave it
    }
  }
}
