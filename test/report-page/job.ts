/**
 * A finished job to report on, made by the real CLI against the emulator: a task the API refuses
 * (failed, its request split over several batches), a task a verify command keeps naming (out of
 * repairs: failed with the diagnostic), two hostile task paths, and a GitHub `origin`.
 */
import { withEmulator, type Harness } from '../helpers/emulator.js';
import { git } from '../helpers/git.js';
import { cacheableCodebase, makeTarget, TASKS, type TaskSpec } from '../helpers/target.js';

export const HOSTILE: TaskSpec[] = [
  { path: 'src/<script>window.__pwned=1</script>.ts', description: 'a path that is markup', group: 'Hostile' },
  { path: `src/x" onmouseover="window.__pwned=2' q.ts`, description: 'a path that closes an attribute', group: 'Hostile' },
];

const CHECK = `console.log("src/models/user.ts(1,1): error TS1005: ';' expected.");\nprocess.exit(2);\n`;

const codebase = () => cacheableCodebase(16);

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
