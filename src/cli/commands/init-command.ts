/** `harness init`: scan, plan and commit task-list.md, submit the first batch; a failed init leaves the repo as it was. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { plural } from '../render.js';
import { printDryRun, printRunSummary } from '../report.js';
import type { CommandSpec } from './command-spec.js';
import { modelOptions } from './flags.js';
import { open } from './open-workspace.js';
import { locked, stoppedCode } from './repo-lock.js';
import { repoDirOf } from './repo-root.js';

export const initCommand: CommandSpec = {
  name: 'init',
  description: 'scan the repo, plan and commit task-list.md, submit the first batch (without waiting)',
  options: [
    { flags: '--spec <file>', description: 'what to build: a task list or a Markdown spec' },
    { flags: '--planner <name>', description: 'how to make the task list', choices: ['list', 'mirror', 'llm'] },
    { flags: '--no-submit', description: 'plan and commit task-list.md, submit nothing' },
    { flags: '--dry-run', description: 'write the exact requests under .harness/dry-run/, spend nothing, change nothing in git' },
    { flags: '--allow-dirty', description: 'overwrite files with uncommitted changes' },
    ...modelOptions,
  ],
  async run(ctx) {
    const dryRun = ctx.opts.dryRun === true;
    const repoDir = await repoDirOf(ctx);
    const before = await initState(repoDir);
    try {
      const { ws, reporter } = await open(ctx, { initGit: !dryRun, commits: !dryRun });
      const { initRepo } = await import('../../pipeline/init.js');
      const result = await locked(ctx, ws, 'init', () =>
        initRepo(ws, {
          ...(typeof ctx.opts.spec === 'string' ? { spec: ctx.opts.spec } : {}),
          ...(typeof ctx.opts.planner === 'string' ? { planner: ctx.opts.planner as 'list' } : {}),
          noSubmit: ctx.opts.submit === false,
          dryRun,
          allowDirty: ctx.opts.allowDirty === true,
        }),
      );
      reporter.done();
      if (result.dryRun) printDryRun(ctx.io, ws, result.dryRun);
      else if (result.run) await printRunSummary(ctx.io, ws, result.run);
      else ctx.io.out.write(`task-list.md: ${plural(result.tasks, 'task')} committed; nothing submitted (--no-submit)\n`);
      return stoppedCode(ctx, 0);
    } catch (error) {
      await undoFailedInit(repoDir, before);
      throw error;
    }
  },
};

interface InitState {
  hadGit: boolean;
  hadState: boolean;
  head: string | null;
}

async function initState(repoDir: string): Promise<InitState> {
  const { readGitState } = await import('../../git/git-state.js');
  const git = await readGitState(repoDir);
  return { hadGit: git.isRepo, hadState: existsSync(path.join(repoDir, '.harness')), head: git.head };
}

/**
 * A failed init leaves the repo as it was: when it committed nothing, the `.harness/` folder it made
 * (lock, context snapshot) goes, and so does a repository it created with `git init`. A paid plan
 * kept after a failed check (the journal records the call) is never removed.
 */
async function undoFailedInit(repoDir: string, before: InitState): Promise<void> {
  try {
    const { readGitState } = await import('../../git/git-state.js');
    const now = await readGitState(repoDir);
    if (now.head !== before.head) return; // something was committed: that is history now
    const state = path.join(repoDir, '.harness');
    if (['journal.jsonl', 'plan.md'].some((f) => existsSync(path.join(state, f)))) return;
    const { rm } = await import('node:fs/promises');
    if (!before.hadState && existsSync(state)) await rm(state, { recursive: true, force: true });
    if (!before.hadGit && now.isRepo && now.head === null && existsSync(path.join(repoDir, '.git'))) {
      await rm(path.join(repoDir, '.git'), { recursive: true, force: true });
    }
  } catch {
    // best effort: the error being reported is the one that matters
  }
}
