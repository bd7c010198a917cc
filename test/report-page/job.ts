/**
 * A finished job to report on, made by the real CLI against the emulator: a task the API refuses
 * (failed, its request split over several batches), a task a verify command keeps naming (out of
 * repairs: failed with the diagnostic), two hostile task paths, and a GitHub `origin`.
 */
import { withEmulator, type Harness } from '../helpers/emulator.js';
import { git } from '../helpers/git.js';
import { makeTarget, TASKS, type TaskSpec } from '../helpers/target.js';

export const HOSTILE: TaskSpec[] = [
  { path: 'src/<script>window.__pwned=1</script>.ts', description: 'a path that is markup', group: 'Hostile' },
  { path: `src/x" onmouseover="window.__pwned=2' q.ts`, description: 'a path that closes an attribute', group: 'Hostile' },
];

const CHECK = `console.log("src/models/user.ts(1,1): error TS1005: ';' expected.");\nprocess.exit(2);\n`;

/** A codebase big enough to be cached: the job writes the cache once and reads it after. */
function codebase(): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < 16; i++) {
    out[`src/lib/module${String(i).padStart(2, '0')}.ts`] = Array.from(
      { length: 30 },
      (_, j) => `export function handler${i}_${j}(input: number): number {\n  return input * ${j} + ${i};\n}\n`,
    ).join('\n');
  }
  return out;
}

export interface Job {
  h: Harness;
  repo: string;
  /** Exit code of the run. */
  code: number | null;
}

export async function makeJob(): Promise<Job> {
  const h = await withEmulator({
    faults: { results: [{ pathContains: 'services/order.service.ts', kind: 'errored', errorType: 'invalid_request_error', times: 0 }] },
  });
  const repo = await makeTarget({
    tasks: [...TASKS, ...HOSTILE],
    files: {
      ...codebase(),
      'harness.config.mjs': `export default { verify: { command: 'node check.mjs', repairs: 1 } };\n`,
      'check.mjs': CHECK,
    },
  });
  git(repo, 'remote', 'add', 'origin', 'git@github.com:acme/widgets.git');
  const r = await h.run(repo, 'run', '--max-tokens', '8000');
  return { h, repo, code: r.code };
}
