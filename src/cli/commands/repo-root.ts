/** Which directory a command works on: `--repo`, or the harness root found from the current directory. */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { HarnessError } from '../../shared/errors.js';
import type { CommandContext } from './command-spec.js';

const repoDirs = new WeakMap<CommandContext, string>();

/**
 * The directory to work on. `--repo DIR` is taken as given (it must be a directory): a package of
 * a monorepo can be a harness root of its own. Without it, the nearest directory from here up to
 * the top of the git repository that already holds harness files (`.harness/`, `task-list.md`,
 * `harness.config.*`), else the top of the git repository (the way git itself finds the repo from
 * a subdirectory), else the current directory.
 */
export async function repoDirOf(ctx: CommandContext): Promise<string> {
  const known = repoDirs.get(ctx);
  if (known) return known;
  let dir: string;
  if (typeof ctx.opts.repo === 'string') {
    dir = path.resolve(ctx.opts.repo);
    const info = await stat(dir).catch(() => null);
    if (!info) {
      throw new HarnessError('BAD_USAGE', `--repo ${ctx.opts.repo}: no such directory`, {
        hint: 'pass the directory of the repository to work on, or run the command inside it without --repo',
      });
    }
    if (!info.isDirectory())
      throw new HarnessError('BAD_USAGE', `--repo ${ctx.opts.repo}: not a directory`, { hint: 'pass the directory of the repository to work on' });
  } else {
    dir = await enclosingRoot(process.cwd());
    if (path.resolve(dir) !== path.resolve(process.cwd()) && ctx.opts.json !== true) {
      ctx.io.err.write(`· working in ${dir} (found from the current directory; pass --repo to choose)\n`);
    }
  }
  repoDirs.set(ctx, dir);
  return dir;
}

// Kept here, not imported from the config loader: that would load zod for every command's start-up.
const ROOT_MARKERS = ['.harness', 'task-list.md', 'harness.config.ts', 'harness.config.mts', 'harness.config.js', 'harness.config.mjs'];

async function enclosingRoot(cwd: string): Promise<string> {
  const { readGitState } = await import('../../git/git-state.js');
  const { top } = await readGitState(cwd);
  if (top === null) return cwd;
  const stopAt = path.resolve(top);
  for (let d = path.resolve(cwd); ; d = path.dirname(d)) {
    if (ROOT_MARKERS.some((m) => existsSync(path.join(d, m)))) return d;
    if (d === stopAt || path.dirname(d) === d) break;
  }
  return stopAt;
}
