/**
 * Vitest global set-up: compile src/ to dist/ before any test runs, so the subprocess tests (which
 * run bin/harness.js, as a user would) always test the sources as they are now, also when vitest is
 * started directly (`npx vitest run test/x.test.ts`) rather than through `npm test`.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'pipe' });
  } catch (error) {
    const out = (error as { stdout?: Buffer }).stdout?.toString() ?? '';
    throw new Error(`building src/ for the tests failed:\n${out}`);
  }
}
