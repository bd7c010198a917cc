/**
 * What a command opens before it acts: the repo and its config (flags override the file), the git
 * checks of a command that commits, the workspace, and the API preflight when it is needed.
 */
import type { Workspace } from '../../pipeline/workspace.js';
import { createReporter } from '../render.js';
import type { CommandContext } from './command-spec.js';
import { FLAGS, overrides } from './flags.js';
import { repoDirOf } from './repo-root.js';

/** Repo and config only: what read-only commands need (no git, no SDK loaded). */
export async function openConfig(ctx: CommandContext) {
  const repoDir = await repoDirOf(ctx);
  const { loadConfig } = await import('../../config/load.js');
  const loaded = await loadConfig(repoDir, {
    ...(typeof ctx.opts.config === 'string' ? { file: ctx.opts.config } : {}),
    overrides: overrides(ctx.opts),
    flags: FLAGS,
  });
  return { repoDir, loaded };
}

interface OpenOptions {
  initGit?: boolean;
  quiet?: boolean;
  /** The command may commit: refuse a merge/rebase in progress, warn on a detached HEAD. */
  commits?: boolean;
}

/** The workspace a command works in, and the reporter that draws its progress. */
export async function open(ctx: CommandContext, options: OpenOptions = {}) {
  const { repoDir, loaded } = await openConfig(ctx);
  const reporter = createReporter(ctx.io, { quiet: options.quiet ?? false });
  if (options.commits) {
    const { readGitState, assertNoGitOperation, detachedHeadWarning } = await import('../../git/git-state.js');
    const { commitHooks } = await import('../../git/hooks.js');
    const state = await readGitState(repoDir);
    assertNoGitOperation(state); // before anything is read or written: the index stays as it is
    if (state.detachedAt) reporter.warn(detachedHeadWarning(state.detachedAt));
    if (state.isRepo && !loaded.config.git.hooks) {
      const hooks = await commitHooks(repoDir);
      if (hooks.length > 0) {
        reporter.info(`git hooks (${hooks.join(', ')}) are not run on harness commits; set \`git: { hooks: true }\` in the config to run them`);
      }
    }
  }
  const { openWorkspace } = await import('../../pipeline/workspace.js');
  const sources = {
    ...(typeof ctx.opts.model === 'string' ? { model: FLAGS.model } : {}),
    ...(typeof ctx.opts.maxTokens === 'number' ? { maxTokens: FLAGS.maxTokens } : {}),
  };
  const ws = await openWorkspace({
    repoDir,
    config: loaded.config,
    configFile: loaded.file,
    reporter,
    initGit: options.initGit ?? false,
    stop: ctx.stop.stop,
    sources,
  });
  return { ws, reporter };
}

/** Collect and cancel call the API only when something is in flight (or an intent is unresolved). */
export async function preflightIfInFlight(ws: Workspace): Promise<void> {
  const { inFlight, readJournal } = await import('../../state/journal.js');
  const journal = await readJournal(ws.repoDir);
  if (inFlight(journal).length > 0 || journal.batches.some((b) => b.batchId === null && !b.abandoned)) await ws.preflight();
}
