/** The repository's commit hooks: which are installed, and what a failed commit with them on means. */
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { simpleGit } from 'simple-git';
import { HarnessError } from '../shared/errors.js';

/** Hooks that run on `git commit`, installed (executable, not a sample) in the repository at `dir`. */
export async function commitHooks(dir: string): Promise<string[]> {
  const git = simpleGit({ baseDir: dir, trimmed: false });
  const hooksDir = await git.raw(['rev-parse', '--git-path', 'hooks']).then(
    (s) => path.resolve(dir, s.trim()),
    () => null,
  );
  if (!hooksDir) return [];
  const found: string[] = [];
  for (const name of ['pre-commit', 'prepare-commit-msg', 'commit-msg', 'post-commit']) {
    const ok = await access(path.join(hooksDir, name), constants.X_OK).then(
      () => true,
      () => false,
    );
    if (ok) found.push(name);
  }
  return found;
}

/** A commit that failed while the person's hooks run: most likely a hook said no. */
export function hookRejection(msg: string, error: unknown): HarnessError {
  const full = error instanceof Error ? error.message.trim().split('\n').slice(0, 12).join('\n  ') : msg;
  return new HarnessError(
    'GIT',
    `git commit failed with the repository's hooks on (git.hooks: true); a pre-commit or commit-msg hook probably rejected it:\n  ${full}`,
    {
      cause: error,
      hint:
        'nothing of this commit is left staged. Fix what the hook reports, or set `git: { hooks: false }` in the config to commit without hooks, ' +
        'then run `harness run` again: the journal finishes the interrupted step',
    },
  );
}
