/**
 * Before anything is paid for, every target the tasks ask for must be one the harness can write
 * and commit; otherwise a batch is billed for files that are refused only at collect, or written
 * and never committed. Checked for the tasks about to be submitted (`run`) and for a new plan
 * (`init`), all problems at once, each as `task-list.md:LINE: reason` (exit 2):
 *
 * - the path guard of collect (output/guard.ts), on the real file system: not a directory, not a
 *   path through a file (`src/a.ts/b.ts`), not through a symbolic link leading out of the output
 *   root, not a symbolic link itself;
 * - two tasks that are one file once paths are resolved (a link to a directory inside the root),
 *   or that differ only in case (one file on macOS and Windows), or where one task's target is a
 *   directory another task needs (`src/a` and `src/a/b.ts`);
 * - a target git ignores: `git add` would refuse it, so it is refused here unless the config says
 *   `ignoredTargets: 'write-uncommitted'` (then it is written and left out of the commits).
 */
import { resolveSafeTarget } from '../output/guard.js';
import { HarnessError, severalErrors } from '../shared/errors.js';
import { TASK_LIST_FILE } from '../shared/paths.js';
import type { Task } from '../tasks/task.js';
import type { Workspace } from './workspace.js';

type Problem = { line: number; reason: string; kind: 'unwritable' | 'clash' | 'ignored' };

/** Targets resolved at once. */
const CONCURRENCY = 32;

/**
 * Throws BAD_TASK_LIST (exit 2) listing every task of `tasks` whose target cannot be written and
 * committed; returns quietly when all can.
 */
export async function assertTargetsWritable(ws: Workspace, tasks: readonly Task[], file: string = TASK_LIST_FILE): Promise<void> {
  if (tasks.length === 0) return;
  const problems: Problem[] = [];
  const resolved: { task: Task; repoRelPath: string }[] = [];

  // 1. The path guard, as collect will apply it.
  for (let i = 0; i < tasks.length; i += CONCURRENCY) {
    const slice = tasks.slice(i, i + CONCURRENCY);
    const results = await Promise.all(slice.map((t) => resolveSafeTarget(ws.repoDir, ws.config.outputRoot, t.path)));
    results.forEach((r, k) => {
      const task = slice[k]!;
      if (r.ok) resolved.push({ task, repoRelPath: r.repoRelPath });
      else problems.push({ line: task.line, reason: `cannot write ${task.path}: ${r.reason}`, kind: 'unwritable' });
    });
  }

  // 2. Tasks that collide once resolved.
  const exact = new Map<string, Task>();
  const folded = new Map<string, { task: Task; repoRelPath: string }>();
  for (const r of resolved) {
    const same = exact.get(r.repoRelPath);
    if (same) {
      problems.push({ line: r.task.line, reason: `${r.task.path} is the same file as ${same.path} (line ${same.line})`, kind: 'clash' });
      continue;
    }
    exact.set(r.repoRelPath, r.task);
    const other = folded.get(r.repoRelPath.toLowerCase());
    if (other) {
      problems.push({
        line: r.task.line,
        reason: `${r.task.path} differs from ${other.task.path} (line ${other.task.line}) only in case: one file on macOS and Windows`,
        kind: 'clash',
      });
      continue;
    }
    folded.set(r.repoRelPath.toLowerCase(), r);
  }
  for (const r of resolved) {
    const segments = r.repoRelPath.split('/');
    for (let n = segments.length - 1; n > 0; n--) {
      const parent = exact.get(segments.slice(0, n).join('/'));
      if (parent && parent !== r.task) {
        problems.push({
          line: r.task.line,
          reason: `${r.task.path} needs ${parent.path} to be a directory, but ${parent.path} is a task too (line ${parent.line})`,
          kind: 'clash',
        });
        break;
      }
    }
  }

  // 3. Targets git ignores (one git process for all of them).
  const byRepoPath = new Map(resolved.map((r) => [r.repoRelPath, r.task]));
  const ignored = await ws.git.checkIgnored([...byRepoPath.keys()]);
  if (ignored.length > 0) {
    if (ws.config.ignoredTargets === 'write-uncommitted') {
      ws.reporter.info(`${ignored.length} target(s) ignored by git will be written but not committed (ignoredTargets: write-uncommitted)`);
    } else {
      for (const i of ignored) {
        const task = byRepoPath.get(i.path);
        if (task) problems.push({ line: task.line, reason: `${i.path} is ignored by ${i.source}`, kind: 'ignored' });
      }
    }
  }

  if (problems.length === 0) return;
  problems.sort((a, b) => a.line - b.line);
  const kinds = new Set(problems.map((p) => p.kind));
  const hints: string[] = [];
  if (kinds.has('unwritable') || kinds.has('clash')) hints.push('fix or remove those tasks (or tick them to skip them)');
  if (kinds.has('ignored')) {
    hints.push(
      "for an ignored target: un-ignore it in .gitignore, tick the task, or set `ignoredTargets: 'write-uncommitted'` in the config to write it without committing it",
    );
  }
  throw severalErrors(
    problems.map((p) => new HarnessError('BAD_TASK_LIST', p.reason, { file, line: p.line })),
    { hint: `nothing was submitted; ${hints.join('; ')}` },
  );
}
